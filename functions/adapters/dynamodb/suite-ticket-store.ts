import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredSuiteTicket, TicketStamp } from '../../core/credentials/suite-ticket.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { SuiteTicketStore, TicketWriteOutcome } from '../../core/ports/suite-ticket-store.ts';
import { isConditionalCheckFailed, storageUnavailable } from './storage-errors.ts';
import { ENTITY, tableKeys } from './table-keys.ts';

/** Suite tickets in DynamoDB: one item per suite holding the newest ticket and the one before it. */
export class DynamoSuiteTicketStore implements SuiteTicketStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async recordTicket(suiteId: string, ticket: TicketStamp): Promise<TicketWriteOutcome> {
    try {
      // One conditional write: the ticket moves forward in time only. All operands read the item as
      // it was before this update, so the old ticket becomes the previous one atomically.
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.suiteTicket(suiteId),
          UpdateExpression:
            'SET entity = :entity, suiteId = :suiteId, previousTicket = if_not_exists(suiteTicket, :none), previousTimeStamp = if_not_exists(ticketTimeStamp, :zero), suiteTicket = :ticket, ticketTimeStamp = :timeStamp, receivedAtMs = :now',
          ConditionExpression: 'attribute_not_exists(pk) OR ticketTimeStamp < :timeStamp',
          ExpressionAttributeValues: {
            ':entity': ENTITY.suiteTicket,
            ':suiteId': suiteId,
            ':none': '',
            ':zero': 0,
            ':ticket': ticket.suiteTicket,
            ':timeStamp': ticket.timeStamp,
            ':now': this.clock.nowMs(),
          },
        }),
      );
      return 'stored';
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        await this.keepAsPreviousIfNewer(suiteId, ticket);
        return 'stale';
      }
      throw storageUnavailable('UpdateItem (suite ticket)', error);
    }
  }

  async getTicket(suiteId: string): Promise<StoredSuiteTicket | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      ({ Item: item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: tableKeys.suiteTicket(suiteId),
          ConsistentRead: true,
        }),
      ));
    } catch (error) {
      throw storageUnavailable('GetItem (suite ticket)', error);
    }
    if (item === undefined) {
      return undefined;
    }
    const previousTicket = item.previousTicket;
    const previousTimeStamp = item.previousTimeStamp;
    return {
      suiteId,
      current: { suiteTicket: String(item.suiteTicket), timeStamp: Number(item.ticketTimeStamp) },
      ...(typeof previousTicket === 'string' && previousTicket !== '' && typeof previousTimeStamp === 'number'
        ? { previous: { suiteTicket: previousTicket, timeStamp: previousTimeStamp } }
        : {}),
    };
  }

  // An out-of-order push older than the current ticket may still be newer than the stored previous
  // one; keeping it makes the 40085 fallback use the second-newest ticket WeCom sent.
  private async keepAsPreviousIfNewer(suiteId: string, ticket: TicketStamp): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tableKeys.suiteTicket(suiteId),
          UpdateExpression: 'SET previousTicket = :ticket, previousTimeStamp = :timeStamp',
          ConditionExpression: 'ticketTimeStamp > :timeStamp AND previousTimeStamp < :timeStamp',
          ExpressionAttributeValues: { ':ticket': ticket.suiteTicket, ':timeStamp': ticket.timeStamp },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) {
        throw storageUnavailable('UpdateItem (previous suite ticket)', error);
      }
    }
  }
}
