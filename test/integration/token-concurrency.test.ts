import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCorpToken } from '../../functions/app/get-corp-token.ts';
import { THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { createTokenHarness, eventually, type TokenHarness } from '../support/token-harness.ts';
import { runTokenWorkers, summedOverProcesses } from '../support/worker-processes.ts';

const suiteId = THIRD_PARTY_SUITE.suiteId;
const corpId = 'wxcorpconcurrent';
let harness: TokenHarness;

beforeAll(async () => {
  harness = await createTokenHarness();
  const stopExchange = await harness.startExchange();
  await harness.pushTicket(suiteId);
  await harness.pushAuthCode(suiteId, corpId, 'create_auth');
  await eventually(
    async () =>
      (await harness.newContainer().authorizations.getAuthorization(suiteId, corpId))?.permanentCode,
  );
  // The exchange minted (and cached) the suite token the corp token needs; the corp token's cache is empty.
  await stopExchange();
}, 60_000);

afterAll(async () => {
  await harness.close();
});

const workerEnv = (kind: 'corp') => ({
  DYNAMODB_ENDPOINT: harness.table.endpoint,
  TABLE_NAME: harness.table.tableName,
  WECOM_API_BASE: harness.simulator.baseUrl,
  TOKEN_KIND: kind,
  SUITE_ID: suiteId,
  CORP_ID: corpId,
});

// One case end to end, across processes: the same single flight of every kind of credential runs
// in memory, over many containers and each of its paths, in test/unit/app/.
describe('concurrent callers in 4 processes with an empty cache', () => {
  it('200 requests for the same corp token cause exactly one upstream mint', async () => {
    const callsBefore = harness.simulator.calls('service/get_corp_token');

    const outcomes = await runTokenWorkers(4, 50, workerEnv('corp'));

    expect(outcomes).toHaveLength(200);
    expect(outcomes.filter((outcome) => !outcome.ok)).toEqual([]);
    const tokens = new Set(outcomes.map((outcome) => outcome.token));
    expect(tokens.size).toBe(1);
    // One flight: one caller of the 200, in one of the 4 processes, took the mint lease.
    expect(summedOverProcesses(outcomes, 50, (outcome) => outcome.leasesTaken?.corp_token ?? 0)).toBe(1);
    // Its one call, plus at most a retry for each attempt that got no answer on this loaded machine
    // (WeCom counts a retried attempt if it arrived; one that timed out before it did, it never saw).
    const upstreamCalls = harness.simulator.calls('service/get_corp_token') - callsBefore;
    const retries = summedOverProcesses(outcomes, 50, (outcome) => outcome.networkFailures ?? 0);
    expect(
      upstreamCalls,
      `${upstreamCalls} calls, ${retries} attempts without an answer`,
    ).toBeGreaterThanOrEqual(1);
    expect(
      upstreamCalls,
      `${upstreamCalls} calls, ${retries} attempts without an answer`,
    ).toBeLessThanOrEqual(1 + retries);
    expect(harness.simulator.isValidCorpToken(suiteId, corpId, [...tokens][0] ?? '')).toBe(true);
    const again = await getCorpToken(harness.newContainer(), { suiteId, corpId });
    expect(again.token.value).toBe([...tokens][0]);
  }, 60_000);
});
