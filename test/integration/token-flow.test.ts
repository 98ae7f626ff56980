import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIRMED_VALUE_WINDOW_MS } from '../../functions/app/credentials/retry-layers.ts';
import { getCorpToken } from '../../functions/app/get-corp-token.ts';
import { getSuiteToken } from '../../functions/app/get-suite-token.ts';
import {
  CorpNotAuthorizedError,
  SuiteTicketMissingError,
  UnknownSuiteError,
} from '../../functions/core/errors.ts';
import { CUSTOMIZED_TEMPLATE, THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { ShiftedClock } from '../support/fixed-clock.ts';
import { createTokenHarness, eventually, type TokenHarness } from '../support/token-harness.ts';

const suiteId = THIRD_PARTY_SUITE.suiteId;
const templateId = CUSTOMIZED_TEMPLATE.suiteId;
// A reported value is replaced only a minute after WeCom handed it over: tests move this clock.
const clock = new ShiftedClock();
let harness: TokenHarness;
let stopExchange: () => Promise<void>;

beforeAll(async () => {
  harness = await createTokenHarness({ clock });
  stopExchange = await harness.startExchange();
});

afterAll(async () => {
  await stopExchange();
  await harness.close();
});

const corpTokenEventually = (corpId: string, suite: string, container = harness.newContainer()) =>
  eventually(async () => {
    try {
      return await getCorpToken(container, { suiteId: suite, corpId });
    } catch (error) {
      if (error instanceof CorpNotAuthorizedError) {
        return undefined;
      }
      throw error;
    }
  });

describe('suite tokens', () => {
  it('fails fast with SuiteTicketMissingError before any ticket, without calling WeCom', async () => {
    const before = harness.simulator.calls('service/get_suite_token');

    await expect(getSuiteToken(harness.newContainer(), { suiteId: templateId })).rejects.toBeInstanceOf(
      SuiteTicketMissingError,
    );

    expect(harness.simulator.calls('service/get_suite_token')).toBe(before);
  });

  it('mints from a pushed ticket a token WeCom accepts', async () => {
    await harness.pushTicket(suiteId);

    const { token } = await getSuiteToken(harness.newContainer(), { suiteId });

    expect(harness.simulator.isValidSuiteToken(suiteId, token.value)).toBe(true);
    expect(token.expiresAtMs).toBeGreaterThan(Date.now() + 7000 * 1000);
  });

  it('rejects an unknown suite without calling WeCom', async () => {
    await expect(
      getSuiteToken(harness.newContainer(), { suiteId: 'wwnotconfigured' }),
    ).rejects.toBeInstanceOf(UnknownSuiteError);
  });

  it('replaces a stale token only if it is still the cached one, with one mint', async () => {
    const container = harness.newContainer();
    const { token: first } = await getSuiteToken(container, { suiteId });
    harness.simulator.invalidateSuiteToken(suiteId);
    // Reports of a value WeCom handed over within the last minute are answered from the cache.
    clock.advance(CONFIRMED_VALUE_WINDOW_MS);
    const callsBefore = harness.simulator.calls('service/get_suite_token');

    const [a, b] = await Promise.all([
      getSuiteToken(harness.newContainer(), { suiteId, staleToken: first.value }),
      getSuiteToken(harness.newContainer(), { suiteId, staleToken: first.value }),
    ]);
    const later = await getSuiteToken(harness.newContainer(), { suiteId, staleToken: first.value });

    expect(a.token.value).not.toBe(first.value);
    expect(b.token.value).toBe(a.token.value);
    expect(later.token.value).toBe(a.token.value);
    expect(harness.simulator.calls('service/get_suite_token') - callsBefore).toBe(1);
    expect(harness.simulator.isValidSuiteToken(suiteId, a.token.value)).toBe(true);
  });
});

describe('corp tokens, end to end from the pushed events', () => {
  it('create_auth → exchange → a corp token for a third-party suite, with the agent id', async () => {
    await harness.pushTicket(suiteId);
    await harness.pushAuthCode(suiteId, 'wxcorpthirdparty', 'create_auth');

    const first = await corpTokenEventually('wxcorpthirdparty', suiteId);
    // The permanent code is stored before get_auth_info is read, so the agent id may lag a moment.
    const result = await eventually(async () => {
      const answer = await getCorpToken(harness.newContainer(), { suiteId, corpId: 'wxcorpthirdparty' });
      return answer.agentId === undefined ? undefined : answer;
    });

    expect(result.token.value).toBe(first.token.value);
    expect(harness.simulator.isValidCorpToken(suiteId, 'wxcorpthirdparty', result.token.value)).toBe(true);
    expect(result.agentId).toBeGreaterThan(1000000);
    expect(harness.simulator.calls('gettoken')).toBe(0);
  });

  it('create_auth → exchange → a corp token for a 代开发 template through gettoken', async () => {
    await harness.pushTicket(templateId);
    const getCorpTokenCalls = harness.simulator.calls('service/get_corp_token');
    await harness.pushAuthCode(templateId, 'wxcorpcustomized', 'create_auth');

    const result = await corpTokenEventually('wxcorpcustomized', templateId);

    expect(harness.simulator.isValidCorpToken(templateId, 'wxcorpcustomized', result.token.value)).toBe(true);
    expect(harness.simulator.calls('gettoken')).toBeGreaterThanOrEqual(1);
    expect(harness.simulator.calls('service/get_corp_token')).toBe(getCorpTokenCalls);
  });

  it('reset_permanent_code → the new code is used and the old token is gone', async () => {
    const corpId = 'wxcorpreset';
    await harness.pushTicket(templateId);
    await harness.pushAuthCode(templateId, corpId, 'create_auth');
    const before = await corpTokenEventually(corpId, templateId);

    await harness.pushAuthCode(templateId, corpId, 'reset_permanent_code');
    const after = await eventually(async () => {
      const result = await getCorpToken(harness.newContainer(), { suiteId: templateId, corpId });
      return result.token.value === before.token.value ? undefined : result;
    });

    expect(after.token.value).not.toBe(before.token.value);
    expect(harness.simulator.isValidCorpToken(templateId, corpId, after.token.value)).toBe(true);
    expect(harness.simulator.isValidCorpToken(templateId, corpId, before.token.value)).toBe(false);
  });

  it('cancel_auth → CorpNotAuthorizedError, without calling WeCom', async () => {
    const corpId = 'wxcorpcancelled';
    await harness.pushTicket(suiteId);
    await harness.pushAuthCode(suiteId, corpId, 'create_auth');
    await corpTokenEventually(corpId, suiteId);

    await harness.pushCancel(suiteId, corpId);
    const callsBefore = harness.simulator.calls('service/get_corp_token');

    await expect(getCorpToken(harness.newContainer(), { suiteId, corpId })).rejects.toBeInstanceOf(
      CorpNotAuthorizedError,
    );
    expect(harness.simulator.calls('service/get_corp_token')).toBe(callsBefore);
  });

  it('a warm container serves a cancelled corp for at most 30 s, and never once the caller reports the token stale', async () => {
    const corpId = 'wxcorpwarmcancel';
    await harness.pushTicket(suiteId);
    await harness.pushAuthCode(suiteId, corpId, 'create_auth');
    const warm = harness.newContainer();
    const token = await corpTokenEventually(corpId, suiteId, warm);

    await harness.pushCancel(suiteId, corpId);
    const fromMemory = await getCorpToken(warm, { suiteId, corpId });

    expect(fromMemory.token.value).toBe(token.token.value);
    await expect(
      getCorpToken(warm, { suiteId, corpId, staleToken: token.token.value }),
    ).rejects.toBeInstanceOf(CorpNotAuthorizedError);
  });

  it('serves 1000 sequential corp-token requests with one upstream mint in total', async () => {
    const corpId = 'wxcorpsequential';
    await harness.pushTicket(suiteId);
    await harness.pushAuthCode(suiteId, corpId, 'create_auth');
    await eventually(
      async () =>
        (await harness.newContainer().authorizations.getAuthorization(suiteId, corpId))?.permanentCode,
    );
    const callsBefore = harness.simulator.calls('service/get_corp_token');
    const tokens = new Set<string>();
    let container = harness.newContainer();

    for (let request = 0; request < 1000; request += 1) {
      if (request % 100 === 0) {
        container = harness.newContainer();
      }
      tokens.add((await getCorpToken(container, { suiteId, corpId })).token.value);
    }

    expect(tokens.size).toBe(1);
    expect(harness.simulator.calls('service/get_corp_token') - callsBefore).toBe(1);
  });

  it('an unknown corp is CorpNotAuthorizedError, without calling WeCom', async () => {
    const callsBefore = harness.simulator.calls('service/get_corp_token');

    await expect(getCorpToken(harness.newContainer(), { suiteId, corpId: 'wxnever' })).rejects.toBeInstanceOf(
      CorpNotAuthorizedError,
    );
    expect(harness.simulator.calls('service/get_corp_token')).toBe(callsBefore);
  });
});
