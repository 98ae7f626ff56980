import { describe, expect, it } from 'vitest';
import {
  type AuthCodeToExchange,
  providerRefOf,
} from '../../../../functions/core/authorization/auth-code.ts';

const code = (fields: Partial<AuthCodeToExchange>): AuthCodeToExchange => ({
  suiteId: 'ww1',
  authCode: 'CODE',
  source: 'create_auth',
  timeStamp: 1,
  ...fields,
});

describe('providerRefOf: the provider’s own reference, whichever install path it came by', () => {
  it('takes the website ref, and never the state WeCom echoes on that path (the service’s signed state)', () => {
    expect(providerRefOf(code({ source: 'install', installRef: 'order_42-x' }), 'SIGNEDSTATE')).toBe(
      'order_42-x',
    );
    expect(providerRefOf(code({ source: 'install' }), 'SIGNEDSTATE')).toBeUndefined();
  });

  it("takes a create_auth's State, else v2 get_permanent_code's state (the 代开发 QR code's)", () => {
    expect(providerRefOf(code({ state: 'promo7' }), 'other')).toBe('promo7');
    expect(providerRefOf(code({}), 'customer42')).toBe('customer42');
    expect(providerRefOf(code({ source: 'reset_permanent_code' }), 'qr1')).toBe('qr1');
    expect(providerRefOf(code({}), undefined)).toBeUndefined();
  });

  it('drops what is not a reference: other characters, empty, over 128', () => {
    expect(providerRefOf(code({ state: 'no spaces' }), undefined)).toBeUndefined();
    expect(providerRefOf(code({ state: '' }), 'a'.repeat(129))).toBeUndefined();
    expect(providerRefOf(code({ state: '<x>' }), 'fallback1')).toBe('fallback1');
    expect(providerRefOf(code({ state: 'a'.repeat(128) }), undefined)).toBe('a'.repeat(128));
  });
});
