import type { RequestDeadlines } from '../adapters/deadline/request-deadlines.ts';
import { DynamoAuthCodeStore } from '../adapters/dynamodb/auth-code-store.ts';
import { DynamoAuthorizationStore } from '../adapters/dynamodb/authorization-store.ts';
import { DynamoSuiteTicketStore } from '../adapters/dynamodb/suite-ticket-store.ts';
import type { ServiceMetrics } from '../adapters/metrics.ts';
import type { Logger } from '../adapters/observability.ts';
import type { CallbackDeps } from '../app/callback-deps.ts';
import { eventBusOf } from './event-bus.ts';
import type { ServiceRuntime } from './service-runtime.ts';

/** What the callback function needs: the use cases' dependencies plus its log and metrics. */
export interface CallbackFunctionDeps extends CallbackDeps {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Bounds every call of a request by WeCom's wait for the answer. */
  readonly deadlines: RequestDeadlines;
}

const SERVICE = 'wecom-callback';

/** The callback function's dependencies: the one place they are assembled. */
export const createCallbackDeps = (runtime: ServiceRuntime): CallbackFunctionDeps => {
  const client = runtime.documentClient(SERVICE);
  const { tableName, clock } = runtime;
  return {
    logger: runtime.logger(SERVICE),
    metrics: runtime.metrics(SERVICE),
    deadlines: runtime.deadlines,
    registry: runtime.registry(SERVICE),
    tickets: new DynamoSuiteTicketStore(client, tableName, clock),
    authCodes: new DynamoAuthCodeStore(client, tableName, clock),
    authorizations: new DynamoAuthorizationStore(client, tableName, clock),
    clock,
    events: eventBusOf(runtime, SERVICE),
    maxSkewSeconds: runtime.maxSkewSeconds,
    systemEvents: runtime.systemEvents,
  };
};
