import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl } from '../../../client/authorize-url.ts';

describe('buildAuthorizeUrl', () => {
  it('builds the third-party form: appid is the suite id, parameters in WeCom’s order', () => {
    expect(
      buildAuthorizeUrl({
        suiteId: 'ww1234',
        redirectUri: 'https://app.example.com/signed-in?x=1',
        scope: 'snsapi_privateinfo',
        state: 'abc123',
      }),
    ).toBe(
      'https://open.weixin.qq.com/connect/oauth2/authorize?appid=ww1234&redirect_uri=https%3A%2F%2Fapp.example.com%2Fsigned-in%3Fx%3D1&response_type=code&scope=snsapi_privateinfo&state=abc123#wechat_redirect',
    );
  });

  it('builds the 代开发 form with agentid last, and needs agentId for snsapi_privateinfo', () => {
    expect(
      buildAuthorizeUrl({
        corpId: 'wwcorp',
        agentId: 1000002,
        redirectUri: 'https://a.example.com/',
        scope: 'snsapi_privateinfo',
      }),
    ).toBe(
      'https://open.weixin.qq.com/connect/oauth2/authorize?appid=wwcorp&redirect_uri=https%3A%2F%2Fa.example.com%2F&response_type=code&scope=snsapi_privateinfo&state=&agentid=1000002#wechat_redirect',
    );
    expect(
      buildAuthorizeUrl({ corpId: 'wwcorp', redirectUri: 'https://a.example.com/', scope: 'snsapi_base' }),
    ).toContain('scope=snsapi_base&state=#wechat_redirect');
    expect(() =>
      buildAuthorizeUrl({
        corpId: 'wwcorp',
        redirectUri: 'https://a.example.com/',
        scope: 'snsapi_privateinfo',
      }),
    ).toThrow(/agentId/);
  });

  it.each([
    { suiteId: 'ww1', redirectUri: 'not a url', scope: 'snsapi_base' as const },
    { suiteId: 'ww1', redirectUri: 'javascript:alert(1)', scope: 'snsapi_base' as const },
    {
      suiteId: 'ww1',
      redirectUri: 'https://a.example.com/',
      scope: 'snsapi_base' as const,
      state: 'no-dash',
    },
  ])('refuses %o', (request) => {
    expect(() => buildAuthorizeUrl(request)).toThrow(RangeError);
  });
});
