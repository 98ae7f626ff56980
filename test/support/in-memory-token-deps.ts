import type { ProviderTokenCredential } from '../../functions/app/credentials/credential-request.ts';
import { LEASE_WAIT, type LeaseWait } from '../../functions/app/credentials/retry-layers.ts';
import type { TokenDeps } from '../../functions/app/token-deps.ts';
import type { ServiceConfig } from '../../functions/core/config/service-config.ts';
import { SuiteRegistry } from '../../functions/core/config/suite-registry.ts';
import { tokenFromMint } from '../../functions/core/credentials/access-token.ts';
import { RecentAuthorizations } from '../../functions/core/credentials/recent-authorizations.ts';
import { TokenMemory } from '../../functions/core/credentials/token-memory.ts';
import { InMemoryAuthorizationReader } from './in-memory-authorization-reader.ts';
import { InMemorySuiteTicketStore } from './in-memory-suite-ticket-store.ts';
import { InMemoryTokenCache } from './in-memory-token-cache.ts';
import { InMemoryWeComApi } from './in-memory-wecom-api.ts';
import { ManualClock } from './manual-clock.ts';
import { RecordingEventPublisher } from './recording-events.ts';

/** The shortest jitter of a wait on another caller's lease (`random` of newContainer): half its poll. */
export const SHORTEST_JITTER = (): number => 0;
/** The longest: 1 - 2⁻⁵³, the largest number below 1, makes the factor 0.5 + r / 2 exactly 1. */
export const LONGEST_JITTER = (): number => 1 - 2 ** -53;

/** A third-party suite of the in-memory world (key and token as in test/support/callback-harness.ts). */
export const UNIT_SUITE = {
  suiteId: 'wwunitsuite0000001',
  token: 'TestToken123',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  suiteSecret: 'unit-suite-secret-value',
} as const;

/** A 代开发 template of the in-memory world. */
export const UNIT_TEMPLATE = {
  suiteId: 'dkunittemplate0001',
  token: 'TemplateToken987',
  encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
  suiteSecret: 'unit-template-secret-value',
} as const;

export const UNIT_CONFIG: ServiceConfig = {
  provider: { corpId: 'wwunitprovider0001', providerSecret: 'unit-provider-secret-value' },
  suites: [UNIT_SUITE, UNIT_TEMPLATE],
};

/** The provider token of UNIT_CONFIG, resolved (a credential minted with one WeCom call and nothing else). */
export const UNIT_PROVIDER: ProviderTokenCredential = {
  kind: 'provider_token',
  providerCorpId: UNIT_CONFIG.provider.corpId,
  providerSecret: UNIT_CONFIG.provider.providerSecret ?? '',
};

/**
 * Everything the token use cases talk to, in memory and shared by every container: one manual
 * clock, the shared cache, WeCom, the tickets and the authorizations. Each container has its own
 * TokenMemory and RecentAuthorizations, as each Lambda container does.
 */
export interface InMemoryTokenWorld {
  readonly clock: ManualClock;
  readonly cache: InMemoryTokenCache;
  readonly wecom: InMemoryWeComApi;
  readonly tickets: InMemorySuiteTicketStore;
  readonly authorizations: InMemoryAuthorizationReader;
  readonly events: RecordingEventPublisher;
  /**
   * A fresh container's dependencies (its own memory and lease owners); `random` fixes the jitter of
   * its waits on another caller's lease (Math.random otherwise).
   */
  newContainer(options?: { readonly leaseWait?: LeaseWait; readonly random?: () => number }): TokenDeps;
  /** WeCom pushes a suite_ticket (stamped with the clock's time) and the callback stores it. */
  pushTicket(suiteId: string, suiteTicket?: string): Promise<string>;
}

export const createInMemoryTokenWorld = (
  options: {
    readonly config?: ServiceConfig;
    readonly repeatedExpiresIn?: 'remaining' | 'full';
    /** See InMemoryWeComApi. @default 0 */
    readonly issueLagMs?: number;
    readonly startMs?: number;
  } = {},
): InMemoryTokenWorld => {
  const clock = new ManualClock(options.startMs);
  const registry = new SuiteRegistry(options.config ?? UNIT_CONFIG);
  const cache = new InMemoryTokenCache(clock);
  const wecom = new InMemoryWeComApi(clock, {
    ...(options.repeatedExpiresIn === undefined ? {} : { repeatedExpiresIn: options.repeatedExpiresIn }),
    ...(options.issueLagMs === undefined ? {} : { issueLagMs: options.issueLagMs }),
  });
  const tickets = new InMemorySuiteTicketStore();
  const authorizations = new InMemoryAuthorizationReader();
  const events = new RecordingEventPublisher();
  let containers = 0;
  let ticketsPushed = 0;
  return {
    clock,
    cache,
    wecom,
    tickets,
    authorizations,
    events,
    newContainer: (containerOptions = {}) => {
      containers += 1;
      const container = containers;
      let owners = 0;
      return {
        registry: { current: async () => registry },
        tickets,
        authorizations,
        tokens: cache,
        wecom,
        clock,
        memory: new TokenMemory(),
        recentAuthorizations: new RecentAuthorizations(),
        events,
        sleep: clock.sleep,
        newLeaseOwner: () => {
          owners += 1;
          return `container-${container}-owner-${owners}`;
        },
        ...(containerOptions.leaseWait === undefined ? {} : { leaseWait: containerOptions.leaseWait }),
        ...(containerOptions.random === undefined ? {} : { random: containerOptions.random }),
      };
    },
    pushTicket: async (suiteId, suiteTicket) => {
      ticketsPushed += 1;
      const ticket = suiteTicket ?? `ticket-${ticketsPushed}`;
      // WeCom stamps in seconds; a counter keeps two pushes in one second ordered.
      await tickets.recordTicket(suiteId, {
        suiteTicket: ticket,
        timeStamp: Math.floor(clock.nowMs() / 1000) + ticketsPushed,
      });
      return ticket;
    },
  };
};

/**
 * Caches UNIT_PROVIDER's token as a kind asked for again 5 minutes before its end would cache it
 * (`refresh_due` from then on; no kind the service mints is refreshed early yet), after asking
 * WeCom for it once.
 */
export const cacheRefreshingEarly = async (world: InMemoryTokenWorld): Promise<void> => {
  const requestedAtMs = world.clock.nowMs();
  const minted = await world.wecom.getProviderToken(
    UNIT_PROVIDER.providerCorpId,
    UNIT_PROVIDER.providerSecret,
  );
  const token = tokenFromMint(minted.accessToken, minted.expiresInSeconds, requestedAtMs);
  const key = { kind: 'provider_token' } as const;
  await world.cache.tryAcquireLease(key, 'an-earlier-caller', LEASE_WAIT.leaseMs);
  await world.cache.storeMinted(key, 'an-earlier-caller', {
    ...token,
    refreshAtMs: token.expiresAtMs - 5 * 60_000,
  });
};
