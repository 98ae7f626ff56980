/**
 * WeCom's OAuth authorize URL (document/path/91120 third-party; 代开发 like a self-built app):
 * the page a user is sent to for sign-in; WeCom comes back to `redirectUri?code=…&state=…`, and
 * `CredentialsClient.getUserIdentity({ code })` says who it is. The parameters are in WeCom's
 * order and `#wechat_redirect` ends it, as WeCom requires.
 */
export type AuthorizeUrlRequest =
  | {
      /** A third-party suite: `appid` is the suite id. */
      readonly suiteId: string;
      readonly redirectUri: string;
      /** `snsapi_base`: who; `snsapi_privateinfo`: with the member's consent, their details too. */
      readonly scope: 'snsapi_base' | 'snsapi_privateinfo';
      readonly state?: string;
    }
  | {
      /** A 代开发 app: `appid` is the corp id, and `agentid` is required for snsapi_privateinfo. */
      readonly corpId: string;
      readonly agentId?: number;
      readonly redirectUri: string;
      readonly scope: 'snsapi_base' | 'snsapi_privateinfo';
      readonly state?: string;
    };

const STATE = /^[A-Za-z0-9]{0,128}$/;

/** @throws RangeError for a redirect that is not http(s), a bad state, or 代开发 privateinfo without agentId. */
export const buildAuthorizeUrl = (request: AuthorizeUrlRequest): string => {
  let redirect: URL;
  try {
    redirect = new URL(request.redirectUri);
  } catch {
    throw new RangeError('redirectUri must be an absolute http(s) URL on a trusted domain of the app');
  }
  if (redirect.protocol !== 'https:' && redirect.protocol !== 'http:') {
    throw new RangeError('redirectUri must be an absolute http(s) URL on a trusted domain of the app');
  }
  const state = request.state ?? '';
  if (!STATE.test(state)) {
    throw new RangeError('state must be at most 128 letters or digits');
  }
  const customized = 'corpId' in request;
  if (customized && request.scope === 'snsapi_privateinfo' && request.agentId === undefined) {
    throw new RangeError('a 代开发 app needs agentId for snsapi_privateinfo');
  }
  const parameters = [
    ['appid', customized ? request.corpId : request.suiteId],
    ['redirect_uri', request.redirectUri],
    ['response_type', 'code'],
    ['scope', request.scope],
    ['state', state],
    ...(customized && request.agentId !== undefined ? [['agentid', String(request.agentId)]] : []),
  ];
  const query = parameters.map(([name, value]) => `${name}=${encodeURIComponent(value ?? '')}`).join('&');
  return `https://open.weixin.qq.com/connect/oauth2/authorize?${query}#wechat_redirect`;
};
