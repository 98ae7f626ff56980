import { ConfigurationError } from '../../core/errors.ts';
import { type ConfigDocumentFetcher, configFileFetcher, configSecretFetcher } from './registry-source.ts';

/** The environment every function reads (design.md §4), validated once at start-up. */
export interface ServiceEnvironment {
  readonly tableName: string;
  readonly configDocument: ConfigDocumentFetcher;
  /** Where the configuration comes from, for start-up logs. */
  readonly configOrigin: string;
  readonly wecomApiBase: string;
  readonly maxSkewSeconds: number;
}

const DEFAULT_WECOM_API_BASE = 'https://qyapi.weixin.qq.com';
const DEFAULT_MAX_SKEW_SECONDS = 300;

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
  if ((secretId === undefined || secretId === '') && (file === undefined || file === '')) {
    throw new ConfigurationError('set WECOM_CONFIG_SECRET (AWS) or WECOM_CONFIG_FILE (local)');
  }
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
  const wecomApiBase =
    env.WECOM_API_BASE === undefined || env.WECOM_API_BASE === ''
      ? DEFAULT_WECOM_API_BASE
      : env.WECOM_API_BASE;
  if (!/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(wecomApiBase)) {
    throw new ConfigurationError('WECOM_API_BASE must be an http(s) URL');
  }
  const fromSecret = secretId !== undefined && secretId !== '';
  return {
    tableName,
    configDocument: fromSecret ? configSecretFetcher(secretId) : configFileFetcher(file ?? ''),
    configOrigin: fromSecret ? `secret ${secretId}` : `file ${file}`,
    wecomApiBase: wecomApiBase.replace(/\/+$/, ''),
    maxSkewSeconds,
  };
};

/** The real clock. */
export const systemClock = { nowMs: () => Date.now() };
