import { ConfigurationError } from '../../core/errors.ts';

/** The configuration document's home: a Secrets Manager secret in AWS, a file locally. */
export type ConfigLocation =
  | { readonly kind: 'secret'; readonly secretId: string }
  | { readonly kind: 'file'; readonly path: string };

/** The environment every function reads (README, Configuration), validated once at start-up. */
export interface ServiceEnvironment {
  readonly tableName: string;
  /** Where the configuration document is; absent when neither WECOM_CONFIG_SECRET nor WECOM_CONFIG_FILE is set. */
  readonly config?: ConfigLocation;
  readonly wecomApiBase: string;
  /** WeCom's browser pages (the install page); WECOM_OPEN_BASE, for the sandbox's simulator. */
  readonly wecomOpenBase: string;
  readonly maxSkewSeconds: number;
  /**
   * WECOM_SYSTEM_EVENTS: `required` when the stage wants the provider's system-event URL, so that a
   * configuration without provider.token and provider.encodingAesKey is an error naming them (and
   * `npm start` refuses to start); `optional` (the default) answers 404 there until they are set.
   */
  readonly systemEvents: 'optional' | 'required';
  /** The EventBridge bus the callback, auth-exchange and corp-token publish to (EVENT_BUS_NAME). */
  readonly eventBusName?: string;
  /** The stage the function belongs to (STAGE, set by the stack): the `stage` dimension of its metrics. */
  readonly stage?: string;
}

const DEFAULT_WECOM_API_BASE = 'https://qyapi.weixin.qq.com';
const DEFAULT_WECOM_OPEN_BASE = 'https://open.work.weixin.qq.com';
const HTTP_URL = /^https?:\/\/[^\s/]+(\/[^\s]*)?$/;
const DEFAULT_MAX_SKEW_SECONDS = 300;
// A stack prefix (CloudFormation stack names: a letter, then letters, digits and hyphens).
const STAGE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * Reads and validates the environment.
 *
 * @throws ConfigurationError naming the missing or malformed variable.
 */
export const readServiceEnvironment = (env: NodeJS.ProcessEnv = process.env): ServiceEnvironment => {
  const tableName = env.TABLE_NAME;
  if (tableName === undefined || tableName === '') {
    throw new ConfigurationError('TABLE_NAME is not set');
  }
  const secretId = env.WECOM_CONFIG_SECRET;
  const file = env.WECOM_CONFIG_FILE;
  const skew = env.WECOM_MAX_SKEW_SECONDS;
  let maxSkewSeconds = DEFAULT_MAX_SKEW_SECONDS;
  if (skew !== undefined && skew !== '') {
    if (!/^\d{1,7}$/.test(skew)) {
      throw new ConfigurationError(
        'WECOM_MAX_SKEW_SECONDS must be a whole number of seconds (0 turns it off)',
      );
    }
    maxSkewSeconds = Number(skew);
  }
  const wecomApiBase = urlVariable(env, 'WECOM_API_BASE', DEFAULT_WECOM_API_BASE);
  const wecomOpenBase = urlVariable(env, 'WECOM_OPEN_BASE', DEFAULT_WECOM_OPEN_BASE);
  const systemEvents =
    env.WECOM_SYSTEM_EVENTS === undefined || env.WECOM_SYSTEM_EVENTS === ''
      ? 'optional'
      : env.WECOM_SYSTEM_EVENTS;
  if (systemEvents !== 'optional' && systemEvents !== 'required') {
    throw new ConfigurationError('WECOM_SYSTEM_EVENTS must be required or optional');
  }
  const stage = env.STAGE === undefined || env.STAGE === '' ? undefined : env.STAGE;
  if (stage !== undefined && !STAGE_NAME.test(stage)) {
    throw new ConfigurationError('STAGE must be a stack prefix (a letter, then letters, digits and hyphens)');
  }
  let config: ConfigLocation | undefined;
  if (secretId !== undefined && secretId !== '') {
    config = { kind: 'secret', secretId };
  } else if (file !== undefined && file !== '') {
    config = { kind: 'file', path: file };
  }
  return {
    tableName,
    ...(config === undefined ? {} : { config }),
    ...(env.EVENT_BUS_NAME === undefined || env.EVENT_BUS_NAME === ''
      ? {}
      : { eventBusName: env.EVENT_BUS_NAME }),
    wecomApiBase,
    wecomOpenBase,
    maxSkewSeconds,
    systemEvents,
    ...(stage === undefined ? {} : { stage }),
  };
};

const urlVariable = (env: NodeJS.ProcessEnv, name: string, fallback: string): string => {
  const value = env[name] === undefined || env[name] === '' ? fallback : String(env[name]);
  if (!HTTP_URL.test(value)) {
    throw new ConfigurationError(`${name} must be an http(s) URL`);
  }
  return value.replace(/\/+$/, '');
};

/** The real clock. */
export const systemClock = { nowMs: () => Date.now() };
