import { describe, expect, it } from 'vitest';
import { getCorpToken } from '../../../functions/app/get-corp-token.ts';
import { getSuiteToken } from '../../../functions/app/get-suite-token.ts';
import { BLOCK_SCHEDULE_MS } from '../../../functions/core/credentials/credential-block.ts';
import {
  CorpNotAuthorizedError,
  UpstreamUnavailableError,
  WeComApiError,
} from '../../../functions/core/errors.ts';
import { outcomeOf } from '../../support/errors.ts';
import {
  createInMemoryTokenWorld,
  type InMemoryTokenWorld,
  UNIT_SUITE,
  UNIT_TEMPLATE,
} from '../../support/in-memory-token-deps.ts';

const suiteId = UNIT_SUITE.suiteId;
const templateId = UNIT_TEMPLATE.suiteId;
const corpId = 'wxcorpunit';
const CORP_TOKEN = 'service/get_corp_token';
const GETTOKEN = 'gettoken';
const SUITE_TOKEN = 'service/get_suite_token';
const [FIRST_BLOCK_MS = 0] = BLOCK_SCHEDULE_MS;

/** A world with a suite_ticket for both suites and the corp installed in each (agent id on the suite). */
const installedWorld = async (): Promise<InMemoryTokenWorld> => {
  const world = createInMemoryTokenWorld();
  await world.pushTicket(suiteId);
  await world.pushTicket(templateId);
  world.authorizations.authorize(suiteId, corpId, 'permanent-code-1', { agentId: 1_000_002 });
  world.authorizations.authorize(templateId, corpId, 'template-code-1');
  return world;
};

const authorizationEvents = (world: InMemoryTokenWorld) =>
  world.events.published.map((event) => {
    const detail = event.detail as { status?: string; cause?: string; corpId?: string };
    return [detail.corpId, detail.status, detail.cause];
  });

