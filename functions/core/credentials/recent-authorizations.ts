import type { CorpAuthorization } from '../authorization/corp-authorization.ts';
import { InFlight } from './in-flight.ts';

/**
 * A container's short-lived copy of corp authorizations, kept as briefly as TokenMemory keeps
 * tokens, so that a warm corp-token request needs no table read at all. A cancel_auth or a secret
 * reset therefore reaches a warm container within `maxAgeMs`; a caller that reports a rejected
 * token (staleToken) always gets a fresh read.
 */
export class RecentAuthorizations {
  readonly #entries = new Map<string, { authorization: CorpAuthorization; storedAtMs: number }>();
  readonly #inFlight = new InFlight<CorpAuthorization | undefined>();

  constructor(private readonly maxAgeMs = 30_000) {}

  get(suiteId: string, corpId: string, nowMs: number): CorpAuthorization | undefined {
    const key = `${suiteId}|${corpId}`;
    const entry = this.#entries.get(key);
    if (entry === undefined || nowMs - entry.storedAtMs >= this.maxAgeMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.authorization;
  }

  /** Concurrent reads of one corp's authorization in a container share one table read. */
  shared(
    suiteId: string,
    corpId: string,
    read: () => Promise<CorpAuthorization | undefined>,
  ): Promise<CorpAuthorization | undefined> {
    return this.#inFlight.share(`${suiteId}|${corpId}`, read);
  }

  set(authorization: CorpAuthorization, nowMs: number): void {
    this.#entries.set(`${authorization.suiteId}|${authorization.corpId}`, {
      authorization,
      storedAtMs: nowMs,
    });
  }
}
