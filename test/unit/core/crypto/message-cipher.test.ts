import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEncodingAesKey } from '../../../../functions/core/crypto/aes-key.ts';
import { MessageCipher } from '../../../../functions/core/crypto/message-cipher.ts';
import { computeSignature, verifySignature } from '../../../../functions/core/crypto/signature.ts';
import {
  AppError,
  CallbackAuthError,
  ConfigurationError,
  InvalidRequestError,
} from '../../../../functions/core/errors.ts';
import { reasonOf } from '../../../support/errors.ts';
import { buildPlaintext, encryptRawBlocks } from '../../../support/raw-cipher.ts';

const ENCODING_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const OTHER_ENCODING_AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const aesKey = parseEncodingAesKey(ENCODING_AES_KEY);
const cipher = new MessageCipher(aesKey);

describe('parseEncodingAesKey', () => {
  it('derives a 32-byte key whose first 16 bytes are the IV', () => {
    const derived = parseEncodingAesKey(ENCODING_AES_KEY);

    expect(derived.key.length).toBe(32);
    expect(derived.iv.equals(derived.key.subarray(0, 16))).toBe(true);
  });

  it.each([
    ['42 characters', ENCODING_AES_KEY.slice(0, 42)],
    ['44 characters', `${ENCODING_AES_KEY}A`],
    ['a character outside base64', `${ENCODING_AES_KEY.slice(0, 42)}-`],
    ['an empty string', ''],
  ])('rejects a key of %s, naming the field but not the value', (_label, badKey) => {
    expect(() => parseEncodingAesKey(badKey, 'suites[2].encodingAesKey')).toThrow(ConfigurationError);
    try {
      parseEncodingAesKey(badKey, 'suites[2].encodingAesKey');
    } catch (error) {
      expect((error as Error).message).toContain('suites[2].encodingAesKey');
      if (badKey.length > 0) {
        expect((error as Error).message).not.toContain(badKey);
      }
    }
  });
});

