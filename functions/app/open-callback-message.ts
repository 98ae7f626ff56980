import type { CallbackRoute, SignedQuery } from '../core/callback/callback-request.ts';
import type { RegisteredSuite, SuiteRegistry } from '../core/config/suite-registry.ts';
import { verifySignature } from '../core/crypto/signature.ts';
import { CallbackAuthError } from '../core/errors.ts';
import { acceptedReceiveIds } from './accepted-receive-ids.ts';
import type { CallbackDeps } from './callback-deps.ts';

/** Decides whether a decrypted receiveId is one the route accepts. */
export type ReceiveIdCheck = (receiveId: string) => boolean | Promise<boolean>;

export interface SignedCiphertext {
  readonly route: CallbackRoute;
  readonly suiteId: string;
  readonly query: SignedQuery;
  /** `echostr` on GET, the envelope's `Encrypt` on POST. */
  readonly encrypt: string;
  /** The `corpid` query parameter, when the registered URL carries `$CORPID$`. */
  readonly corpIdHint?: string;
}

/**
 * Authenticates and decrypts one callback ciphertext.
 *
 * 1. Look up the suite (UnknownSuiteError if it is not configured).
 * 2. Verify msg_signature over (token, timestamp, nonce, ciphertext) — before decrypting anything.
 * 3. Decrypt with the suite's key.
 * 4. Check the receiveId against what the route accepts.
 *
 * @returns the decrypted message.
 * @throws CallbackAuthError for a bad signature or receiveId; InvalidRequestError for a malformed ciphertext.
 */
export const openCallbackMessage = async (deps: CallbackDeps, input: SignedCiphertext): Promise<string> => {
  const registry = await deps.registry.current();
  return openForSuite(deps, registry, registry.get(input.suiteId), input);
};

/** openCallbackMessage for a caller that has already resolved the suite (steps 2–4). */
export const openForSuite = async (
  deps: CallbackDeps,
  registry: SuiteRegistry,
  suite: RegisteredSuite,
  input: SignedCiphertext,
): Promise<string> => {
  const { query, encrypt } = input;
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
  return message;
};
