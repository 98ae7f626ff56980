import type { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ENTITY } from '../adapters/dynamodb/table-keys.ts';
import { completeAuthorization, type ExchangeDeps, refreshAuthInfo } from '../app/complete-authorization.ts';

export type AuthExchangeHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/**
 * The auth-exchange function, fed by the table's stream: new auth codes are exchanged for
 * permanent codes; authorizations marked stale (change_auth, or a get_auth_info that failed) are
 * refreshed. A record that fails transiently is reported in `batchItemFailures`, so the stream
 * retries only it (bounded, then the dead-letter queue).
 */
export const createAuthExchangeHandler =
  (deps: ExchangeDeps & { readonly logger: Logger }): AuthExchangeHandler =>
  async (event) => {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      try {
        await processRecord(deps, record);
      } catch (error) {
        deps.logger.error('stream record failed; it will be retried', {
          eventId: record.eventID,
          error: error as Error,
        });
        batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' });
      }
    }
    return { batchItemFailures };
  };

const processRecord = async (
  deps: ExchangeDeps & { readonly logger: Logger },
  record: DynamoDBRecord,
): Promise<void> => {
  const image = record.dynamodb?.NewImage;
  if (image === undefined) {
    return;
  }
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item.entity === ENTITY.authCode && record.eventName === 'INSERT') {
    const outcome = await completeAuthorization(deps, {
      suiteId: String(item.suiteId),
      authCode: String(item.authCode),
      source: item.source === 'reset_permanent_code' ? 'reset_permanent_code' : 'create_auth',
      timeStamp: Number(item.eventTimeStamp),
    });
    deps.logger.info('auth code processed', { suiteId: item.suiteId, source: item.source, ...outcome });
    return;
  }
  if (item.entity === ENTITY.authorization && item.authInfoStale === true) {
    const suiteId = String(item.suiteId);
    const corpId = String(item.corpId);
    const current = await deps.authorizations.getAuthorization(suiteId, corpId);
    if (
      current?.status !== 'active' ||
      current.authInfoStale !== true ||
      current.permanentCode === undefined
    ) {
      return;
    }
    const outcome = await refreshAuthInfo(deps, suiteId, corpId, current.permanentCode);
    deps.logger.info('authorization info refreshed', { suiteId, corpId, outcome });
  }
};
