import { assertWithinReplayWindow, type SignedCallbackInput } from '../core/callback/callback-request.ts';
import { parseCallbackEnvelope } from '../core/callback/envelope-xml.ts';
import { verifySignature } from '../core/crypto/signature.ts';
import { CallbackAuthError } from '../core/errors.ts';
import { acceptedReceiveIds } from './accepted-receive-ids.ts';
import type { CallbackDeps } from './callback-deps.ts';

/** A callback's decrypted message and what it was encrypted for. */
export interface OpenedCallback {
  /** The plaintext `echostr` to echo (GET), or the inner XML (POST). */
  readonly message: string;
  readonly receiveId: string;
  readonly providerCorpId: string;
}

/**
 * Authenticates one callback and returns its decrypted message: for a GET (URL verification) that
 * is the plaintext `echostr` to echo; for a POST, the inner XML.
 *
 * 1. Look up the suite (UnknownSuiteError, 404, before the body is judged).
 * 2. POST only: parse the envelope, refuse a timestamp outside the replay window. A GET is not
 *    windowed: an echo reveals nothing and admins click rarely.
 * 3. Verify msg_signature over (token, timestamp, nonce, ciphertext) before decrypting anything.
 * 4. Decrypt with the suite's key and check the receiveId against what the route accepts.
 *
 * @throws CallbackAuthError for a bad signature, timestamp or receiveId; InvalidRequestError for a
 *   malformed envelope or ciphertext.
 */
export const openCallback = async (
  deps: CallbackDeps,
  input: SignedCallbackInput,
): Promise<OpenedCallback> => {
  const registry = await deps.registry.current();
  const suite = registry.get(input.suiteId);
  let encrypt: string;
  if ('body' in input) {
    encrypt = parseCallbackEnvelope(input.body).encrypt;
    assertWithinReplayWindow(input.query.timestamp, deps.clock.nowMs(), deps.maxSkewSeconds);
  } else {
    encrypt = input.echostr;
  }
  const { query } = input;
  verifySignature(
    { token: suite.token, timestamp: query.timestamp, nonce: query.nonce, encrypt },
    query.msgSignature,
  );
  const { message, receiveId } = suite.cipher.decrypt(encrypt);
  const isAccepted = acceptedReceiveIds({
    route: input.route,
    suiteId: suite.suiteId,
    providerCorpId: registry.providerCorpId,
    authorizations: deps.authorizations,
    ...(input.corpIdHint === undefined ? {} : { corpIdHint: input.corpIdHint }),
  });
  if (!(await isAccepted(receiveId))) {
    throw new CallbackAuthError('RECEIVE_ID_MISMATCH', 'receiveId is not one this route accepts', receiveId);
  }
  return { message, receiveId, providerCorpId: registry.providerCorpId };
};
