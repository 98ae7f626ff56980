import type { RecentAuthorizations } from '../core/credentials/recent-authorizations.ts';
import type { TokenMemory } from '../core/credentials/token-memory.ts';
import type { AuthorizationReader } from '../core/ports/authorization-store.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { EventPublisher } from '../core/ports/event-publisher.ts';
import type { SuiteRegistrySource } from '../core/ports/suite-registry-source.ts';
import type { SuiteTicketStore } from '../core/ports/suite-ticket-store.ts';
import type { TokenCache } from '../core/ports/token-cache.ts';
import type { WeComApi } from '../core/ports/wecom-api.ts';

/** Timings of the single-flight mint. */
export interface MintTiming {
  /** How long a mint lease lasts if its owner dies. */
  readonly leaseMs: number;
  /**
   * How soon a waiting caller first re-reads the cache; each further wait is half again as long
   * (jittered), up to `maxPollMs`, so a thousand waiters do not drown the one mint in reads.
   */
  readonly pollMs: number;
  readonly maxPollMs: number;
  /** How long a caller waits for another's mint before giving up. */
  readonly maxWaitMs: number;
}

export const DEFAULT_MINT_TIMING: MintTiming = {
  leaseMs: 15_000,
  pollMs: 50,
  maxPollMs: 400,
  maxWaitMs: 12_000,
};

/** What the token use cases need. */
export interface TokenDeps {
  readonly registry: SuiteRegistrySource;
  readonly tickets: Pick<SuiteTicketStore, 'getTicket'>;
  readonly authorizations: AuthorizationReader;
  readonly tokens: TokenCache;
  readonly wecom: WeComApi;
  readonly clock: Clock;
  readonly memory: TokenMemory;
  /** Active authorizations seen in the last moments; absent: every request reads the table. */
  readonly recentAuthorizations?: RecentAuthorizations;
  /** Where a newly broken authorization is announced (corp-token); absent: not announced. */
  readonly events?: EventPublisher;
  readonly sleep: (ms: number) => Promise<void>;
  readonly newLeaseOwner: () => string;
  readonly timing?: MintTiming;
}
