import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/**
 * How long WeCom waits for a callback's answer (docs/wecom-protocol.md §1.7 and §3.1): 1 s for the
 * URL check (GET) and 1000 ms for authorization events on the command URL (create_auth,
 * reset_permanent_code, …), which arrive on the same route as suite_ticket and every other
 * command, so the whole command route keeps the shorter one; 5 s for anything else.
 */
export const WECOM_ANSWER_MS = { commandOrUrlCheck: 1000, dataMessage: 5000 } as const;

/** Kept back from WeCom's wait for the answer's way back through Lambda and API Gateway. */
export const ANSWER_RESERVE_MS = 150;

/**
 * Kept back from the Lambda timeout: the function must still log and return its typed error
 * (UpstreamUnavailableError) rather than be killed mid-call, which a caller sees as a bare timeout.
 */
export const LAMBDA_RESERVE_MS = 1000;

/**
 * When a callback must have been answered (epoch ms). WeCom's clock starts when it sent the request,
 * which API Gateway stamps as `requestContext.timeEpoch`, so a cold start's init counts against it.
 * A stamp that is missing, in the future or older than the whole budget (a hand-made event) counts
 * from `nowMs` instead.
 */
export const callbackDeadline = (event: APIGatewayProxyEventV2, nowMs: number): number => {
  const budgetMs =
    event.requestContext.http.method === 'POST' && event.routeKey.endsWith('/data')
      ? WECOM_ANSWER_MS.dataMessage
      : WECOM_ANSWER_MS.commandOrUrlCheck;
  const stamped = event.requestContext.timeEpoch;
  const receivedAtMs =
    Number.isFinite(stamped) && stamped <= nowMs && nowMs - stamped < budgetMs ? stamped : nowMs;
  return receivedAtMs + budgetMs - ANSWER_RESERVE_MS;
};

/**
 * When an invoked (or browser-facing) function must have answered: its Lambda timeout less a
 * reserve. Without a Lambda context (a direct call in a test) there is no deadline, and each call
 * keeps only its own static timeout.
 */
export const lambdaDeadline = (context: Context | undefined, nowMs: number): number | undefined =>
  context === undefined ? undefined : nowMs + context.getRemainingTimeInMillis() - LAMBDA_RESERVE_MS;
