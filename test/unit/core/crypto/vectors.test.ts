import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { renderEncryptedReply } from '../../../../functions/core/callback/reply-xml.ts';
import { parseEncodingAesKey } from '../../../../functions/core/crypto/aes-key.ts';
import { MessageCipher } from '../../../../functions/core/crypto/message-cipher.ts';
import { computeSignature, verifySignature } from '../../../../functions/core/crypto/signature.ts';
import { CallbackAuthError } from '../../../../functions/core/errors.ts';
import { field, loadCryptoVectors } from '../../../support/vectors.ts';

const vectors = loadCryptoVectors();
const ofKind = (...kinds: string[]) => vectors.filter((vector) => kinds.includes(vector.kind));
const cipherFor = (encodingAesKey: string) => new MessageCipher(parseEncodingAesKey(encodingAesKey));

describe('published WeCom crypto vectors', () => {
  it('covers every vector in the fixture file', () => {
    const covered = ofKind('verify', 'decrypt', 'decrypt-only', 'sig-only', 'encrypt', 'encrypt-noxml');

    expect(covered.length).toBe(vectors.length);
    expect(vectors.length).toBeGreaterThanOrEqual(20);
  });

  describe.each(ofKind('verify', 'decrypt').filter((vector) => vector.mustFail !== true))(
    '$id ($kind)',
    (vector) => {
      it('verifies the signature and decrypts to the expected message and receiveId', () => {
        const parts = {
          token: field(vector, 'token'),
          timestamp: field(vector, 'timestamp'),
          nonce: field(vector, 'nonce'),
          encrypt: field(vector, 'encrypt'),
        };

        verifySignature(parts, field(vector, 'msgSignature'));
        const decrypted = cipherFor(field(vector, 'encodingAesKey')).decrypt(parts.encrypt);

        expect(decrypted.receiveId).toBe(field(vector, 'expectReceiveId'));
        if (vector.expectMessage !== undefined) {
          expect(decrypted.message).toBe(vector.expectMessage);
        }
      });
    },
  );

  describe.each(vectors.filter((vector) => vector.mustFail === true))('$id (must fail)', (vector) => {
    it('is rejected as a signature mismatch', () => {
      const parts = {
        token: field(vector, 'token'),
        timestamp: field(vector, 'timestamp'),
        nonce: field(vector, 'nonce'),
        encrypt: field(vector, 'encrypt'),
      };

      expect(() => verifySignature(parts, field(vector, 'msgSignature'))).toThrow(CallbackAuthError);
    });
  });

  describe.each(ofKind('decrypt-only'))('$id (decrypt only)', (vector) => {
    it('decrypts with a key whose last character carries ignored bits', () => {
      const decrypted = cipherFor(field(vector, 'encodingAesKey')).decrypt(field(vector, 'encrypt'));

      expect(decrypted).toEqual({
        message: field(vector, 'expectMessage'),
        receiveId: field(vector, 'expectReceiveId'),
      });
    });
  });

  describe.each(ofKind('sig-only'))('$id (signature only)', (vector) => {
    it('computes the published signature', () => {
      const signature = computeSignature({
        token: field(vector, 'token'),
        timestamp: field(vector, 'timestamp'),
        nonce: field(vector, 'nonce'),
        encrypt: field(vector, 'encrypt'),
      });

      expect(signature).toBe(field(vector, 'msgSignature'));
    });
  });

  describe.each(ofKind('encrypt', 'encrypt-noxml'))('$id ($kind)', (vector) => {
    it('reproduces the published ciphertext byte for byte', () => {
      const cipher = cipherFor(field(vector, 'encodingAesKey'));

      const encrypt = cipher.encrypt(
        field(vector, 'plaintext'),
        field(vector, 'receiveId'),
        Buffer.from(field(vector, 'random16'), 'latin1'),
      );

      expect(encrypt).toBe(field(vector, 'expectEncrypt'));
      expect(cipher.decrypt(encrypt)).toEqual({
        message: field(vector, 'plaintext'),
        receiveId: field(vector, 'receiveId'),
      });
    });

    if (vector.expectMsgSignature !== undefined) {
      it('reproduces the published signature', () => {
        const signature = computeSignature({
          token: field(vector, 'token'),
          timestamp: field(vector, 'timestamp'),
          nonce: field(vector, 'nonce'),
          encrypt: field(vector, 'expectEncrypt'),
        });

        expect(signature).toBe(vector.expectMsgSignature);
      });
    }

    if (vector.expectReplyXml !== undefined) {
      it('renders the published passive-reply XML', () => {
        const xml = renderEncryptedReply({
          encrypt: field(vector, 'expectEncrypt'),
          msgSignature: field(vector, 'expectMsgSignature'),
          timestamp: field(vector, 'timestamp'),
          nonce: field(vector, 'nonce'),
        });

        expect(xml).toBe(vector.expectReplyXml);
      });
    }
  });
});
