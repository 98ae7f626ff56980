import type { AccessToken } from './access-token.ts';
import type { CredentialBlock } from './credential-block.ts';
import type { MintFailure } from './mint-failure.ts';

/** The cache item of one credential: the value (if any), its mint lease, the last failed mint, a block. */
export interface TokenRecord {
  readonly token?: AccessToken;
  readonly mintedAtMs?: number;
  readonly leaseExpiresAtMs?: number;
  readonly mintFailure?: MintFailure;
  readonly block?: CredentialBlock;
}