describe('getCorpToken', () => {
  it('mints a third-party corp token with the suite’s token and the permanent code, with the agent id', async () => {
    const world = await installedWorld();

    const result = await getCorpToken(world.newContainer(), { suiteId, corpId });

    const [call] = world.wecom.received.filter((received) => received.api === CORP_TOKEN);
    expect(world.wecom.isValid(result.token.value)).toBe(true);
    expect(result.agentId).toBe(1_000_002);
    expect(world.wecom.isValid(call?.args[0] ?? '')).toBe(true);
    expect(call?.args.slice(1)).toEqual([corpId, 'permanent-code-1']);
    expect(world.wecom.calls(GETTOKEN)).toBe(0);
  });

  it('mints a 代开发 corp token with gettoken and the permanent code as secret, without a suite token', async () => {
    const world = await installedWorld();

    const result = await getCorpToken(world.newContainer(), { suiteId: templateId, corpId });

    expect(world.wecom.isValid(result.token.value)).toBe(true);
    expect(result).not.toHaveProperty('agentId');
    expect(world.wecom.received.map((call) => [call.api, ...call.args])).toEqual([
      [GETTOKEN, corpId, 'template-code-1'],
    ]);
  });

  it('refuses a corp never installed, or uninstalled, with CorpNotAuthorizedError without asking WeCom', async () => {
    const world = await installedWorld();
    world.authorizations.revoke(templateId, corpId);

    const unknown = await outcomeOf(getCorpToken(world.newContainer(), { suiteId, corpId: 'wxnever' }));
    const revoked = await outcomeOf(getCorpToken(world.newContainer(), { suiteId: templateId, corpId }));

    expect(unknown).toBeInstanceOf(CorpNotAuthorizedError);
    expect(revoked).toBeInstanceOf(CorpNotAuthorizedError);
    expect(world.wecom.received).toEqual([]);
  });

  it('lets a warm container serve a corp cancelled in the last 30 s, but never once the token is reported stale', async () => {
    const world = await installedWorld();
    const warm = world.newContainer();
    const before = await getCorpToken(warm, { suiteId, corpId });
    world.authorizations.revoke(suiteId, corpId);

    const fromMemory = await getCorpToken(warm, { suiteId, corpId });
    const reportedStale = await outcomeOf(
      getCorpToken(warm, { suiteId, corpId, staleToken: before.token.value }),
    );
    world.clock.advance(30_000);
    const after30Seconds = await outcomeOf(getCorpToken(warm, { suiteId, corpId }));

    expect(fromMemory.token).toEqual(before.token);
    expect(reportedStale).toBeInstanceOf(CorpNotAuthorizedError);
    expect(after30Seconds).toBeInstanceOf(CorpNotAuthorizedError);
  });

  it('gives 200 concurrent callers in 5 containers one mint, each container reading the authorization once', async () => {
    const world = await installedWorld();
    const containers = Array.from({ length: 5 }, () => world.newContainer());

    const results = await Promise.all(
      containers.flatMap((deps) => Array.from({ length: 40 }, () => getCorpToken(deps, { suiteId, corpId }))),
    );

    expect(new Set(results.map((result) => result.token.value)).size).toBe(1);
    expect(world.wecom.calls(CORP_TOKEN)).toBe(1);
    expect(world.wecom.calls(SUITE_TOKEN)).toBe(1);
    expect(world.authorizations.reads).toBe(5);
  });

  it('renews a suite token WeCom no longer accepts once, and retries the corp token with the new one', async () => {
    const world = await installedWorld();
    const { token: suiteToken } = await getSuiteToken(world.newContainer(), { suiteId });
    world.wecom.invalidate(suiteToken.value);

    const result = await getCorpToken(world.newContainer(), { suiteId, corpId });

    const suiteTokensUsed = world.wecom.received
      .filter((call) => call.api === CORP_TOKEN)
      .map((call) => call.args[0]);
    expect(world.wecom.isValid(result.token.value)).toBe(true);
    expect(suiteTokensUsed).toHaveLength(2);
    expect(suiteTokensUsed[0]).toBe(suiteToken.value);
    expect(world.wecom.isValid(suiteTokensUsed[1] ?? '')).toBe(true);
    expect(world.wecom.calls(SUITE_TOKEN)).toBe(2);
  });

  it('takes 40082 with a suite token WeCom confirmed within the minute as a broken authorization: blocked, announced once; the periodic retry renews the suite token first and announces it active when WeCom accepts it', async () => {
    const world = await installedWorld();
    const refusal = new WeComApiError(CORP_TOKEN, 40082, 'invalid suite_access_token');
    world.wecom.script(CORP_TOKEN, refusal);
    const ask = () => outcomeOf(getCorpToken(world.newContainer(), { suiteId, corpId }));

    const refused = await ask();
    const [suiteCalls, corpCalls] = [world.wecom.calls(SUITE_TOKEN), world.wecom.calls(CORP_TOKEN)];
    world.clock.advance(FIRST_BLOCK_MS - 1);
    const whileBlocked = await ask();
    const callsWhileBlocked = world.wecom.calls(CORP_TOKEN);
    world.clock.advance(1);
    const accepted = await ask();
    const afterwards = await ask();

    expect(refused).toBeInstanceOf(CorpNotAuthorizedError);
    expect((refused as Error).message).toContain('40082');
    // The suite token was minted for this ask: WeCom had just confirmed it, so it is not asked for
    // again, and get_corp_token is not asked again with the same token.
    expect([suiteCalls, corpCalls]).toEqual([1, 1]);
    expect(whileBlocked).toBeInstanceOf(CorpNotAuthorizedError);
    expect(callsWhileBlocked).toBe(1);
    expect(accepted).toMatchObject({ agentId: 1_000_002 });
    expect(afterwards).toEqual(accepted);
    // The periodic retry renewed the suite token (a minute after WeCom confirmed it) before asking.
    expect(world.wecom.calls(SUITE_TOKEN)).toBe(2);
    expect(world.wecom.calls(CORP_TOKEN)).toBe(2);
    expect(authorizationEvents(world)).toEqual([
      [corpId, 'broken', 'wecom_refused'],
      [corpId, 'active', 'wecom_accepted'],
    ]);
  });

  it('takes 40082 from three corps of one suite within a minute as the suite token’s problem: the third is not blocked, it is signalled, and WeCom is asked for the suite token at most once a minute', async () => {
    const world = await installedWorld();
    const corps = ['wxcorpwide1', 'wxcorpwide2', 'wxcorpwide3', 'wxcorpwide4'];
    for (const corp of corps) {
      world.authorizations.authorize(suiteId, corp, `permanent-${corp}`, { agentId: 1_000_002 });
    }
    const refusal = new WeComApiError(CORP_TOKEN, 40082, 'invalid suite_access_token');
    world.wecom.script(CORP_TOKEN, ...corps.map(() => refusal), refusal);
    const suspected: [string, number][] = [];
    const container = () => ({
      ...world.newContainer(),
      signals: {
        reportIgnored: () => undefined,
        suiteTokenSuspect: (suite: string, count: number) => suspected.push([suite, count]),
      },
    });

    const outcomes = [];
    for (const corp of corps) {
      outcomes.push(await outcomeOf(getCorpToken(container(), { suiteId, corpId: corp })));
      world.clock.advance(10_000);
    }

    expect(outcomes.map((outcome) => (outcome as Error).name)).toEqual([
      'CorpNotAuthorizedError',
      'CorpNotAuthorizedError',
      'WeComApiError',
      'WeComApiError',
    ]);
    expect(suspected).toEqual([
      [suiteId, 3],
      [suiteId, 4],
    ]);
    expect(world.cache.peek({ kind: 'corp_token', suiteId, corpId: 'wxcorpwide3' })).not.toHaveProperty(
      'block',
    );
    expect(world.cache.peek({ kind: 'corp_token', suiteId, corpId: 'wxcorpwide3' })).toMatchObject({
      mintFailure: { errcode: 40082 },
    });
    expect(world.wecom.calls(CORP_TOKEN)).toBe(4);
    expect(world.wecom.calls(SUITE_TOKEN)).toBeLessThanOrEqual(2);
    // Only the first two were announced broken; the others are a passing failure.
    expect(authorizationEvents(world)).toEqual([
      ['wxcorpwide1', 'broken', 'wecom_refused'],
      ['wxcorpwide2', 'broken', 'wecom_refused'],
    ]);

    // The first corp's periodic retry renews the suite token first, meets 40082 again while the
    // suite is suspect, and is not blocked for longer: a passing failure, not 5 more minutes.
    world.clock.advance(FIRST_BLOCK_MS - 4 * 10_000); // its block began 4 asks ago
    const retried = await outcomeOf(getCorpToken(container(), { suiteId, corpId: 'wxcorpwide1' }));
    expect(retried).toMatchObject({ name: 'WeComApiError', errcode: 40082 });
    expect(world.cache.peek({ kind: 'corp_token', suiteId, corpId: 'wxcorpwide1' }).block?.refusals).toBe(1);
  });

  it('blocks a 代开发 corp whose secret WeCom refuses (gettoken 40001) when no new permanent code is stored', async () => {
    const world = await installedWorld();
    world.wecom.script(GETTOKEN, new WeComApiError(GETTOKEN, 40001, 'invalid credential'));

    const refused = await outcomeOf(getCorpToken(world.newContainer(), { suiteId: templateId, corpId }));
    const again = await outcomeOf(getCorpToken(world.newContainer(), { suiteId: templateId, corpId }));

    expect(refused).toBeInstanceOf(CorpNotAuthorizedError);
    expect((refused as Error).message).toContain('40001');
    expect(again).toBeInstanceOf(CorpNotAuthorizedError);
    expect(world.wecom.calls(GETTOKEN)).toBe(1);
    expect(world.cache.peek({ kind: 'corp_token', suiteId: templateId, corpId })).toMatchObject({
      block: { refusals: 1, failure: { errcode: 40001 } },
    });
    expect(authorizationEvents(world)).toEqual([[corpId, 'broken', 'wecom_refused']]);
  });

  it('retries with the permanent code stored since, rather than block, when WeCom refuses the one this container remembers', async () => {
    const world = await installedWorld();
    const warm = world.newContainer();
    // The container remembers the authorization but holds no token: its mint failed for a passing reason.
    world.wecom.script(GETTOKEN, new UpstreamUnavailableError('gettoken is unreachable'));
    await outcomeOf(getCorpToken(warm, { suiteId: templateId, corpId }));
    world.authorizations.authorize(templateId, corpId, 'template-code-2');
    world.wecom.script(GETTOKEN, new WeComApiError(GETTOKEN, 40001, 'invalid credential'));

    const result = await getCorpToken(warm, { suiteId: templateId, corpId });

    expect(world.wecom.isValid(result.token.value)).toBe(true);
    expect(world.wecom.received.map((call) => call.args[1])).toEqual([
      'template-code-1',
      'template-code-1',
      'template-code-2',
    ]);
    expect(world.cache.peek({ kind: 'corp_token', suiteId: templateId, corpId })).not.toHaveProperty('block');
    expect(world.events.published).toEqual([]);
  });
});
