package com.example.wecom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeRequest;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * Tokens from the WeCom credential service over the Lambda Invoke API (the contract is in the
 * service's schemas/invoke/). Each token is kept until a margin before its {@code expiresAt};
 * concurrent callers of one token share one request; a token WeCom refused is reported with
 * {@link #rejected(String)} and the next request asks the service to replace exactly that one.
 */
public final class CredentialsClient {
  /** WeCom's answers meaning "this token is no longer valid": report it, get another, retry once. */
  public static final Set<Integer> STALE_TOKEN_ERRCODES = Set.of(40014, 42001, 40082, 42009);

  /** A token as the service handed it out; {@code agentId} only for corp tokens WeCom named one for. */
  public record Token(String accessToken, Instant expiresAt, Integer agentId) {}

  /** A typed error of the service: {@code errorType} is its Lambda errorType (docs/errors.md). */
  public static final class CredentialServiceException extends RuntimeException {
    private final String errorType;

    CredentialServiceException(String errorType, String message) {
      super(errorType + ": " + message);
      this.errorType = errorType;
    }

    public String errorType() {
      return errorType;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final LambdaClient lambda;
  private final Function<String, String> functionNames;
  private final Duration margin;
  private final Clock clock;
  private final Map<String, Token> cache = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  /** The token last handed out per key, so a rejected one can be named to the service. */
  private final Map<String, String> issued = new ConcurrentHashMap<>();
  private final Set<String> rejected = ConcurrentHashMap.newKeySet();

  /**
   * @param functionNames the service's function name → the name or ARN to invoke (in AWS the
   *     stack's *FunctionName outputs; under npm start the names themselves)
   */
  public CredentialsClient(LambdaClient lambda, Function<String, String> functionNames, Duration margin, Clock clock) {
    this.lambda = lambda;
    this.functionNames = functionNames;
    this.margin = margin;
    this.clock = clock;
  }

  /** For npm start: a region and placeholder credentials, which the local stack never checks. */
  public static CredentialsClient local(String endpoint) {
    LambdaClient lambda = LambdaClient.builder()
        .endpointOverride(URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .build();
    return new CredentialsClient(lambda, Function.identity(), Duration.ofSeconds(60), Clock.systemUTC());
  }

  public Token suiteToken(String suiteId) {
    ObjectNode payload = JSON.createObjectNode();
    if (suiteId != null) {
      payload.put("suiteId", suiteId);
    }
    return token("suite|" + suiteId, "suite-token", payload);
  }

  public Token corpToken(String corpId, String suiteId) {
    ObjectNode payload = JSON.createObjectNode().put("corpId", corpId);
    if (suiteId != null) {
      payload.put("suiteId", suiteId);
    }
    return token("corp|" + suiteId + "|" + corpId, "corp-token", payload);
  }

  public Token providerToken() {
    return token("provider", "provider-token", JSON.createObjectNode());
  }

  /** What a page passes to wx.agentConfig ({@code type} "agent") or wx.config ("corp"); never cached. */
  public JsonNode jsapiSignature(String corpId, String suiteId, String type, String url) {
    ObjectNode payload = JSON.createObjectNode().put("corpId", corpId).put("type", type).put("url", url);
    if (suiteId != null) {
      payload.put("suiteId", suiteId);
    }
    return invoke("jsapi-ticket", payload);
  }

  /** WeCom refused this token: the next request for it asks the service for its replacement. */
  public void rejected(String accessToken) {
    rejected.add(accessToken);
    cache.values().removeIf(token -> token.accessToken().equals(accessToken));
  }

  private Token token(String key, String function, ObjectNode payload) {
    Token cached = cache.get(key);
    if (fresh(cached)) {
      return cached;
    }
    // One request per token at a time; the others wait for it and take the cached answer.
    synchronized (locks.computeIfAbsent(key, ignored -> new Object())) {
      cached = cache.get(key);
      if (fresh(cached)) {
        return cached;
      }
      String last = issued.get(key);
      boolean stale = last != null && rejected.contains(last);
      JsonNode answer = invoke(function, stale ? payload.deepCopy().put("staleToken", last) : payload);
      Token token = new Token(
          answer.get("accessToken").asText(),
          Instant.parse(answer.get("expiresAt").asText()),
          answer.hasNonNull("agentId") ? answer.get("agentId").asInt() : null);
      cache.put(key, token);
      issued.put(key, token.accessToken());
      if (stale) {
        rejected.remove(last);
      }
      return token;
    }
  }

  private boolean fresh(Token token) {
    return token != null && token.expiresAt().minus(margin).isAfter(clock.instant());
  }

  private JsonNode invoke(String function, JsonNode payload) {
    InvokeResponse response = lambda.invoke(InvokeRequest.builder()
        .functionName(functionNames.apply(function))
        .payload(SdkBytes.fromUtf8String(payload.toString()))
        .build());
    JsonNode body;
    try {
      body = JSON.readTree(response.payload().asUtf8String());
    } catch (java.io.IOException error) {
      throw new CredentialServiceException("InvalidResponse", function + " answered with something other than JSON");
    }
    if (response.functionError() != null) {
      throw new CredentialServiceException(
          body.path("errorType").asText(response.functionError()), body.path("errorMessage").asText(""));
    }
    return body;
  }
}
