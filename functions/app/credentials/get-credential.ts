import {
  type AccessToken,
  freshnessOf,
  tokenFromMint,
  withGrace,
} from '../../core/credentials/access-token.ts';
import type { CredentialBlock } from '../../core/credentials/credential-block.ts';
import { memoryKeyOf } from '../../core/credentials/credential-key.ts';
import { AuthorizationBrokenError, CorpNotAuthorizedError } from '../../core/errors.ts';
import type { MintedToken } from '../../core/ports/wecom-api.ts';
import type { TokenDeps } from '../token-deps.ts';
import { askPreAuthCode, askSuiteToken, classifyCorpRefusal } from './ask-wecom.ts';
import { storedPermanentCode } from './corp-authorization.ts';
import { announceAuthorizationChange } from './credential-events.ts';
import {
  type CorpTokenCredential,
  type Credential,
  keyOf,
  resolveTokenRequest,
  type TokenRequest,
} from './credential-request.ts';
import { awaitTurn, recordFailedMint, type Turn } from './mint-lease.ts';
import { ENDED_VALUE_REASK, renewOnceIfRejected, SUITE_WIDE_40082 } from './retry-layers.ts';

/**
 * Returns a valid credential, asking WeCom at most once per refresh point across every container
 * (docs/callers.md, How tokens are kept). Steps, in order:
 *
 * 1. A `fresh` value in this container's memory (TokenMemory, 30 s) is returned as is.
 * 2. Callers in this container asking for it at the same moment share one pass (TokenMemory.shared).
 * 3. The shared cache decides (awaitTurn): serve a value, fail fast while the credential is
 *    blocked or in a failure streak's wait, or take the mint lease. Meanwhile the caller waits for
 *    another caller's mint (LEASE_WAIT).
 * 4. Under the lease, mint (mintUntilNotEnded → mintCredential). A credential that is minted with
 *    another one gets that one by a plain call to this module first: a suite token for a
 *    third-party corp token or a pre-auth code, a corp token for a JS-SDK ticket. That call goes
 *    down the chain jsapi_ticket → corp_token → suite_token and never back up.
 * 5. Settle. A minted value is stored (lifting any block, announced as a recovery) and remembered.
 *    A failure is recorded or turns into a block (announced once) and reaches the caller. It is
 *    never cached.
 *
 * The retry layers these steps contain, their bounds and the worst case: retry-layers.ts.
 *
 * @param staleToken a value reported stale: it is replaced only if it is still the cached one.
 * @param staleBy who says so: a caller's `report` naming the value WeCom handed over within the
 *   last minute is answered from the cache (CONFIRMED_VALUE_WINDOW_MS); WeCom's own `rejection` of
 *   it in a call just made replaces it (REJECTED_TOKEN).
 * @throws the mint's own typed errors; UpstreamUnavailableError when waiting times out.
 */
export const getCredential = async (
  deps: TokenDeps,
  credential: Credential,
  staleToken?: string,
  staleBy: StaleBy = 'report',
): Promise<AccessToken> => {
  const key = keyOf(credential);
  const memoryKey = memoryKeyOf(key);
  const startedAtMs = deps.clock.nowMs();
  const remembered = deps.memory.get(memoryKey, startedAtMs, staleToken);
  if (remembered !== undefined) {
    return remembered;
  }
  return deps.memory.shared(`${memoryKey}|${staleToken ?? ''}|${staleBy}`, async () => {
    const turn = await awaitTurn(deps, key, startedAtMs, staleToken, staleBy === 'report');
    if (turn.kind === 'served') {
      return turn.token;
    }
    return mintUnderLease(deps, credential, turn);
  });
};

const mintUnderLease = async (
  deps: TokenDeps,
  credential: Credential,
  lease: Extract<Turn, { kind: 'lease' }>,
): Promise<AccessToken> => {
  const { token: previous, block } = lease.record;
  let token: AccessToken;
  try {
    token = await mintUntilNotEnded(deps, credential, previous, block);
  } catch (error) {
    const begun = await recordFailedMint(deps, lease, error);
    if (begun !== undefined) {
      await announceAuthorizationChange(deps, credential, { blocked: begun });
    }
    throw error;
  }
  await deps.tokens.storeMinted(lease.key, lease.owner, token);
  deps.memory.set(memoryKeyOf(lease.key), token, deps.clock.nowMs());
  if (block !== undefined) {
    // The periodic retry of a blocked credential succeeded: storeMinted lifted the block.
    await announceAuthorizationChange(deps, credential, { recovered: true });
  }
  return token;
};

