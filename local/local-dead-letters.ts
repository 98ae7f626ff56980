import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DeadLetter } from './stream-delivery.ts';

// Enough to see what went wrong in a session; a loop that discards without end cannot eat memory.
const MAX_KEPT = 1000;

/** The file, under LOCAL_DB_PATH, that keeps dead letters across restarts (one JSON object a line). */
export const DEAD_LETTER_FILE = 'dead-letters.jsonl';

/**
 * `npm start`'s stand-in for the stream mapping's SQS dead-letter queue: each discarded batch is
 * logged at ERROR (condition, invoke count, shard and the records' keys: never their images,
 * which hold auth codes and permanent codes), kept in memory for `GET /dead-letters` on
 * LAMBDA_PORT, and with LOCAL_DB_PATH appended to `dead-letters.jsonl` there (owner-only).
 */
export class LocalDeadLetters {
  readonly #entries: DeadLetter[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly dataPath?: string,
  ) {}

  /** The batches discarded since start, oldest first (the last 1000). */
  get entries(): readonly DeadLetter[] {
    return this.#entries;
  }

  add(entry: DeadLetter): void {
    this.#entries.push(entry);
    if (this.#entries.length > MAX_KEPT) {
      this.#entries.shift();
    }
    this.logger.error('auth-exchange gave up on stream records: sent to the local dead-letter queue', {
      condition: entry.requestContext.condition,
      approximateInvokeCount: entry.requestContext.approximateInvokeCount,
      shardId: entry.DDBStreamBatchInfo.shardId,
      records: entry.records,
      inspect: `GET /dead-letters on LAMBDA_PORT${this.dataPath === undefined ? '' : `, or ${DEAD_LETTER_FILE} in LOCAL_DB_PATH`}`,
    });
    if (this.dataPath !== undefined) {
      void appendFile(join(this.dataPath, DEAD_LETTER_FILE), `${JSON.stringify(entry)}\n`, {
        mode: 0o600,
      }).catch((error: Error) =>
        this.logger.warn('could not write the dead-letter file', { reason: error.message.slice(0, 200) }),
      );
    }
  }
}
