import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import {
  AppError,
  StorageUnavailableError,
  UpstreamUnavailableError,
  WeComApiError,
} from '../../core/errors.ts';
import { lambdaDeadline } from '../deadline/request-budget.ts';
import type { RequestDeadlines } from '../deadline/request-deadlines.ts';
import { beginInvocation, type LogAttributes } from '../invocation.ts';
import type { ServiceMetrics } from '../metrics.ts';

export type InvokeHandler<Result> = (payload: unknown, context?: Context) => Promise<Result>;

/**
 * The wrapper of the functions other services invoke. Errors are thrown, so callers see the
 * Lambda `errorType` the contract names (docs/callers.md, The contract); storage trouble is reported as
 * UpstreamUnavailableError (retryable, like WeCom being down), anything unexpected as a bare
 * `Error` with no detail. One log line per invocation, without tokens. Every call the body makes is
 * held to the Lambda's remaining time less a reserve (lambdaDeadline), so a stalled store or WeCom
 * ends in UpstreamUnavailableError while the caller still waits.
 */
export const wrapInvokeHandler =
  <Result>(
    {
      logger,
      metrics,
      deadlines,
    }: {
      readonly logger: Logger;
      readonly metrics: Pick<ServiceMetrics, 'requestRefused'>;
      readonly deadlines: RequestDeadlines;
    },
    body: (payload: unknown, annotate: (attributes: LogAttributes) => void) => Promise<Result>,
  ): InvokeHandler<Result> =>
  async (payload, context) => {
    const invocation = beginInvocation({ logger, deadlines }, context);
    try {
      const result = await invocation.within(lambdaDeadline(context, Date.now()), () =>
        body(payload, invocation.annotate),
      );
      logger.info('token served', {
        ...invocation.attributes,
        outcome: 'ok',
        latencyMs: invocation.latencyMs(),
      });
      return result;
    } catch (error) {
      const exposed = toExposedError(error);
      const details = {
        ...invocation.attributes,
        outcome: 'failed',
        errorType: exposed.name,
        latencyMs: invocation.latencyMs(),
        ...(error instanceof WeComApiError ? { errcode: error.errcode, api: error.api } : {}),
      };
      if (exposed instanceof AppError && !(exposed instanceof UpstreamUnavailableError)) {
        // Lambda counts every thrown error in `Errors`; this count lets the alarm tell answers from
        // failures. WeCom or storage being unreachable is not an answer: it stays in the alarm.
        metrics.requestRefused();
      }
      if (exposed instanceof AppError && !(exposed instanceof UpstreamUnavailableError)) {
        logger.warn('token request refused', { ...details, reason: exposed.message });
      } else {
        logger.error('token request failed', { ...details, error: error as Error });
      }
      throw exposed;
    }
  };

const toExposedError = (error: unknown): Error => {
  if (error instanceof StorageUnavailableError) {
    return new UpstreamUnavailableError('the credential store is unavailable; retry', { cause: error });
  }
  if (error instanceof AppError) {
    return error;
  }
  return new Error('internal error');
};
