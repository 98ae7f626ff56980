import { performance } from 'node:perf_hooks';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { RequestDeadlines } from './deadline/request-deadlines.ts';

/** Attributes a handler adds to its invocation's single log line (never secret values). */
export type LogAttributes = Record<string, string | number | boolean | undefined>;

/** One invocation under way: the attributes of its log line, its latency, and its deadline. */
export interface Invocation {
  /** The log line's attributes so far: the wrapper's own, then the handler's annotations. */
  readonly attributes: LogAttributes;
  /** Adds attributes to the log line. */
  readonly annotate: (more: LogAttributes) => void;
  /** Milliseconds since the invocation began, to 0.01 ms. */
  latencyMs(): number;
  /**
   * Runs `work` with every AWS and WeCom call it makes held to `deadlineAtMs` (epoch ms); without
   * one, each call keeps its own static timeout.
   */
  within<T>(deadlineAtMs: number | undefined, work: () => Promise<T>): Promise<T>;
}

/**
 * What every entry point does first, whatever it answers: the Lambda context joins the logger (so
 * each line carries the request id and cold start), and the invocation's clock starts. How a result
 * or an error is answered and logged stays with each wrapper (an HTTP response, a thrown typed
 * error, a batch's failures). Metrics need no flush here: each is emitted as it is counted.
 */
export const beginInvocation = (
  { logger, deadlines }: { readonly logger: Logger; readonly deadlines: RequestDeadlines },
  context: Context | undefined,
  attributes: LogAttributes = {},
): Invocation => {
  const startedAt = performance.now();
  if (context !== undefined) {
    logger.addContext(context);
  }
  return {
    attributes,
    annotate: (more) => {
      Object.assign(attributes, more);
    },
    latencyMs: () => Math.round((performance.now() - startedAt) * 100) / 100,
    within: (deadlineAtMs, work) => (deadlineAtMs === undefined ? work() : deadlines.run(deadlineAtMs, work)),
  };
};
