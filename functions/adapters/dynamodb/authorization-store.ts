import {
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  AuthInfo,
  AuthInfoRefreshCause,
  AuthorizationDetails,
  CorpAuthorization,
  ExchangedAuthorization,
  PendingAuthorizationChange,
} from '../../core/authorization/corp-authorization.ts';
import { suiteKindOf } from '../../core/config/service-config.ts';
import type {
  AuthorizationReader,
  AuthorizationStatus,
  AuthorizationStatusReader,
  AuthorizationStore,
  AuthorizationWriter,
} from '../../core/ports/authorization-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import {
  isConditionalCheckFailed,
  isTransactionConditionFailed,
  storageUnavailable,
} from './storage-errors.ts';
import { authCodeSourceOf } from './stream-records.ts';
import { AUTHORIZATION_STATUS_ATTRIBUTES, ENTITY, tableKeys } from './table-keys.ts';

/** Corp authorizations (one item per corp and suite) in DynamoDB. */
export class DynamoAuthorizationStore
  implements AuthorizationStore, AuthorizationReader, AuthorizationWriter, AuthorizationStatusReader
{
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async markAuthorizationChanged(
    suiteId: string,
    corpId: string,
    timeStamp: number,
    cause: AuthInfoRefreshCause = 'change_auth',
  ): Promise<'recorded' | 'unknown_corp'> {
    // The corp's cached token (and any block on it: a broken authorization) goes in the same
    // transaction: whatever changed, the next request asks WeCom afresh.
    const written = await this.#updateDroppingToken(suiteId, corpId, 'authorization change', {
      // authInfoStale tells the exchange worker to re-read get_auth_info, and refreshFor what to
      // announce once it has (docs/architecture.md, Items); re-delivery sets the same values.
      UpdateExpression:
        'SET authChangedTimeStamp = :timeStamp, authInfoStale = :true, refreshFor = :refreshFor, updatedAtMs = :now',
      // Only an active authorization changes: a late change_auth for an uninstalled corp (a revoked
      // tombstone) must neither touch it nor be reported as active.
      ConditionExpression: 'attribute_exists(pk) AND #status = :active',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':timeStamp': timeStamp,
        ':true': true,
        ':refreshFor': { cause, timeStamp },
        ':now': this.clock.nowMs(),
        ':active': 'active',
      },
    });
    return written ? 'recorded' : 'unknown_corp';
  }

  async revokeAuthorization(
    suiteId: string,
    corpId: string,
    timeStamp: number,
  ): Promise<'revoked' | 'stale'> {
    const written = await this.#updateDroppingToken(suiteId, corpId, 'revoke authorization', {
      // Upsert: a cancel for a corp we never saw leaves a revoked tombstone, so a late exchange of
      // an older install cannot resurrect it.
      UpdateExpression:
        'SET entity = :entity, suiteId = :suiteId, corpId = :corpId, #status = :revoked, revokedTimeStamp = :timeStamp, updatedAtMs = :now REMOVE permanentCode',
      // A cancel older than the latest install (a late re-delivery) must not revoke it.
      ConditionExpression: 'attribute_not_exists(authorizedTimeStamp) OR authorizedTimeStamp <= :timeStamp',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':entity': ENTITY.authorization,
        ':suiteId': suiteId,
        ':corpId': corpId,
        ':revoked': 'revoked',
        ':timeStamp': timeStamp,
        ':now': this.clock.nowMs(),
      },
    });
    return written ? 'revoked' : 'stale';
  }

  async isAuthorized(suiteId: string, corpId: string): Promise<boolean> {
    try {
      const { Item: item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: tableKeys.authorization(suiteId, corpId),
          ProjectionExpression: '#status',
          ExpressionAttributeNames: { '#status': 'status' },
        }),
      );
      return item?.status === 'active';
    } catch (error) {
      throw storageUnavailable('GetItem (authorization)', error);
    }
  }

  async getAuthorization(suiteId: string, corpId: string): Promise<CorpAuthorization | undefined> {
    const item = await this.#readItem(suiteId, corpId, 'GetItem (authorization)');
    if (item === undefined) {
      return undefined;
    }
    return {
      ...publicFieldsOf(suiteId, corpId, item),
      ...(typeof item.permanentCode === 'string' ? { permanentCode: item.permanentCode } : {}),
      ...(typeof item.authInfoStale === 'boolean' ? { authInfoStale: item.authInfoStale } : {}),
      ...refreshForOf(item.refreshFor),
      ...pendingEventOf(item.pendingEvent),
    };
  }

  async getAuthorizationStatus(suiteId: string, corpId: string): Promise<AuthorizationStatus | undefined> {
    const item = await this.#readItem(suiteId, corpId, 'GetItem (authorization status)', {
      // Every name through a placeholder: `status` is a reserved word, and IAM sees the names.
      ProjectionExpression: AUTHORIZATION_STATUS_ATTRIBUTES.map((_, index) => `#a${index}`).join(', '),
      ExpressionAttributeNames: Object.fromEntries(
        AUTHORIZATION_STATUS_ATTRIBUTES.map((name, index) => [`#a${index}`, name]),
      ),
    });
    if (item === undefined) {
      return undefined;
    }
    return {
      ...publicFieldsOf(suiteId, corpId, item),
      ...(typeof item.authorizedTimeStamp === 'number'
        ? { authorizedTimeStamp: item.authorizedTimeStamp }
        : {}),
      ...(typeof item.revokedTimeStamp === 'number' ? { revokedTimeStamp: item.revokedTimeStamp } : {}),
    };
  }

  /** One consistent read of a corp's authorization item, whole or projected. */
  async #readItem(
    suiteId: string,
    corpId: string,
    operation: string,
    projection: Pick<GetCommandInput, 'ProjectionExpression' | 'ExpressionAttributeNames'> = {},
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: tableKeys.authorization(suiteId, corpId),
          ConsistentRead: true,
          ...projection,
        }),
      );
      return Item;
    } catch (error) {
      throw storageUnavailable(operation, error);
    }
  }

  async saveExchangedAuthorization(exchanged: ExchangedAuthorization): Promise<'saved' | 'superseded'> {
    const { suiteId, corpId } = exchanged;
    // The cached token belonged to the old permanent code, hence dropped in the same transaction.
    const written = await this.#updateDroppingToken(suiteId, corpId, 'save authorization', {
      // authInfoStale: get_auth_info is read next; if that fails the stream retries it.
      // pendingEvent: the Authorization Changed event to publish, from this write's stream record,
      // retried by the stream until it is published (an outbox on the item itself).
      UpdateExpression: `SET entity = :entity, suiteId = :suiteId, corpId = :corpId, appKind = :appKind, #status = :active, permanentCode = :permanentCode, corpName = if_not_exists(corpName, :corpName), authorizedTimeStamp = :timeStamp, authInfoStale = :true, updatedAtMs = :now, pendingEvent = :pendingEvent, hasPendingEvent = :true${exchangedSets(exchanged)}`,
      // A cancel_auth newer than this install, or a newer install, wins.
      ConditionExpression:
        '(attribute_not_exists(revokedTimeStamp) OR revokedTimeStamp < :timeStamp) AND (attribute_not_exists(authorizedTimeStamp) OR authorizedTimeStamp <= :timeStamp)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':entity': ENTITY.authorization,
        ':suiteId': suiteId,
        ':corpId': corpId,
        ':appKind': suiteKindOf(suiteId),
        ':active': 'active',
        ':permanentCode': exchanged.permanentCode,
        ':corpName': exchanged.corpName ?? corpId,
        ':timeStamp': exchanged.authorizedTimeStamp,
        ':true': true,
        ':now': this.clock.nowMs(),
        ':pendingEvent': {
          status: 'active',
          cause: exchanged.source,
          atMs: this.clock.nowMs(),
          ...(exchanged.installRef === undefined ? {} : { installRef: exchanged.installRef }),
        },
        ...exchangedValues(exchanged),
      },
    });
    return written ? 'saved' : 'superseded';
  }

  async updateAuthInfo(
    suiteId: string,
    corpId: string,
    info: AuthInfo,
    announce?: PendingAuthorizationChange,
  ): Promise<void> {
    const names: string[] = ['authInfoStale = :false', 'updatedAtMs = :now'];
    const removed: string[] = [];
    const values: Record<string, unknown> = {
      ':false': false,
      ':now': this.clock.nowMs(),
      ':active': 'active',
    };
    if (info.corpName !== undefined) {
      names.push('corpName = :corpName');
      values[':corpName'] = info.corpName;
    }
    // What get_auth_info says replaces what it said before: an attribute it no longer names (an
    // edition that ended, a dealer gone) is removed.
    for (const field of ['agentId', 'agents', 'editions', 'dealer', 'authMode'] as const) {
      if (info[field] === undefined) {
        removed.push(field);
      } else {
        names.push(`${field} = :${field}`);
        values[`:${field}`] = info[field];
      }
    }
    if (announce !== undefined) {
      // The change is announced from this item by the stream, like an exchange (the item's outbox).
      names.push('pendingEvent = :pendingEvent', 'hasPendingEvent = :true');
      values[':pendingEvent'] = announce;
      values[':true'] = true;
      removed.push('refreshFor');
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.authorization(suiteId, corpId),
          UpdateExpression: `SET ${names.join(', ')}${removed.length === 0 ? '' : ` REMOVE ${removed.join(', ')}`}`,
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) {
        throw storageUnavailable('UpdateItem (authorization info)', error);
      }
    }
  }

  async clearPendingEvent(suiteId: string, corpId: string, atMs: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.authorization(suiteId, corpId),
          UpdateExpression: 'REMOVE pendingEvent, hasPendingEvent',
          // A newer change made meanwhile keeps its own pending event.
          ConditionExpression: 'pendingEvent.atMs = :atMs',
          ExpressionAttributeValues: { ':atMs': atMs },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) {
        throw storageUnavailable('UpdateItem (clear pending event)', error);
      }
    }
  }

  /**
   * Conditionally updates a corp's authorization and deletes its cached corp token and JS-SDK
   * tickets in one transaction. Returns false, having changed nothing, when the condition does not hold.
   */
  async #updateDroppingToken(
    suiteId: string,
    corpId: string,
    operation: string,
    update: {
      readonly UpdateExpression: string;
      readonly ConditionExpression: string;
      readonly ExpressionAttributeNames?: Record<string, string>;
      readonly ExpressionAttributeValues: Record<string, unknown>;
    },
  ): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: { TableName: this.tableName, Key: tableKeys.authorization(suiteId, corpId), ...update },
            },
            { Delete: { TableName: this.tableName, Key: tableKeys.corpToken(suiteId, corpId) } },
            // The JS-SDK tickets came from that token: gone with it (and any streak of failures).
            ...(['corp', 'agent'] as const).map((type) => ({
              Delete: { TableName: this.tableName, Key: tableKeys.jsapiTicket(suiteId, corpId, type) },
            })),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isTransactionConditionFailed(error)) {
        return false;
      }
      throw storageUnavailable(`TransactWriteItems (${operation})`, error);
    }
  }
}

