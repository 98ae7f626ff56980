import { Buffer } from 'node:buffer';
import { ConfigurationError } from '../errors.ts';

/** The AES-256 key and CBC IV that a suite's EncodingAESKey stands for. */
export interface AesKey {
  /** 32 bytes. */
  readonly key: Buffer;
  /** The first 16 bytes of the key: WeCom uses no per-message IV. */
  readonly iv: Buffer;
}

// 43 base64 characters carry 258 bits; the last character's two low bits are ignored, so keys
// whose last character is "non-canonical" are legal (docs/wecom-protocol.md §1.1) and must not be rejected.
const ENCODING_AES_KEY_PATTERN = /^[A-Za-z0-9+/]{43}$/;

/**
 * Derives the AES key from an EncodingAESKey: the 43 characters plus `=`, base64-decoded.
 * See 加解密方案说明, developer.work.weixin.qq.com/document/path/91144.
 *
 * @param fieldName how the caller names this key in errors (e.g. `suites[0].encodingAesKey`);
 *   the value itself never appears in an error.
 * @throws ConfigurationError when the key is not 43 base64 characters decoding to 32 bytes.
 */
export const parseEncodingAesKey = (encodingAesKey: string, fieldName = 'encodingAesKey'): AesKey => {
  if (!ENCODING_AES_KEY_PATTERN.test(encodingAesKey)) {
    throw new ConfigurationError(
      `${fieldName} must be exactly 43 base64 characters (got ${encodingAesKey.length} characters)`,
    );
  }
  // 43 characters plus one `=` always decode to exactly 32 bytes.
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  return { key, iv: key.subarray(0, 16) };
};
