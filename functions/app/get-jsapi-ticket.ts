import type { AccessToken } from '../core/credentials/access-token.ts';
import { UpstreamUnavailableError } from '../core/errors.ts';
import { jsapiSignature, newNonceStr, signableUrl } from '../core/jsapi/jsapi-signature.ts';
import type { JsapiTicketType } from '../core/ports/wecom-api.ts';
import { resolveJsapiTicket } from './credentials/credential-request.ts';
import { getCredential } from './credentials/get-credential.ts';
import type { TokenDeps } from './token-deps.ts';

export interface JsapiTicketInput {
  readonly suiteId?: string;
  readonly corpId: string;
  readonly type: JsapiTicketType;
  /** A ticket WeCom's JS-SDK refused: replaced once if it is still the cached one (like `staleToken`). */
  readonly staleTicket?: string;
}

/** A signature this service made that the page's wx.config / wx.agentConfig refused. */
export interface RejectedSignature {
  readonly nonceStr: string;
  readonly timestamp: number;
  readonly signature: string;
}

/** What a page passes to wx.config (`corp`) or wx.agentConfig (`agent`). */
export interface JsapiSignature {
  /** The corp id (wx.config `appId`, wx.agentConfig `corpid`). */
  readonly appId: string;
  /** The app's agent id, for wx.agentConfig. */
  readonly agentId?: number;
  readonly timestamp: number;
  readonly nonceStr: string;
  readonly signature: string;
}

/**
 * A corp's JS-SDK ticket for one app (docs/wecom-protocol.md §5.10), from the shared cache or
 * fetched once per lifetime across every container. WeCom allows a corp 400 fetches an hour and
 * an app 100, so a ticket is kept exactly like a token (getCredential: single-flight, served to
 * its end, a value handed back at its end asked for again shortly).
 *
 * 1. The corp must have an active authorization for the suite (CorpNotAuthorizedError, no call).
 * 2. get_jsapi_ticket (`corp`) or ticket/get?type=agent_config (`agent`) with the corp's token,
 *    replaced once if WeCom rejects it. A broken authorization is CorpNotAuthorizedError here,
 *    and the block stays on the corp token.
 */
export const getJsapiTicket = async (
  deps: TokenDeps,
  input: JsapiTicketInput,
): Promise<{ readonly ticket: AccessToken; readonly corpId: string; readonly agentId?: number }> => {
  const credential = await resolveJsapiTicket(deps, input.suiteId, input.corpId, input.type);
  const ticket = await getCredential(deps, credential, input.staleTicket);
  const { agentId } = credential.authorization;
  return { ticket, corpId: input.corpId, ...(agentId === undefined ? {} : { agentId }) };
};

/**
 * Signs a page URL for wx.config / wx.agentConfig with the corp's ticket, so the ticket never
 * leaves the service. The URL is signed as given, without its `#…` (InvalidRequestError for
 * anything but an absolute http(s) URL, checked before the ticket is fetched).
 */
export const signJsapiUrl = async (
  deps: TokenDeps,
  input: JsapiTicketInput & { readonly url: string; readonly rejected?: RejectedSignature },
): Promise<JsapiSignature> => {
  const url = signableUrl(input.url);
  let { ticket, corpId, agentId } = await getJsapiTicket(deps, input);
  // The page reports a signature WeCom refused. Only one made with the cached ticket for this URL
  // replaces it (so a forged or outdated report costs nothing), once, as staleToken does.
  const rejected = input.rejected;
  if (
    rejected !== undefined &&
    jsapiSignature(ticket.value, rejected.nonceStr, rejected.timestamp, url) === rejected.signature
  ) {
    ({ ticket, corpId, agentId } = await getJsapiTicket(deps, { ...input, staleTicket: ticket.value }));
  }
  if (input.type === 'agent' && agentId === undefined) {
    throw new UpstreamUnavailableError(
      `the agent id of corp ${corpId}'s app is not known yet (get_auth_info pending); retry shortly`,
    );
  }
  const timestamp = Math.floor(deps.clock.nowMs() / 1000);
  const nonceStr = newNonceStr();
  return {
    appId: corpId,
    ...(input.type === 'agent' ? { agentId } : {}),
    timestamp,
    nonceStr,
    signature: jsapiSignature(ticket.value, nonceStr, timestamp, url),
  };
};
