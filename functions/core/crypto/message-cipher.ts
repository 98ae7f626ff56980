import { Buffer, isUtf8 } from 'node:buffer';
import { createCipheriv, createDecipheriv, type Decipher, randomBytes } from 'node:crypto';
import { InvalidRequestError } from '../errors.ts';
import type { AesKey } from './aes-key.ts';

/** A decrypted WeCom message: the payload and the id WeCom appended to it. */
export interface DecryptedMessage {
  readonly message: string;
  /** The id the sender encrypted for: a suite id, a corp id, or "" (see docs/wecom-protocol.md §1.5). */
  readonly receiveId: string;
}

// Padding is PKCS#7 to a multiple of 32 bytes even though AES blocks are 16: pad values 17..32 are
// legal and occur, so the cipher's own padding is off and we strip by hand.
const PAD_BLOCK_SIZE = 32;
const RANDOM_PREFIX_LENGTH = 16;
const HEADER_LENGTH = RANDOM_PREFIX_LENGTH + 4;

/**
 * Encrypts and decrypts the payload of WeCom callbacks for one EncodingAESKey.
 *
 * Layout (加解密方案说明, developer.work.weixin.qq.com/document/path/91144):
 * `random(16) ‖ uint32_be(byteLength(message)) ‖ message ‖ receiveId`, padded PKCS#7-style to a
 * multiple of 32 bytes, AES-256-CBC with IV = key[0..16), base64.
 *
 * Decryption reuses one long-lived decipher: in CBC only the first block of a message depends on
 * what came before it, and that block is the random prefix we discard, so feeding whole messages
 * through `update()` yields every other block correctly without a key schedule per message. This is
 * sound because each call is synchronous and only ever feeds whole 16-byte blocks.
 */
export class MessageCipher {
  readonly #aesKey: AesKey;
  readonly #decipher: Decipher;

  constructor(aesKey: AesKey) {
    this.#aesKey = aesKey;
    this.#decipher = createDecipheriv('aes-256-cbc', aesKey.key, aesKey.iv);
    this.#decipher.setAutoPadding(false);
  }

  /**
   * Decrypts a base64 ciphertext. Callers must have verified its signature first: CBC has no
   * integrity of its own, and checking the signature first also denies a padding oracle.
   *
   * @throws InvalidRequestError (`MALFORMED_BASE64`, `BAD_CIPHERTEXT_LENGTH`, `BAD_PADDING`,
   *   `BAD_PLAINTEXT_LAYOUT`, `BAD_PLAINTEXT_ENCODING`) for anything that is not a well-formed message.
   */
  decrypt(encrypt: string): DecryptedMessage {
    const ciphertext = decodeStandardBase64(encrypt);
    // The smallest message (empty payload and receiveId) pads to 32 bytes: two AES blocks.
    if (ciphertext.length < PAD_BLOCK_SIZE || ciphertext.length % 16 !== 0) {
      throw new InvalidRequestError(
        'BAD_CIPHERTEXT_LENGTH',
        'ciphertext length is not a multiple of the AES block size',
      );
    }
    const padded = this.#decipher.update(ciphertext);
    const unpadded = stripPadding(padded);
    return splitPlaintext(unpadded);
  }

  /**
   * Encrypts a message for `receiveId`.
   *
   * @param randomPrefix 16 bytes to put in front; random unless a test needs a fixed value.
   */
  encrypt(message: string, receiveId: string, randomPrefix: Uint8Array = randomBytes(16)): string {
    if (randomPrefix.length !== RANDOM_PREFIX_LENGTH) {
      throw new RangeError('randomPrefix must be 16 bytes');
    }
    const messageBytes = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(messageBytes.length, 0);
    const body = Buffer.concat([randomPrefix, length, messageBytes, Buffer.from(receiveId, 'utf8')]);
    const padLength = PAD_BLOCK_SIZE - (body.length % PAD_BLOCK_SIZE);
    const plaintext = Buffer.concat([body, Buffer.alloc(padLength, padLength)]);
    const cipher = createCipheriv('aes-256-cbc', this.#aesKey.key, this.#aesKey.iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
  }
}

const stripPadding = (padded: Buffer): Buffer => {
  const padLength = padded.readUInt8(padded.length - 1);
  if (padLength < 1 || padLength > PAD_BLOCK_SIZE) {
    throw new InvalidRequestError('BAD_PADDING', 'padding value out of range');
  }
  // Checked before the pad bytes are read, so nothing below ever looks at the first 16 bytes, which
  // the reused decipher leaves undefined.
  if (padded.length - padLength < HEADER_LENGTH) {
    throw new InvalidRequestError('BAD_PLAINTEXT_LAYOUT', 'plaintext is shorter than its header');
  }
  for (let index = padded.length - padLength; index < padded.length; index += 1) {
    if (padded[index] !== padLength) {
      throw new InvalidRequestError('BAD_PADDING', 'padding bytes are inconsistent');
    }
  }
  return padded.subarray(0, padded.length - padLength);
};

const splitPlaintext = (plaintext: Buffer): DecryptedMessage => {
  const messageLength = plaintext.readUInt32BE(RANDOM_PREFIX_LENGTH);
  if (messageLength > plaintext.length - HEADER_LENGTH) {
    throw new InvalidRequestError('BAD_PLAINTEXT_LAYOUT', 'message length field runs past the end');
  }
  const messageEnd = HEADER_LENGTH + messageLength;
  const message = plaintext.subarray(HEADER_LENGTH, messageEnd);
  const receiveId = plaintext.subarray(messageEnd);
  // isUtf8 validates in native code; toString then never has to substitute U+FFFD.
  if (!isUtf8(message) || !isUtf8(receiveId)) {
    throw new InvalidRequestError('BAD_PLAINTEXT_ENCODING', 'plaintext is not valid UTF-8');
  }
  return { message: message.toString('utf8'), receiveId: receiveId.toString('utf8') };
};

/**
 * Decodes standard, padded base64 strictly without a regular expression over the whole text (the
 * hot path of every callback): Node's decoder skips characters outside the alphabet, so any such
 * character shortens the output and the length check catches it; the URL-safe `-` and `_`, which
 * Node would accept, are refused explicitly.
 */
const decodeStandardBase64 = (text: string): Buffer => {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const decoded = Buffer.from(text, 'base64');
  if (
    text.length % 4 !== 0 ||
    decoded.length !== (text.length / 4) * 3 - padding ||
    text.includes('-') ||
    text.includes('_')
  ) {
    throw new InvalidRequestError('MALFORMED_BASE64', 'ciphertext is not standard base64');
  }
  return decoded;
};
