import type { CredentialKind } from '../core/credentials/credential-key.ts';
import type { RecentAuthorizations } from '../core/credentials/recent-authorizations.ts';
import type { TokenMemory } from '../core/credentials/token-memory.ts';
import type { AuthorizationReader } from '../core/ports/authorization-store.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { EventPublisher } from '../core/ports/event-publisher.ts';
import type { SuiteRegistrySource } from '../core/ports/suite-registry-source.ts';
import type { SuiteTicketStore } from '../core/ports/suite-ticket-store.ts';
import type { TokenCache } from '../core/ports/token-cache.ts';
import type { WeComApi } from '../core/ports/wecom-api.ts';
import type { LeaseWait } from './credentials/retry-layers.ts';

/** What the token machinery tells the function's metrics and log (nothing secret). */
export interface CredentialSignals {
  /** A stale-token or rejected-signature report named a value WeCom confirmed within the last minute. */
  reportIgnored(kind: CredentialKind): void;
  /** `corps` corps of the suite met 40082 within a minute: the suite token, not them (SUITE_WIDE_40082). */
  suiteTokenSuspect(suiteId: string, corps: number): void;
}

/** What the token use cases need (functions/app/credentials/get-credential.ts and its callers). */
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
  /** Where ignored reports are counted; absent: not counted. */
  readonly signals?: CredentialSignals;
  readonly sleep: (ms: number) => Promise<void>;
  /**
   * A number in [0, 1) for each wait on another caller's lease, which spreads those waits (the
   * poll's jitter, LEASE_WAIT); a test that gives a fixed one knows every wait to the millisecond.
   * @default Math.random
   */
  readonly random?: () => number;
  readonly newLeaseOwner: () => string;
  /** @default LEASE_WAIT */
  readonly leaseWait?: LeaseWait;
}
