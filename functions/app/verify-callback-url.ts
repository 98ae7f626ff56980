import type { CallbackRoute, SignedQuery } from '../core/callback/callback-request.ts';
import type { CallbackDeps } from './callback-deps.ts';
import { openCallbackMessage } from './open-callback-message.ts';

export interface VerifyCallbackUrlInput {
  readonly route: CallbackRoute;
  readonly suiteId: string;
  readonly query: SignedQuery;
  readonly echostr: string;
  readonly corpIdHint?: string;
}

/**
 * Answers WeCom's URL verification (GET): the decrypted `echostr`, which WeCom compares with what
 * it sent. No timestamp window: an echo reveals nothing and admins click rarely.
 */
export const verifyCallbackUrl = (deps: CallbackDeps, input: VerifyCallbackUrlInput): Promise<string> =>
  openCallbackMessage(deps, { ...input, encrypt: input.echostr });