describe('MessageCipher.decrypt', () => {
  it('rejects ciphertext that is not standard base64', () => {
    expect(reasonOf(() => cipher.decrypt('not base64!'))).toBe('MALFORMED_BASE64');
    expect(reasonOf(() => cipher.decrypt('abc'))).toBe('MALFORMED_BASE64');
    expect(reasonOf(() => cipher.decrypt('ab-_'.repeat(8)))).toBe('MALFORMED_BASE64');
  });

  it.each([
    ['an = in the middle', 'abc=abcdabcdabcdabcdabcdabcdabcdabcdabcdabcd'],
    ['whitespace', `${'A'.repeat(40)} AAA`],
    ['a newline', `${'A'.repeat(40)}\nAAA`],
    ['the URL-safe alphabet', `${'A'.repeat(40)}-_AA`],
    ['missing padding', 'A'.repeat(43)],
  ])('rejects base64 with %s', (_label, candidate) => {
    expect(reasonOf(() => cipher.decrypt(candidate))).toBe('MALFORMED_BASE64');
  });

  it('accepts exactly the strings a strict standard-base64 pattern accepts', () => {
    const strict = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    const alphabet = fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n.'.split(''),
    );

    fc.assert(
      fc.property(
        fc.oneof(
          fc.base64String({ minLength: 44, maxLength: 200 }),
          fc.string({ unit: alphabet, minLength: 40, maxLength: 80 }),
        ),
        (candidate) => {
          let reason: string;
          try {
            cipher.decrypt(candidate);
            reason = 'decrypted';
          } catch (error) {
            reason = error instanceof InvalidRequestError ? error.reason : 'other';
          }

          expect(reason === 'MALFORMED_BASE64').toBe(!strict.test(candidate));
        },
      ),
      { numRuns: 3000, seed: 23 },
    );
  });

  it('rejects an empty or truncated ciphertext', () => {
    const valid = cipher.encrypt('hello', 'wwsuite');

    expect(reasonOf(() => cipher.decrypt(''))).toBe('BAD_CIPHERTEXT_LENGTH');
    expect(
      reasonOf(() => cipher.decrypt(Buffer.from(valid, 'base64').subarray(0, 40).toString('base64'))),
    ).toBe('BAD_CIPHERTEXT_LENGTH');
    expect(reasonOf(() => cipher.decrypt(Buffer.alloc(16).toString('base64')))).toBe('BAD_CIPHERTEXT_LENGTH');
  });

  it.each([0, 33, 200])('rejects pad value %i', (padValue) => {
    const plaintext = buildPlaintext(3, Buffer.from('abcwwsuite'), Buffer.alloc(2, padValue));

    expect(reasonOf(() => cipher.decrypt(encryptRawBlocks(aesKey, plaintext)))).toBe('BAD_PADDING');
  });

  it('rejects padding whose bytes are not all equal to the pad value', () => {
    const pad = Buffer.alloc(18, 18);
    pad[0] = 17;
    const plaintext = buildPlaintext(3, Buffer.from('abcwwsuite'), pad);

    expect(reasonOf(() => cipher.decrypt(encryptRawBlocks(aesKey, plaintext)))).toBe('BAD_PADDING');
  });

  it('accepts pad value 32 (a whole extra pad block)', () => {
    const body = Buffer.from('abcdefghijkl');
    const plaintext = buildPlaintext(12, body, Buffer.alloc(32, 32));

    expect(cipher.decrypt(encryptRawBlocks(aesKey, plaintext))).toEqual({
      message: 'abcdefghijkl',
      receiveId: '',
    });
  });

  it('rejects a length field that runs past the end of the plaintext', () => {
    const plaintext = buildPlaintext(1000, Buffer.from('abcwwsuite'), Buffer.alloc(2, 2));

    expect(reasonOf(() => cipher.decrypt(encryptRawBlocks(aesKey, plaintext)))).toBe('BAD_PLAINTEXT_LAYOUT');
  });

  it('rejects a plaintext shorter than its 20-byte header', () => {
    const plaintext = Buffer.concat([Buffer.alloc(10, 0x41), Buffer.alloc(22, 22)]);

    expect(reasonOf(() => cipher.decrypt(encryptRawBlocks(aesKey, plaintext)))).toBe('BAD_PLAINTEXT_LAYOUT');
  });

  it('rejects a message that is not valid UTF-8', () => {
    const plaintext = buildPlaintext(2, Buffer.from([0xc3, 0x28, 0x41, 0x42]), Buffer.alloc(8, 8));

    expect(reasonOf(() => cipher.decrypt(encryptRawBlocks(aesKey, plaintext)))).toBe(
      'BAD_PLAINTEXT_ENCODING',
    );
  });

  it('never returns the plaintext when decrypting with the wrong key', () => {
    const encrypt = cipher.encrypt('secret ticket', 'wwsuite');
    const wrongCipher = new MessageCipher(parseEncodingAesKey(OTHER_ENCODING_AES_KEY));

    let outcome: unknown;
    try {
      outcome = wrongCipher.decrypt(encrypt);
    } catch (error) {
      outcome = error;
    }

    expect(outcome).toBeInstanceOf(InvalidRequestError);
  });

  it('decrypts correctly after earlier messages and failures on the same long-lived cipher', () => {
    const first = cipher.encrypt('first', 'wwsuite');
    const second = cipher.encrypt('第二条 message', 'wwsuite');

    cipher.decrypt(first);
    expect(() =>
      cipher.decrypt(encryptRawBlocks(aesKey, buildPlaintext(1, Buffer.from('x'), Buffer.alloc(11, 0)))),
    ).toThrow();

    expect(cipher.decrypt(second)).toEqual({ message: '第二条 message', receiveId: 'wwsuite' });
  });
});

describe('MessageCipher.encrypt', () => {
  it('refuses a random prefix that is not 16 bytes', () => {
    expect(() => cipher.encrypt('x', 'y', Buffer.alloc(15))).toThrow(RangeError);
  });

  it('pads every message to a multiple of 32 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (message) => {
        const length = Buffer.from(cipher.encrypt(message, 'wwsuite'), 'base64').length;

        expect(length % 32).toBe(0);
      }),
    );
  });
});

