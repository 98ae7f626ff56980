import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CorpNotAuthorizedError,
  CredentialsClient,
  InvalidRequestError,
  UnknownSuiteError,
} from '../../client/credentials-client.ts';
import type { LocalStack } from '../../local/local-stack.ts';
import { startSandboxStack } from '../support/configured-stack.ts';
import { eventually } from '../support/token-harness.ts';

let stack: LocalStack;
let lambda: LambdaClient;
let invocations = 0;

beforeAll(async () => {
  stack = await startSandboxStack({ publicUrl: 'https://abc.example-tunnel.com' });
  lambda = new LambdaClient({
    endpoint: stack.lambdaUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  lambda.middlewareStack.add(
    (next) => async (args) => {
      invocations += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countInvocations' },
  );
}, 60_000);

afterAll(async () => {
  lambda.destroy();
  await stack.stop();
});

const suiteId = 'wwsandboxsuite0001';
const templateId = 'dksandboxtemplate1';

const install = async (suite: string, corpId: string) => {
  const response = await fetch(`${stack.lambdaUrl}/sandbox/install?suiteId=${suite}&corpId=${corpId}`, {
    method: 'POST',
  });
  expect(response.status).toBe(200);
};

describe('CredentialsClient against the local stack', () => {
  it('gets a suite token WeCom accepts and serves it from cache afterwards', async () => {
    const client = new CredentialsClient({ lambda });
    const before = invocations;

    const first = await client.getSuiteToken({ suiteId });
    const second = await client.getSuiteToken({ suiteId });

    expect(stack.simulator?.isValidSuiteToken(suiteId, first.accessToken)).toBe(true);
    expect(second).toBe(first);
    expect(invocations - before).toBe(1);
  });

  it('shares one in-flight request among concurrent callers', async () => {
    const client = new CredentialsClient({ lambda });
    const before = invocations;

    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => client.getSuiteToken({ suiteId: templateId })),
    );

    expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
    expect(invocations - before).toBe(1);
  });

  it('asks again once the token is within the margin of its expiry', async () => {
    let now = Date.now();
    const client = new CredentialsClient({ lambda, nowMs: () => now, marginMs: 60_000 });
    const first = await client.getSuiteToken({ suiteId });
    const before = invocations;

    now = first.expiresAt.getTime() - 59_000;
    await client.getSuiteToken({ suiteId });

    expect(invocations - before).toBe(1);
  });

  it('maps errorType back to typed errors', async () => {
    const client = new CredentialsClient({ lambda });

    await expect(client.getSuiteToken({ suiteId: 'wwnotconfigured' })).rejects.toBeInstanceOf(
      UnknownSuiteError,
    );
    await expect(client.getSuiteToken()).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(client.getCorpToken({ suiteId, corpId: 'wwnotinstalled' })).rejects.toBeInstanceOf(
      CorpNotAuthorizedError,
    );
  });

  it('gets corp tokens after an install, for a third-party suite and a 代开发 template', async () => {
    const client = new CredentialsClient({ lambda });
    await install(suiteId, 'wwclientcorp');
    await install(templateId, 'wwclientcorpdk');

    const corp = await eventually(() =>
      client.getCorpToken({ suiteId, corpId: 'wwclientcorp' }).catch(() => undefined),
    );
    const customized = await eventually(() =>
      client.getCorpToken({ suiteId: templateId, corpId: 'wwclientcorpdk' }).catch(() => undefined),
    );

    expect(stack.simulator?.isValidCorpToken(suiteId, 'wwclientcorp', corp.accessToken)).toBe(true);
    expect(stack.simulator?.isValidCorpToken(templateId, 'wwclientcorpdk', customized.accessToken)).toBe(
      true,
    );
  });

  it('reports a token WeCom rejected; within a minute of WeCom handing it over, the service answers with the same one, without a call', async () => {
    const client = new CredentialsClient({ lambda });
    await install(suiteId, 'wwclientrejected');
    const first = await eventually(() =>
      client.getCorpToken({ suiteId, corpId: 'wwclientrejected' }).catch(() => undefined),
    );
    const calls = stack.simulator?.calls('service/get_corp_token');

    // The replacement a minute later is proved where the clock can move (bounded-reports.test.ts).
    client.rejected(first.accessToken);
    const second = await client.getCorpToken({ suiteId, corpId: 'wwclientrejected' });

    expect(second.accessToken).toBe(first.accessToken);
    expect(stack.simulator?.calls('service/get_corp_token')).toBe(calls);
  });
});

describe('CredentialsClient and the provider token', () => {
  it('gets the provider token and serves it again from its cache', async () => {
    const client = new CredentialsClient({ lambda });
    const before = invocations;

    const first = await client.getProviderToken();
    const second = await client.getProviderToken();

    expect(first.accessToken).toMatch(/^provider-token-/);
    expect(second).toEqual(first);
    expect(invocations - before).toBe(1);
  });
});

describe('the local HTTP layer answers like API Gateway', () => {
  it.each(['PUT', 'DELETE', 'PATCH'])(
    'answers %s on a callback route with 404 Not Found, as the HTTP API does',
    async (method) => {
      const response = await fetch(`${stack.url}/callback/wwsandboxsuite0001/command?timestamp=1`, {
        method,
        body: '<xml/>',
      });

      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not Found' });
    },
  );
});

describe('the sandbox controls', () => {
  const post = async (path: string) => {
    const response = await fetch(`${stack.lambdaUrl}${path}`, { method: 'POST' });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const invoke = async (name: string, payload: unknown) => {
    const response = await fetch(`${stack.lambdaUrl}/2015-03-31/functions/${name}/invocations`, {
      method: 'POST',
      body: JSON.stringify(payload),
    });
    return {
      errorType: response.headers.get('x-amz-function-error'),
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  const suiteId = 'wwsandboxsuite0001';

  it('push a data message through the data route ($CORPID$ form) and a change_auth through the command route', async () => {
    await post(`/sandbox/install?suiteId=${suiteId}&corpId=wwsandboxcontrols&receiveId=provider`);

    const message = await post(
      `/sandbox/message?suiteId=${suiteId}&corpId=wwsandboxcontrols&text=%E4%BD%A0%E5%A5%BD`,
    );
    const change = await post(`/sandbox/change-auth?suiteId=${suiteId}&corpId=wwsandboxcontrols`);

    expect(message.body.callback).toEqual({ status: 200, body: '' });
    expect(change.body.callback).toEqual({ status: 200, body: 'success' });
  });

  it('make WeCom answer 60020 to every call until the allow-list is restored', async () => {
    // customized-auth-url asks WeCom on every call (a cached token would not show the refusal).
    const request = { templateIds: [templateId] };
    await invoke('customized-auth-url', request);

    await post('/sandbox/ip-allow-list?allowed=false');
    const refused = await invoke('customized-auth-url', request);
    await post('/sandbox/ip-allow-list?allowed=true');
    const allowed = await invoke('customized-auth-url', request);

    expect(refused.errorType).not.toBeNull();
    expect(refused.body).toMatchObject({ errorType: 'WeComApiError' });
    expect(String(refused.body.errorMessage)).toContain('60020');
    expect(typeof allowed.body.qrcodeUrl).toBe('string');
  });
});

describe('the local event bus', () => {
  it('streams the events of /sandbox/install and /sandbox/message on GET /events, as EventBridge envelopes', async () => {
    const controller = new AbortController();
    const response = await fetch(`${stack.lambdaUrl}/events`, { signal: controller.signal });
    const reader = response.body?.getReader();
    let received = '';
    const envelopes = async (count: number) => {
      const decoder = new TextDecoder();
      const found = () => received.split('\n').filter((line) => line.startsWith('data: '));
      while (found().length < count) {
        const chunk = await reader?.read();
        if (chunk === undefined || chunk.done) {
          break;
        }
        received += decoder.decode(chunk.value);
      }
      return found().map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
    };
    try {
      await fetch(`${stack.lambdaUrl}/sandbox/install?suiteId=wwsandboxsuite0001&corpId=wwsandboxstream`, {
        method: 'POST',
      });
      await fetch(
        `${stack.lambdaUrl}/sandbox/message?suiteId=wwsandboxsuite0001&corpId=wwsandboxstream&text=hi`,
        {
          method: 'POST',
        },
      );

      const events = await envelopes(3);

      expect(response.headers.get('content-type')).toContain('text/event-stream');
      expect(events.map((event) => event['detail-type']).sort()).toEqual([
        'WeCom Authorization Changed',
        'WeCom Command Event',
        'WeCom Data Callback',
      ]);
      for (const event of events) {
        expect(event).toMatchObject({ version: '0', source: 'wecom-credentials', resources: [] });
        expect(typeof event.id).toBe('string');
        expect(typeof event.time).toBe('string');
      }
      expect(events.find((event) => event['detail-type'] === 'WeCom Data Callback')?.detail).toMatchObject({
        corpId: 'wwsandboxstream',
        msgType: 'text',
        message: { Content: 'hi' },
      });
    } finally {
      controller.abort();
    }
  });

  it('refuses events while switched to fail, so the callback answers 503 and WeCom retries', async () => {
    await fetch(`${stack.lambdaUrl}/sandbox/event-bus?failing=true`, { method: 'POST' });
    const refused = await (
      await fetch(
        `${stack.lambdaUrl}/sandbox/message?suiteId=wwsandboxsuite0001&corpId=wwsandboxstream&text=x`,
        {
          method: 'POST',
        },
      )
    ).json();
    await fetch(`${stack.lambdaUrl}/sandbox/event-bus?failing=false`, { method: 'POST' });
    const accepted = await (
      await fetch(
        `${stack.lambdaUrl}/sandbox/message?suiteId=wwsandboxsuite0001&corpId=wwsandboxstream&text=x`,
        {
          method: 'POST',
        },
      )
    ).json();

    expect(refused).toMatchObject({ callback: { status: 503 } });
    expect(accepted).toMatchObject({ callback: { status: 200 } });
  });
});

describe('CredentialsClient: sign-in and the JS-SDK', () => {
  it('signs a sandbox user in, reads their details, and signs a page for wx.agentConfig', async () => {
    const client = new CredentialsClient({ lambda });
    const corpId = 'wwclientsignin01';
    await install(suiteId, corpId);
    await eventually(() => client.getCorpToken({ suiteId, corpId }).catch(() => undefined));
    const { code } = (await (
      await fetch(
        `${stack.lambdaUrl}/sandbox/oauth-code?suiteId=${suiteId}&corpId=${corpId}&userId=zhaoliu&scope=snsapi_privateinfo`,
        {
          method: 'POST',
        },
      )
    ).json()) as { code: string };

    const identity = await client.getUserIdentity({ suiteId, code });
    const detail = await client.getUserDetail({ suiteId, userTicket: identity.userTicket ?? '' });
    const signed = await client.getJsapiSignature({
      suiteId,
      corpId,
      type: 'agent',
      url: 'https://app.example.com/page#x',
    });

    expect(identity).toMatchObject({ corpId, userId: 'zhaoliu' });
    expect(identity.userTicketExpiresAt).toBeInstanceOf(Date);
    expect(detail).toMatchObject({ corpId, userId: 'zhaoliu' });
    expect(signed).toMatchObject({ appId: corpId, agentId: expect.any(Number) });
    expect(signed.signature).toMatch(/^[0-9a-f]{40}$/);
    await expect(client.getUserIdentity({ suiteId, code })).rejects.toMatchObject({ name: 'WeComApiError' });
  });
});

describe('npm start behind a tunnel (PUBLIC_URL)', () => {
  it('builds install redirects on the public origin, as API Gateway does on its domain', async () => {
    const start = await fetch(`${stack.url}/install/${suiteId}?ref=t1`, { redirect: 'manual' });

    expect(start.status).toBe(302);
    const redirectUri = new URL(start.headers.get('location') ?? '').searchParams.get('redirect_uri');
    expect(redirectUri).toBe(`https://abc.example-tunnel.com/install/${suiteId}/complete`);
  });
});
