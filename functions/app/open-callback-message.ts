import type { SignedQuery } from '../core/callback/callback-request.ts';
import type { RegisteredSuite } from '../core/config/suite-registry.ts';
import { verifySignature } from '../core/crypto/signature.ts';
import { CallbackAuthError } from '../core/errors.ts';

/** Decides whether a decrypted receiveId is one the route accepts. */
export type ReceiveIdCheck = (receiveId: string) => boolean | Promise<boolean>;

/**
 * Authenticates and decrypts one callback ciphertext.
 *
 * 1. Verify msg_signature over (token, timestamp, nonce, ciphertext) — before decrypting anything.
 * 2. Decrypt with the suite's key.
 * 3. Check the receiveId against what the route accepts.
 *
 * @returns the decrypted message.
 * @throws CallbackAuthError for a bad signature or receiveId; InvalidRequestError for a malformed ciphertext.
 */
export const openCallbackMessage = async (
  suite: RegisteredSuite,
  query: SignedQuery,
  encrypt: string,
  isAcceptedReceiveId: ReceiveIdCheck,
): Promise<string> => {
  verifySignature(
    { token: suite.token, timestamp: query.timestamp, nonce: query.nonce, encrypt },
    query.msgSignature,
  );
  const { message, receiveId } = suite.cipher.decrypt(encrypt);
  if (!(await isAcceptedReceiveId(receiveId))) {
    throw new CallbackAuthError('RECEIVE_ID_MISMATCH', 'receiveId is not one this route accepts', receiveId);
  }
  return message;
};
