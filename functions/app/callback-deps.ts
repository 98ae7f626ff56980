import type { AuthCodeStore } from '../core/ports/auth-code-store.ts';
import type { AuthorizationStore } from '../core/ports/authorization-store.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { EventPublisher } from '../core/ports/event-publisher.ts';
import type { SuiteRegistrySource } from '../core/ports/suite-registry-source.ts';
import type { SuiteTicketStore } from '../core/ports/suite-ticket-store.ts';

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
  /**
   * Whether the stage wants the provider's system-event URL (WECOM_SYSTEM_EVENTS): `required` makes
   * a configuration without its keys an error rather than a 404. @default 'optional'
   */
  readonly systemEvents?: 'optional' | 'required';
}
