import { readServiceEnvironment, systemClock } from '../adapters/config/environment.ts';
import { CachedRegistrySource } from '../adapters/config/registry-source.ts';
import { createDocumentClient } from '../adapters/dynamodb/document-client.ts';
import { createServiceMetrics } from '../adapters/metrics.ts';
import { createLogger } from '../adapters/observability.ts';
import { createTokenDeps } from '../adapters/token-deps-factory.ts';
import { createSuiteTokenHandler } from './suite-token-handler.ts';

const environment = readServiceEnvironment();

export const handler = createSuiteTokenHandler({
  logger: createLogger('suite-token'),
  ...createTokenDeps({
    client: createDocumentClient(),
    tableName: environment.tableName,
    registry: new CachedRegistrySource(environment.configDocument, systemClock),
    wecomApiBase: environment.wecomApiBase,
    clock: systemClock,
    metrics: createServiceMetrics('suite-token'),
  }),
});
