import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsClient } from '../../client/credentials-client.ts';
import { findFreePort } from '../../local/free-port.ts';
import { TEST_CONFIG } from '../support/callback-harness.ts';
import { prepareConfiguredStack } from '../support/configured-stack.ts';
import {
  distinctFreePorts,
  isListening,
  type LocalProcess,
  processesMentioning,
  spawnLocalStart,
  waitForReady,
} from '../support/local-process.ts';
import { eventually } from '../support/token-harness.ts';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'wecom-local-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const lambdaFor = (port: number) =>
  new LambdaClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

const dynamoPortOf = (report: string): number =>
  Number(/DynamoDB Local\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(report)?.[1]);

/** Ctrl-C, then check that nothing it started is left. */
const stopAndCheck = async (local: LocalProcess, ports: readonly number[], dynamoPort: number) => {
  local.child.kill('SIGINT');
  const code = await local.exited;

  expect(code).toBe(0);
  for (const port of [...ports, dynamoPort]) {
    expect(await isListening(port)).toBe(false);
  }
  expect(processesMentioning(`-port ${dynamoPort}`)).toEqual([]);
};

describe('npm start with a configuration file', () => {
  it('serves callbacks and tokens over HTTP only, then stops everything on Ctrl-C', async () => {
    const setup = await prepareConfiguredStack();
    const { port, lambdaPort, simulator, configFile } = setup;
    const local = spawnLocalStart({
      PORT: String(port),
      LAMBDA_PORT: String(lambdaPort),
      WECOM_CONFIG_FILE: configFile,
      WECOM_API_BASE: simulator.baseUrl,
    });
    const lambda = lambdaFor(lambdaPort);
    try {
      const report = await waitForReady(local);
      const suiteId = TEST_CONFIG.suites[0]?.suiteId ?? '';
      const client = new CredentialsClient({ lambda });

      const verified = [
        await simulator.verifyCallbackUrl(suiteId, 'command'),
        await simulator.verifyCallbackUrl(suiteId, 'data'),
      ];
      const ticketPush = await simulator.pushSuiteTicket(suiteId);
      const suiteToken = await client.getSuiteToken({ suiteId });
      const installPush = await simulator.pushInstall(suiteId, 'wwlocalcorp');
      // The bound: the corp token is there within 5 seconds of the create_auth push.
      const corpToken = await eventually(
        () => client.getCorpToken({ suiteId, corpId: 'wwlocalcorp' }).catch(() => undefined),
        5000,
      );

      expect(report).not.toContain('SANDBOX');
      expect(verified).toEqual([
        { ok: true, status: 200 },
        { ok: true, status: 200 },
      ]);
      expect(ticketPush.body).toBe('success');
      expect(simulator.isValidSuiteToken(suiteId, suiteToken.accessToken)).toBe(true);
      expect(installPush.body).toBe('success');
      expect(simulator.isValidCorpToken(suiteId, 'wwlocalcorp', corpToken.accessToken)).toBe(true);
      await stopAndCheck(local, [port, lambdaPort], dynamoPortOf(report));
    } finally {
      lambda.destroy();
      local.child.kill('SIGKILL');
      await setup.close();
    }
  }, 90_000);
});

