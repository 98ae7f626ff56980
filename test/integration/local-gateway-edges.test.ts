import { connect } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/free-port.ts';
import { type LocalStack, startLocalStack } from '../../local/local-stack.ts';
import { captureLogs } from '../support/log-capture.ts';

/**
 * The edges of the local HTTP layer: every method gets the answer API Gateway (PORT) or the Lambda
 * service (LAMBDA_PORT) gives a request without a route, and a caller that hangs up is no error.
 */

/** Sends raw bytes and reads until the server closes or answers in full (`fetch` cannot send CONNECT). */
const exchange = (port: number, text: string): Promise<string> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
    socket.write(text);
    setTimeout(() => socket.destroy(), 10_000).unref();
  });

const statusLine = (answer: string) => answer.split('\r\n')[0];
const body = (answer: string) => answer.slice(answer.indexOf('\r\n\r\n') + 4);

describe('the local HTTP layer at its edges', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    const port = await findFreePort();
    let lambdaPort = await findFreePort();
    while (lambdaPort === port) {
      lambdaPort = await findFreePort();
    }
    stack = await startLocalStack({
      port,
      lambdaPort,
      logger: new Logger({ serviceName: 'local-gateway-edges', logLevel: 'INFO' }),
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it.each([
    'CONNECT wwsandboxsuite0001:443',
    'CONNECT /callback/wwsandboxsuite0001/command',
    'TRACE /callback/wwsandboxsuite0001/command',
    'OPTIONS /callback/wwsandboxsuite0001/command',
    'DELETE /install/wwsandboxsuite0001',
    'PROPFIND /',
  ])('answers %s on PORT with API Gateway’s 404 Not Found', async (request) => {
    const answer = await exchange(
      stack.port,
      `${request} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    );

    expect(statusLine(answer)).toBe('HTTP/1.1 404 Not Found');
    expect(answer.toLowerCase()).toContain('content-type: application/json');
    expect(body(answer)).toContain('{"message":"Not Found"}');
  });

  it.each(['CONNECT 127.0.0.1:443', 'TRACE /2015-03-31/functions/suite-token/invocations'])(
    'answers %s on LAMBDA_PORT as the Lambda service answers an unknown operation',
    async (request) => {
      const answer = await exchange(
        stack.lambdaPort,
        `${request} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );

      expect(statusLine(answer)).toBe('HTTP/1.1 404 Not Found');
      expect(answer.toLowerCase()).toContain('x-amzn-errortype: unknownoperationexception');
    },
  );

  it('logs a caller that hangs up mid-request at INFO, without a stack, and no ERROR', async () => {
    const logs = captureLogs();
    try {
      const socket = connect({ host: '127.0.0.1', port: stack.lambdaPort });
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.write(
        'POST /2015-03-31/functions/suite-token/invocations HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n{"suiteId":',
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      socket.destroy();
      const deadline = Date.now() + 10_000;
      const hangUp = () =>
        logs.records().find((record) => String(record.message).includes('closed the connection'));
      while (hangUp() === undefined && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      expect(hangUp()).toMatchObject({
        level: 'INFO',
        method: 'POST',
        path: '/2015-03-31/functions/suite-token/invocations',
      });
      expect(JSON.stringify(hangUp())).not.toMatch(/stack|\n\s+at /);
      expect(logs.records().filter((record) => record.level === 'ERROR')).toEqual([]);
    } finally {
      logs.stop();
    }
  });
});
