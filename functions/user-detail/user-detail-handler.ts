import { type InvokeHandler, wrapInvokeHandler } from '../adapters/invoke/invoke-handler.ts';
import { parseUserDetailRequest } from '../adapters/invoke/parse-user-request.ts';
import { getUserDetail } from '../app/sign-in-user.ts';
import type { WeComUserDetail } from '../core/ports/wecom-api.ts';
import type { TokenFunctionDeps } from '../wiring/token-deps.ts';

/** `user-detail` response. */
export type UserDetailResponse = WeComUserDetail & { readonly corpId: string };

/** The user-detail function: `{ userTicket, suiteId?, corpId? }` → the member's details. Nothing personal is logged. */
export const createUserDetailHandler = (deps: TokenFunctionDeps): InvokeHandler<UserDetailResponse> =>
  wrapInvokeHandler(deps, async (payload) => getUserDetail(deps, parseUserDetailRequest(payload)));
