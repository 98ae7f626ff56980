import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  ANSWER_RESERVE_MS,
  callbackDeadline,
  LAMBDA_RESERVE_MS,
  lambdaDeadline,
} from '../../../../functions/adapters/deadline/request-budget.ts';
import { callbackEvent } from '../../../support/api-events.ts';
import { lambdaContext } from '../../../support/lambda-context.ts';

const NOW = 1_795_334_400_000;

const stamped = (event: APIGatewayProxyEventV2, timeEpoch: number): APIGatewayProxyEventV2 => ({
  ...event,
  requestContext: { ...event.requestContext, timeEpoch },
});

const command = callbackEvent({ method: 'POST', route: 'command', suiteId: 'wwsuite', rawQueryString: '' });
const data = callbackEvent({ method: 'POST', route: 'data', suiteId: 'wwsuite', rawQueryString: '' });
const urlCheck = callbackEvent({ method: 'GET', route: 'data', suiteId: 'wwsuite', rawQueryString: '' });

describe('callbackDeadline', () => {
  it('gives the command route WeCom’s 1000 ms from when API Gateway received the push', () => {
    expect(callbackDeadline(stamped(command, NOW - 300), NOW)).toBe(NOW - 300 + 1000 - ANSWER_RESERVE_MS);
  });

  it('gives a data message 5 s and a URL check 1 s', () => {
    expect(callbackDeadline(stamped(data, NOW), NOW)).toBe(NOW + 5000 - ANSWER_RESERVE_MS);
    expect(callbackDeadline(stamped(urlCheck, NOW), NOW)).toBe(NOW + 1000 - ANSWER_RESERVE_MS);
  });

  it('counts from now when the stamp is missing, in the future or older than the whole wait', () => {
    const fromNow = NOW + 1000 - ANSWER_RESERVE_MS;

    expect(callbackDeadline(stamped(command, 0), NOW)).toBe(fromNow);
    expect(callbackDeadline(stamped(command, NOW + 60_000), NOW)).toBe(fromNow);
    expect(callbackDeadline(stamped(command, NOW - 1000), NOW)).toBe(fromNow);
  });
});

describe('lambdaDeadline', () => {
  it('keeps a reserve before the Lambda timeout so the typed error still reaches the caller', () => {
    const context = { ...lambdaContext(20_000), getRemainingTimeInMillis: () => 20_000 };

    expect(lambdaDeadline(context, NOW)).toBe(NOW + 20_000 - LAMBDA_RESERVE_MS);
  });

  it('sets no deadline without a Lambda context', () => {
    expect(lambdaDeadline(undefined, NOW)).toBeUndefined();
  });
});
