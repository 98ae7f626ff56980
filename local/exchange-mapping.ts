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
  // No maximum age, as deployed: a record replayed by a re-created mapping is recognised and settled
  // by auth-exchange itself, where an age limit would send the last day to the dead-letter queue.
  maxRecordAgeSeconds: -1,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
};
