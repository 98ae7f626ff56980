import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaDeadline } from '../adapters/deadline/request-budget.ts';
import { decodeStreamRecord } from '../adapters/dynamodb/stream-records.ts';
import { beginInvocation } from '../adapters/invocation.ts';
import type { Logger } from '../adapters/observability.ts';
import { completeAuthorization, refreshAuthInfo } from '../app/complete-authorization.ts';
import type { AuthorizationDetails, CorpAuthorization } from '../core/authorization/corp-authorization.ts';
import { UpstreamUnavailableError } from '../core/errors.ts';
import { authorizationChangedEvent } from '../core/events/service-events.ts';
import type { ExchangeFunctionDeps } from '../wiring/token-deps.ts';

export type AuthExchangeHandler = (
  event: DynamoDBStreamEvent,
  context?: Context,
) => Promise<DynamoDBBatchResponse>;

/**
 * The auth-exchange function, fed by the table's stream: new auth codes are exchanged for
 * permanent codes; authorizations marked stale (change_auth, or a get_auth_info that failed) are
 * refreshed. A record that fails transiently is reported in `batchItemFailures` (Powertools'
 * batch processor), so the stream retries from it (bounded, then the dead-letter queue). The
 * batch runs under the Lambda's own deadline less a reserve: records it has no time left for fail
 * fast and are delivered again.
 */
export const createAuthExchangeHandler =
  (deps: ExchangeFunctionDeps): AuthExchangeHandler =>
  async (event, context) => {
    const invocation = beginInvocation(deps, context);
    // A processor per batch: it holds the batch's records and failures while it runs, and one
    // handler may run two batches at once (npm start, the tests).
    const processor = new LoggingStreamProcessor(deps.logger);
    return invocation.within(lambdaDeadline(context, Date.now()), () =>
      processPartialResponse(event, (record: DynamoDBRecord) => processRecord(deps, record), processor, {
        // One record after another, past a failure: each record acts on the state it reads, not on
        // the records before it, so nothing needs the batch to stop, and in parallel two records of
        // one authorization would publish and refresh it twice.
        processInParallel: false,
        // A batch that failed whole is answered like one that failed in part (every record
        // reported), not thrown: a throw counts as a function error in the alarm and makes the
        // mapping split the batch.
        throwOnFullBatchFailure: false,
      }),
    );
  };

/** Powertools' stream processor, logging each record that failed by its event id (its image holds auth codes). */
class LoggingStreamProcessor extends BatchProcessor {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    super(EventType.DynamoDBStreams);
    this.#logger = logger;
  }

  override failureHandler(
    ...[record, error]: Parameters<BatchProcessor['failureHandler']>
  ): ReturnType<BatchProcessor['failureHandler']> {
    this.#logger.error('stream record failed; it will be retried', {
      eventId: (record as DynamoDBRecord).eventID,
      error,
    });
    return super.failureHandler(record, error);
  }
}

const processRecord = async (deps: ExchangeFunctionDeps, record: DynamoDBRecord): Promise<void> => {
  const change = decodeStreamRecord(record);
  if (change === undefined) {
    return;
  }
  if (change.kind === 'auth_code') {
    const { kind: _kind, ...code } = change;
    const outcome = await completeAuthorization(deps, code);
    if (code.source === 'install' && (outcome.status === 'failed' || outcome.status === 'outcome_unknown')) {
      // Anyone can bring a made-up code back through the public completion route: counted, alarmed.
      deps.metrics.installExchangeFailed(code.suiteId);
    }
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
          ...detailsOf(current),
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
  // A change_auth or change_editon is announced once its info was read again, from that write.
  const refresh = current.refreshFor;
  const outcome = await refreshAuthInfo(
    deps,
    suiteId,
    corpId,
    current.permanentCode,
    refresh === undefined
      ? undefined
      : {
          status: 'active',
          cause: refresh.cause,
          atMs: refresh.timeStamp * 1000,
          ...(current.installRef === undefined ? {} : { installRef: current.installRef }),
        },
  );
  deps.logger.info('authorization info refreshed', { suiteId, corpId, outcome });
  if (outcome === 'pending' && refresh !== undefined) {
    // The change is not announced until it can be told as it is: the stream delivers the record
    // again (bounded retries, then the dead-letter queue and its alarm).
    throw new UpstreamUnavailableError(
      `get_auth_info unanswered after ${refresh.cause}; retried by the stream`,
    );
  }
};

/** What WeCom said about the authorization, as the item holds it (the event carries it). */
const detailsOf = (current: CorpAuthorization): AuthorizationDetails =>
  Object.fromEntries(
    (['installer', 'registerCode', 'agents', 'editions', 'dealer', 'authMode'] as const)
      .filter((field) => current[field] !== undefined)
      .map((field) => [field, current[field]]),
  );
