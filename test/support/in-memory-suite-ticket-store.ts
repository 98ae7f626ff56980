import type { StoredSuiteTicket, TicketStamp } from '../../functions/core/credentials/suite-ticket.ts';
import type { SuiteTicketStore, TicketWriteOutcome } from '../../functions/core/ports/suite-ticket-store.ts';
import { simulatedIo } from './manual-clock.ts';

/**
 * Suite tickets in memory, kept as DynamoSuiteTicketStore keeps them: the newest by timeStamp and
 * the one before it; an older push replaces only an older previous one. Each call is one
 * simulated round trip.
 */
export class InMemorySuiteTicketStore implements SuiteTicketStore {
  readonly #tickets = new Map<string, StoredSuiteTicket>();

  async recordTicket(suiteId: string, ticket: TicketStamp): Promise<TicketWriteOutcome> {
    await simulatedIo();
    const stored = this.#tickets.get(suiteId);
    if (stored === undefined || stored.current.timeStamp < ticket.timeStamp) {
      this.#tickets.set(suiteId, {
        suiteId,
        current: ticket,
        ...(stored === undefined ? {} : { previous: stored.current }),
      });
      return 'stored';
    }
    if (stored.current.timeStamp > ticket.timeStamp && (stored.previous?.timeStamp ?? 0) < ticket.timeStamp) {
      this.#tickets.set(suiteId, { ...stored, previous: ticket });
    }
    return 'stale';
  }

  async getTicket(suiteId: string): Promise<StoredSuiteTicket | undefined> {
    await simulatedIo();
    return this.#tickets.get(suiteId);
  }
}