// What an exchange writes beyond the permanent code: the installer and register code are WeCom's
// answer to this install and replace the earlier ones; a reference is kept until a newer one comes.
const exchangedSets = (exchanged: ExchangedAuthorization): string =>
  [
    exchanged.installRef === undefined ? '' : ', installRef = :installRef',
    exchanged.installer === undefined ? '' : ', installer = :installer',
    exchanged.registerCode === undefined ? '' : ', registerCode = :registerCode',
  ].join('');

const exchangedValues = (exchanged: ExchangedAuthorization): Record<string, unknown> => ({
  ...(exchanged.installRef === undefined ? {} : { ':installRef': exchanged.installRef }),
  ...(exchanged.installer === undefined ? {} : { ':installer': exchanged.installer }),
  ...(exchanged.registerCode === undefined ? {} : { ':registerCode': exchanged.registerCode }),
});

/** The stored details, as written (by this store only, from what WeCom's answers were mapped to). */
/** What every read of an authorization item gives, secret or not: status, corp, agent, reference, details. */
const publicFieldsOf = (suiteId: string, corpId: string, item: Record<string, unknown>) => ({
  suiteId,
  corpId,
  status: item.status === 'active' ? ('active' as const) : ('revoked' as const),
  ...(typeof item.corpName === 'string' ? { corpName: item.corpName } : {}),
  ...(typeof item.agentId === 'number' ? { agentId: item.agentId } : {}),
  ...(typeof item.installRef === 'string' ? { installRef: item.installRef } : {}),
  ...detailsOf(item),
});

