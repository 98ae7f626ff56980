/**
 * The opaque values WeCom issues (codes, tickets, tokens), checked exactly as far as WeCom
 * documents them, plus character safety, and no further: a limit WeCom does not state would, the
 * day a real value crosses it, refuse an install or a sign-in (docs/wecom-protocol.md §5).
 *
 * Character safety: every documented value is printable ASCII without spaces (`\x21`–`\x7e`), so a
 * value outside that cannot be WeCom's. Byte limits are then character limits.
 */

const PRINTABLE = /^[\x21-\x7e]+$/;

const printableOfLength = (value: unknown, min: number, max: number): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= max && PRINTABLE.test(value);

/**
 * An auth code (临时授权码) as get_permanent_code takes it: "长度为64至512个字节"
 * (document/path/90603, v2 100776), whether it came on the install redirect or in create_auth.
 * WeCom refuses a shorter one itself (40058), so checking first costs no WeCom call.
 */
export const isAuthCode = (value: unknown): value is string => printableOfLength(value, 64, 512);

/** How a refusal of an auth code says the rule. */
export const AUTH_CODE_RULE = '64-512 printable characters (document/path/90603)';

/**
 * A value WeCom documents as at most 512 bytes: an OAuth `code` and a `user_ticket`
 * (document/path/91121, 96442), a JS-SDK ticket (90506), and every access token
 * (suite 97162, provider 90593, corp 90605, 代开发 97164).
 */
export const isWeComValue = (value: unknown): value is string => printableOfLength(value, 1, 512);

/** How a refusal of such a value says the rule. */
export const WECOM_VALUE_RULE = '1-512 printable characters';
