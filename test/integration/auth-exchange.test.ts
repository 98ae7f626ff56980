import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCorpToken } from '../../functions/app/get-corp-token.ts';
import { getSuiteToken } from '../../functions/app/get-suite-token.ts';
import { signedPushEvent } from '../support/api-events.ts';
import { createCallbackHarness, THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import type { ReceivedEvent } from '../support/fake-eventbridge.ts';
import { createTokenHarness, type TokenHarness } from '../support/token-harness.ts';
import { signPush, suiteEventXml } from '../support/wecom-pushes.ts';

const suiteId = THIRD_PARTY_SUITE.suiteId;
// The shared clock of the functions, WeCom and the pushes; only the last tests move it forward.
let offsetMs = 0;
const clock = { nowMs: () => Date.now() + offsetMs };
let harness: TokenHarness;

beforeAll(async () => {
  harness = await createTokenHarness({ wecomTimeoutMs: 300, clock });
  await harness.pushTicket(suiteId);
});

afterAll(async () => {
  await harness.close();
});

/** The stream record the table would emit for the stored auth code (as the Lambda would get it). */
const streamRecordOf = async (authCode: string): Promise<DynamoDBRecord> => {
  const item = (await harness.table.scanAll()).find((candidate) => candidate.authCode === authCode);
  if (item === undefined) {
    throw new Error('auth code item not found');
  }
  return {
    eventID: `event-${authCode.slice(-6)}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      NewImage: marshall(item) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
      SequenceNumber: `seq-${authCode.slice(-6)}`,
    },
  };
};

const install = (corpId: string): Promise<string> => harness.pushAuthCode(suiteId, corpId, 'create_auth');

describe('auth-exchange', () => {
  it('exchanges an auth code delivered by two stream records exactly once', async () => {
    const authCode = await install('wxcorptwice');
    const record = await streamRecordOf(authCode);
    const callsBefore = harness.simulator.calls('service/v2/get_permanent_code');

    const [first, second] = await Promise.all([
      harness.handler('auth-exchange')({ Records: [record] }),
      harness.handler('auth-exchange')({ Records: [record] }),
    ]);
    const redelivered = await harness.handler('auth-exchange')({
      Records: [record],
    });

    expect(harness.simulator.calls('service/v2/get_permanent_code') - callsBefore).toBe(1);
    expect(first.batchItemFailures.length + second.batchItemFailures.length).toBeLessThanOrEqual(1);
    expect(redelivered.batchItemFailures).toEqual([]);
    const token = await getCorpToken(harness.newContainer(), { suiteId, corpId: 'wxcorptwice' });
    expect(harness.simulator.isValidCorpToken(suiteId, 'wxcorptwice', token.token.value)).toBe(true);
    const codeItem = (await harness.table.scanAll()).find(
      (item) => item.entity === 'AuthCode' && item.corpId === 'wxcorptwice',
    );
    expect(codeItem).toMatchObject({ status: 'exchanged' });
    expect(codeItem).not.toHaveProperty('authCode');
  });

  it('marks a code WeCom rejects (40078) as failed without asking the stream to retry', async () => {
    const authCode = await install('wxcorpexpired');
    const record = await streamRecordOf(authCode);
    harness.simulator.injectFaults('service/v2/get_permanent_code', { kind: 'errcode', errcode: 40078 });

    const response = await harness.handler('auth-exchange')({
      Records: [record],
    });

    expect(response.batchItemFailures).toEqual([]);
    const codeItem = (await harness.table.scanAll()).find((item) => item.sk === skOf(record));
    expect(codeItem).toMatchObject({ status: 'failed' });
    const failed = harness.eventBridge.received
      .filter((event) => event.DetailType === 'WeCom Authorization Changed')
      .map((event) => JSON.parse(event.Detail) as Record<string, unknown>)
      .filter((detail) => detail.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ suiteId, status: 'failed', cause: 'create_auth' });
    expect(failed[0]).not.toHaveProperty('corpId');
    expect(String(codeItem?.failureReason)).toContain('40078');
    expect(codeItem).not.toHaveProperty('authCode');
  });

  it('gives a code back after a transient failure, and the retried record succeeds', async () => {
    const authCode = await install('wxcorpretry');
    const record = await streamRecordOf(authCode);
    harness.simulator.injectFaults('service/v2/get_permanent_code', { kind: 'http', status: 502 });

    const failed = await harness.handler('auth-exchange')({
      Records: [record],
    });
    const retried = await harness.handler('auth-exchange')({
      Records: [record],
    });

    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: record.dynamodb?.SequenceNumber }]);
    expect(retried.batchItemFailures).toEqual([]);
    const authorization = await harness
      .newContainer()
      .authorizations.getAuthorization(suiteId, 'wxcorpretry');
    expect(authorization).toMatchObject({ status: 'active', authInfoStale: false });
    expect(authorization?.agentId).toBeGreaterThan(0);
  });

  it('does not resend get_permanent_code after a timeout whose outcome is unknown', async () => {
    const authCode = await install('wxcorptimeout');
    const record = await streamRecordOf(authCode);
    harness.simulator.injectFaults('service/v2/get_permanent_code', { kind: 'timeout', holdMs: 1000 });
    const callsBefore = harness.simulator.calls('service/v2/get_permanent_code');

    const response = await harness.handler('auth-exchange')({
      Records: [record],
    });

    expect(response.batchItemFailures).toHaveLength(1);
    expect(harness.simulator.calls('service/v2/get_permanent_code') - callsBefore).toBe(1);
  });

  it('does not resend get_permanent_code after -1 (system busy), and exchanges the code on the stream retry', async () => {
    const authCode = await install('wxcorpbusy');
    const record = await streamRecordOf(authCode);
    harness.simulator.injectFaults('service/v2/get_permanent_code', { kind: 'errcode', errcode: -1 });
    const callsBefore = harness.simulator.calls('service/v2/get_permanent_code');

    const failed = await harness.handler('auth-exchange')({ Records: [record] });
    const callsAfterFailure = harness.simulator.calls('service/v2/get_permanent_code');
    const retried = await harness.handler('auth-exchange')({ Records: [record] });

    expect(failed.batchItemFailures).toHaveLength(1);
    expect(callsAfterFailure - callsBefore).toBe(1);
    expect(retried.batchItemFailures).toEqual([]);
    expect(await harness.newContainer().authorizations.getAuthorization(suiteId, 'wxcorpbusy')).toMatchObject(
      {
        status: 'active',
      },
    );
  });

  it('records "exchange outcome unknown" when WeCom spent the code on an answer that was lost, and counts it', async () => {
    const authCode = await install('wxcorplostanswer');
    const record = await streamRecordOf(authCode);
    harness.simulator.injectFaults('service/v2/get_permanent_code', { kind: 'answer-lost' });
    const countedBefore = harness.runtime.metricsLog.recorded.filter(
      (entry) => entry.name === 'exchangeOutcomeUnknown',
    ).length;

    const lost = await harness.handler('auth-exchange')({ Records: [record] });
    const retried = await harness.handler('auth-exchange')({ Records: [record] });

    expect(lost.batchItemFailures).toHaveLength(1);
    expect(retried.batchItemFailures).toEqual([]);
    const codeItem = (await harness.table.scanAll()).find((item) => item.sk === skOf(record));
    expect(codeItem).toMatchObject({ status: 'outcome_unknown' });
    expect(String(codeItem?.failureReason)).toContain('reinstall');
    expect(codeItem).not.toHaveProperty('authCode');
    expect(
      harness.runtime.metricsLog.recorded.filter((entry) => entry.name === 'exchangeOutcomeUnknown').length -
        countedBefore,
    ).toBe(1);
  });

  it('falls back to the previous ticket when WeCom rejects the newest one (40085)', async () => {
    const container = harness.newContainer();
    await harness.pushTicket(suiteId);
    const callback = createCallbackHarness(harness.table.endpoint, harness.table.tableName);
    const later = Math.floor(Date.now() / 1000) + 5;
    callback.clock.set(later * 1000);
    const bogus = signPush(
      THIRD_PARTY_SUITE,
      suiteEventXml.suiteTicket(suiteId, 'TICKET-WECOM-NEVER-ISSUED', later),
      { receiveId: suiteId, timestamp: later },
    );
    await callback.handler(signedPushEvent(suiteId, bogus));
    harness.simulator.invalidateSuiteToken(suiteId);
    offsetMs += 61_000; // a report of a token WeCom handed over within the last minute is not heard
    const stale = (await container.tokens.read({ kind: 'suite_token', suiteId })).token?.value;
    const callsBefore = harness.simulator.calls('service/get_suite_token');

    const { token } = await getSuiteToken(container, {
      suiteId,
      ...(stale === undefined ? {} : { staleToken: stale }),
    });

    expect(harness.simulator.calls('service/get_suite_token') - callsBefore).toBe(2);
    expect(harness.simulator.isValidSuiteToken(suiteId, token.value)).toBe(true);
  });
});

// Last in the file: these move the shared clock forward.
describe('the failed event of an auth code that could not be exchanged', () => {
  const REJECTED = { kind: 'errcode', errcode: 40078 } as const;

  /** The Authorization Changed details among `entries` from index `from` on. */
  const changesIn = (entries: readonly ReceivedEvent[], from = 0): Record<string, unknown>[] =>
    entries
      .slice(from)
      .filter((event) => event.DetailType === 'WeCom Authorization Changed')
      .map((event) => JSON.parse(event.Detail) as Record<string, unknown>);

  /** WeCom pushes create_auth for a new code of `corpId`, stamped `timeStamp`; the stream record it leaves. */
  const pushCode = async (corpId: string, timeStamp: number): Promise<DynamoDBRecord> => {
    const authCode = harness.simulator.authorizeCorp(suiteId, corpId);
    await harness.pushXml(suiteId, suiteEventXml.createAuth(suiteId, authCode, timeStamp));
    return streamRecordOf(authCode);
  };

  it('gives two codes that fail in the same second two event ids', async () => {
    const timeStamp = Math.floor(clock.nowMs() / 1000);
    const records = [
      await pushCode('wxcorpsamesecond1', timeStamp),
      await pushCode('wxcorpsamesecond2', timeStamp),
    ];
    harness.simulator.injectFaults('service/v2/get_permanent_code', REJECTED, REJECTED);
    const before = harness.eventBridge.received.length;

    const response = await harness.handler('auth-exchange')({ Records: records });

    expect(response.batchItemFailures).toEqual([]);
    const failed = changesIn(harness.eventBridge.received, before);
    expect(failed).toHaveLength(2);
    expect(failed.map((detail) => detail.status)).toEqual(['failed', 'failed']);
    expect(failed[0]?.at).toBe(failed[1]?.at);
    expect(failed[0]?.eventId).not.toBe(failed[1]?.eventId);
  });

  it('keeps the id when the stream delivers the same failed code again', async () => {
    const record = await pushCode('wxcorprepublished', Math.floor(clock.nowMs() / 1000));
    harness.simulator.injectFaults('service/v2/get_permanent_code', REJECTED, REJECTED);
    const refusedBefore = harness.eventBridge.refused.length;
    const receivedBefore = harness.eventBridge.received.length;

    // The bus refuses the event (a real one may have delivered it all the same): the record fails.
    harness.eventBridge.fail('all');
    const refused = await harness
      .handler('auth-exchange')({ Records: [record] })
      .finally(() => {
        harness.eventBridge.fail(undefined);
      });
    // Past the first attempt's claim, the stream's retry settles the code again and publishes.
    offsetMs += 61_000;
    const retried = await harness.handler('auth-exchange')({ Records: [record] });

    expect(refused.batchItemFailures).toEqual([{ itemIdentifier: record.dynamodb?.SequenceNumber }]);
    expect(retried.batchItemFailures).toEqual([]);
    const attempted = changesIn(harness.eventBridge.refused, refusedBefore);
    const published = changesIn(harness.eventBridge.received, receivedBefore);
    expect(attempted.length).toBeGreaterThan(0);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ status: 'failed', cause: 'create_auth' });
    for (const detail of attempted) {
      expect(detail.eventId).toBe(published[0]?.eventId);
    }
  });
});

const skOf = (record: DynamoDBRecord): string => String(record.dynamodb?.NewImage?.sk?.S);
