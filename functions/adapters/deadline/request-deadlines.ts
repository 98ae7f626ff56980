import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The moment by which the request being handled must be answered, seen by every outbound call made
 * while handling it (AWS SDK clients through DeadlineHttpHandler, WeCom through HttpWeComApi), so
 * each call's timeout is what is left of its caller's budget: WeCom's 1000 ms or 5 s for a callback,
 * the Lambda's own remaining time for an invoked function. Outside a request (module init, the
 * auth-exchange batch before it sets one) calls keep their own static timeouts.
 *
 * Kept in AsyncLocalStorage rather than passed to every port method: a deadline belongs to the
 * request, not to the use case, and the stores and clients are built once per container.
 */
export class RequestDeadlines {
  readonly #current = new AsyncLocalStorage<number>();

  /**
   * @param nowMs wall-clock milliseconds: deadlines are real time, never a test's fixed clock.
   * @param stretch multiplies every budget and static timeout: 1 in Lambda; more where a busy test
   *   machine runs DynamoDB Local (the tests about deadlines themselves keep 1).
   */
  constructor(
    private readonly nowMs: () => number = Date.now,
    readonly stretch = 1,
  ) {}

  /** Runs `work` with every outbound call it makes bounded by `deadlineAtMs` (epoch ms). */
  run<T>(deadlineAtMs: number, work: () => Promise<T>): Promise<T> {
    const now = this.nowMs();
    return this.#current.run(now + (deadlineAtMs - now) * this.stretch, work);
  }

  /** Milliseconds left before the current request's deadline (≤ 0 once passed); `undefined` outside one. */
  remainingMs(): number | undefined {
    const deadlineAtMs = this.#current.getStore();
    return deadlineAtMs === undefined ? undefined : deadlineAtMs - this.nowMs();
  }
}

/**
 * Below this, an outbound call is not started: no AWS or WeCom answer arrives this fast under load,
 * and the time is better spent answering (503, or a typed error) while the caller still listens.
 */
export const MIN_CALL_MS = 50;

/**
 * The deadline is up (or too close to start a call). Deliberately not named `TimeoutError`: the AWS
 * SDK retries those, and a retry after the deadline only makes the answer later.
 */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}
