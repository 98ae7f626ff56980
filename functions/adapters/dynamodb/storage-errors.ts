import { StorageUnavailableError } from '../../core/errors.ts';

/** Whether DynamoDB refused a write because its condition did not hold (an expected outcome). */
export const isConditionalCheckFailed = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** Whether a transaction was cancelled only because one of its conditions did not hold. */
export const isTransactionConditionFailed = (error: unknown): boolean => {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') {
    return false;
  }
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === 'ConditionalCheckFailed');
};

/**
 * Why each item of a cancelled transaction failed (`ConditionalCheckFailed`, `None`, …), in the
 * order of its items; `undefined` for any other error.
 */
export const transactionCancellationReasons = (error: unknown): readonly string[] | undefined => {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') {
    return undefined;
  }
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code ?? 'None');
};

/**
 * Wraps any other DynamoDB failure: the caller answers 503 so WeCom retries and nothing is lost.
 * The SDK error is kept as `cause` for the log; it names the operation, never an item's values.
 */
export const storageUnavailable = (operation: string, error: unknown): StorageUnavailableError =>
  new StorageUnavailableError(`DynamoDB ${operation} failed`, { cause: error });
