import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { AuthCodeSource, AuthCodeToExchange } from '../../core/authorization/auth-code.ts';
import { ENTITY } from './table-keys.ts';

/** What a table stream record asks auth-exchange to do. */
export type StreamChange =
  | ({ readonly kind: 'auth_code' } & AuthCodeToExchange)
  | {
      readonly kind: 'authorization';
      readonly suiteId: string;
      readonly corpId: string;
      /** get_auth_info should be read (again). */
      readonly authInfoStale: boolean;
      /** A change may be waiting to be published (the item says which; it may be gone already). */
      readonly hasPendingEvent: boolean;
    };

/**
 * Decodes one stream record into the change it stands for: a newly inserted auth code, or an
 * authorization with a change to publish or marked stale (change_auth, or a get_auth_info that
 * failed). Anything else
 * (the event source's filters should let nothing else through) is `undefined`.
 */
export const decodeStreamRecord = (record: DynamoDBRecord): StreamChange | undefined => {
  const image = record.dynamodb?.NewImage;
  if (image === undefined) {
    return undefined;
  }
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item.entity === ENTITY.authCode && record.eventName === 'INSERT') {
    return {
      kind: 'auth_code',
      suiteId: String(item.suiteId),
      authCode: String(item.authCode),
      source: authCodeSourceOf(item.source),
      timeStamp: Number(item.eventTimeStamp),
      ...(typeof item.installRef === 'string' ? { installRef: item.installRef } : {}),
      ...(typeof item.state === 'string' ? { state: item.state } : {}),
      ...(typeof item.receivedAtMs === 'number' ? { receivedAtMs: item.receivedAtMs } : {}),
    };
  }
  if (
    item.entity === ENTITY.authorization &&
    (item.authInfoStale === true || item.hasPendingEvent === true)
  ) {
    return {
      kind: 'authorization',
      suiteId: String(item.suiteId),
      corpId: String(item.corpId),
      authInfoStale: item.authInfoStale === true,
      hasPendingEvent: item.hasPendingEvent === true,
    };
  }
  return undefined;
};

/** An item's stored `source` (items written before installs existed say create_auth or reset_permanent_code). */
export const authCodeSourceOf = (value: unknown): AuthCodeSource =>
  value === 'reset_permanent_code' || value === 'install' ? value : 'create_auth';
