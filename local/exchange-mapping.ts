import { FUNCTIONS } from '../functions/catalog.ts';
import type { StreamDeliverySettings } from './stream-delivery.ts';

/**
 * How the table's stream feeds auth-exchange: the catalogue's delivery settings, which lib/ gives
 * the deployed event-source mapping (its SQS dead-letter queue is, locally, `LocalStack.deadLetters`).
 */
export const EXCHANGE_MAPPING: StreamDeliverySettings = FUNCTIONS['auth-exchange'].stream;
