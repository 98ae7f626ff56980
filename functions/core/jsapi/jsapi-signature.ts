import { createHash, randomInt } from 'node:crypto';
import { InvalidRequestError } from '../errors.ts';

/** The longest page URL the service signs. */
const MAX_URL_CHARS = 2048;
const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The URL a page must sign: exactly what it passes as `url` (`location.href` without `#…`).
 * Only absolute http(s) URLs; the fragment is dropped, nothing else is normalised, since the
 * signature must match the page's own string byte for byte.
 *
 * @throws InvalidRequestError for anything else.
 */
export const signableUrl = (url: string): string => {
  const hash = url.indexOf('#');
  const withoutFragment = hash === -1 ? url : url.slice(0, hash);
  let parsed: URL;
  try {
    parsed = new URL(withoutFragment);
  } catch {
    throw new InvalidRequestError('MALFORMED_PARAMETER', 'url must be an absolute http(s) URL');
  }
  if (
    (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ||
    withoutFragment.length > MAX_URL_CHARS ||
    /\s/.test(withoutFragment)
  ) {
    throw new InvalidRequestError(
      'MALFORMED_PARAMETER',
      `url must be an absolute http(s) URL of at most ${MAX_URL_CHARS} characters, without spaces`,
    );
  }
  return withoutFragment;
};

/**
 * The JS-SDK signature (document/path/90506): SHA-1 of
 * `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, the fields in this order, values raw.
 */
export const jsapiSignature = (ticket: string, nonceStr: string, timestamp: number, url: string): string =>
  createHash('sha1')
    .update(`jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${url}`)
    .digest('hex');

/** A 16-character nonce for wx.config / wx.agentConfig. */
export const newNonceStr = (): string =>
  Array.from({ length: 16 }, () => NONCE_ALPHABET[randomInt(NONCE_ALPHABET.length)]).join('');
