import { readFileSync } from 'node:fs';

/** One entry of test/fixtures/test-vectors.json; which fields are present depends on `kind`. */
export interface CryptoVector {
  readonly id: string;
  readonly kind: 'verify' | 'decrypt' | 'decrypt-only' | 'sig-only' | 'encrypt' | 'encrypt-noxml';
  readonly token?: string;
  readonly encodingAesKey?: string;
  readonly receiveId?: string;
  readonly msgSignature?: string;
  readonly timestamp?: string;
  readonly nonce?: string;
  readonly encrypt?: string;
  readonly expectMessage?: string;
  readonly expectReceiveId?: string;
  readonly mustFail?: boolean;
  readonly random16?: string;
  readonly plaintext?: string;
  readonly expectEncrypt?: string;
  readonly expectMsgSignature?: string;
  readonly expectReplyXml?: string;
}

const VECTORS_FILE = new URL('../fixtures/test-vectors.json', import.meta.url);

/** The published WeCom message-crypto vectors, each checked against an independent implementation
 * (docs/wecom-protocol.md §2.1). */
export const loadCryptoVectors = (): readonly CryptoVector[] => {
  const document = JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as { vectors: CryptoVector[] };
  return document.vectors;
};

/** A field the vector's kind guarantees; fails the test loudly if the file lacks it. */
export const field = <K extends keyof CryptoVector>(
  vector: CryptoVector,
  name: K,
): NonNullable<CryptoVector[K]> => {
  const value = vector[name];
  if (value === undefined || value === null) {
    throw new Error(`vector ${vector.id} has no ${String(name)}`);
  }
  return value as NonNullable<CryptoVector[K]>;
};
