import { describe, expect, it } from 'vitest';
import { getCorpToken } from '../../../functions/app/get-corp-token.ts';
import { getSuiteToken } from '../../../functions/app/get-suite-token.ts';
import type { AccessToken } from '../../../functions/core/credentials/access-token.ts';
import { outcomeOf } from '../../support/errors.ts';
import { createInMemoryTokenWorld, UNIT_SUITE, UNIT_TEMPLATE } from '../../support/in-memory-token-deps.ts';
import type { FakeWeComApiName } from '../../support/in-memory-wecom-api.ts';

/**
 * Tokens through whole lifetimes, WeCom handing back the same token while it is valid and
 * reporting its remaining or its full lifetime on a repeated fetch (undocumented, so both). One
 * case of each runs end to end in test/integration/token-edges.test.ts.
 */

const suiteId = UNIT_SUITE.suiteId;
const templateId = UNIT_TEMPLATE.suiteId;
const corpId = 'wxcorplifetimes';
const LIFETIME_MS = 7_200_000;

describe.each(['remaining', 'full'] as const)(
  'the end of every token life, WeCom reporting the %s lifetime on a repeated fetch',
  (repeatedExpiresIn) => {
    const installedWorld = async () => {
      // WeCom's lifetime starts 50 ms after ours, as over a network: at our end it hands the token back once more.
      const world = createInMemoryTokenWorld({ repeatedExpiresIn, issueLagMs: 50 });
      await world.pushTicket(suiteId);
      await world.pushTicket(templateId);
      world.authorizations.authorize(suiteId, corpId, 'permanent-code-1');
      world.authorizations.authorize(templateId, corpId, 'template-code-1');
      return world;
    };

    it('serves every request across three lifetimes, with at most two upstream calls per lifetime and kind', async () => {
      const world = await installedWorld();
      const [suiteContainer, corpContainer, templateContainer] = [
        world.newContainer(),
        world.newContainer(),
        world.newContainer(),
      ];
      const requests: { readonly api: FakeWeComApiName; readonly call: () => Promise<AccessToken> }[] = [
        {
          api: 'service/get_suite_token',
          call: async () => (await getSuiteToken(suiteContainer, { suiteId })).token,
        },
        {
          api: 'service/get_corp_token',
          call: async () => (await getCorpToken(corpContainer, { suiteId, corpId })).token,
        },
        {
          api: 'gettoken',
          call: async () => (await getCorpToken(templateContainer, { suiteId: templateId, corpId })).token,
        },
      ];
      const startMs = world.clock.nowMs();
      let lastTicketMs = startMs;
      let soonestExpiryMs = startMs;
      const failures: string[] = [];
      let served = 0;

      while (world.clock.nowMs() - startMs < 3 * LIFETIME_MS) {
        // Fine steps through the last 6 minutes of a token's life and past its end, coarse elsewhere.
        world.clock.advance(soonestExpiryMs - world.clock.nowMs() < 6 * 60_000 ? 5_000 : 60_000);
        if (world.clock.nowMs() - lastTicketMs >= 10 * 60_000) {
          await world.pushTicket(suiteId);
          await world.pushTicket(templateId);
          lastTicketMs = world.clock.nowMs();
        }
        soonestExpiryMs = Number.POSITIVE_INFINITY;
        for (const request of requests) {
          const outcome = await outcomeOf(request.call());
          if (outcome instanceof Error || !world.wecom.isValid(outcome.value)) {
            failures.push(
              `${request.api} at +${(world.clock.nowMs() - startMs) / 1000} s: ${String(outcome)}`,
            );
            continue;
          }
          served += 1;
          soonestExpiryMs = Math.min(soonestExpiryMs, outcome.expiresAtMs);
        }
      }

      expect(failures).toEqual([]);
      expect(served).toBeGreaterThan(1000);
      // One mint per lifetime; at each end at most one more ask, answered with the old token (a
      // token that ends while another's 200 ms wait passes is not handed back, so it needs none).
      for (const { api } of requests) {
        expect(world.wecom.calls(api)).toBeGreaterThanOrEqual(3);
        expect(world.wecom.calls(api)).toBeLessThanOrEqual(1 + 2 * 2);
      }
    });

    it('gives 50 concurrent callers in 5 containers the next token at the true end of the last, asked for by one of them', async () => {
      const world = await installedWorld();
      const { token: first } = await getSuiteToken(world.newContainer(), { suiteId });
      world.clock.moveTo(first.expiresAtMs);
      await world.pushTicket(suiteId);
      const containers = Array.from({ length: 5 }, () => world.newContainer());
      const callsBefore = world.wecom.calls('service/get_suite_token');

      const answers = await Promise.all(
        containers.flatMap((deps) => Array.from({ length: 10 }, () => getSuiteToken(deps, { suiteId }))),
      );

      const values = new Set(answers.map((answer) => answer.token.value));
      expect(values.size).toBe(1);
      expect(values.has(first.value)).toBe(false);
      expect(world.wecom.isValid([...values][0] ?? '')).toBe(true);
      // One caller asks: WeCom hands the old token back once more, then issues the next one.
      expect(world.wecom.calls('service/get_suite_token') - callsBefore).toBe(2);
    });
  },
);
