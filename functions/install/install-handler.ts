import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaDeadline } from '../adapters/deadline/request-budget.ts';
import { type HttpHandler, wrapHttpHandler } from '../adapters/http/http-handler.ts';
import { parseRawQuery } from '../adapters/http/parse-request.ts';
import { beginInstall, completeInstall } from '../app/install-from-website.ts';
import { InvalidRequestError } from '../core/errors.ts';
import { isWeComId } from '../core/wecom-id.ts';
import type { InstallFunctionDeps } from '../wiring/install-deps.ts';

const INSTALL_PARAMETERS = new Set(['ref', 'auth_code', 'state']);
// Neither answer may be cached: each carries a single-use state or reports one use of it.
const NO_STORE = { 'cache-control': 'no-store' } as const;

/**
 * The install function: `GET /install/{suiteId}[?ref=…]` answers 302 to WeCom's install page;
 * `GET /install/{suiteId}/complete?auth_code=…&state=…` stores the code and answers 302 to the
 * suite's installCompleteUrl (`?status=received&ref=…`), or a short page without one. A refused
 * request gets a 4xx page naming the check; nothing from the request or the configuration is echoed.
 */
export const createInstallHandler = (deps: InstallFunctionDeps): HttpHandler =>
  // A browser waits on it: the Lambda's own timeout is the budget.
  wrapHttpHandler(
    { ...deps, deadlineOf: (_event, context, nowMs) => lambdaDeadline(context, nowMs) },
    async (event, annotate) => {
      const suiteId = event.pathParameters?.suiteId;
      if (!isWeComId(suiteId)) {
        throw new InvalidRequestError('MALFORMED_PARAMETER', 'suite id in the path is malformed');
      }
      const query = parseRawQuery(event.rawQueryString ?? '', INSTALL_PARAMETERS);
      annotate({ suiteId });
      if (!event.routeKey.endsWith('/complete')) {
        const ref = query.get('ref');
        const { location } = await beginInstall(deps, {
          suiteId,
          completeUrl: `${originOf(event)}/install/${suiteId}/complete`,
          ...(ref === undefined ? {} : { ref }),
        });
        annotate({ step: 'begin', withRef: ref !== undefined });
        return { statusCode: 302, headers: { location, ...NO_STORE }, body: '' };
      }
      const authCode = query.get('auth_code');
      const state = query.get('state');
      const receipt = await completeInstall(deps, {
        suiteId,
        ...(authCode === undefined ? {} : { authCode }),
        ...(state === undefined ? {} : { state }),
      });
      annotate({ step: 'complete', outcome: receipt.outcome, withRef: receipt.ref !== undefined });
      if (receipt.outcome === 'stored') {
        deps.metrics.authCodeReceived(suiteId);
      }
      if (receipt.completeUrl === undefined) {
        return {
          statusCode: 200,
          headers: { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE },
          body: 'Installation received. 安装已完成，可以关闭此页面。',
        };
      }
      const location = new URL(receipt.completeUrl);
      location.searchParams.set('status', 'received');
      if (receipt.ref !== undefined) {
        location.searchParams.set('ref', receipt.ref);
      }
      return { statusCode: 302, headers: { location: location.toString(), ...NO_STORE }, body: '' };
    },
  );

/**
 * This API's own origin as the browser reached it: API Gateway names the (custom) domain the
 * request came in on and forwards the scheme; locally it is the address `npm start` listens on.
 */
const originOf = (event: APIGatewayProxyEventV2): string => {
  const proto = event.headers['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  return `${proto}://${event.requestContext.domainName}`;
};
