import { CallbackAuthError } from '../errors.ts';

/** Which of a suite's two callback URLs a request came to. */
export type SuiteCallbackRoute = 'command' | 'data';

/** Which callback URL a request came to: a suite's two, or the provider's system-event URL. */
export type CallbackRoute = SuiteCallbackRoute | 'system';

/** The query parameters that authenticate a callback. */
export interface SignedQuery {
  readonly msgSignature: string;
  /** Unix seconds, as text: it is signed as text. */
  readonly timestamp: string;
  readonly nonce: string;
}

/**
 * A callback to a suite's URL as it arrived, before it is authenticated: which URL, the signed query
 * and, for a data URL registered with `?corpid=$CORPID$`, the corp WeCom named.
 */
export interface SuiteSignedCallback {
  readonly route: SuiteCallbackRoute;
  readonly suiteId: string;
  readonly query: SignedQuery;
  /** The `corpid` query parameter, when the registered URL carries `$CORPID$`. */
  readonly corpIdHint?: string;
}

/** A callback to the provider's system-event URL (one per provider, no suite), before it is authenticated. */
export interface SystemSignedCallback {
  readonly route: 'system';
  readonly query: SignedQuery;
}

/** A callback as it arrived, to a suite's URL or the provider's system-event URL. */
export type SignedCallback = SuiteSignedCallback | SystemSignedCallback;

/** A signed callback with its ciphertext: `echostr` on GET (URL verification), the XML body on POST. */
export type SignedCallbackInput = SignedCallback & ({ readonly echostr: string } | { readonly body: string });

/**
 * Rejects a POST whose timestamp is more than `maxSkewSeconds` away from now, so a captured push
 * cannot be replayed later. WeCom's retries (5 s apart, 3 at most) stay well inside any sane window.
 *
 * @param maxSkewSeconds 0 turns the check off.
 * @throws CallbackAuthError (`STALE_TIMESTAMP`)
 */
export const assertWithinReplayWindow = (timestamp: string, nowMs: number, maxSkewSeconds: number): void => {
  if (maxSkewSeconds === 0) {
    return;
  }
  const skewSeconds = Math.abs(nowMs / 1000 - Number(timestamp));
  if (!(skewSeconds <= maxSkewSeconds)) {
    throw new CallbackAuthError('STALE_TIMESTAMP', `timestamp is ${Math.round(skewSeconds)} s away from now`);
  }
};
