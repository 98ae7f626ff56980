import { readServiceEnvironment, systemClock } from '../adapters/config/environment.ts';
import { CachedRegistrySource } from '../adapters/config/registry-source.ts';
import { DynamoAuthCodeStore } from '../adapters/dynamodb/auth-code-store.ts';
import { DynamoAuthorizationStore } from '../adapters/dynamodb/authorization-store.ts';
import { createDocumentClient } from '../adapters/dynamodb/document-client.ts';
import { DynamoSuiteTicketStore } from '../adapters/dynamodb/suite-ticket-store.ts';
import { createServiceMetrics } from '../adapters/metrics.ts';
import { createLogger } from '../adapters/observability.ts';
import { createCallbackHandler } from './callback-handler.ts';

const environment = readServiceEnvironment();
const client = createDocumentClient();

export const handler = createCallbackHandler({
  logger: createLogger('wecom-callback'),
  metrics: createServiceMetrics('wecom-callback'),
  registry: new CachedRegistrySource(environment.configDocument, systemClock),
  tickets: new DynamoSuiteTicketStore(client, environment.tableName, systemClock),
  authCodes: new DynamoAuthCodeStore(client, environment.tableName, systemClock),
  authorizations: new DynamoAuthorizationStore(client, environment.tableName, systemClock),
  clock: systemClock,
  maxSkewSeconds: environment.maxSkewSeconds,
});
