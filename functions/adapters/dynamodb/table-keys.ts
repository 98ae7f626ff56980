import { createHash } from 'node:crypto';

/** The `entity` attribute of each item kind; the stream filter matches on it. */
export const ENTITY = {
  suiteTicket: 'SuiteTicket',
  authCode: 'AuthCode',
  authorization: 'Authorization',
  suiteToken: 'SuiteToken',
  corpToken: 'CorpToken',
} as const;

/** Every token item's partition key starts with this. */
export const TOKEN_KEY_PREFIX = 'TOKEN#';

/** Primary key of one item. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** The single source of key shapes. */
export const tableKeys = {
  suiteTicket: (suiteId: string): ItemKey => ({ pk: `SUITE#${suiteId}`, sk: 'TICKET' }),
  /** Keyed by a digest so the code itself never becomes part of a key (keys show up in metrics and errors). */
  authCode: (suiteId: string, authCode: string): ItemKey => ({
    pk: `SUITE#${suiteId}`,
    sk: `AUTHCODE#${createHash('sha256').update(authCode).digest('hex').slice(0, 40)}`,
  }),
  suiteToken: (suiteId: string): ItemKey => ({ pk: `SUITE#${suiteId}`, sk: 'TOKEN' }),
  authorization: (suiteId: string, corpId: string): ItemKey => ({
    pk: `CORP#${corpId}`,
    sk: `AUTH#${suiteId}`,
  }),
  corpToken: (suiteId: string, corpId: string): ItemKey => ({ pk: `CORP#${corpId}`, sk: `TOKEN#${suiteId}` }),
};

/** A TTL value (Unix seconds) `seconds` after `fromMs`. */
export const expiresAtEpoch = (fromMs: number, seconds: number): number =>
  Math.floor(fromMs / 1000) + seconds;
