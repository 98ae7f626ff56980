import { Buffer } from 'node:buffer';
import { hash, timingSafeEqual } from 'node:crypto';
import { CallbackAuthError } from '../errors.ts';

/** The four strings a msg_signature covers. */
export interface SignedParts {
  /** The suite's callback Token (a secret). */
  readonly token: string;
  readonly timestamp: string;
  readonly nonce: string;
  /** The ciphertext: `echostr` on GET, the `<Encrypt>` text on POST. */
  readonly encrypt: string;
}

/**
 * Computes msg_signature: SHA-1 over the four strings sorted as text and concatenated, lower hex.
 * See 加解密方案说明, developer.work.weixin.qq.com/document/path/91144.
 */
export const computeSignature = ({ token, timestamp, nonce, encrypt }: SignedParts): string =>
  hash('sha1', [token, timestamp, nonce, encrypt].sort().join(''), 'hex');

/**
 * Checks a msg_signature in constant time.
 *
 * @throws CallbackAuthError (`SIGNATURE_MISMATCH`) when it does not match.
 */
export const verifySignature = (parts: SignedParts, msgSignature: string): void => {
  const expected = Buffer.from(computeSignature(parts), 'latin1');
  const received = Buffer.from(msgSignature, 'latin1');
  // The length of a SHA-1 hex digest is public, so only equal-length inputs need the constant-time path.
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    throw new CallbackAuthError('SIGNATURE_MISMATCH', 'msg_signature does not match');
  }
};
