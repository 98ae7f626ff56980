/**
 * Concurrent callers of one container asking for the same thing share one pending promise; once it
 * settles, the next caller starts a new one. (A Lambda container serves one request at a time, but
 * `npm start` and consumers' long-lived processes serve many.)
 */
export class InFlight<T> {
  readonly #pending = new Map<string, Promise<T>>();

  share(key: string, start: () => Promise<T>): Promise<T> {
    const pending = this.#pending.get(key);
    if (pending !== undefined) {
      return pending;
    }
    const started = start().finally(() => this.#pending.delete(key));
    this.#pending.set(key, started);
    return started;
  }
}
