import { createHmac, timingSafeEqual } from 'node:crypto';
import { InstallStateError } from '../errors.ts';

/**
 * The `state` of an install link from the provider's website (docs/wecom-protocol.md §5.5):
 * WeCom hands it back on the browser's redirect, and only a state this service issued for the
 * route's suite, not yet expired and not yet used, lets the redirect's auth code in.
 *
 * It carries its own claims and a MAC, so handing one out writes nothing and a flood of
 * `GET /install` costs no storage; only its use is recorded (single use, by its nonce).
 *
 * Layout (bytes, then RFC 4648 base32 without padding, so [A-Z2-7], at most 125 characters of the
 * 128 WeCom allows): version 1 · expiry (Unix seconds, 4) · nonce (8) · ref length (1) · ref
 * (6 bits a character) · HMAC-SHA256 over the suite id and all of the above, first 16 bytes.
 */
export interface InstallStateClaims {
  readonly suiteId: string;
  /** The provider's opaque value, [A-Za-z0-9_-] 1–64, returned on the final redirect and in the event. */
  readonly ref?: string;
  /** When the state stops being accepted (the pre-auth code it came with ends then). */
  readonly expiresAtMs: number;
  /** 8 random bytes: what makes the state single-use. */
  readonly nonce: Uint8Array;
}

/** A state that checked out: what to record as used and what it carried. */
export interface OpenedInstallState {
  /** Identifies the state for its single use (the nonce, hex). */
  readonly stateId: string;
  readonly ref?: string;
  readonly expiresAtMs: number;
}

/**
 * Whether `ref` can be the provider's `ref`: 1 to 64 characters of the state's 6-bit ref alphabet
 * (letters, digits, `-`, `_`). A rule of its own, set by the state's layout, not the WeCom id rule
 * (core/wecom-id.ts), however alike the two read: a longer ref would not fit WeCom's 128 characters.
 * The event schema (installRef) and the README promise callers exactly this.
 */
export const isInstallRef = (ref: string): boolean =>
  ref.length >= 1 && ref.length <= MAX_REF_CHARS && [...ref].every((char) => REF_ALPHABET.includes(char));

const VERSION = 1;
const NONCE_BYTES = 8;
const MAC_BYTES = 16;
const REF_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// 64 characters pack into 48 bytes: the longest state below.
const MAX_REF_CHARS = 64;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
// The longest state: 1 + 4 + 8 + 1 + 48 + 16 bytes → 125 characters.
const MAX_STATE_CHARS = 128;

/**
 * The MAC key of a suite's states, derived from its suite secret so there is no other secret to
 * keep. Rotating the secret invalidates states in flight: those installs start again.
 */
export const installStateKey = (suiteSecret: string): Buffer =>
  createHmac('sha256', 'wecom-install-state/v1').update(suiteSecret).digest();

/** Issues a state for `claims`. */
export const issueInstallState = (key: Buffer, claims: InstallStateClaims): string => {
  if (claims.nonce.length !== NONCE_BYTES) {
    throw new RangeError(`the nonce must be ${NONCE_BYTES} bytes`);
  }
  const ref = claims.ref ?? '';
  if (ref !== '' && !isInstallRef(ref)) {
    throw new RangeError('ref must be 1-64 of [A-Za-z0-9_-]');
  }
  const head = Buffer.alloc(1 + 4 + NONCE_BYTES + 1);
  head.writeUInt8(VERSION, 0);
  head.writeUInt32BE(Math.ceil(claims.expiresAtMs / 1000), 1);
  Buffer.from(claims.nonce).copy(head, 5);
  head.writeUInt8(ref.length, 5 + NONCE_BYTES);
  const body = Buffer.concat([head, packRef(ref)]);
  return base32(Buffer.concat([body, macOf(key, claims.suiteId, body)]));
};

/**
 * Checks a state handed back on `/install/{suiteId}/complete`.
 *
 * @throws InstallStateError `MALFORMED` (not a state of ours), `FORGED` (its MAC fails: tampered,
 *   or issued for another suite), `EXPIRED`.
 */
export const openInstallState = (
  key: Buffer,
  suiteId: string,
  state: string,
  nowMs: number,
): OpenedInstallState => {
  const bytes = state.length <= MAX_STATE_CHARS ? fromBase32(state) : undefined;
  // Only the canonical spelling is accepted, so a used state cannot come back spelled differently.
  if (bytes === undefined || base32(bytes) !== state || bytes.length < 1 + 4 + NONCE_BYTES + 1 + MAC_BYTES) {
    throw new InstallStateError('MALFORMED', 'the state is not one this service issued');
  }
  const body = bytes.subarray(0, bytes.length - MAC_BYTES);
  const mac = bytes.subarray(bytes.length - MAC_BYTES);
  if (!timingSafeEqual(mac, macOf(key, suiteId, body))) {
    throw new InstallStateError('FORGED', 'the state was not issued for this suite or was altered');
  }
  // Past the MAC, the body is one issueInstallState wrote: its layout needs no further checks.
  const ref = unpackRef(body.subarray(6 + NONCE_BYTES), body.readUInt8(5 + NONCE_BYTES));
  const expiresAtMs = body.readUInt32BE(1) * 1000;
  if (nowMs >= expiresAtMs) {
    throw new InstallStateError('EXPIRED', 'the install link expired; start the installation again');
  }
  return {
    stateId: body.subarray(5, 5 + NONCE_BYTES).toString('hex'),
    expiresAtMs,
    ...(ref === '' ? {} : { ref }),
  };
};

const macOf = (key: Buffer, suiteId: string, body: Buffer): Buffer =>
  createHmac('sha256', key).update(`${suiteId}\n`).update(body).digest().subarray(0, MAC_BYTES);

const packRef = (ref: string): Buffer =>
  Buffer.from(
    regroupBits(
      [...ref].map((char) => REF_ALPHABET.indexOf(char)),
      6,
      8,
      'pad',
    ),
  );

const unpackRef = (packed: Buffer, length: number): string =>
  regroupBits(packed, 8, 6, 'drop')
    .slice(0, length)
    .map((index) => REF_ALPHABET[index])
    .join('');

const base32 = (bytes: Buffer): string =>
  regroupBits(bytes, 8, 5, 'pad')
    .map((index) => BASE32_ALPHABET[index])
    .join('');

const fromBase32 = (text: string): Buffer | undefined => {
  const indexes = [...text].map((char) => BASE32_ALPHABET.indexOf(char));
  return indexes.includes(-1) ? undefined : Buffer.from(regroupBits(indexes, 5, 8, 'drop'));
};

/**
 * `values` of `fromBits` bits each, read most significant bit first and cut into values of
 * `toBits` bits. Bits left over at the end fill one last value, zero-padded on the right (`pad`,
 * encoding), or are dropped (`drop`, decoding: they were that padding).
 */
const regroupBits = (
  values: Iterable<number>,
  fromBits: number,
  toBits: number,
  rest: 'pad' | 'drop',
): number[] => {
  const out: number[] = [];
  const mask = (1 << toBits) - 1;
  let bits = 0;
  let value = 0;
  for (const part of values) {
    // Only the bits not yet taken matter: fewer than toBits plus one part's.
    value = ((value << fromBits) | part) & 0xffff;
    bits += fromBits;
    while (bits >= toBits) {
      bits -= toBits;
      out.push((value >> bits) & mask);
    }
  }
  if (rest === 'pad' && bits > 0) {
    out.push((value << (toBits - bits)) & mask);
  }
  return out;
};
