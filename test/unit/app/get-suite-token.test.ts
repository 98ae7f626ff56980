import { describe, expect, it } from 'vitest';
import { getSuiteToken } from '../../../functions/app/get-suite-token.ts';
import {
  InvalidRequestError,
  SuiteTicketMissingError,
  UnknownSuiteError,
  WeComApiError,
} from '../../../functions/core/errors.ts';
import { outcomeOf } from '../../support/errors.ts';
import {
  createInMemoryTokenWorld,
  UNIT_CONFIG,
  UNIT_SUITE,
  UNIT_TEMPLATE,
} from '../../support/in-memory-token-deps.ts';

const API = 'service/get_suite_token';
const suiteId = UNIT_SUITE.suiteId;

describe('getSuiteToken', () => {
  it('fails fast with SuiteTicketMissingError before any ticket, without asking WeCom or starting a streak', async () => {
    const world = createInMemoryTokenWorld();
    const ask = () => outcomeOf(getSuiteToken(world.newContainer(), { suiteId }));
    const startMs = world.clock.nowMs();

    const beforeTicket = [await ask(), await ask(), await ask()];
    const callsBeforeTicket = world.wecom.calls(API);
    await world.pushTicket(suiteId);
    const afterTicket = await getSuiteToken(world.newContainer(), { suiteId });

    for (const outcome of beforeTicket) {
      expect(outcome).toBeInstanceOf(SuiteTicketMissingError);
    }
    expect(callsBeforeTicket).toBe(0);
    expect(world.wecom.isValid(afterTicket.token.value)).toBe(true);
    // The next push is usable at once: failures that never reached WeCom make no streak to wait out.
    expect(world.clock.nowMs()).toBe(startMs);
  });

  it('mints with the newest suite_ticket and the suite’s secret, a token lasting WeCom’s lifetime', async () => {
    const world = createInMemoryTokenWorld();
    await world.pushTicket(suiteId, 'ticket-older');
    await world.pushTicket(suiteId, 'ticket-newest');

    const { suite, token } = await getSuiteToken(world.newContainer(), { suiteId });

    expect(suite.suiteId).toBe(suiteId);
    expect(world.wecom.received.map((call) => call.args)).toEqual([
      [suiteId, UNIT_SUITE.suiteSecret, 'ticket-newest'],
    ]);
    expect(token.expiresAtMs).toBe(world.clock.nowMs() + 7_200_000);
    expect(world.wecom.isValid(token.value)).toBe(true);
  });

  it('retries once with the previous ticket when WeCom refuses the newest (40085)', async () => {
    const world = createInMemoryTokenWorld();
    await world.pushTicket(suiteId, 'ticket-older');
    await world.pushTicket(suiteId, 'ticket-newest');
    world.wecom.script(API, new WeComApiError(API, 40085, 'invalid suite_ticket'));

    const { token } = await getSuiteToken(world.newContainer(), { suiteId });

    expect(world.wecom.received.map((call) => call.args[2])).toEqual(['ticket-newest', 'ticket-older']);
    expect(world.wecom.isValid(token.value)).toBe(true);
  });

  it('fails with WeComApiError on 40085 when no earlier ticket is kept, asking WeCom once', async () => {
    const world = createInMemoryTokenWorld();
    await world.pushTicket(suiteId);
    world.wecom.script(API, new WeComApiError(API, 40085, 'invalid suite_ticket'));

    const outcome = await outcomeOf(getSuiteToken(world.newContainer(), { suiteId }));

    expect(outcome).toBeInstanceOf(WeComApiError);
    expect(outcome).toMatchObject({ errcode: 40085 });
    expect(world.wecom.calls(API)).toBe(1);
  });

  it('refuses an unknown suite, or no suite id among several, without asking WeCom', async () => {
    const world = createInMemoryTokenWorld();
    await world.pushTicket(suiteId);

    const unknown = await outcomeOf(getSuiteToken(world.newContainer(), { suiteId: 'wwnotconfigured' }));
    const unnamed = await outcomeOf(getSuiteToken(world.newContainer(), {}));

    expect(unknown).toBeInstanceOf(UnknownSuiteError);
    expect(unnamed).toBeInstanceOf(InvalidRequestError);
    expect(world.wecom.received).toEqual([]);
  });

  it('takes the only configured suite when no id is given', async () => {
    const world = createInMemoryTokenWorld({ config: { ...UNIT_CONFIG, suites: [UNIT_TEMPLATE] } });
    await world.pushTicket(UNIT_TEMPLATE.suiteId);

    const { suite, token } = await getSuiteToken(world.newContainer(), {});

    expect(suite.suiteId).toBe(UNIT_TEMPLATE.suiteId);
    expect(world.wecom.isValid(token.value)).toBe(true);
  });

  it('gives 200 concurrent callers in 5 containers one token, minted once', async () => {
    const world = createInMemoryTokenWorld();
    await world.pushTicket(suiteId);
    const containers = Array.from({ length: 5 }, () => world.newContainer());

    const results = await Promise.all(
      containers.flatMap((deps) => Array.from({ length: 40 }, () => getSuiteToken(deps, { suiteId }))),
    );

    const values = new Set(results.map((result) => result.token.value));
    expect(values.size).toBe(1);
    expect(world.wecom.isValid([...values][0] ?? '')).toBe(true);
    expect(world.wecom.calls(API)).toBe(1);
  });

  it('serves 1000 sequential requests in 10 containers with one mint', async () => {
    const world = createInMemoryTokenWorld();
    await world.pushTicket(suiteId);
    const values = new Set<string>();

    for (let container = 0; container < 10; container += 1) {
      const deps = world.newContainer();
      for (let request = 0; request < 100; request += 1) {
        values.add((await getSuiteToken(deps, { suiteId })).token.value);
      }
    }

    expect(values.size).toBe(1);
    expect(world.wecom.calls(API)).toBe(1);
  });
});
