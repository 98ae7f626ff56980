import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedPushEvent } from '../support/api-events.ts';
import { createCallbackHarness, NOW_SECONDS, THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { createTokenHarness, type TokenHarness } from '../support/token-harness.ts';
import { signPush, suiteEventXml } from '../support/wecom-pushes.ts';

/**
 * What WeCom hands over is checked only as far as WeCom documents it (functions/core/wecom-values.ts,
 * docs/wecom-protocol.md §5): no invented limit refuses a real push, and what is documented is held.
 */

const suite = THIRD_PARTY_SUITE;
let table: TestTable;
let tokens: TokenHarness;

beforeAll(async () => {
  table = await createTestTable();
  tokens = await createTokenHarness();
}, 60_000);

afterAll(async () => {
  await tokens.close();
  await table.drop();
});

describe('callback query values', () => {
  it('accepts a signed push whose nonce is longer than any seen: WeCom documents no length for it', async () => {
    const harness = createCallbackHarness(table.endpoint, table.tableName);
    const xml = suiteEventXml.suiteTicket(suite.suiteId, 'TICKET-LONG-NONCE', NOW_SECONDS);
    const nonce = 'n'.repeat(200);
    const signed = signPush(suite, xml, { receiveId: suite.suiteId, timestamp: NOW_SECONDS, nonce });

    const response = await harness.handler(signedPushEvent(suite.suiteId, signed));

    expect(response).toMatchObject({ statusCode: 200, body: 'success' });
  });

  it('still refuses a nonce with a space or a character outside printable ASCII', async () => {
    const harness = createCallbackHarness(table.endpoint, table.tableName);
    const xml = suiteEventXml.suiteTicket(suite.suiteId, 'TICKET-BAD-NONCE', NOW_SECONDS);

    for (const nonce of ['a%20b', '%E4%BD%A0']) {
      const signed = signPush(suite, xml, { receiveId: suite.suiteId, timestamp: NOW_SECONDS, nonce });
      const response = await harness.handler(signedPushEvent(suite.suiteId, signed));
      expect(response).toMatchObject({ statusCode: 400, body: 'bad request: MALFORMED_PARAMETER' });
    }
  });
});

describe('reported tokens', () => {
  it('takes a staleToken of up to 512 printable characters, WeCom’s documented bound for every token, and refuses more', async () => {
    await tokens.pushTicket(suite.suiteId);
    const suiteToken = tokens.handler('suite-token');

    const longest = await suiteToken({ suiteId: suite.suiteId, staleToken: 't'.repeat(512) });
    const refused = await suiteToken({ suiteId: suite.suiteId, staleToken: 't'.repeat(513) }).catch(
      (error: unknown) => error,
    );
    const spaced = await suiteToken({ suiteId: suite.suiteId, staleToken: 'a token' }).catch(
      (error: unknown) => error,
    );

    expect(longest).toMatchObject({ accessToken: expect.any(String) });
    expect(refused).toMatchObject({ name: 'InvalidRequestError', reason: 'MALFORMED_PARAMETER' });
    expect(spaced).toMatchObject({ name: 'InvalidRequestError', reason: 'MALFORMED_PARAMETER' });
  });
});
