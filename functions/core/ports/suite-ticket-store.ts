import type { StoredSuiteTicket, TicketStamp } from '../credentials/suite-ticket.ts';

/** `stored`: it is now the newest; `stale`: a newer (or the same) ticket was already stored. */
export type TicketWriteOutcome = 'stored' | 'stale';

/** Where each suite's newest suite_ticket (and the one before it) is kept. */
export interface SuiteTicketStore {
  /** Keeps the ticket only if its timeStamp is newer than the stored one; never rolls back. */
  recordTicket(suiteId: string, ticket: TicketStamp): Promise<TicketWriteOutcome>;
  getTicket(suiteId: string): Promise<StoredSuiteTicket | undefined>;
}