describe('properties', () => {
  const fullUnicode = fc.string({ unit: 'grapheme', maxLength: 600 });
  const receiveIds = fc.oneof(
    fc.constant(''),
    fc.stringMatching(/^(ww|wx|dk)[0-9a-z]{16}$/),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
  );
  const encodingAesKeys = fc.stringMatching(/^[A-Za-z0-9]{43}$/);

  it('decrypt(encrypt(m, r)) is (m, r) for any message, receiveId and key, Chinese text included', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fullUnicode,
          fc.constantFrom('你好，企业微信', '<xml><Content><![CDATA[中文]]></Content></xml>'),
        ),
        receiveIds,
        encodingAesKeys,
        (message, receiveId, key) => {
          const keyed = new MessageCipher(parseEncodingAesKey(key));

          expect(keyed.decrypt(keyed.encrypt(message, receiveId))).toEqual({ message, receiveId });
        },
      ),
      { numRuns: 300, seed: 20261122 },
    );
  });

  it('any string as ciphertext yields a result or an AppError, never another exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.base64String(),
          fc
            .uint8Array({ minLength: 0, maxLength: 300 })
            .map((bytes) => Buffer.from(bytes).toString('base64')),
        ),
        (candidate) => {
          try {
            cipher.decrypt(candidate);
          } catch (error) {
            expect(error).toBeInstanceOf(AppError);
          }
        },
      ),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('a mutated ciphertext or signature is rejected by the signature check', () => {
    const parts = {
      token: 'TestToken123',
      timestamp: '1700000000',
      nonce: '42',
      encrypt: cipher.encrypt('<xml/>', 'wwsuite'),
    };
    const signature = computeSignature(parts);

    fc.assert(
      fc.property(
        fc.nat(parts.encrypt.length - 1),
        fc.nat(39),
        fc.boolean(),
        (cipherIndex, signatureIndex, mutateCiphertext) => {
          const flip = (text: string, index: number) => {
            const replacement = text[index] === 'A' ? 'B' : 'A';
            return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
          };
          const mutatedParts = mutateCiphertext
            ? { ...parts, encrypt: flip(parts.encrypt, cipherIndex) }
            : parts;
          const mutatedSignature = mutateCiphertext ? signature : flip(signature, signatureIndex);

          expect(() => verifySignature(mutatedParts, mutatedSignature)).toThrow(CallbackAuthError);
        },
      ),
      { numRuns: 500, seed: 11 },
    );
  });

  it('a ciphertext with any mutated block decrypts to an AppError or to a plaintext other than the original', () => {
    const original = { message: '<xml><SuiteTicket>T</SuiteTicket></xml>', receiveId: 'wwsuite' };
    const encrypt = cipher.encrypt(original.message, original.receiveId);
    const bytes = Buffer.from(encrypt, 'base64');

    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (index, xor) => {
        const mutated = Buffer.from(bytes);
        mutated[index] = (mutated[index] ?? 0) ^ xor;
        let outcome: unknown;
        try {
          outcome = cipher.decrypt(mutated.toString('base64'));
        } catch (error) {
          outcome = error;
        }

        if (outcome instanceof Error) {
          expect(outcome).toBeInstanceOf(AppError);
        } else if (index >= 16) {
          expect(outcome).not.toEqual(original);
        }
      }),
      { numRuns: 500, seed: 13 },
    );
  });

  it('random keys, padding bytes and layouts only ever raise AppErrors', () => {
    fc.assert(
      fc.property(
        encodingAesKeys,
        fc.uint8Array({ minLength: 1, maxLength: 8 }).map((n) => ((n[0] ?? 1) % 8) + 2),
        fc.uint8Array({ minLength: 256, maxLength: 256 }),
        (key, blocks, noise) => {
          const raw = Buffer.from(noise.subarray(0, blocks * 16));
          const encrypt = encryptRawBlocks(parseEncodingAesKey(key), raw);
          try {
            cipher.decrypt(encrypt);
          } catch (error) {
            expect(error).toBeInstanceOf(AppError);
          }
        },
      ),
      { numRuns: 1000, seed: 17 },
    );
  });
});
