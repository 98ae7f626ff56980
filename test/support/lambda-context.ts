import type { Context } from 'aws-lambda';

/**
 * The Lambda context of an invocation that has `timeoutMs` in all (its function's timeout), started
 * now: `getRemainingTimeInMillis` counts down in real time, as in Lambda.
 */
export const lambdaContext = (timeoutMs: number, functionName = 'test-function'): Context => {
  const endsAtMs = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: 'test-request',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, endsAtMs - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
