import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServiceEnvironment } from '../../../../functions/adapters/config/environment.ts';
import {
  CachedRegistrySource,
  configFileFetcher,
  configSecretFetcher,
} from '../../../../functions/adapters/config/registry-source.ts';
import { ConfigurationError, StorageUnavailableError } from '../../../../functions/core/errors.ts';
import { TEST_CONFIG } from '../../../support/callback-harness.ts';
import { type FakeSecretsManager, startFakeSecretsManager } from '../../../support/fake-secrets-manager.ts';
import { FixedClock } from '../../../support/fixed-clock.ts';

let directory: string;
let secretsManager: FakeSecretsManager;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'wecom-config-'));
  secretsManager = await startFakeSecretsManager();
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
  await secretsManager.close();
});

const errorOf = async (action: () => Promise<unknown>): Promise<Error> => {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the action to fail');
};

const secretsProvider = () =>
  new SecretsProvider({
    clientConfig: {
      endpoint: secretsManager.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    },
  });

describe('CachedRegistrySource from a file', () => {
  it('loads and validates the document', async () => {
    const path = join(directory, 'valid.json');
    await writeFile(path, JSON.stringify(TEST_CONFIG));
    const source = new CachedRegistrySource(configFileFetcher(path), new FixedClock(0));

    const registry = await source.current();

    expect(registry.suiteIds).toEqual(TEST_CONFIG.suites.map((suite) => suite.suiteId));
  });

  it('names a missing file', async () => {
    const source = new CachedRegistrySource(
      configFileFetcher(join(directory, 'missing.json')),
      new FixedClock(0),
    );

    const error = await errorOf(() => source.current());

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('missing.json');
  });

  it('says invalid JSON without quoting the document', async () => {
    const path = join(directory, 'broken.json');
    await writeFile(path, '{"provider": {"corpId": "ww", "providerSecret": "DO-NOT-ECHO"');
    const source = new CachedRegistrySource(configFileFetcher(path), new FixedClock(0));

    const error = await errorOf(() => source.current());

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe('configuration is not valid JSON');
  });

  it('keeps the registry while fresh and picks up a changed document after maxAge', async () => {
    const path = join(directory, 'rotating.json');
    await writeFile(path, JSON.stringify(TEST_CONFIG));
    const clock = new FixedClock(0);
    const source = new CachedRegistrySource(configFileFetcher(path), clock, 1000);
    const first = await source.current();
    await writeFile(path, JSON.stringify({ ...TEST_CONFIG, suites: [TEST_CONFIG.suites[0]] }));

    const stillCached = await source.current();
    clock.advanceSeconds(2);
    const reloaded = await source.current();

    expect(stillCached).toBe(first);
    expect(reloaded.suiteIds).toEqual([TEST_CONFIG.suites[0]?.suiteId]);
  });

  it('reuses the same registry when the document did not change', async () => {
    const path = join(directory, 'stable.json');
    await writeFile(path, JSON.stringify(TEST_CONFIG));
    const clock = new FixedClock(0);
    const source = new CachedRegistrySource(configFileFetcher(path), clock, 1000);
    const first = await source.current();

    clock.advanceSeconds(5);

    expect(await source.current()).toBe(first);
  });
});

describe('CachedRegistrySource from Secrets Manager', () => {
  it('loads the document from the secret', async () => {
    secretsManager.setSecret('wecom/config', JSON.stringify(TEST_CONFIG));
    const source = new CachedRegistrySource(
      configSecretFetcher('wecom/config', secretsProvider()),
      new FixedClock(0),
    );

    const registry = await source.current();

    expect(registry.providerCorpId).toBe(TEST_CONFIG.provider.corpId);
  });

  it('reports an unreachable Secrets Manager as temporarily unavailable (the callback answers 503)', async () => {
    secretsManager.failAll(true);
    const source = new CachedRegistrySource(
      configSecretFetcher('wecom/config', secretsProvider()),
      new FixedClock(0),
    );

    const error = await errorOf(() => source.current());
    secretsManager.failAll(false);

    expect(error).toBeInstanceOf(StorageUnavailableError);
  });

  it('tells the operator to fill an empty secret', async () => {
    secretsManager.setSecret('wecom/empty', '');
    const source = new CachedRegistrySource(
      configSecretFetcher('wecom/empty', secretsProvider()),
      new FixedClock(0),
    );

    const error = await errorOf(() => source.current());

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('wecom/empty');
  });
});

describe('readServiceEnvironment', () => {
  it('reads a local configuration', () => {
    const environment = readServiceEnvironment({ TABLE_NAME: 't', WECOM_CONFIG_FILE: '/tmp/c.json' });

    expect(environment).toMatchObject({
      tableName: 't',
      config: { kind: 'file', path: '/tmp/c.json' },
      wecomApiBase: 'https://qyapi.weixin.qq.com',
      maxSkewSeconds: 300,
    });
  });

  it('prefers the secret, trims a trailing slash off the API base and reads the skew', () => {
    const environment = readServiceEnvironment({
      TABLE_NAME: 't',
      WECOM_CONFIG_SECRET: 'wecom/config',
      WECOM_CONFIG_FILE: '/tmp/c.json',
      WECOM_API_BASE: 'http://127.0.0.1:9999/',
      WECOM_MAX_SKEW_SECONDS: '0',
    });

    expect(environment).toMatchObject({
      config: { kind: 'secret', secretId: 'wecom/config' },
      wecomApiBase: 'http://127.0.0.1:9999',
      maxSkewSeconds: 0,
    });
  });

  it.each([
    [{}, 'TABLE_NAME is not set'],
    [{ TABLE_NAME: 't', WECOM_CONFIG_FILE: 'c', WECOM_MAX_SKEW_SECONDS: '-5' }, 'WECOM_MAX_SKEW_SECONDS'],
    [{ TABLE_NAME: 't', WECOM_CONFIG_FILE: 'c', WECOM_API_BASE: 'ftp://x' }, 'WECOM_API_BASE'],
  ])('rejects %o naming the variable', (env, expected) => {
    expect(() => readServiceEnvironment(env)).toThrow(expected);
  });
});
