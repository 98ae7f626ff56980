import type { Logger } from '@aws-lambda-powertools/logger';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient, EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ConfigLocation, readServiceEnvironment, systemClock } from '../adapters/config/environment.ts';
import {
  CachedRegistrySource,
  configFileFetcher,
  configSecretFetcher,
} from '../adapters/config/registry-source.ts';
import { DeadlineHttpHandler } from '../adapters/deadline/deadline-http-handler.ts';
import { RequestDeadlines } from '../adapters/deadline/request-deadlines.ts';
import { createDocumentClient } from '../adapters/dynamodb/document-client.ts';
import { createServiceMetrics, type ServiceMetrics } from '../adapters/metrics.ts';
import { createLogger } from '../adapters/observability.ts';
import type { WeComApiClientOptions } from '../adapters/wecom/wecom-api-client.ts';
import type { FunctionName } from '../catalog.ts';
import { ConfigurationError } from '../core/errors.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { EventPublisher } from '../core/ports/event-publisher.ts';
import type { SuiteRegistrySource } from '../core/ports/suite-registry-source.ts';

/** A function of the service (functions/catalog.ts): a Lambda function in AWS, a handler under `npm start`. */
export type ServiceName = FunctionName;

/** An AWS SDK client as the runtime hands it to an observer (tests record its commands). */
export type AwsClient = DynamoDBDocumentClient | SecretsManagerClient | EventBridgeClient;

/** qyapi client settings beyond its address; the metrics hook is always the runtime's. */
export type WeComClientSettings = Omit<WeComApiClientOptions, 'baseUrl' | 'observe'>;

/**
 * What a function reaches outside its own code: the table, the configuration, WeCom, the clock,
 * logs and metrics. `createServiceRuntime` builds it from the environment the stack sets; every
 * function's `create…Deps` builds its adapters from it and from nothing else.
 */
export interface ServiceRuntime {
  readonly tableName: string;
  /** The configuration; each function reads it with its own role, so each has its own cache. */
  registry(service: ServiceName): SuiteRegistrySource;
  readonly wecomApiBase: string;
  readonly wecomOpenBase: string;
  readonly wecomClient: WeComClientSettings;
  readonly maxSkewSeconds: number;
  /** Whether the stage wants the provider's system-event URL (WECOM_SYSTEM_EVENTS). */
  readonly systemEvents: 'optional' | 'required';
  readonly clock: Clock;
  /**
   * The current request's deadline, which bounds every outbound call (AWS and WeCom); the handler
   * wrappers set it per request. One per container, shared by all its clients.
   */
  readonly deadlines: RequestDeadlines;
  /** One client per function, reused while the container is warm. */
  documentClient(service: ServiceName): DynamoDBDocumentClient;
  logger(service: ServiceName): Logger;
  metrics(service: ServiceName): ServiceMetrics;
  /**
   * Where events go: the bus named by EVENT_BUS_NAME, or another bus given as a seam. Only the
   * functions that publish reach it, through eventBusOf (event-bus.ts), so only their bundles hold
   * the EventBridge client.
   */
  readonly eventBus: {
    readonly name?: string;
    readonly seam?: (service: ServiceName) => EventPublisher;
    readonly clientConfig?: EventBridgeClientConfig;
  };
  /** Told of every AWS client made for a function (the IAM contract tests record their calls). */
  readonly observeAwsClient?: (client: AwsClient, service: ServiceName) => void;
}

/**
 * What differs off Lambda: where DynamoDB and Secrets Manager are (DynamoDB Local, a loopback fake),
 * a configuration already in hand (the sandbox), a test clock, quieter logs, shorter WeCom timeouts,
 * and an observer of every AWS client (the IAM contract tests record each command).
 */
export interface RuntimeSeams {
  readonly dynamoDb?: DynamoDBClientConfig;
  readonly secretsManager?: SecretsManagerClientConfig;
  readonly eventBridge?: EventBridgeClientConfig;
  /** Another bus (the local one under `npm start`). */
  readonly events?: (service: ServiceName) => EventPublisher;
  readonly registry?: SuiteRegistrySource;
  readonly clock?: Clock;
  readonly wecomClient?: WeComClientSettings;
  readonly logger?: (service: ServiceName) => Logger;
  readonly metrics?: (service: ServiceName) => ServiceMetrics;
  readonly observeAwsClient?: (client: AwsClient, service: ServiceName) => void;
  /**
   * Multiplies every deadline and AWS call timeout (RequestDeadlines.stretch): a busy test machine's
   * DynamoDB Local is slower than DynamoDB. @default 1, as in Lambda
   */
  readonly deadlineStretch?: number;
}