/** ENDED_VALUE_REASK around one mint: asked again while WeCom hands back a value that has ended. */
const mintUntilNotEnded = async (
  deps: TokenDeps,
  credential: Credential,
  previous: AccessToken | undefined,
  block: CredentialBlock | undefined,
): Promise<AccessToken> => {
  let token = await mintCredential(deps, credential, previous, block);
  for (let reask = 1; freshnessOf(token, deps.clock.nowMs()) === 'expired'; reask += 1) {
    if (reask > ENDED_VALUE_REASK.reasks) {
      return withGrace(token, deps.clock.nowMs());
    }
    await deps.sleep(ENDED_VALUE_REASK.pauseMs);
    token = await mintCredential(deps, credential, token, block);
  }
  return token;
};

/**
 * One mint from WeCom. `previous` is the cached value, if any, so a repeated value keeps its
 * expiry. `block` is set when this mint is the periodic retry of a blocked credential. A lifetime
 * counts from before anything is sent, so delay can only shorten it.
 */
const mintCredential = async (
  deps: TokenDeps,
  credential: Credential,
  previous: AccessToken | undefined,
  block: CredentialBlock | undefined,
): Promise<AccessToken> => {
  const requestedAtMs = deps.clock.nowMs();
  const fromMint = (minted: MintedToken) =>
    tokenFromMint(minted.accessToken, minted.expiresInSeconds, requestedAtMs, previous);
  switch (credential.kind) {
    case 'suite_token':
      return fromMint(await askSuiteToken(deps, credential.suite));
    case 'provider_token':
      return fromMint(
        await deps.wecom.getProviderToken(credential.providerCorpId, credential.providerSecret),
      );
    case 'corp_token':
      return fromMint(await mintCorpToken(deps, credential, block));
    case 'jsapi_ticket':
      return fromMint(
        await withCredential(
          deps,
          { kind: 'corp_token', suiteId: credential.suite.suiteId, corpId: credential.corpId },
          (corpAccessToken) => deps.wecom.getJsapiTicket(corpAccessToken, credential.ticketType),
        ).catch((error: unknown) => {
          // A broken authorization is the corp token's block (lifted by a reinstall). The ticket
          // keeps no block of its own, so it never outlives the one that matters.
          throw error instanceof AuthorizationBrokenError ? new CorpNotAuthorizedError(error.message) : error;
        }),
      );
    case 'pre_auth_code':
      return withCredential(
        deps,
        { kind: 'suite_token', suiteId: credential.suite.suiteId },
        (suiteAccessToken) => askPreAuthCode(deps, credential.suite, suiteAccessToken),
      );
  }
};

/**
 * A corp token from WeCom. Third-party suites use service/get_corp_token with the suite token.
 * 代开发 templates use gettoken with the permanent code as corpsecret. An answer that means the
 * authorization itself is broken becomes AuthorizationBrokenError (classifyCorpRefusal), so the
 * cache blocks further asks. Before it counts, PERMANENT_CODE_REREAD: this container may remember
 * a permanent code replaced since (a reset or reinstall within the last 30 s). If the table holds
 * another code, WeCom is asked once more with it, and that answer stands.
 */
const mintCorpToken = async (
  deps: TokenDeps,
  credential: CorpTokenCredential,
  block: CredentialBlock | undefined,
): Promise<MintedToken> => {
  const { suite, corpId, permanentCode } = credential;
  try {
    // The periodic retry of a block renews the suite token first: a block that began with 40082
    // may have been the suite token's fault all along.
    return await askCorpToken(
      deps,
      credential,
      permanentCode,
      block === undefined ? 'on_rejection' : 'first',
    );
  } catch (error) {
    const refusal = classifyCorpRefusal(error, suite, corpId);
    const stored =
      refusal instanceof AuthorizationBrokenError
        ? await storedPermanentCode(deps, suite.suiteId, corpId)
        : undefined;
    if (stored === undefined || stored === permanentCode) {
      throw await unlessSuiteWide(deps, credential, refusal);
    }
    try {
      return await askCorpToken(deps, credential, stored, 'never');
    } catch (retryError) {
      throw await unlessSuiteWide(deps, credential, classifyCorpRefusal(retryError, suite, corpId));
    }
  }
};

