import { randomUUID } from 'node:crypto';
import type { RequestDeadlines } from '../adapters/deadline/request-deadlines.ts';
import { DynamoAuthCodeStore } from '../adapters/dynamodb/auth-code-store.ts';
import { DynamoAuthorizationStore } from '../adapters/dynamodb/authorization-store.ts';
import { DynamoSuiteTicketStore } from '../adapters/dynamodb/suite-ticket-store.ts';
import { DynamoTokenCache } from '../adapters/dynamodb/token-cache.ts';
import type { ServiceMetrics } from '../adapters/metrics.ts';
import type { Logger } from '../adapters/observability.ts';
import { HttpWeComApi } from '../adapters/wecom/wecom-api-client.ts';
import type { ExchangeDeps } from '../app/complete-authorization.ts';
import type { AuthorizationQueryDeps } from '../app/get-authorization.ts';
import type { TokenDeps } from '../app/token-deps.ts';
import { RecentAuthorizations } from '../core/credentials/recent-authorizations.ts';
import { TokenMemory } from '../core/credentials/token-memory.ts';
import type { EventPublisher } from '../core/ports/event-publisher.ts';
import { eventBusOf } from './event-bus.ts';
import type { ServiceName, ServiceRuntime } from './service-runtime.ts';

/** What suite-token and corp-token need: the token machinery plus their log and metrics. */
export interface TokenFunctionDeps extends TokenDeps {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Bounds every call of a request by the Lambda's remaining time. */
  readonly deadlines: RequestDeadlines;
}

/** What auth-exchange needs. */
export interface ExchangeFunctionDeps extends ExchangeDeps {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Where Authorization Changed events go. */
  readonly events: EventPublisher;
  /** Bounds every call of a batch by the Lambda's remaining time. */
  readonly deadlines: RequestDeadlines;
}

/**
 * The token machinery of one function: stores on the table, the qyapi client reporting every
 * answer to the function's metrics (the WeComErrors alarms and the dashboard read them), and this
 * container's memory. The one place these adapters are assembled.
 */
export const createTokenMachinery = (
  runtime: ServiceRuntime,
  service: ServiceName,
): TokenFunctionDeps & { readonly authorizationStore: DynamoAuthorizationStore } => {
  const client = runtime.documentClient(service);
  const { tableName, clock } = runtime;
  const metrics = runtime.metrics(service);
  const logger = runtime.logger(service);
  const authorizationStore = new DynamoAuthorizationStore(client, tableName, clock);
  return {
    logger,
    metrics,
    deadlines: runtime.deadlines,
    registry: runtime.registry(service),
    tickets: new DynamoSuiteTicketStore(client, tableName, clock),
    authorizations: authorizationStore,
    authorizationStore,
    tokens: new DynamoTokenCache(client, tableName, clock),
    wecom: new HttpWeComApi({
      ...runtime.wecomClient,
      baseUrl: runtime.wecomApiBase,
      observe: metrics.wecomAnswered,
      deadlines: runtime.deadlines,
    }),
    clock,
    memory: new TokenMemory(),
    signals: {
      reportIgnored: metrics.staleReportIgnored,
      suiteTokenSuspect: (suiteId, corps) => {
        metrics.suiteTokenSuspect(suiteId);
        logger.warn('several corps of the suite met 40082 within a minute: the suite token is suspect', {
          suiteId,
          corps,
        });
      },
    },
    recentAuthorizations: new RecentAuthorizations(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    newLeaseOwner: randomUUID,
  };
};

/** What the authorization function needs: the suites and a secret-less read of authorizations. */
export interface AuthorizationFunctionDeps extends AuthorizationQueryDeps {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly deadlines: RequestDeadlines;
}

/** The authorization function's dependencies: it reads the table only, and never calls WeCom. */
export const createAuthorizationDeps = (runtime: ServiceRuntime): AuthorizationFunctionDeps => {
  const service = 'authorization';
  return {
    logger: runtime.logger(service),
    metrics: runtime.metrics(service),
    deadlines: runtime.deadlines,
    registry: runtime.registry(service),
    authorizations: new DynamoAuthorizationStore(
      runtime.documentClient(service),
      runtime.tableName,
      runtime.clock,
    ),
  };
};

/** The suite-token function's dependencies (one container's worth). */
export const createSuiteTokenDeps = (runtime: ServiceRuntime): TokenFunctionDeps =>
  createTokenMachinery(runtime, 'suite-token');

/** The provider-token function's dependencies (one container's worth). */
export const createProviderTokenDeps = (runtime: ServiceRuntime): TokenFunctionDeps =>
  createTokenMachinery(runtime, 'provider-token');

/** The customized-auth-url function's dependencies (it mints the provider token when needed). */
export const createCustomizedAuthUrlDeps = (runtime: ServiceRuntime): TokenFunctionDeps =>
  createTokenMachinery(runtime, 'customized-auth-url');

/** The user-identity function's dependencies (sign-in: it mints suite or corp tokens when needed). */
export const createUserIdentityDeps = (runtime: ServiceRuntime): TokenFunctionDeps => ({
  ...createTokenMachinery(runtime, 'user-identity'),
  // It may be the first to mint a 代开发 corp's token, and so to find the authorization broken.
  events: eventBusOf(runtime, 'user-identity'),
});

/** The user-detail function's dependencies. */
export const createUserDetailDeps = (runtime: ServiceRuntime): TokenFunctionDeps => ({
  ...createTokenMachinery(runtime, 'user-detail'),
  events: eventBusOf(runtime, 'user-detail'),
});

/** The jsapi-ticket function's dependencies (it keeps JS-SDK tickets in the shared cache). */
export const createJsapiTicketDeps = (runtime: ServiceRuntime): TokenFunctionDeps => ({
  ...createTokenMachinery(runtime, 'jsapi-ticket'),
  events: eventBusOf(runtime, 'jsapi-ticket'),
});

/** The corp-token function's dependencies (one container's worth); it announces broken authorizations. */
export const createCorpTokenDeps = (runtime: ServiceRuntime): TokenFunctionDeps => ({
  ...createTokenMachinery(runtime, 'corp-token'),
  events: eventBusOf(runtime, 'corp-token'),
});

/** The auth-exchange function's dependencies (one container's worth). */
export const createExchangeDeps = (runtime: ServiceRuntime): ExchangeFunctionDeps => {
  const machinery = createTokenMachinery(runtime, 'auth-exchange');
  return {
    ...machinery,
    authCodes: new DynamoAuthCodeStore(
      runtime.documentClient('auth-exchange'),
      runtime.tableName,
      runtime.clock,
    ),
    authorizationWriter: machinery.authorizationStore,
    events: eventBusOf(runtime, 'auth-exchange'),
  };
};