/**
 * Builds the runtime from the environment (TABLE_NAME, WECOM_CONFIG_SECRET or WECOM_CONFIG_FILE,
 * WECOM_API_BASE, WECOM_MAX_SKEW_SECONDS, STAGE). A Lambda entry point calls it with no seams; `npm start`,
 * the tests and the bench pass theirs.
 *
 * @throws ConfigurationError naming the missing or malformed variable.
 */
export const createServiceRuntime = (
  env: NodeJS.ProcessEnv = process.env,
  seams: RuntimeSeams = {},
): ServiceRuntime => {
  const environment = readServiceEnvironment(env);
  const clock = seams.clock ?? systemClock;
  const deadlines = new RequestDeadlines(Date.now, seams.deadlineStretch ?? 1);
  const observe = seams.observeAwsClient;
  let registry: (service: ServiceName) => SuiteRegistrySource;
  if (seams.registry !== undefined) {
    const given = seams.registry;
    registry = () => given;
  } else {
    const location = environment.config;
    if (location === undefined) {
      throw new ConfigurationError('set WECOM_CONFIG_SECRET (AWS) or WECOM_CONFIG_FILE (local)');
    }
    registry = perService((service) =>
      registryFrom(location, clock, deadlines, (client) => observe?.(client, service), seams.secretsManager),
    );
  }
  return {
    tableName: environment.tableName,
    registry,
    wecomApiBase: environment.wecomApiBase,
    wecomOpenBase: environment.wecomOpenBase,
    wecomClient: seams.wecomClient ?? {},
    maxSkewSeconds: environment.maxSkewSeconds,
    systemEvents: environment.systemEvents,
    clock,
    deadlines,
    documentClient: perService((service) => {
      const client = createDocumentClient(seams.dynamoDb, deadlines);
      observe?.(client, service);
      return client;
    }),
    logger: seams.logger ?? createLogger,
    metrics: seams.metrics ?? ((service) => createServiceMetrics(service, environment.stage)),
    eventBus: {
      ...(environment.eventBusName === undefined ? {} : { name: environment.eventBusName }),
      ...(seams.events === undefined ? {} : { seam: seams.events }),
      ...(seams.eventBridge === undefined ? {} : { clientConfig: seams.eventBridge }),
    },
    ...(observe === undefined ? {} : { observeAwsClient: observe }),
  };
};

/** One `make(service)` per function, made on first use and reused while the container is warm. */
const perService = <T>(make: (service: ServiceName) => T): ((service: ServiceName) => T) => {
  const made = new Map<ServiceName, T>();
  return (service) => {
    let value = made.get(service);
    if (value === undefined) {
      value = make(service);
      made.set(service, value);
    }
    return value;
  };
};

// Read once per container and then every five minutes; a cold start pays for it within WeCom's 1000 ms.
const SECRETS_MANAGER_CALL_LIMITS = { connectionTimeoutMs: 500, requestTimeoutMs: 1000 } as const;

const registryFrom = (
  location: ConfigLocation,
  clock: Clock,
  deadlines: RequestDeadlines,
  observe: (client: AwsClient) => void,
  secretsManager: SecretsManagerClientConfig | undefined,
): SuiteRegistrySource => {
  if (location.kind === 'file') {
    return new CachedRegistrySource(configFileFetcher(location.path), clock);
  }
  // Read lazily on first use (never during init) and cached; see CachedRegistrySource.
  const client = new SecretsManagerClient({
    requestHandler: new DeadlineHttpHandler(SECRETS_MANAGER_CALL_LIMITS, deadlines),
    ...secretsManager,
  });
  observe(client);
  return new CachedRegistrySource(
    configSecretFetcher(location.secretId, new SecretsProvider({ awsSdkV3Client: client })),
    clock,
  );
};
