import { describe, expect, it } from 'vitest';
import { getAuthorization } from '../../../functions/app/get-authorization.ts';
import { SuiteRegistry } from '../../../functions/core/config/suite-registry.ts';
import { CorpNotAuthorizedError, UnknownSuiteError } from '../../../functions/core/errors.ts';
import type {
  AuthorizationStatus,
  AuthorizationStatusReader,
} from '../../../functions/core/ports/authorization-store.ts';
import { UNIT_CONFIG } from '../../support/in-memory-token-deps.ts';

const SUITE = UNIT_CONFIG.suites[0]?.suiteId ?? '';

const depsWith = (stored: AuthorizationStatus[]) => {
  const reads: string[] = [];
  const authorizations: AuthorizationStatusReader = {
    getAuthorizationStatus: async (suiteId, corpId) => {
      reads.push(`${suiteId}|${corpId}`);
      return stored.find((item) => item.suiteId === suiteId && item.corpId === corpId);
    },
  };
  const registry = new SuiteRegistry(UNIT_CONFIG);
  return { deps: { registry: { current: async () => registry }, authorizations }, reads };
};

describe('getAuthorization', () => {
  it('answers the stored details with ISO times, for the named or the only suite', async () => {
    const { deps } = depsWith([
      {
        suiteId: SUITE,
        corpId: 'wxcorp',
        status: 'revoked',
        installRef: 'r1',
        installer: { userId: 'ZhangSan' },
        editions: [{ agentId: 1, userLimit: 200 }],
        authorizedTimeStamp: 1_700_000_000,
        revokedTimeStamp: 1_700_000_600,
      },
    ]);

    const view = await getAuthorization(deps, { suiteId: SUITE, corpId: 'wxcorp' });

    expect(view).toEqual({
      suiteId: SUITE,
      corpId: 'wxcorp',
      status: 'revoked',
      installRef: 'r1',
      installer: { userId: 'ZhangSan' },
      editions: [{ agentId: 1, userLimit: 200 }],
      authorizedAt: '2023-11-14T22:13:20.000Z',
      revokedAt: '2023-11-14T22:23:20.000Z',
    });
  });

  it('refuses a corp it never saw (CorpNotAuthorizedError) and an unknown suite before reading', async () => {
    const { deps, reads } = depsWith([]);

    await expect(getAuthorization(deps, { suiteId: SUITE, corpId: 'wxnever' })).rejects.toBeInstanceOf(
      CorpNotAuthorizedError,
    );
    await expect(getAuthorization(deps, { suiteId: 'wwunknown', corpId: 'wxnever' })).rejects.toBeInstanceOf(
      UnknownSuiteError,
    );
    expect(reads).toEqual([`${SUITE}|wxnever`]);
  });
});
