import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuthorizationStore } from '../../functions/adapters/dynamodb/authorization-store.ts';
import type { LocalStack } from '../../local/local-stack.ts';
import { startSandboxStack } from '../support/configured-stack.ts';
import { eventually } from '../support/token-harness.ts';

/**
 * POST /sandbox/change-edition: the simulated corp's paid edition changes in WeCom, change_editon
 * is pushed, and after auth-exchange reads get_auth_info again (v2 for 代开发) the Authorization
 * Changed event on the local bus (GET /events) carries the new edition.
 */

const SUITE = 'wwsandboxsuite0001';
const TEMPLATE = 'dksandboxtemplate1';

let stack: LocalStack;
let store: DynamoAuthorizationStore;
const events: Record<string, unknown>[] = [];
const stopStream = new AbortController();

/** Reads GET /events for the whole file: what the local bus publishes, as a subscriber sees it. */
const followEvents = async (): Promise<void> => {
  const response = await fetch(`${stack.lambdaUrl}/events`, { signal: stopStream.signal });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  void (async () => {
    for (;;) {
      const chunk = await reader?.read().catch(() => undefined);
      if (chunk === undefined || chunk.done) {
        return;
      }
      buffered += decoder.decode(chunk.value, { stream: true });
      const frames = buffered.split('\n\n');
      buffered = frames.pop() ?? '';
      for (const line of frames.flatMap((frame) => frame.split('\n'))) {
        if (line.startsWith('data: ')) {
          events.push(JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
        }
      }
    }
  })();
};

beforeAll(async () => {
  stack = await startSandboxStack();
  store = new DynamoAuthorizationStore(
    DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stack.dynamoDbEndpoint,
        region: 'us-east-1',
        credentials: stack.dynamoDbCredentials,
      }),
    ),
    stack.tableName,
    { nowMs: () => Date.now() },
  );
  await followEvents();
}, 60_000);

afterAll(async () => {
  stopStream.abort();
  await stack.stop();
});

