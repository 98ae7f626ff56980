import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TokenDeps } from '../app/token-deps.ts';
import { RecentAuthorizations } from '../core/credentials/recent-authorizations.ts';
import { TokenMemory } from '../core/credentials/token-memory.ts';
import type { Clock, SuiteRegistrySource } from '../core/ports.ts';
import { DynamoAuthorizationStore } from './dynamodb/authorization-store.ts';
import { DynamoSuiteTicketStore } from './dynamodb/suite-ticket-store.ts';
import { DynamoTokenCache } from './dynamodb/token-cache.ts';
import type { ServiceMetrics } from './metrics.ts';
import { HttpWeComApi } from './wecom/wecom-api-client.ts';

export interface TokenDepsSettings {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly registry: SuiteRegistrySource;
  readonly wecomApiBase: string;
  readonly clock: Clock;
  readonly fetch?: typeof fetch;
  readonly metrics?: ServiceMetrics;
}

/** Wires the token use cases to DynamoDB and qyapi; each composition root calls it once. */
export const createTokenDeps = (
  settings: TokenDepsSettings,
): TokenDeps & { readonly authorizationStore: DynamoAuthorizationStore } => {
  const authorizationStore = new DynamoAuthorizationStore(
    settings.client,
    settings.tableName,
    settings.clock,
  );
  return {
    registry: settings.registry,
    tickets: new DynamoSuiteTicketStore(settings.client, settings.tableName, settings.clock),
    authorizations: authorizationStore,
    authorizationStore,
    tokens: new DynamoTokenCache(settings.client, settings.tableName, settings.clock),
    wecom: new HttpWeComApi({
      baseUrl: settings.wecomApiBase,
      ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
    }),
    clock: settings.clock,
    memory: new TokenMemory(),
    recentAuthorizations: new RecentAuthorizations(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    newLeaseOwner: randomUUID,
  };
};
