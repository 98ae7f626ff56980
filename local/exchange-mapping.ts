import type { StreamDeliverySettings } from './stream-delivery.ts';

/**
 * How the deployed event-source mapping feeds auth-exchange from the table's stream, mirrored from
 * `lib/stacks/credential-service-stack.ts` (`exchange.addEventSource(new DynamoEventSource(…))`);
 * its SQS dead-letter queue is, locally, `LocalStack.deadLetters`. The local stack cannot build
 * the CDK app at start, so the values are restated here, and test/unit/local/exchange-mapping.test.ts
 * fails when they no longer match the synthesized template.
 */
export const EXCHANGE_MAPPING: StreamDeliverySettings = {
  batchSize: 10,
  retryAttempts: 5,
  maxRecordAgeSeconds: 300,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
};
