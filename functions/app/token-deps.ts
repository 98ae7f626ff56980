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
  readonly sleep: (ms: number) => Promise<void>;
  readonly newLeaseOwner: () => string;
  /** @default LEASE_WAIT */
  readonly leaseWait?: LeaseWait;
}
