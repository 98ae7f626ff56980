import type { RecentAuthorizations } from '../core/credentials/recent-authorizations.ts';
import type { TokenMemory } from '../core/credentials/token-memory.ts';
import type {
  AuthorizationReader,
  Clock,
  EventPublisher,
  SuiteRegistrySource,
  SuiteTicketStore,
  TokenCache,
  WeComApi,
} from '../core/ports.ts';
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
