import type { CorpAuthorization } from '../../functions/core/authorization/corp-authorization.ts';
import type { AuthorizationReader } from '../../functions/core/ports/authorization-store.ts';
import { simulatedIo } from './manual-clock.ts';

/**
 * Corp authorizations in memory, as the authorization exchange and the callbacks leave them in the
 * table. Tests install, reset and revoke directly; each read is one simulated round trip, counted.
 */
export class InMemoryAuthorizationReader implements AuthorizationReader {
  readonly #authorizations = new Map<string, CorpAuthorization>();
  /** How many times the table was read. */
  reads = 0;

  async getAuthorization(suiteId: string, corpId: string): Promise<CorpAuthorization | undefined> {
    this.reads += 1;
    await simulatedIo();
    return this.#authorizations.get(`${suiteId}|${corpId}`);
  }

  /** The corp authorized the suite (or its permanent code was reset): an active authorization. */
  authorize(
    suiteId: string,
    corpId: string,
    permanentCode: string,
    details: { readonly agentId?: number } = {},
  ): void {
    this.#authorizations.set(`${suiteId}|${corpId}`, {
      suiteId,
      corpId,
      status: 'active',
      permanentCode,
      ...details,
    });
  }

  /** cancel_auth: the authorization is kept as revoked, without its permanent code. */
  revoke(suiteId: string, corpId: string): void {
    this.#authorizations.set(`${suiteId}|${corpId}`, { suiteId, corpId, status: 'revoked' });
  }
}
