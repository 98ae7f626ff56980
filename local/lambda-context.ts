import type { Context } from 'aws-lambda';

/**
 * The Lambda context of an invocation of `functionName`, whose timeout is `timeoutMs`, starting
 * now: `getRemainingTimeInMillis` counts down in real time, as in Lambda, so the function's calls
 * are held to the same deadline locally as deployed.
 */
export const lambdaContext = (functionName: string, timeoutMs: number): Context => {
  const endsAtMs = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, endsAtMs - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
