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
import { ENDED_VALUE_REASK, renewOnceIfRejected } from './retry-layers.ts';

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
 * @param staleToken a value WeCom rejected: it is replaced only if it is still the cached one.
 * @throws the mint's own typed errors; UpstreamUnavailableError when waiting times out.
 */
export const getCredential = async (
  deps: TokenDeps,
  credential: Credential,
  staleToken?: string,
): Promise<AccessToken> => {
  const key = keyOf(credential);
  const memoryKey = memoryKeyOf(key);
  const startedAtMs = deps.clock.nowMs();
  const remembered = deps.memory.get(memoryKey, startedAtMs, staleToken);
  if (remembered !== undefined) {
    return remembered;
  }
  return deps.memory.shared(`${memoryKey}|${staleToken ?? ''}`, async () => {
    const turn = await awaitTurn(deps, key, startedAtMs, staleToken);
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
    // The periodic retry of a block does not renew the suite token: that was tried when it began.
    return await askCorpToken(deps, credential, permanentCode, block === undefined);
  } catch (error) {
    const refusal = classifyCorpRefusal(error, suite, corpId);
    const stored =
      refusal instanceof AuthorizationBrokenError
        ? await storedPermanentCode(deps, suite.suiteId, corpId)
        : undefined;
    if (stored === undefined || stored === permanentCode) {
      throw refusal;
    }
    try {
      return await askCorpToken(deps, credential, stored, false);
    } catch (retryError) {
      throw classifyCorpRefusal(retryError, suite, corpId);
    }
  }
};

/** One corp token ask. The suite token is renewed once if WeCom rejects it, when `renewSuiteToken`. */
const askCorpToken = async (
  deps: TokenDeps,
  { suite, corpId }: CorpTokenCredential,
  permanentCode: string,
  renewSuiteToken: boolean,
): Promise<MintedToken> => {
  if (suite.kind === 'customized') {
    return deps.wecom.getCustomizedCorpToken(corpId, permanentCode);
  }
  const suiteToken: TokenRequest = { kind: 'suite_token', suiteId: suite.suiteId };
  if (!renewSuiteToken) {
    const { value } = await obtainCredential(deps, suiteToken);
    return deps.wecom.getCorpToken(value, corpId, permanentCode);
  }
  return withCredential(deps, suiteToken, (suiteAccessToken) =>
    deps.wecom.getCorpToken(suiteAccessToken, corpId, permanentCode),
  );
};

/**
 * Runs a WeCom call that needs a token. If WeCom rejects the token, the token is replaced (only if
 * it is still the cached one) and the call is made once more (REJECTED_TOKEN).
 *
 * @throws CorpNotAuthorizedError for a corp token when the corp has no active authorization,
 *   before calling WeCom.
 */
export const withCredential = <T>(
  deps: TokenDeps,
  request: TokenRequest,
  call: (accessToken: string) => Promise<T>,
): Promise<T> =>
  renewOnceIfRejected(
    request.kind,
    async (staleToken) => (await obtainCredential(deps, request, staleToken)).value,
    call,
  );

/** A token by ids: resolved as its use case resolves it, then getCredential. */
const obtainCredential = async (
  deps: TokenDeps,
  request: TokenRequest,
  staleToken?: string,
): Promise<AccessToken> =>
  getCredential(deps, await resolveTokenRequest(deps, request, staleToken), staleToken);
