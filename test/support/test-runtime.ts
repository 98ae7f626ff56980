import { Logger } from '@aws-lambda-powertools/logger';
import { createServiceMetrics } from '../../functions/adapters/metrics.ts';
import type { Clock } from '../../functions/core/ports/clock.ts';
import type { EventPublisher } from '../../functions/core/ports/event-publisher.ts';
import type { SuiteRegistrySource } from '../../functions/core/ports/suite-registry-source.ts';
import {
  createServiceRuntime,
  type ServiceRuntime,
  type WeComClientSettings,
} from '../../functions/wiring/service-runtime.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local.ts';
import { recordAwsCalls } from './aws-call-recorder.ts';
import { RecordingEventPublisher } from './recording-events.ts';
import { RecordingMetrics } from './recording-metrics.ts';

/**
 * How much longer than in Lambda the tests let a request and an AWS call take: a second `npm test`
 * on the same 2-core machine can hold DynamoDB Local for most of a second. Deadlines still fire.
 */
export const TEST_DEADLINE_STRETCH = 10;

export type TestLogLevel = 'DEBUG' | 'INFO' | 'SILENT';

export interface TestRuntimeOptions {
  readonly dynamoDbEndpoint: string;
  readonly tableName: string;
  /** A configuration in hand; without it `configSecret` must name where to read it. */
  readonly registry?: SuiteRegistrySource;
  /** Read the configuration from a (loopback) Secrets Manager, as Lambda does. */
  readonly configSecret?: { readonly endpoint: string; readonly secretId: string };
  readonly wecomApiBase?: string;
  /** WeCom's browser pages (the install page): the simulator. */
  readonly wecomOpenBase?: string;
  readonly maxSkewSeconds?: number;
  /** WECOM_SYSTEM_EVENTS. @default unset ('optional') */
  readonly systemEvents?: 'optional' | 'required';
  readonly clock?: Clock;
  readonly wecomClient?: WeComClientSettings;
  /**
   * Deadlines and AWS timeouts multiplied by this (RuntimeSeams.deadlineStretch). Tests about
   * deadlines pass 1, as deployed. @default TEST_DEADLINE_STRETCH
   */
  readonly deadlineStretch?: number;
  /** Tests that read the log lines turn them on. @default 'SILENT' */
  readonly logLevel?: TestLogLevel;
  readonly metrics?: RecordingMetrics;
  /** Print real EMF lines (as in Lambda) instead of recording the metric calls. @default false */
  readonly emitMetrics?: boolean;
  /** Publish through the real EventBridge client to this (loopback) endpoint. */
  readonly eventBridge?: { readonly endpoint: string; readonly busName: string };
  /** Otherwise: publish here. @default a RecordingEventPublisher (`runtime.eventsLog`) */
  readonly events?: EventPublisher;
}

/**
 * The runtime the tests run the functions in: the same `createServiceRuntime` the Lambda entry
 * points call, pointed at DynamoDB Local, the fake WeCom and (optionally) a loopback Secrets
 * Manager, with every AWS call recorded for the IAM contract tests.
 */
export const createTestRuntime = (
  options: TestRuntimeOptions,
): ServiceRuntime & { metricsLog: RecordingMetrics; eventsLog: RecordingEventPublisher } => {
  const metrics = options.metrics ?? new RecordingMetrics();
  const eventsLog = new RecordingEventPublisher();
  const local = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const runtime = createServiceRuntime(
    {
      TABLE_NAME: options.tableName,
      ...(options.configSecret === undefined ? {} : { WECOM_CONFIG_SECRET: options.configSecret.secretId }),
      ...(options.wecomApiBase === undefined ? {} : { WECOM_API_BASE: options.wecomApiBase }),
      ...(options.wecomOpenBase === undefined ? {} : { WECOM_OPEN_BASE: options.wecomOpenBase }),
      ...(options.maxSkewSeconds === undefined
        ? {}
        : { WECOM_MAX_SKEW_SECONDS: String(options.maxSkewSeconds) }),
      ...(options.eventBridge === undefined ? {} : { EVENT_BUS_NAME: options.eventBridge.busName }),
      ...(options.systemEvents === undefined ? {} : { WECOM_SYSTEM_EVENTS: options.systemEvents }),
    },
    {
      dynamoDb: { endpoint: options.dynamoDbEndpoint, ...local },
      ...(options.configSecret === undefined
        ? {}
        : { secretsManager: { endpoint: options.configSecret.endpoint, ...local } }),
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.wecomClient === undefined ? {} : { wecomClient: options.wecomClient }),
      deadlineStretch: options.deadlineStretch ?? TEST_DEADLINE_STRETCH,
      logger: (service) => new Logger({ serviceName: service, logLevel: options.logLevel ?? 'SILENT' }),
      metrics: options.emitMetrics === true ? createServiceMetrics : metrics.forService,
      observeAwsClient: recordAwsCalls,
      ...(options.eventBridge === undefined
        ? { events: () => options.events ?? eventsLog }
        : { eventBridge: { endpoint: options.eventBridge.endpoint, ...local } }),
    },
  );
  return { ...runtime, metricsLog: metrics, eventsLog };
};
