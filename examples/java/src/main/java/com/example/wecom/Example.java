package com.example.wecom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/** Against npm start: a suite token, a corp token (after a sandbox install), the stale-token retry. */
public final class Example {
  private Example() {}

  /** Runs {@code call} with a token; on a stale-token errcode reports it and retries once. */
  static JsonNode callWithToken(
      CredentialsClient credentials, Supplier<CredentialsClient.Token> token, Function<String, JsonNode> call) {
    CredentialsClient.Token first = token.get();
    JsonNode answer = call.apply(first.accessToken());
    if (CredentialsClient.STALE_TOKEN_ERRCODES.contains(answer.path("errcode").asInt(0))) {
      credentials.rejected(first.accessToken());
      answer = call.apply(token.get().accessToken());
    }
    return answer;
  }

  public static void main(String[] args) throws Exception {
    String endpoint = args.length > 0 ? args[0] : "http://127.0.0.1:3001";
    String suiteId = "wwsandboxsuite0001";
    String corpId = "wwjavacorp";
    CredentialsClient credentials = CredentialsClient.local(endpoint);

    System.out.println("suite token: " + credentials.suiteToken(suiteId).accessToken());

    java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(endpoint + "/sandbox/install?suiteId=" + suiteId + "&corpId=" + corpId))
            .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
            .build(),
        java.net.http.HttpResponse.BodyHandlers.discarding());
    CredentialsClient.Token corp = null;
    for (int attempt = 0; corp == null; attempt++) {
      try {
        corp = credentials.corpToken(corpId, suiteId);
      } catch (CredentialsClient.CredentialServiceException error) {
        if (!"CorpNotAuthorizedError".equals(error.errorType()) || attempt >= 200) {
          throw error;
        }
        Thread.sleep(100);
      }
    }
    System.out.println("corp token: " + corp.accessToken() + " (agentId " + corp.agentId() + ")");

    // A WeCom call that answers 42001 once, as WeCom does for a token it ended early.
    ObjectMapper json = new ObjectMapper();
    Iterator<JsonNode> answers = List.of(
        json.readTree("{\"errcode\":42001,\"errmsg\":\"access_token expired\"}"),
        json.readTree("{\"errcode\":0}")).iterator();
    JsonNode answer = callWithToken(credentials, () -> credentials.corpToken(corpId, suiteId), token -> answers.next());
    System.out.println("after the stale-token retry: " + answer);

    System.out.println("signature: " + credentials.jsapiSignature(corpId, suiteId, "agent", "https://app.example.com/page"));
  }
}
