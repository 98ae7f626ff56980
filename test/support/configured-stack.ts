import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/local-stack.ts';
import { WeComSimulator } from '../../local/wecom-simulator/wecom-simulator.ts';
import { TEST_CONFIG } from './callback-harness.ts';
import { distinctFreePorts } from './local-process.ts';
import { TEST_DEADLINE_STRETCH } from './test-runtime.ts';

/**
 * What `npm start` with a configuration file needs, prepared on loopback: TEST_CONFIG written to
 * a temporary file, two free ports, and a WeCom simulator that pushes to the callback port.
 */
export interface ConfiguredStackSetup {
  readonly directory: string;
  readonly configFile: string;
  readonly port: number;
  readonly lambdaPort: number;
  readonly simulator: WeComSimulator;
  /** Starts the stack in this process on the prepared ports, file and simulator. */
  start(
    options?: Omit<LocalStackOptions, 'port' | 'lambdaPort' | 'configFile' | 'wecomApiBase'>,
  ): Promise<LocalStack>;
  /** Stops the simulator and removes the directory. */
  close(): Promise<void>;
}

/**
 * The sandbox `npm start` runs, in this process: two fresh ports, silent logs and the tests'
 * deadline stretch, plus whatever `options` add.
 */
export const startSandboxStack = async (
  options: Omit<LocalStackOptions, 'port' | 'lambdaPort'> = {},
): Promise<LocalStack> =>
  startLocalStack({
    deadlineStretch: TEST_DEADLINE_STRETCH,
    ...(await distinctFreePorts()),
    logger: new Logger({ serviceName: 'local-test', logLevel: 'SILENT' }),
    ...options,
  });

export const prepareConfiguredStack = async (): Promise<ConfiguredStackSetup> => {
  const directory = await mkdtemp(join(tmpdir(), 'wecom-stack-'));
  const configFile = join(directory, 'config.json');
  await writeFile(configFile, JSON.stringify(TEST_CONFIG));
  const { port, lambdaPort } = await distinctFreePorts();
  const simulator = await new WeComSimulator({
    suites: TEST_CONFIG.suites,
    providerCorpId: TEST_CONFIG.provider.corpId,
    providerSecret: TEST_CONFIG.provider.providerSecret ?? '',
    callbackBaseUrl: `http://127.0.0.1:${port}`,
  }).start();
  return {
    directory,
    configFile,
    port,
    lambdaPort,
    simulator,
    start: (options = {}) =>
      startLocalStack({
        deadlineStretch: TEST_DEADLINE_STRETCH,
        logger: new Logger({ serviceName: 'local-test', logLevel: 'SILENT' }),
        ...options,
        port,
        lambdaPort,
        configFile,
        wecomApiBase: simulator.baseUrl,
      }),
    close: async () => {
      await simulator.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
};
