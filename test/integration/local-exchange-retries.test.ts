import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/free-port.ts';
import { type LocalStack, startLocalStack } from '../../local/local-stack.ts';
import type { WeComSimulator } from '../../local/wecom-simulator/wecom-simulator.ts';
import { captureLogs, type LogCapture } from '../support/log-capture.ts';

/**
 * The local stack's stream delivers auth-exchange records as the deployed mapping does: a WeCom
 * hiccup that outlasts a few deliveries does not lose an install, and a record that keeps failing
 * ends in a dead-letter queue a developer can look at.
 */

const SUITE_ID = 'wwsandboxsuite0001';
// WeCom's "system busy": get_permanent_code is single-use, so each one fails one delivery.
const BUSY = { kind: 'errcode', errcode: -1 } as const;

const distinctFreePorts = async (): Promise<{ port: number; lambdaPort: number }> => {
  const port = await findFreePort();
  let lambdaPort = await findFreePort();
  while (lambdaPort === port) {
    lambdaPort = await findFreePort();
  }
  return { port, lambdaPort };
};

const corpToken = async (stack: LocalStack, corpId: string): Promise<Record<string, unknown>> => {
  const response = await fetch(`${stack.lambdaUrl}/2015-03-31/functions/corp-token/invocations`, {
    method: 'POST',
    body: JSON.stringify({ suiteId: SUITE_ID, corpId }),
  });
  return (await response.json()) as Record<string, unknown>;
};

const until = async (condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return condition();
};

describe('the local stream, retrying auth-exchange as the deployed mapping does', () => {
  let stack: LocalStack | undefined;
  let logs: LogCapture | undefined;

  afterEach(async () => {
    logs?.stop();
    await stack?.stop();
  });

  it('completes an install when WeCom is busy for three deliveries of the auth code, then answers', async () => {
    stack = await startLocalStack({
      ...(await distinctFreePorts()),
      logger: new Logger({ serviceName: 'local-exchange-retries', logLevel: 'SILENT' }),
    });
    const simulator = stack.simulator as WeComSimulator;
    simulator.injectFaults('service/v2/get_permanent_code', BUSY, BUSY, BUSY);

    await simulator.pushInstall(SUITE_ID, 'wwhiccupcorp');
    const installed = await until(
      async () => 'accessToken' in (await corpToken(stack as LocalStack, 'wwhiccupcorp')),
      90_000,
    );

    expect(installed).toBe(true);
    expect(simulator.calls('service/v2/get_permanent_code')).toBe(4);
    expect(stack.deadLetters.entries).toEqual([]);
  }, 120_000);

  it('sends an auth code WeCom never accepts to the local dead-letter queue after 6 deliveries, logged with its keys only', async () => {
    stack = await startLocalStack({
      ...(await distinctFreePorts()),
      logger: new Logger({ serviceName: 'local-exchange-retries', logLevel: 'ERROR' }),
      streamRetryDelayMs: 50,
    });
    const simulator = stack.simulator as WeComSimulator;
    simulator.injectFaults('service/v2/get_permanent_code', ...Array.from({ length: 20 }, () => BUSY));
    logs = captureLogs();

    await simulator.pushInstall(SUITE_ID, 'wwoutagecorp');
    const discarded = await until(() => (stack as LocalStack).deadLetters.entries.length > 0, 60_000);
    const served = (await (await fetch(`${stack.lambdaUrl}/dead-letters`)).json()) as unknown[];
    const line = logs.records().find((record) => String(record.message).includes('dead-letter queue'));
    logs.stop();

    expect(discarded).toBe(true);
    expect(simulator.calls('service/v2/get_permanent_code')).toBe(6);
    expect(stack.deadLetters.entries).toEqual([
      expect.objectContaining({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 6 },
        records: [
          expect.objectContaining({
            eventName: 'INSERT',
            keys: { pk: `SUITE#${SUITE_ID}`, sk: expect.stringMatching(/^AUTHCODE#[0-9a-f]{40}$/) },
          }),
        ],
      }),
    ]);
    expect(served).toEqual(JSON.parse(JSON.stringify(stack.deadLetters.entries)));
    expect(line).toMatchObject({
      level: 'ERROR',
      records: [expect.objectContaining({ keys: expect.anything() })],
    });
    // The auth code itself (WeCom's, 64+ characters) appears in no log line and no dead letter.
    expect(logs.lines().join('\n')).not.toMatch(/authcode-[0-9a-f]{64}/);
    expect(JSON.stringify(served)).not.toMatch(/authcode-[0-9a-f]{64}/);
  }, 120_000);
});
