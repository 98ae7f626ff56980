import type { AccessToken } from '../../core/credentials/access-token.ts';

/** How the token functions answer a credential (docs/callers.md, The contract). */
export interface TokenResponse {
  readonly accessToken: string;
  /** ISO-8601 UTC. */
  readonly expiresAt: string;
}

/** The answer for `token`. */
export const tokenResponse = (token: AccessToken): TokenResponse => ({
  accessToken: token.value,
  expiresAt: new Date(token.expiresAtMs).toISOString(),
});
