import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMIZED_TEMPLATE } from '../support/callback-harness.ts';
import { failureOf } from '../support/errors.ts';
import { createTokenHarness, eventually, type TokenHarness } from '../support/token-harness.ts';

/**
 * The sign-in functions mint a 代开发 corp's token themselves when none is cached, and so may be the
 * first to learn that WeCom refuses an authorization: they mark it broken and announce it, like
 * corp-token and jsapi-ticket. These are also the calls (the mint's UpdateItem, the PutEvents) that
 * the IAM contract needs recorded to keep those grants (test/iam).
 */

const TEMPLATE = CUSTOMIZED_TEMPLATE.suiteId;

let harness: TokenHarness;

/**
 * A push as WeCom delivers it: again after a 503 (the callback's answer when the store is slow,
 * as it can be on a busy machine), as WeCom re-delivers what was not answered `success`. A
 * re-delivered create_auth carries a fresh auth code; the exchange takes whichever it meets.
 */
const delivered = async (push: () => Promise<unknown>): Promise<void> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await push();
      return;
    } catch (error) {
      if (attempt === 5 || !String(error).includes('503')) {
        throw error;
      }
    }
  }
};

const install = async (corpId: string): Promise<void> => {
  const container = harness.newContainer();
  await delivered(() => harness.pushTicket(TEMPLATE));
  const stop = await harness.startExchange();
  try {
    await delivered(() => harness.pushAuthCode(TEMPLATE, corpId, 'create_auth'));
    await eventually(
      async () => (await container.authorizations.getAuthorization(TEMPLATE, corpId))?.agentId,
    );
  } finally {
    await stop();
  }
};

const announcedBroken = (corpId: string) =>
  eventually(async () =>
    harness.eventBridge.received
      .filter((event) => event.DetailType === 'WeCom Authorization Changed')
      .map((event) => JSON.parse(event.Detail) as Record<string, unknown>)
      .find((detail) => detail.corpId === corpId && detail.status === 'broken'),
  );

beforeAll(async () => {
  harness = await createTokenHarness();
}, 60_000);

afterAll(async () => {
  await harness.close();
});

describe('sign-in for a 代开发 corp WeCom no longer serves', () => {
  it('user-identity refuses the sign-in and announces the authorization broken', async () => {
    const corpId = 'wwsigninbroken01';
    await install(corpId);
    const code = harness.simulator.issueOAuthCode(TEMPLATE, corpId, { userId: 'zhaoliu' });
    harness.simulator.cancelAuthorization(TEMPLATE, corpId); // WeCom says 48004; no push reached us

    const refused = await failureOf(() =>
      harness.handler('user-identity')({ code, suiteId: TEMPLATE, corpId }),
    );

    expect(refused).toMatchObject({ name: 'CorpNotAuthorizedError' });
    expect(await announcedBroken(corpId)).toMatchObject({ suiteId: TEMPLATE, cause: 'wecom_refused' });
  });

  it('user-detail, minting the corp token no one cached, refuses and announces the authorization broken', async () => {
    const corpId = 'wwsigninbroken02';
    await install(corpId);
    harness.simulator.cancelAuthorization(TEMPLATE, corpId);

    const refused = await failureOf(() =>
      harness.handler('user-detail')({
        userTicket: 'userticket-of-a-past-sign-in',
        suiteId: TEMPLATE,
        corpId,
      }),
    );

    expect(refused).toMatchObject({ name: 'CorpNotAuthorizedError' });
    expect(await announcedBroken(corpId)).toMatchObject({ suiteId: TEMPLATE, cause: 'wecom_refused' });
  });
});