const post = async (path: string) => {
  const response = await fetch(`${stack.lambdaUrl}${path}`, { method: 'POST' });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const changesOf = (corpId: string, cause: string) =>
  events
    .filter((event) => event['detail-type'] === 'WeCom Authorization Changed')
    .map((event) => event.detail as Record<string, unknown>)
    .filter((detail) => detail.corpId === corpId && detail.cause === cause);

/** A sandbox corp installs `suiteId`; resolves once its install was announced on the bus. */
const install = async (suiteId: string, corpId: string): Promise<void> => {
  expect((await post(`/sandbox/install?suiteId=${suiteId}&corpId=${corpId}`)).status).toBe(200);
  await eventually(
    async () => changesOf(corpId, 'create_auth').find((detail) => detail.suiteId === suiteId),
    30_000,
  );
};

/** What the simulator's get_auth_info (v2 for 代开发) answers now for the corp's stored permanent code. */
const authInfoOf = async (suiteId: string, corpId: string): Promise<Record<string, unknown>> => {
  const permanentCode = (await store.getAuthorization(suiteId, corpId))?.permanentCode ?? '';
  const invoked = await fetch(`${stack.lambdaUrl}/2015-03-31/functions/suite-token/invocations`, {
    method: 'POST',
    body: JSON.stringify({ suiteId }),
  });
  const { accessToken } = (await invoked.json()) as { accessToken: string };
  const api = suiteId.startsWith('dk') ? 'service/v2/get_auth_info' : 'service/get_auth_info';
  const answer = await fetch(`${stack.simulator?.baseUrl}/cgi-bin/${api}?suite_access_token=${accessToken}`, {
    method: 'POST',
    body: JSON.stringify({ auth_corpid: corpId, permanent_code: permanentCode }),
  });
  return (await answer.json()) as Record<string, unknown>;
};

describe('POST /sandbox/change-edition', () => {
  it('changes a third-party suite corp’s edition in WeCom, pushes change_editon, and the event carries the new edition', async () => {
    const corpId = 'wwsandboxedition1';
    await install(SUITE, corpId);

    const changed = await post(
      `/sandbox/change-edition?suiteId=${SUITE}&corpId=${corpId}&editionId=RLS65535&editionName=${encodeURIComponent('协同版')}&appStatus=1&userLimit=500&expiredTime=1900000000&isVirtualVersion=true&isSharedFromOtherCorp=true`,
    );

    const edition = {
      editionId: 'RLS65535',
      editionName: '协同版',
      appStatus: 1,
      userLimit: 500,
      expiredTime: 1_900_000_000,
      isVirtualVersion: true,
      isSharedFromOtherCorp: true,
    };
    expect(changed).toEqual({
      status: 200,
      body: { suiteId: SUITE, corpId, edition, callback: { status: 200, body: 'success' } },
    });
    const event = await eventually(async () => changesOf(corpId, 'change_editon')[0], 30_000);
    expect(event).toMatchObject({ suiteId: SUITE, status: 'active', editions: [{ ...edition }] });
    expect((event.editions as { agentId: unknown }[])[0]?.agentId).toBe(event.agentId);
    const answer = await authInfoOf(SUITE, corpId);
    expect(answer).toMatchObject({ errcode: 0 });
    // As WeCom names them (document/path/91912).
    expect(answer.edition_info).toEqual({
      agent: [
        {
          agentid: event.agentId,
          edition_id: 'RLS65535',
          edition_name: '协同版',
          app_status: 1,
          user_limit: 500,
          expired_time: 1_900_000_000,
          is_virtual_version: true,
          is_shared_from_other_corp: true,
        },
      ],
    });
  });

  it('gives a 代开发 corp a paid edition with a later expiry by default, read through v2 get_auth_info', async () => {
    const corpId = 'wwsandboxedition2';
    await install(TEMPLATE, corpId);
    const v2Reads = stack.simulator?.calls('service/v2/get_auth_info') ?? 0;
    const before = Math.floor(Date.now() / 1000);

    // No suiteId: the corp installed one app only.
    const first = await post(`/sandbox/change-edition?corpId=${corpId}`);
    const firstEvent = await eventually(async () => changesOf(corpId, 'change_editon')[0], 30_000);
    const second = await post(`/sandbox/change-edition?corpId=${corpId}&userLimit=1000`);
    const secondEvent = await eventually(async () => changesOf(corpId, 'change_editon')[1], 30_000);

    expect(first).toMatchObject({ status: 200, body: { suiteId: TEMPLATE, callback: { status: 200 } } });
    const [edition] = firstEvent.editions as Record<string, unknown>[];
    expect(edition).toMatchObject({ editionId: 'sandboxpaid', appStatus: 3, userLimit: 200 });
    expect(edition?.expiredTime).toBeGreaterThanOrEqual(before + 365 * 24 * 60 * 60);
    expect(second.status).toBe(200);
    const [renewed] = secondEvent.editions as Record<string, unknown>[];
    expect(renewed).toMatchObject({ editionId: 'sandboxpaid', userLimit: 1000 });
    expect(renewed?.expiredTime).toBeGreaterThanOrEqual(Number(edition?.expiredTime) + 365 * 24 * 60 * 60);
    expect((stack.simulator?.calls('service/v2/get_auth_info') ?? 0) - v2Reads).toBeGreaterThanOrEqual(2);
    const answer = await authInfoOf(TEMPLATE, corpId);
    expect(answer.edition_info).toMatchObject({
      agent: [{ edition_id: 'sandboxpaid', user_limit: 1000, expired_time: renewed?.expiredTime }],
    });
  });

  it('refuses bad input with a 400 and an unknown corp with a 404, changing nothing', async () => {
    const corpId = 'wwsandboxedition3';
    await install(SUITE, corpId);
    await install(TEMPLATE, corpId);
    const reads = stack.simulator?.calls('service/get_auth_info');

    const refusals = await Promise.all(
      [
        [`?suiteId=${SUITE}`, 400, /corpId is required/],
        [`?corpId=bad%20corp&suiteId=${SUITE}`, 400, /corpId/],
        [`?corpId=${corpId}&suiteId=not/a/suite`, 400, /suiteId/],
        [`?corpId=${corpId}`, 400, /name one with suiteId/],
        [`?corpId=${corpId}&suiteId=${SUITE}&appStatus=8`, 400, /appStatus must be an integer from 0 to 7/],
        [`?corpId=${corpId}&suiteId=${SUITE}&userLimit=-1`, 400, /userLimit/],
        [`?corpId=${corpId}&suiteId=${SUITE}&userLimit=1e3`, 400, /userLimit/],
        [`?corpId=${corpId}&suiteId=${SUITE}&expiredTime=99999999999`, 400, /expiredTime/],
        [
          `?corpId=${corpId}&suiteId=${SUITE}&isVirtualVersion=yes`,
          400,
          /isVirtualVersion must be true or false/,
        ],
        [`?corpId=${corpId}&suiteId=${SUITE}&editionId=${'x'.repeat(65)}`, 400, /editionId/],
        [`?corpId=${corpId}&suiteId=${SUITE}&editionName=`, 400, /editionName/],
        [`?corpId=${corpId}&suiteId=${SUITE}&editionName=a%0Ab`, 400, /editionName/],
        [`?corpId=${corpId}&suiteId=${SUITE}&user_limit=5`, 400, /unknown parameter user_limit/],
        [`?corpId=wwneverinstalled&suiteId=${SUITE}`, 404, /has not installed/],
        ['?corpId=wwneverinstalled', 404, /has not installed any suite/],
        [`?corpId=${corpId}&suiteId=wwothersuite`, 404, /has not installed wwothersuite/],
      ].map(async ([query, status, error]) => ({
        query,
        answer: await post(`/sandbox/change-edition${query}`),
        status,
        error,
      })),
    );

    for (const { query, answer, status, error } of refusals) {
      expect({ query, status: answer.status }).toEqual({ query, status });
      expect(String(answer.body.error)).toMatch(error as RegExp);
    }
    expect(stack.simulator?.editionOf(SUITE, corpId)).toBeUndefined();
    expect(stack.simulator?.editionOf(TEMPLATE, corpId)).toBeUndefined();
    expect(stack.simulator?.calls('service/get_auth_info')).toBe(reads);
  });
});
