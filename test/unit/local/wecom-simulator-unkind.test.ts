import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeComSimulator } from '../../../local/wecom-simulator/wecom-simulator.ts';

/**
 * The simulator is as unkind as WeCom where sign-in and data pushes are concerned, checked on the
 * wire (snake_case, as qyapi answers), each habit against the WeCom page that documents it.
 */

const SUITE = {
  suiteId: 'wwunkindsuite',
  suiteSecret: 'unkind-suite-secret',
  token: 'UnkindToken',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const TEMPLATE = { suiteId: 'dkunkindtemplate', suiteSecret: 'unkind-template-secret' };
const INSTALLED = 'wwunkindcorp01';
const NEVER_INSTALLED = 'wwunkindnever01';
const DK_CORP = 'wwunkinddkcorp01';

let simulator: WeComSimulator;
let receiver: Server;
const received: string[] = [];

const qyapi = async (api: string, query: Record<string, string>, body?: object) => {
  const url = new URL(`${simulator.baseUrl}/cgi-bin/${api}`);
  for (const [name, value] of Object.entries(query)) {
    url.searchParams.set(name, value);
  }
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await response.json()) as Record<string, unknown>;
};

const suiteToken = async (suite: { suiteId: string; suiteSecret: string }) => {
  const { suiteTicket } = simulator.issueSuiteTicket(suite.suiteId);
  const answer = await qyapi(
    'service/get_suite_token',
    {},
    {
      suite_id: suite.suiteId,
      suite_secret: suite.suiteSecret,
      suite_ticket: suiteTicket,
    },
  );
  return String(answer.suite_access_token);
};

const install = async (suite: { suiteId: string; suiteSecret: string }, corpId: string) => {
  const authCode = simulator.authorizeCorp(suite.suiteId, corpId);
  const answer = await qyapi(
    'service/v2/get_permanent_code',
    { suite_access_token: await suiteToken(suite) },
    { auth_code: authCode },
  );
  return String(answer.permanent_code);
};

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push(body);
      response.end('');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  simulator = await new WeComSimulator({
    suites: [SUITE, TEMPLATE],
    callbackBaseUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
  }).start();
  await install(SUITE, INSTALLED);
});

afterAll(async () => {
  await simulator.stop();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('getuserinfo3rd (document/path/91121)', () => {
  it('answers for a member of a corp that never installed the app: encrypted userid, no user_ticket', async () => {
    const code = simulator.issueOAuthCode(SUITE.suiteId, NEVER_INSTALLED, {
      userId: 'zhangsan',
      scope: 'snsapi_privateinfo',
    });

    const answer = await qyapi('service/auth/getuserinfo3rd', {
      suite_access_token: await suiteToken(SUITE),
      code,
    });

    expect(answer).toMatchObject({ errcode: 0, corpid: NEVER_INSTALLED });
    expect(answer.userid).not.toBe('zhangsan');
    expect(answer).not.toHaveProperty('user_ticket');
  });

  it('gives a user_ticket with expires_in only for snsapi_userinfo or snsapi_privateinfo', async () => {
    const token = await suiteToken(SUITE);
    const answers = [];
    for (const scope of ['snsapi_base', 'snsapi_userinfo', 'snsapi_privateinfo'] as const) {
      const code = simulator.issueOAuthCode(SUITE.suiteId, INSTALLED, { userId: 'lisi', scope });
      answers.push(await qyapi('service/auth/getuserinfo3rd', { suite_access_token: token, code }));
    }

    expect(answers[0]).not.toHaveProperty('user_ticket');
    expect(answers[0]).toMatchObject({ corpid: INSTALLED, userid: 'lisi' });
    expect(answers[1]).toMatchObject({ user_ticket: expect.any(String), expires_in: 1800 });
    expect(answers[2]).toMatchObject({ user_ticket: expect.any(String), expires_in: 1800 });
  });

  it('answers an outsider with an openid only', async () => {
    const code = simulator.issueOAuthCode(SUITE.suiteId, INSTALLED, { externalUserId: 'wmcustomer' });

    const answer = await qyapi('service/auth/getuserinfo3rd', {
      suite_access_token: await suiteToken(SUITE),
      code,
    });

    expect(Object.keys(answer).sort()).toEqual(['errcode', 'errmsg', 'openid']);
  });
});

describe('getuserdetail3rd (document/path/91122)', () => {
  it('returns the userid as name, and the real gender and QR code only with snsapi_privateinfo consent', async () => {
    const token = await suiteToken(SUITE);
    const details = [];
    for (const scope of ['snsapi_userinfo', 'snsapi_privateinfo'] as const) {
      const code = simulator.issueOAuthCode(SUITE.suiteId, INSTALLED, { userId: 'wangwu', scope });
      const { user_ticket } = await qyapi('service/auth/getuserinfo3rd', { suite_access_token: token, code });
      details.push(
        await qyapi('service/auth/getuserdetail3rd', { suite_access_token: token }, { user_ticket }),
      );
    }

    expect(details[0]).toMatchObject({ corpid: INSTALLED, userid: 'wangwu', name: 'wangwu', gender: '0' });
    expect(details[0]).not.toHaveProperty('qr_code');
    expect(details[1]).toMatchObject({
      userid: 'wangwu',
      name: 'wangwu',
      gender: '1',
      qr_code: expect.any(String),
    });
  });
});

describe('代开发 auth/getuserinfo (document/path/96442)', () => {
  it('gives a member a user_ticket only for snsapi_privateinfo, never with expires_in; an outsider an openid and external_userid', async () => {
    const permanentCode = await install(TEMPLATE, DK_CORP);
    const { access_token } = await qyapi('gettoken', { corpid: DK_CORP, corpsecret: permanentCode });
    const ask = (signIn: Parameters<WeComSimulator['issueOAuthCode']>[2]) =>
      qyapi('auth/getuserinfo', {
        access_token: String(access_token),
        code: simulator.issueOAuthCode(TEMPLATE.suiteId, DK_CORP, signIn),
      });

    const base = await ask({ userId: 'zhaoliu', scope: 'snsapi_base' });
    const privateInfo = await ask({ userId: 'zhaoliu', scope: 'snsapi_privateinfo' });
    const customer = await ask({ externalUserId: 'wmcustomer01' });
    const stranger = await ask({});

    expect(Object.keys(base).sort()).toEqual(['errcode', 'errmsg', 'userid']);
    expect(privateInfo).toMatchObject({ userid: 'zhaoliu', user_ticket: expect.any(String) });
    expect(privateInfo).not.toHaveProperty('expires_in');
    expect(customer).toMatchObject({ openid: expect.any(String), external_userid: 'wmcustomer01' });
    expect(Object.keys(stranger).sort()).toEqual(['errcode', 'errmsg', 'openid']);
  });
});

describe('data pushes (docs/wecom-protocol.md §4)', () => {
  it('carry the app’s agent id in the corp in the envelope’s AgentID, as in the message', async () => {
    received.length = 0;

    await simulator.pushDataMessage(SUITE.suiteId, INSTALLED, 'hello');

    expect(received).toHaveLength(1);
    expect(received[0]).toMatch(/<AgentID><!\[CDATA\[1000002\]\]><\/AgentID><\/xml>$/);
  });
});
