import type { AccessToken } from '../credentials/access-token.ts';
import type { CredentialBlock } from '../credentials/credential-block.ts';
import type { CredentialKey } from '../credentials/credential-key.ts';
import type { MintFailure } from '../credentials/mint-failure.ts';
import type { TokenRecord } from '../credentials/token-record.ts';

/** A mint lease taken: with the failed mint the item held, whose streak this mint continues. */
export interface LeaseGrant {
  readonly mintFailure?: MintFailure;
}

/**
 * The shared token cache with a mint lease, so that across every container exactly one caller
 * mints per token lifetime.
 */
export interface TokenCache {
  read(key: CredentialKey): Promise<TokenRecord>;
  /**
   * Takes the mint lease for `leaseMs` if nobody holds a live one, no block or streak of failures
   * forbids asking WeCom yet, and the credential still needs minting: absent, past its refresh
   * point, or still equal to `staleToken`. `undefined` when it is not taken.
   */
  tryAcquireLease(
    key: CredentialKey,
    owner: string,
    leaseMs: number,
    staleToken?: string,
  ): Promise<LeaseGrant | undefined>;
  /** Stores a minted credential, lifts any block and releases the lease; only the lease's owner can. */
  storeMinted(key: CredentialKey, owner: string, token: AccessToken): Promise<void>;
  /** Releases the lease after a failed mint, recording the failure; only the owner can. */
  releaseAfterFailure(key: CredentialKey, owner: string, failure: MintFailure): Promise<void>;
  /** Drops the cached value and blocks minting until `block.nextAttemptAtMs`; only the owner can. */
  block(key: CredentialKey, owner: string, block: CredentialBlock): Promise<void>;
  /**
   * Notes, on the suite token's item, that WeCom refused `corpId`'s corp token with 40082 although
   * the suite token was just confirmed, and returns how many corps of the suite were noted within
   * the last `windowMs` (this one included). Several at once is the suite token's problem.
   */
  noteCorpRefusal(suiteId: string, corpId: string, windowMs: number): Promise<number>;
}
