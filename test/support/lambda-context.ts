import type { Context } from 'aws-lambda';
import { lambdaContext as localLambdaContext } from '../../local/lambda-context.ts';

/**
 * The Lambda context of an invocation that has `timeoutMs` in all (its function's timeout), started
 * now: `getRemainingTimeInMillis` counts down in real time, as in Lambda.
 */
export const lambdaContext = (timeoutMs: number, functionName = 'test-function'): Context =>
  localLambdaContext(functionName, timeoutMs);
