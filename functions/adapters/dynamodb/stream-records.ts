import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { AuthCodeSource } from '../../core/ports.ts';
import { ENTITY } from './table-keys.ts';

/** What a table stream record asks auth-exchange to do. */
export type StreamChange =
  | {
      readonly kind: 'auth_code';
      readonly suiteId: string;
      readonly authCode: string;
      readonly source: AuthCodeSource;
      /** Unix seconds, from WeCom's event. */
      readonly timeStamp: number;
    }
  | { readonly kind: 'stale_authorization'; readonly suiteId: string; readonly corpId: string };

/**
 * Decodes one stream record into the change it stands for: a newly inserted auth code, or an
 * authorization marked stale (change_auth, or a get_auth_info that failed). Anything else
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
      source: item.source === 'reset_permanent_code' ? 'reset_permanent_code' : 'create_auth',
      timeStamp: Number(item.eventTimeStamp),
    };
  }
  if (item.entity === ENTITY.authorization && item.authInfoStale === true) {
    return { kind: 'stale_authorization', suiteId: String(item.suiteId), corpId: String(item.corpId) };
  }
  return undefined;
};
