import { type AccessToken, freshnessOf } from './access-token.ts';
import { InFlight } from './in-flight.ts';

/**
 * A container's short-lived copy of tokens. It answers repeated calls without a DynamoDB read,
 * and is kept briefly (`maxAgeMs`) so that a revocation or a reset seen by DynamoDB reaches every
 * container soon.
 */
export class TokenMemory {
  readonly #entries = new Map<string, { token: AccessToken; storedAtMs: number }>();
  readonly #inFlight = new InFlight<AccessToken>();

  constructor(private readonly maxAgeMs = 30_000) {}

  /** A fresh token for `key`, unless it is `staleToken` or was kept too long. */
  get(key: string, nowMs: number, staleToken?: string): AccessToken | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      return undefined;
    }
    if (
      nowMs - entry.storedAtMs >= this.maxAgeMs ||
      entry.token.value === staleToken ||
      freshnessOf(entry.token, nowMs) !== 'fresh'
    ) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.token;
  }

  set(key: string, token: AccessToken, nowMs: number): void {
    this.#entries.set(key, { token, storedAtMs: nowMs });
  }

  /**
   * Callers of one container asking for the same credential at the same moment share one
   * `obtain` (and so one round of cache reads), rather than each polling the table.
   */
  shared(key: string, obtain: () => Promise<AccessToken>): Promise<AccessToken> {
    return this.#inFlight.share(key, obtain);
  }
}
