import type {
  AuthCodeStore,
  AuthorizationStore,
  Clock,
  EventPublisher,
  SuiteRegistrySource,
  SuiteTicketStore,
} from '../core/ports.ts';

/** What the callback use cases need. */
export interface CallbackDeps {
  readonly registry: SuiteRegistrySource;
  readonly tickets: SuiteTicketStore;
  readonly authCodes: AuthCodeStore;
  readonly authorizations: AuthorizationStore;
  readonly clock: Clock;
  /** Where every authenticated callback (but suite_ticket) and authorization change is published. */
  readonly events: EventPublisher;
  /** Replay window for POSTs in seconds; 0 turns it off. */
  readonly maxSkewSeconds: number;
}
