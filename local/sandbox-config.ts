import { randomBytes } from 'node:crypto';
import type { ServiceConfig } from '../functions/core/config/service-config.ts';

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
