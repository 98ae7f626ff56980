import { isWeComId } from '../../functions/core/wecom-id.ts';
import { authorizeCorp } from './authorization.ts';
import type { PageHandler } from './http-server.ts';
import { livePreAuthCode } from './pre-auth-codes.ts';

/** The browser's WeCom session in the simulator: which corp's admin is signed in on the install page. */
export const SANDBOX_CORP_COOKIE = 'sandbox_corp';

/** Where WeCom's install page is (open.work.weixin.qq.com/3rdapp/install). */
export const INSTALL_PAGE_PATH = '/3rdapp/install';

/** What the browser saw on each hop of an install from the provider's website. */
export interface InstallHop {
  readonly url: string;
  readonly status: number;
  readonly location?: string;
  readonly body?: string;
}

/**
 * WeCom's install page: the signed-in admin (the `sandbox_corp` cookie) consents at once, and the
 * browser is sent to `redirect_uri` with a fresh auth code, `expires_in=600` and the `state` as
 * given. A bad pre-auth code or state is WeCom's error page (200, no redirect), as in the real flow.
 */
export const installPage: PageHandler = (state, query, cookie, response) => {
  state.countCall('3rdapp/install');
  const page = (text: string) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<html><body>${text}</body></html>`);
  };
  const suiteId = query.get('suite_id') ?? '';
  const installState = query.get('state') ?? '';
  const redirectUri = query.get('redirect_uri') ?? '';
  const cookieCorpId = /(?:^|;\s*)sandbox_corp=([^;]*)/.exec(cookie)?.[1];
  const corpId = isWeComId(cookieCorpId) ? cookieCorpId : undefined;
  const code = state.suites.has(suiteId)
    ? livePreAuthCode(state, suiteId, query.get('pre_auth_code'))
    : 'invalid';
  if (typeof code === 'string') {
    page('preauthcode校验失败');
    return;
  }
  if (!/^[A-Za-z0-9]{0,128}$/.test(installState) || !/^https?:\/\//.test(redirectUri)) {
    page('参数错误');
    return;
  }
  if (corpId === undefined) {
    page('请使用企业管理员扫码登录');
    return;
  }
  const authCode = authorizeCorp(state, suiteId, corpId, undefined, installState);
  const pending = state.codes.get(authCode);
  if (pending !== undefined) {
    state.codes.set(authCode, { ...pending, authType: code.authType });
  }
  const target = new URL(redirectUri);
  target.searchParams.set('auth_code', authCode);
  target.searchParams.set('expires_in', '600');
  target.searchParams.set('state', installState);
  response.writeHead(302, { location: target.toString() });
  response.end();
};

/**
 * The browser's side of an install from the provider's website: GET `startUrl` (the service's
 * `/install/{suiteId}`), follow its 302 to the install page on `weComBaseUrl` signed in as
 * `corpId`'s admin, and follow WeCom's 302 back to the service. Returns every hop; the last is the
 * service's answer.
 */
export const installViaWebsite = async (
  weComBaseUrl: string,
  startUrl: string,
  corpId: string,
): Promise<InstallHop[]> => {
  const hops: InstallHop[] = [];
  let url = startUrl;
  for (let hop = 0; hop < 5; hop += 1) {
    const onWeCom = url.startsWith(`${weComBaseUrl}/`);
    const response = await fetch(url, {
      redirect: 'manual',
      headers: onWeCom ? { cookie: `${SANDBOX_CORP_COOKIE}=${corpId}` } : {},
    });
    const location = response.headers.get('location') ?? undefined;
    const body = await response.text();
    hops.push({ url, status: response.status, ...(location === undefined ? { body } : { location }) });
    // The browser stops at the provider's own page (installCompleteUrl) or at any non-redirect.
    if (location === undefined || (hop > 0 && !onWeCom && !location.startsWith(`${weComBaseUrl}/`))) {
      return hops;
    }
    url = location;
  }
  return hops;
};
