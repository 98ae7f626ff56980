import { Buffer } from 'node:buffer';
import { createCipheriv } from 'node:crypto';
import type { AesKey } from '../../functions/core/crypto/aes-key.ts';

/**
 * Encrypts arbitrary plaintext bytes with a suite key and no padding of any kind, so tests can build
 * ciphertexts whose padding or layout is wrong in a chosen way. `plaintext` must be a multiple of 16.
 */
export const encryptRawBlocks = (aesKey: AesKey, plaintext: Uint8Array): string => {
  const cipher = createCipheriv('aes-256-cbc', aesKey.key, aesKey.iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
};

/** `random(16) ‖ uint32_be(declaredLength) ‖ body`, then the given pad bytes. */
export const buildPlaintext = (declaredLength: number, body: Uint8Array, pad: Uint8Array): Buffer => {
  const header = Buffer.alloc(20, 0x41);
  header.writeUInt32BE(declaredLength, 16);
  return Buffer.concat([header, body, pad]);
};
