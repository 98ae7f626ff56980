import { describe, expect, it } from 'vitest';
import {
  jsapiSignature,
  newNonceStr,
  signableUrl,
} from '../../../../functions/core/jsapi/jsapi-signature.ts';

describe('JS-SDK signature', () => {
  it('reproduces the vector published with the JS-SDK signature document', () => {
    expect(
      jsapiSignature(
        'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
        'Wm3WZYTPz0wzccnW',
        1414587457,
        'http://mp.weixin.qq.com?params=value',
      ),
    ).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('signs the page URL as given, without its fragment', () => {
    expect(signableUrl('https://app.example.com/p?a=1&b=%20#top')).toBe(
      'https://app.example.com/p?a=1&b=%20',
    );
    expect(signableUrl('http://app.example.com/p')).toBe('http://app.example.com/p');
  });

  it.each([
    'ftp://app.example.com/p',
    'javascript:alert(1)',
    '/relative/page',
    'https://app.example.com/a b',
    `https://app.example.com/${'x'.repeat(2048)}`,
  ])('refuses %s', (url) => {
    expect(() => signableUrl(url)).toThrow(/absolute http\(s\) URL/);
  });

  it('makes 16-character alphanumeric nonces that differ', () => {
    const nonces = new Set(Array.from({ length: 50 }, newNonceStr));
    expect([...nonces].every((nonce) => /^[A-Za-z0-9]{16}$/.test(nonce))).toBe(true);
    expect(nonces.size).toBe(50);
  });
});
