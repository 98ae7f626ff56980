/**
 * Whether `value` can be an id WeCom issued: a suite id (`ww…`, `wx…`), a 代开发 template id (`dk…`)
 * or a corp id (the provider's, or an authorizing corp's as WeCom gives it to this provider).
 *
 * WeCom documents neither an alphabet nor a length for these ids (docs/wecom-protocol.md §5.1); the
 * ones it issues are short runs of ASCII letters and digits. The bound is ours, on what a stranger
 * can send: the callback and install routes take a suite id from the path, the invoked functions
 * take ids from their payload, and an accepted id becomes part of a table key, a log field and a
 * metric dimension. So an id is 1–64 letters, digits, `-` or `_` (WECOM_ID_RULE), checked before
 * it is used. Member user ids are not covered: WeCom allows `@` and `.` in them (document/path/90195).
 */
export const isWeComId = (value: unknown): value is string =>
  typeof value === 'string' && WECOM_ID.test(value);

/** The id rule as a refusal says it. */
export const WECOM_ID_RULE = '1-64 letters, digits, - or _';

const WECOM_ID = /^[A-Za-z0-9_-]{1,64}$/;
