import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaDeadline } from '../adapters/deadline/request-budget.ts';
import { decodeStreamRecord } from '../adapters/dynamodb/stream-records.ts';
import { completeAuthorization, refreshAuthInfo } from '../app/complete-authorization.ts';
import { authorizationChangedEvent } from '../core/events/service-events.ts';
import type { ExchangeFunctionDeps } from '../wiring/token-deps.ts';

export type AuthExchangeHandler = (
  event: DynamoDBStreamEvent,
  context?: Context,
) => Promise<DynamoDBBatchResponse>;

/**
 * The auth-exchange function, fed by the table's stream: new auth codes are exchanged for
 * permanent codes; authorizations marked stale (change_auth, or a get_auth_info that failed) are
 * refreshed. A record that fails transiently is reported in `batchItemFailures`, so the stream
 * retries only it (bounded, then the dead-letter queue). The batch runs under the Lambda's own
 * deadline less a reserve: records it has no time left for fail fast and are delivered again.
 */
export const createAuthExchangeHandler =
  (deps: ExchangeFunctionDeps): AuthExchangeHandler =>
  async (event, context) => {
    const deadlineAtMs = lambdaDeadline(context, Date.now());
    return deadlineAtMs === undefined
      ? processBatch(deps, event)
      : deps.deadlines.run(deadlineAtMs, () => processBatch(deps, event));
  };

const processBatch = async (
  deps: ExchangeFunctionDeps,
  event: DynamoDBStreamEvent,
): Promise<DynamoDBBatchResponse> => {
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

const processRecord = async (deps: ExchangeFunctionDeps, record: DynamoDBRecord): Promise<void> => {
  const change = decodeStreamRecord(record);
  if (change === undefined) {
    return;
  }
  if (change.kind === 'auth_code') {
    const { kind: _kind, ...code } = change;
    const outcome = await completeAuthorization(deps, code);
    if (outcome.status === 'outcome_unknown') {
      deps.metrics.exchangeOutcomeUnknown(code.suiteId);
      deps.logger.error('auth code processed', { suiteId: code.suiteId, source: code.source, ...outcome });
      return;
    }
    deps.logger.info('auth code processed', { suiteId: code.suiteId, source: code.source, ...outcome });
    return;
  }
  const { suiteId, corpId } = change;
  const current = await deps.authorizations.getAuthorization(suiteId, corpId);
  const pending = current?.pendingEvent;
  if (change.hasPendingEvent && current !== undefined && pending !== undefined) {
    // Published from the stream once the change is durable, from the item as it is now (with the
    // agent id once get_auth_info was read); a failure throws and the stream delivers the record
    // again. A later record of the same change finds it cleared and publishes nothing.
    await deps.events.publish([
      authorizationChangedEvent(
        {
          suiteId,
          corpId,
          status: pending.status,
          cause: pending.cause,
          ...(pending.installRef === undefined ? {} : { installRef: pending.installRef }),
          ...(current.corpName === undefined ? {} : { corpName: current.corpName }),
          ...(current.agentId === undefined ? {} : { agentId: current.agentId }),
        },
        pending.atMs,
      ),
    ]);
    await deps.authorizationWriter.clearPendingEvent(suiteId, corpId, pending.atMs);
    deps.logger.info('authorization change published', { suiteId, corpId, cause: pending.cause });
  }
  if (
    !change.authInfoStale ||
    current?.status !== 'active' ||
    current.authInfoStale !== true ||
    current.permanentCode === undefined
  ) {
    return;
  }
  const outcome = await refreshAuthInfo(deps, suiteId, corpId, current.permanentCode);
  deps.logger.info('authorization info refreshed', { suiteId, corpId, outcome });
};