/**
 * SUITE_WIDE_40082: get_corp_token's 40082 with a suite token WeCom confirmed within the last
 * minute blames the corp, unless several corps of the suite meet it at once. Each such refusal is
 * noted on the suite token's item (shared by every container); from the third corp within a minute
 * on it is the suite token's problem: the refusal is a passing failure (the failure streak, at most
 * a minute apart), not a block of the corp, and it is signalled (a metric with an alarm, a log
 * line). Corps blocked before the third one are not blocked again at their next attempt, which
 * renews the suite token first.
 */
const unlessSuiteWide = async (
  deps: TokenDeps,
  { suite, corpId }: CorpTokenCredential,
  refusal: unknown,
): Promise<unknown> => {
  if (!(refusal instanceof AuthorizationBrokenError) || !SUITE_OR_CORP_REFUSAL.has(refusal.refusal.errcode)) {
    return refusal;
  }
  const corps = await deps.tokens.noteCorpRefusal(suite.suiteId, corpId, SUITE_WIDE_40082.windowMs);
  if (corps < SUITE_WIDE_40082.corps) {
    return refusal;
  }
  deps.signals?.suiteTokenSuspect(suite.suiteId, corps);
  return refusal.refusal;
};

/**
 * One corp token ask. A third-party one is made with the suite token, renewed `first` (the
 * periodic retry of a block), `on_rejection` (REJECTED_TOKEN) or `never`. get_corp_token's 40082
 * may be the corp's fault rather than the suite token's, so a renewal for it is bounded like a
 * caller's report: WeCom is asked for the suite token at most once a minute
 * (CONFIRMED_VALUE_WINDOW_MS), and a suite token it hands back unchanged is not tried again.
 */
const askCorpToken = async (
  deps: TokenDeps,
  { suite, corpId }: CorpTokenCredential,
  permanentCode: string,
  renewSuiteToken: 'first' | 'on_rejection' | 'never',
): Promise<MintedToken> => {
  if (suite.kind === 'customized') {
    return deps.wecom.getCustomizedCorpToken(corpId, permanentCode);
  }
  const suiteToken: TokenRequest = { kind: 'suite_token', suiteId: suite.suiteId };
  if (renewSuiteToken === 'on_rejection') {
    return withCredential(
      deps,
      suiteToken,
      (suiteAccessToken) => deps.wecom.getCorpToken(suiteAccessToken, corpId, permanentCode),
      SUITE_OR_CORP_REFUSAL,
    );
  }
  let { value } = await obtainCredential(deps, suiteToken);
  if (renewSuiteToken === 'first') {
    // Best effort: a suite token WeCom will not renew right now (no live ticket, say) leaves the
    // cached one, and the corp's answer still decides its block.
    value = await obtainCredential(deps, suiteToken, value, 'report').then(
      (renewed) => renewed.value,
      () => value,
    );
  }
  return deps.wecom.getCorpToken(value, corpId, permanentCode);
};

/** Who says a value is stale: a caller's report (bounded), or WeCom rejecting it in a call just made. */
export type StaleBy = 'report' | 'rejection';

// get_corp_token's 40082 ("invalid suite_access_token"): WeCom staff say a fresh suite token
// meeting it means the corp has not authorized the app (docs/wecom-protocol.md §5.12).
const SUITE_OR_CORP_REFUSAL: ReadonlySet<number> = new Set([40082]);

/**
 * Runs a WeCom call that needs a token. If WeCom rejects the token, the token is replaced (only if
 * it is still the cached one) and the call is made once more (REJECTED_TOKEN).
 *
 * @param ambiguous errcodes whose rejection may not be the token's fault (get_corp_token's 40082
 *   may mean the corp, not the suite token): the replacement is then bounded like a caller's report.
 * @throws CorpNotAuthorizedError for a corp token when the corp has no active authorization,
 *   before calling WeCom.
 */
export const withCredential = <T>(
  deps: TokenDeps,
  request: TokenRequest,
  call: (accessToken: string) => Promise<T>,
  ambiguous: ReadonlySet<number> = NONE,
): Promise<T> =>
  renewOnceIfRejected(
    request.kind,
    async (staleToken, errcode) =>
      (
        await obtainCredential(
          deps,
          request,
          staleToken,
          errcode !== undefined && ambiguous.has(errcode) ? 'report' : 'rejection',
        )
      ).value,
    call,
    ambiguous,
  );

const NONE: ReadonlySet<number> = new Set();

/** A token by ids: resolved as its use case resolves it, then getCredential. */
const obtainCredential = async (
  deps: TokenDeps,
  request: TokenRequest,
  staleToken?: string,
  staleBy?: StaleBy,
): Promise<AccessToken> =>
  getCredential(deps, await resolveTokenRequest(deps, request, staleToken), staleToken, staleBy);