const detailsOf = (item: Record<string, unknown>): AuthorizationDetails => {
  const objectOf = (value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  const fields = {
    installer: objectOf(item.installer) as AuthorizationDetails['installer'],
    registerCode: objectOf(item.registerCode) as AuthorizationDetails['registerCode'],
    agents: Array.isArray(item.agents) ? (item.agents as AuthorizationDetails['agents']) : undefined,
    editions: Array.isArray(item.editions) ? (item.editions as AuthorizationDetails['editions']) : undefined,
    dealer: objectOf(item.dealer) as AuthorizationDetails['dealer'],
    authMode: typeof item.authMode === 'number' ? item.authMode : undefined,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
};

const refreshForOf = (value: unknown): Pick<CorpAuthorization, 'refreshFor'> => {
  const refresh = value as { cause?: unknown; timeStamp?: unknown } | undefined;
  if (refresh === undefined || typeof refresh.timeStamp !== 'number') {
    return {};
  }
  return {
    refreshFor: {
      cause: refresh.cause === 'change_editon' ? 'change_editon' : 'change_auth',
      timeStamp: refresh.timeStamp,
    },
  };
};

const pendingEventOf = (value: unknown): { pendingEvent?: PendingAuthorizationChange } => {
  const pending = value as Partial<PendingAuthorizationChange> | undefined;
  if (pending === undefined || typeof pending.atMs !== 'number') {
    return {};
  }
  return {
    pendingEvent: {
      status: 'active',
      cause:
        pending.cause === 'change_auth' || pending.cause === 'change_editon'
          ? pending.cause
          : authCodeSourceOf(pending.cause),
      atMs: pending.atMs,
      ...(typeof pending.installRef === 'string' ? { installRef: pending.installRef } : {}),
    },
  };
};
