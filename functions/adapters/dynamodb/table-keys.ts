import { createHash } from 'node:crypto';
import type { CredentialKey, CredentialKind } from '../../core/credentials/credential-key.ts';

/** The `entity` attribute of each item kind; the stream filter matches on it. */
export const ENTITY = {
  suiteTicket: 'SuiteTicket',
  authCode: 'AuthCode',
  authorization: 'Authorization',
  suiteToken: 'SuiteToken',
  corpToken: 'CorpToken',
  providerToken: 'ProviderToken',
  preAuthCode: 'PreAuthCode',
  jsapiTicket: 'JsapiTicket',
  installState: 'InstallState',
} as const;

/**
 * The partition-key prefix of each key space. Tickets and auth codes live under a suite, an
 * authorization under its corp, and every cached token under `TOKEN#`, so that IAM
 * (`dynamodb:LeadingKeys`, lib/constructs/credential-table-access.ts) can confine a function's
 * writes to one space. The key builders below and the IAM conditions both derive from this.
 */
export const KEY_PREFIX = { suite: 'SUITE#', corp: 'CORP#', token: 'TOKEN#' } as const;

/** The IAM `dynamodb:LeadingKeys` pattern that matches every partition key of one key space. */
export const leadingKeysPattern = (space: keyof typeof KEY_PREFIX): string => `${KEY_PREFIX[space]}*`;

/** Primary key of one item. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/**
 * The first 40 hex digits of an auth code's SHA-256: how an item names a code (its key, and the
 * install state it was spent with) without holding the code itself.
 */
export const authCodeDigest = (authCode: string): string =>
  createHash('sha256').update(authCode).digest('hex').slice(0, 40);

/**
 * The attributes of an authorization item that `authorization` may read: everything but the
 * permanent code and the exchange's bookkeeping. IAM grants its reads on exactly these
 * (`dynamodb:Attributes`), so a read of the permanent code is denied, not merely not asked for.
 */
export const AUTHORIZATION_STATUS_ATTRIBUTES = [
  'pk',
  'sk',
  'suiteId',
  'corpId',
  'status',
  'corpName',
  'agentId',
  'installRef',
  'installer',
  'registerCode',
  'agents',
  'editions',
  'dealer',
  'authMode',
  'authorizedTimeStamp',
  'revokedTimeStamp',
] as const;

/** The single source of key shapes. */
export const tableKeys = {
  suiteTicket: (suiteId: string): ItemKey => ({ pk: `${KEY_PREFIX.suite}${suiteId}`, sk: 'TICKET' }),
  /** Keyed by a digest so the code itself never becomes part of a key (keys show up in metrics and errors). */
  authCode: (suiteId: string, authCode: string): ItemKey => ({
    pk: `${KEY_PREFIX.suite}${suiteId}`,
    sk: `AUTHCODE#${authCodeDigest(authCode)}`,
  }),
  suiteToken: (suiteId: string): ItemKey => ({ pk: `${KEY_PREFIX.token}SUITE#${suiteId}`, sk: 'TOKEN' }),
  providerToken: (): ItemKey => ({ pk: `${KEY_PREFIX.token}PROVIDER`, sk: 'TOKEN' }),
  preAuthCode: (suiteId: string): ItemKey => ({
    pk: `${KEY_PREFIX.token}SUITE#${suiteId}`,
    sk: 'PREAUTHCODE',
  }),
  /** The mark of a spent install `state` (its nonce identifies it; the state itself is not secret). */
  installState: (suiteId: string, stateId: string): ItemKey => ({
    pk: `${KEY_PREFIX.suite}${suiteId}`,
    sk: `INSTALLSTATE#${stateId}`,
  }),
  jsapiTicket: (suiteId: string, corpId: string, ticketType: 'corp' | 'agent'): ItemKey => ({
    pk: `${KEY_PREFIX.token}CORP#${corpId}`,
    sk: `JSAPI#${ticketType}#SUITE#${suiteId}`,
  }),
  authorization: (suiteId: string, corpId: string): ItemKey => ({
    pk: `${KEY_PREFIX.corp}${corpId}`,
    sk: `AUTH#${suiteId}`,
  }),
  corpToken: (suiteId: string, corpId: string): ItemKey => ({
    pk: `${KEY_PREFIX.token}CORP#${corpId}`,
    sk: `SUITE#${suiteId}`,
  }),
};

/** A TTL value (Unix seconds) `seconds` after `fromMs`. */
export const expiresAtEpoch = (fromMs: number, seconds: number): number =>
  Math.floor(fromMs / 1000) + seconds;

/** The `entity` of each credential kind's cache item (a Record: a new kind must be named here). */
export const CREDENTIAL_ENTITY: Readonly<Record<CredentialKind, string>> = {
  suite_token: ENTITY.suiteToken,
  corp_token: ENTITY.corpToken,
  provider_token: ENTITY.providerToken,
  pre_auth_code: ENTITY.preAuthCode,
  jsapi_ticket: ENTITY.jsapiTicket,
};

/** The cache item of a credential; every kind lives in the token key space. */
export const credentialItemKey = (key: CredentialKey): ItemKey => {
  switch (key.kind) {
    case 'suite_token':
      return tableKeys.suiteToken(key.suiteId);
    case 'corp_token':
      return tableKeys.corpToken(key.suiteId, key.corpId);
    case 'provider_token':
      return tableKeys.providerToken();
    case 'pre_auth_code':
      return tableKeys.preAuthCode(key.suiteId);
    case 'jsapi_ticket':
      return tableKeys.jsapiTicket(key.suiteId, key.corpId, key.ticketType);
  }
};

/** Who a credential belongs to, as plain attributes of its item (readable without parsing keys). */
export const credentialOwner = (key: CredentialKey): Record<string, string> => {
  switch (key.kind) {
    case 'suite_token':
      return { suiteId: key.suiteId };
    case 'corp_token':
      return { suiteId: key.suiteId, corpId: key.corpId };
    case 'provider_token':
      return {};
    case 'pre_auth_code':
      return { suiteId: key.suiteId };
    case 'jsapi_ticket':
      return { suiteId: key.suiteId, corpId: key.corpId, ticketType: key.ticketType };
  }
};
