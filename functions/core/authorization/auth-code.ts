/**
 * What delivered an auth code: a create_auth or reset_permanent_code push, or (`install`) the
 * browser's redirect after an install started on the provider's website, for which WeCom pushes nothing.
 */
export type AuthCodeSource = 'create_auth' | 'reset_permanent_code' | 'install';

/** An auth code to exchange for a permanent code (it lives 10 minutes, works once), as it was stored. */
export interface AuthCodeToExchange {
  readonly suiteId: string;
  readonly authCode: string;
  readonly source: AuthCodeSource;
  /** Unix seconds, from the event. */
  readonly timeStamp: number;
  /** The provider's `ref` of an install from its website, for the Authorization Changed event. */
  readonly installRef?: string;
  /** The `State` of a create_auth push (the provider's parameter of the link or QR code the corp used). */
  readonly state?: string;
  /** When the service stored the code (ms since the epoch); absent on codes stored before it was kept. */
  readonly receivedAtMs?: number;
}

/** An auth code just received, to store until it is exchanged. */
export interface PendingAuthCode extends AuthCodeToExchange {
  readonly receivedAtMs: number;
}

// The union of what may carry the provider's reference: the website `ref` ([A-Za-z0-9_-], 1–64,
// ours) and WeCom's `state` ([a-zA-Z0-9], ≤ 128 on the install link, document/path/90597; ≤ 32 on a
// 代开发 QR code, document/path/98744). Anything else is not the provider's and is dropped.
const PROVIDER_REF = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The provider's own reference of an install, whichever path it came by: the website `ref` (carried
 * in our signed state; WeCom's `state` on that path is the signed state itself, never a reference),
 * else the create_auth push's `State`, else the `state` get_permanent_code v2 returns (the 代开发
 * QR code's, document/path/100776). `undefined` when none is a well-formed reference.
 */
export const providerRefOf = (
  code: AuthCodeToExchange,
  grantState: string | undefined,
): string | undefined => {
  const candidates =
    code.source === 'install' ? [code.installRef] : [code.installRef, code.state, grantState];
  return candidates.find((value): value is string => value !== undefined && PROVIDER_REF.test(value));
};

/** How an auth code ended. `outcome_unknown`: spent by an attempt whose answer was lost; the corp must reinstall. */
export type AuthCodeOutcome =
  | { readonly status: 'exchanged'; readonly corpId: string }
  | { readonly status: 'failed' | 'outcome_unknown'; readonly reason: string };
