import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import { DeadlineExceededError, MIN_CALL_MS, type RequestDeadlines } from './request-deadlines.ts';

type Request = Parameters<NodeHttpHandler['handle']>[0];
type Options = NonNullable<Parameters<NodeHttpHandler['handle']>[1]>;

/** Static limits of one AWS client; a request's deadline may only shorten them. */
export interface AwsCallLimits {
  /** Time to open a connection. */
  readonly connectionTimeoutMs: number;
  /** Time for one attempt, from sending to the whole answer. */
  readonly requestTimeoutMs: number;
}

/**
 * The AWS SDK's Node.js request handler, with two differences that make its timeouts fire:
 * `throwOnRequestTimeout` (without it the installed @smithy/node-http-handler only logs a warning
 * when `requestTimeout` passes, and the call hangs for as long as the peer does), and each attempt
 * shortened to what is left of the current request's deadline (RequestDeadlines). No attempt starts
 * once too little is left; that error is not one the SDK retries.
 */
export class DeadlineHttpHandler extends NodeHttpHandler {
  readonly #requestTimeoutMs: number;

  constructor(
    limits: AwsCallLimits,
    private readonly deadlines: RequestDeadlines,
    options: Omit<
      NodeHttpHandlerOptions,
      'connectionTimeout' | 'requestTimeout' | 'throwOnRequestTimeout'
    > = {},
  ) {
    super({
      ...options,
      connectionTimeout: limits.connectionTimeoutMs * deadlines.stretch,
      requestTimeout: limits.requestTimeoutMs * deadlines.stretch,
      throwOnRequestTimeout: true,
    });
    this.#requestTimeoutMs = limits.requestTimeoutMs * deadlines.stretch;
  }

  override handle(request: Request, options: Options = {}): ReturnType<NodeHttpHandler['handle']> {
    const remainingMs = this.deadlines.remainingMs();
    if (remainingMs === undefined) {
      return super.handle(request, options);
    }
    if (remainingMs < MIN_CALL_MS) {
      return Promise.reject(
        new DeadlineExceededError(`no time left for ${request.hostname}: the request's deadline has passed`),
      );
    }
    const requestTimeout = Math.min(options.requestTimeout ?? this.#requestTimeoutMs, remainingMs);
    return super.handle(request, { ...options, requestTimeout });
  }
}
