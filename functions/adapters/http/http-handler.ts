import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { CallbackAuthError, InstallStateError, InvalidRequestError } from '../../core/errors.ts';
import type { RequestDeadlines } from '../deadline/request-deadlines.ts';
import { beginInvocation, type LogAttributes } from '../invocation.ts';
import { errorResponse, type HttpResult } from './to-response.ts';

/** The handler body: event in, response out; it throws for every failure. */
export type HttpHandlerBody = (
  event: APIGatewayProxyEventV2,
  annotate: (attributes: LogAttributes) => void,
) => Promise<HttpResult>;

export type HttpHandler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<HttpResult>;

/** What the wrapper needs besides the body: where to log, and the deadline every call is held to. */
export interface HttpWrapperDeps {
  readonly logger: Logger;
  readonly deadlines: RequestDeadlines;
  /** When the request must be answered (epoch ms), or `undefined` for no deadline of its own. */
  readonly deadlineOf: (
    event: APIGatewayProxyEventV2,
    context: Context | undefined,
    nowMs: number,
  ) => number | undefined;
}

/**
 * The one middleware every HTTP handler uses: it times the request, maps any thrown error to a
 * response through the single error map, and writes exactly one log line per request with the
 * route, the handler's annotations, the status, the outcome and the latency. A 4xx logs which
 * check failed; a 5xx logs the error with its cause. The body runs under the request's deadline
 * (`deadlineOf`), which bounds every AWS and WeCom call it makes.
 */
export const wrapHttpHandler =
  ({ logger, deadlines, deadlineOf }: HttpWrapperDeps, body: HttpHandlerBody): HttpHandler =>
  async (event, context) => {
    const invocation = beginInvocation({ logger, deadlines }, context, {
      route: event.routeKey,
      method: event.requestContext.http.method,
    });
    try {
      const result = await invocation.within(deadlineOf(event, context, Date.now()), () =>
        body(event, invocation.annotate),
      );
      logger.info('request handled', {
        ...invocation.attributes,
        status: result.statusCode,
        outcome: 'ok',
        latencyMs: invocation.latencyMs(),
      });
      return result;
    } catch (error) {
      const response = errorResponse(error);
      const status = response.statusCode ?? 500;
      const details = {
        ...invocation.attributes,
        status,
        latencyMs: invocation.latencyMs(),
        ...describeFailure(error),
      };
      if (status < 500) {
        logger.warn('request rejected', { ...details, outcome: 'rejected' });
      } else {
        logger.error('request failed', { ...details, outcome: 'failed', error: error as Error });
      }
      return response;
    }
  };

const describeFailure = (error: unknown): LogAttributes => {
  if (error instanceof InvalidRequestError) {
    return { reason: error.reason, detail: error.message };
  }
  if (error instanceof InstallStateError) {
    return { reason: `INSTALL_STATE_${error.reason}`, detail: error.message };
  }
  if (error instanceof CallbackAuthError) {
    return { reason: error.reason, detail: error.message, observedReceiveId: error.observedReceiveId };
  }
  if (error instanceof Error) {
    return { reason: 'code' in error && typeof error.code === 'string' ? error.code : error.name };
  }
  return { reason: 'UNKNOWN' };
};
