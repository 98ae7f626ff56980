/** The current time; injected so tests and the replay window are deterministic. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}
