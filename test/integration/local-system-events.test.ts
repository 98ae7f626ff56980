import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/local-stack.ts';
import { startSandboxStack } from '../support/configured-stack.ts';
import { distinctFreePorts } from '../support/local-process.ts';

/**
 * `npm start`'s sandbox: the simulator pushes system events (signed with the provider's Token and
 * key) and paid-app events through the public routes, and they reach GET /events.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startSandboxStack();
}, 60_000);

afterAll(async () => {
  await stack.stop();
});

const sandbox = async (path: string) =>
  (await (await fetch(`${stack.lambdaUrl}${path}`, { method: 'POST' })).json()) as Record<string, unknown>;

/** The envelopes GET /events streams while `action` runs, once `count` have come. */
const streamed = async (count: number, action: () => Promise<void>): Promise<Record<string, unknown>[]> => {
  const controller = new AbortController();
  const response = await fetch(`${stack.lambdaUrl}/events`, { signal: controller.signal });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let received = '';
  const found = () => received.split('\n').filter((line) => line.startsWith('data: '));
  try {
    await action();
    while (found().length < count) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done) {
        break;
      }
      received += decoder.decode(chunk.value);
    }
  } finally {
    controller.abort();
  }
  return found().map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
};

describe('system and paid-app events in the sandbox', () => {
  it('verifies the system-event URL as WeCom does when it is saved', async () => {
    const answer = await sandbox('/sandbox/verify-urls?suiteId=wwsandboxsuite0001');

    expect(answer.system).toEqual({ ok: true, status: 200 });
  });

  it('streams a signed system push on GET /events without its secrets, refuses a badly signed one, and streams a paid-app event', async () => {
    const answers: Record<string, unknown>[] = [];
    const events = await streamed(3, async () => {
      answers.push(await sandbox('/sandbox/system-event?infoType=register_corp&corpId=wwsandboxreg'));
      // Refused before anything is published: the next event on the stream is the paid-app one.
      answers.push({
        status: (
          await fetch(
            `${stack.url}/callback/provider/system?msg_signature=${'0'.repeat(40)}&timestamp=${Math.floor(Date.now() / 1000)}&nonce=2`,
            {
              method: 'POST',
              body: '<xml><Encrypt><![CDATA[AAAAAAAAAAAAAAAAAAAAAA==]]></Encrypt></xml>',
            },
          )
        ).status,
      });
      answers.push(
        await sandbox(
          '/sandbox/paid-app-event?suiteId=wwsandboxsuite0001&infoType=open_order&corpId=wwsandboxreg',
        ),
      );
      answers.push(
        await sandbox('/sandbox/system-event?infoType=something_wecom_adds_later&corpId=wwsandboxreg'),
      );
    });

    expect(answers).toEqual([
      expect.objectContaining({ callback: { status: 200, body: 'success' } }),
      { status: 403 },
      expect.objectContaining({ callback: { status: 200, body: 'success' } }),
      expect.objectContaining({ callback: { status: 200, body: 'success' } }),
    ]);
    expect(
      events.map((event) => [event['detail-type'], (event.detail as Record<string, unknown>).infoType]),
    ).toEqual([
      ['WeCom System Event', 'register_corp'],
      ['WeCom Command Event', 'open_order'],
      ['WeCom System Event', 'something_wecom_adds_later'],
    ]);
    expect(events[0]?.detail).toMatchObject({
      serviceCorpId: 'wwsandboxprovider',
      authCorpId: 'wwsandboxreg',
      message: { ContactSync: { ExpiresIn: '1800' }, State: 'sandbox' },
    });
    expect(events[1]?.detail).toMatchObject({
      authCorpId: 'wwsandboxreg',
      message: { PaidCorpId: 'wwsandboxreg' },
    });
    expect(JSON.stringify(events)).not.toMatch(/register-code-|contact-sync-token-|RegisterCode|AccessToken/);
  });

  it('refuses an InfoType that is not a paid-app event on the paid-app route', async () => {
    const answer = await sandbox(
      '/sandbox/paid-app-event?suiteId=wwsandboxsuite0001&infoType=license_refund',
    );

    expect(String(answer.error)).toContain('infoType must be one of open_order');
  });
});

describe('npm start when the system-event URL is wanted', () => {
  it('refuses to start with a configuration file that lacks its keys, naming them', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'wecom-system-'));
    const configFile = join(directory, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        provider: { corpId: 'wwprovider', token: 'ProviderToken' },
        suites: [
          {
            suiteId: 'wwsuite',
            suiteSecret: 'secret',
            token: 'token',
            encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
          },
        ],
      }),
    );
    const withoutKeys = join(directory, 'no-keys.json');
    writeFileSync(
      withoutKeys,
      JSON.stringify({
        provider: { corpId: 'wwprovider' },
        suites: [
          {
            suiteId: 'wwsuite',
            suiteSecret: 'secret',
            token: 'token',
            encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
          },
        ],
      }),
    );
    const start = async (file: string) =>
      startLocalStack({
        configFile: file,
        systemEvents: 'required',
        ...(await distinctFreePorts()),
        logger: new Logger({ serviceName: 'local-test', logLevel: 'SILENT' }),
      });

    await expect(start(configFile)).rejects.toThrow(
      'provider.encodingAesKey is missing: provider.token and provider.encodingAesKey configure the system-event URL together',
    );
    await expect(start(withoutKeys)).rejects.toThrow(
      'The system-event URL is wanted (WECOM_SYSTEM_EVENTS=required) but',
    );
    await expect(start(withoutKeys)).rejects.toThrow('lacks provider.token and provider.encodingAesKey');
  });
});
