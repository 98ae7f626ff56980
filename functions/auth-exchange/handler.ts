import { readServiceEnvironment, systemClock } from '../adapters/config/environment.ts';
import { CachedRegistrySource } from '../adapters/config/registry-source.ts';
import { DynamoAuthCodeStore } from '../adapters/dynamodb/auth-code-store.ts';
import { createDocumentClient } from '../adapters/dynamodb/document-client.ts';
import { createServiceMetrics } from '../adapters/metrics.ts';
import { createLogger } from '../adapters/observability.ts';
import { createTokenDeps } from '../adapters/token-deps-factory.ts';
import { createAuthExchangeHandler } from './auth-exchange-handler.ts';

const environment = readServiceEnvironment();
const client = createDocumentClient();
const tokenDeps = createTokenDeps({
  client,
  tableName: environment.tableName,
  registry: new CachedRegistrySource(environment.configDocument, systemClock),
  wecomApiBase: environment.wecomApiBase,
  clock: systemClock,
  metrics: createServiceMetrics('auth-exchange'),
});

export const handler = createAuthExchangeHandler({
  logger: createLogger('auth-exchange'),
  ...tokenDeps,
  authCodes: new DynamoAuthCodeStore(client, environment.tableName, systemClock),
  authorizationWriter: tokenDeps.authorizationStore,
});
