import { type InvokeHandler, wrapInvokeHandler } from '../adapters/invoke/invoke-handler.ts';
import { parseUserIdentityRequest } from '../adapters/invoke/parse-user-request.ts';
import { getUserIdentity, type UserIdentity } from '../app/sign-in-user.ts';
import type { TokenFunctionDeps } from '../wiring/token-deps.ts';

/** `user-identity` response: the identity, with the ticket's end as a date. */
export type UserIdentityResponse = Omit<UserIdentity, 'userTicketExpiresAtMs'> & {
  /** ISO-8601 UTC. */
  readonly userTicketExpiresAt?: string;
};

/**
 * The user-identity function: `{ code, suiteId?, corpId? }` → who signed in. Its log line says
 * only whether the user is a member; nothing personal is logged.
 */
export const createUserIdentityHandler = (deps: TokenFunctionDeps): InvokeHandler<UserIdentityResponse> =>
  wrapInvokeHandler(deps, async (payload, annotate) => {
    const request = parseUserIdentityRequest(payload);
    const { userTicketExpiresAtMs, ...identity } = await getUserIdentity(deps, request);
    annotate({ member: identity.userId !== undefined, withTicket: identity.userTicket !== undefined });
    return {
      ...identity,
      ...(userTicketExpiresAtMs === undefined
        ? {}
        : { userTicketExpiresAt: new Date(userTicketExpiresAtMs).toISOString() }),
    };
  });