describe('npm start with no configuration at all (sandbox)', () => {
  it('verifies its URLs, pushes tickets, installs and serves tokens, then stops everything', async () => {
    const { port, lambdaPort } = await distinctFreePorts();
    const local = spawnLocalStart({ PORT: String(port), LAMBDA_PORT: String(lambdaPort) });
    const lambda = lambdaFor(lambdaPort);
    const post = async (path: string) =>
      (await fetch(`http://127.0.0.1:${lambdaPort}${path}`, { method: 'POST' })).json() as Promise<
        Record<string, unknown>
      >;
    try {
      const report = await waitForReady(local);
      const client = new CredentialsClient({ lambda });

      const verified = await post('/sandbox/verify-urls?suiteId=wwsandboxsuite0001');
      const ticket = await post('/sandbox/ticket?suiteId=dksandboxtemplate1');
      const suiteToken = await client.getSuiteToken({ suiteId: 'wwsandboxsuite0001' });
      const install = await post('/sandbox/install?suiteId=dksandboxtemplate1&corpId=wwsandboxdemo');
      const corpToken = await eventually(
        () =>
          client
            .getCorpToken({ suiteId: 'dksandboxtemplate1', corpId: 'wwsandboxdemo' })
            .catch(() => undefined),
        5000,
      );
      const website = await post(
        '/sandbox/install?suiteId=wwsandboxsuite0001&corpId=wwsandboxweb&via=website&ref=demo-1',
      );
      const websiteToken = await eventually(
        () =>
          client
            .getCorpToken({ suiteId: 'wwsandboxsuite0001', corpId: 'wwsandboxweb' })
            .catch(() => undefined),
        5000,
      );

      expect(report).toContain('SANDBOX');
      // The browser's three hops: our 302 to WeCom, WeCom's 302 back, our answer (no completion URL).
      expect((website.hops as { status: number }[]).map((hop) => hop.status)).toEqual([302, 302, 200]);
      expect(websiteToken.accessToken).toMatch(/^corp-token-/);
      expect(verified).toMatchObject({ command: { ok: true }, data: { ok: true } });
      expect(ticket).toMatchObject({ callback: { status: 200, body: 'success' } });
      expect(suiteToken.accessToken).toMatch(/^suite-token-/);
      expect(install).toMatchObject({ callback: { body: 'success' } });
      expect(corpToken.accessToken).toMatch(/^corp-token-/);
      await stopAndCheck(local, [port, lambdaPort], dynamoPortOf(report));
    } finally {
      lambda.destroy();
      local.child.kill('SIGKILL');
    }
  }, 90_000);
});

describe('npm start refuses bad configuration with one clear sentence', () => {
  const startFailure = async (env: Record<string, string>) => {
    const local = spawnLocalStart({ LAMBDA_PORT: String(await findFreePort()), ...env });
    const code = await local.exited;
    return { code, output: local.output() };
  };

  it('names a missing configuration file', async () => {
    const { code, output } = await startFailure({
      PORT: String(await findFreePort()),
      WECOM_CONFIG_FILE: join(directory, 'nope.json'),
    });

    expect(code).toBe(1);
    expect(output).toContain('nope.json cannot be read');
  });

  it('says a file is not valid JSON', async () => {
    const file = join(directory, 'broken.json');
    await writeFile(file, '{ "provider": ');

    const { code, output } = await startFailure({
      PORT: String(await findFreePort()),
      WECOM_CONFIG_FILE: file,
    });

    expect(code).toBe(1);
    expect(output).toContain('is not valid JSON');
  });

  it('names a 42-character EncodingAESKey without printing it', async () => {
    const file = join(directory, 'short-key.json');
    const shortKey = (TEST_CONFIG.suites[0]?.encodingAesKey ?? '').slice(1);
    await writeFile(
      file,
      JSON.stringify({ ...TEST_CONFIG, suites: [{ ...TEST_CONFIG.suites[0], encodingAesKey: shortKey }] }),
    );

    const { code, output } = await startFailure({
      PORT: String(await findFreePort()),
      WECOM_CONFIG_FILE: file,
    });

    expect(code).toBe(1);
    expect(output).toContain('suites[0].encodingAesKey must be exactly 43');
    expect(output).not.toContain(shortKey);
  });

  it('says PUBLIC_URL must be an origin', async () => {
    const { code, output } = await startFailure({
      PORT: String(await findFreePort()),
      PUBLIC_URL: 'https://abc.example-tunnel.com/path?x',
    });

    expect(code).toBe(1);
    expect(output).toContain('PUBLIC_URL must be the origin a tunnel gives PORT');
  });

  it('says the port is in use', async () => {
    const blocker = createServer();
    const port = await findFreePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));

    const { code, output } = await startFailure({ PORT: String(port) });
    blocker.close();

    expect(code).toBe(1);
    expect(output).toContain(`Port ${port} (PORT) is already in use`);
  });

  it('says Java is missing', async () => {
    const { code, output } = await startFailure({ PORT: String(await findFreePort()), PATH: '/nonexistent' });

    expect(code).toBe(1);
    expect(output).toContain('Java was not found');
  });
});
