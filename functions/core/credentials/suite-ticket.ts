/** A suite_ticket as WeCom stamped it. */
export interface TicketStamp {
  readonly suiteTicket: string;
  /** Unix seconds. */
  readonly timeStamp: number;
}

/** The newest ticket of a suite and the one before it (the fallback on 40085). */
export interface StoredSuiteTicket {
  readonly suiteId: string;
  readonly current: TicketStamp;
  readonly previous?: TicketStamp;
}
