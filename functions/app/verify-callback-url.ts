import type { CallbackRoute, SignedQuery } from '../core/callback/callback-request.ts';
import { acceptedReceiveIds } from './accepted-receive-ids.ts';
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
 * Answers WeCom's URL verification (GET): the decrypted `echostr`, which WeCom compares with what it sent.
 *
 * 1. Look up the suite (UnknownSuiteError if it is not configured).
 * 2. Verify and decrypt `echostr`; its receiveId must be one the route accepts.
 * 3. Return the plaintext. No timestamp window: an echo reveals nothing and admins click rarely.
 */
export const verifyCallbackUrl = async (
  deps: CallbackDeps,
  input: VerifyCallbackUrlInput,
): Promise<string> => {
  const registry = await deps.registry.current();
  const suite = registry.get(input.suiteId);
  const isAccepted = acceptedReceiveIds({
    route: input.route,
    suiteId: suite.suiteId,
    providerCorpId: registry.providerCorpId,
    authorizations: deps.authorizations,
    ...(input.corpIdHint === undefined ? {} : { corpIdHint: input.corpIdHint }),
  });
  return openCallbackMessage(suite, input.query, input.echostr, isAccepted);
};
