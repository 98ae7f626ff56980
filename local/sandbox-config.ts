import { randomBytes } from 'node:crypto';
import type { ServiceConfig } from '../functions/core/config/service-config.ts';
import type { WeComSimulatorOptions } from './wecom-simulator/wecom-simulator.ts';

const encodingAesKey = () =>
  randomBytes(32).toString('base64').replace(/=+$/, '').replaceAll('+', 'A').replaceAll('/', 'B');
const secret = () => randomBytes(16).toString('hex');

/**
 * The sandbox's configuration: a demo third-party suite and a demo 代开发 template, with secrets
 * made fresh at every start and shared only with the built-in WeCom simulator.
 */
export const createSandboxConfig = (): ServiceConfig => ({
  // The system-event URL's Token and key too, so the sandbox can push licence and registration events.
  provider: {
    corpId: 'wwsandboxprovider',
    providerSecret: secret(),
    token: secret(),
    encodingAesKey: encodingAesKey(),
  },
  suites: [
    {
      suiteId: 'wwsandboxsuite0001',
      suiteSecret: secret(),
      token: secret(),
      encodingAesKey: encodingAesKey(),
    },
    {
      suiteId: 'dksandboxtemplate1',
      suiteSecret: secret(),
      token: secret(),
      encodingAesKey: encodingAesKey(),
    },
  ],
});

/** The provider's secrets the simulator shares with the service: the provider token's and the system-event URL's. */
export const providerSecretsOf = (
  config: ServiceConfig,
): Pick<WeComSimulatorOptions, 'providerSecret' | 'providerCallback'> => {
  const { providerSecret, token, encodingAesKey } = config.provider;
  return {
    ...(providerSecret === undefined ? {} : { providerSecret }),
    ...(token === undefined || encodingAesKey === undefined
      ? {}
      : { providerCallback: { token, encodingAesKey } }),
  };
};
