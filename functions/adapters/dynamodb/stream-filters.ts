import { ENTITY } from './table-keys.ts';

/** An event-source filter pattern (EventBridge pattern syntax over the stream record's JSON). */
export type StreamFilterPattern = {
  readonly [field: string]: StreamFilterPattern | readonly (string | boolean)[];
};

/**
 * The stream records auth-exchange is given: new auth codes, authorizations whose info must be
 * read (again), and authorizations with a change waiting to be published. The CDK event-source
 * mapping and the local stream poller (npm start, tests) use these same patterns, so what the
 * tests deliver is what Lambda delivers.
 */
export const EXCHANGE_STREAM_FILTERS: readonly StreamFilterPattern[] = [
  { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: [ENTITY.authCode] } } } },
  { dynamodb: { NewImage: { entity: { S: [ENTITY.authorization] }, authInfoStale: { BOOL: [true] } } } },
  { dynamodb: { NewImage: { entity: { S: [ENTITY.authorization] }, hasPendingEvent: { BOOL: [true] } } } },
];

/** Whether a record matches a pattern: every field named must hold one of the listed values. */
export const matchesStreamFilter = (record: unknown, pattern: StreamFilterPattern): boolean =>
  Object.entries(pattern).every(([field, expected]) => {
    const actual = (record as Record<string, unknown> | undefined)?.[field];
    if (Array.isArray(expected)) {
      return expected.includes(actual as string | boolean);
    }
    return (
      typeof actual === 'object' &&
      actual !== null &&
      matchesStreamFilter(actual, expected as StreamFilterPattern)
    );
  });

/** Whether auth-exchange is given this record (any of EXCHANGE_STREAM_FILTERS matches). */
export const isExchangeStreamRecord = (record: unknown): boolean =>
  EXCHANGE_STREAM_FILTERS.some((pattern) => matchesStreamFilter(record, pattern));
