import { describe, expect, it } from 'vitest';
import { getJsapiTicket } from '../../../functions/app/get-jsapi-ticket.ts';
import { CorpNotAuthorizedError, WeComApiError } from '../../../functions/core/errors.ts';
import {
  createInMemoryTokenWorld,
  type InMemoryTokenWorld,
  UNIT_TEMPLATE,
} from '../../support/in-memory-token-deps.ts';

const templateId = UNIT_TEMPLATE.suiteId;
const corpId = 'wxcorpjsapi';

const installedWorld = (): InMemoryTokenWorld => {
  const world = createInMemoryTokenWorld();
  world.authorizations.authorize(templateId, corpId, 'template-code-1', { agentId: 1_000_005 });
  return world;
};

describe('getJsapiTicket', () => {
  it('fetches each ticket type once per lifetime for callers in several containers, with the corp’s token', async () => {
    const world = installedWorld();
    const containers = Array.from({ length: 4 }, () => world.newContainer());
    const ask = (type: 'corp' | 'agent') =>
      Promise.all(
        containers.flatMap((deps) =>
          Array.from({ length: 10 }, () => getJsapiTicket(deps, { suiteId: templateId, corpId, type })),
        ),
      );

    const [corpTickets, agentTickets] = [await ask('corp'), await ask('agent')];

    const ticketsOf = (results: typeof corpTickets) => new Set(results.map((result) => result.ticket.value));
    expect(ticketsOf(corpTickets).size).toBe(1);
    expect(ticketsOf(agentTickets).size).toBe(1);
    expect(agentTickets[0]?.agentId).toBe(1_000_005);
    expect(world.wecom.calls('get_jsapi_ticket')).toBe(1);
    expect(world.wecom.calls('ticket/get')).toBe(1);
    expect(world.wecom.calls('gettoken')).toBe(1);
  });

  it('answers CorpNotAuthorizedError for a broken authorization, and keeps no block on the ticket itself', async () => {
    const world = installedWorld();
    world.wecom.script('gettoken', new WeComApiError('gettoken', 40001, 'invalid credential'));

    const error = await getJsapiTicket(world.newContainer(), {
      suiteId: templateId,
      corpId,
      type: 'corp',
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CorpNotAuthorizedError);
    expect(world.cache.peek({ kind: 'corp_token', suiteId: templateId, corpId })).toHaveProperty('block');
    expect(
      world.cache.peek({ kind: 'jsapi_ticket', suiteId: templateId, corpId, ticketType: 'corp' }),
    ).not.toHaveProperty('block');
    expect(world.wecom.calls('get_jsapi_ticket')).toBe(0);
  });
});
