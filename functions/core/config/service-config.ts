import { parseEncodingAesKey } from '../crypto/aes-key.ts';
import { ConfigurationError } from '../errors.ts';
import { isWeComId, WECOM_ID_RULE } from '../wecom-id.ts';

/** One third-party suite (`ww…`/`wx…`) or 代开发 template (`dk…`) the provider runs. */
export interface SuiteConfig {
  readonly suiteId: string;
  /** Secret for `get_suite_token`. */
  readonly suiteSecret: string;
  /** The callback Token that signs WeCom's pushes. */
  readonly token: string;
  /** 43 characters; see `parseEncodingAesKey`. */
  readonly encodingAesKey: string;
  /**
   * Third-party suites: where `GET /install/{suiteId}/complete` sends the browser once the auth
   * code is stored (`?status=received&ref=…`). Without it the route answers a short page itself.
   */
  readonly installCompleteUrl?: string;
  /** Third-party suites: installs from the website are test authorizations (set_session_info auth_type 1). */
  readonly installTestMode?: boolean;
}

/** The configuration document (README, Configuration), the same in AWS (a secret) and locally (a file). */
export interface ServiceConfig {
  readonly provider: {
    readonly corpId: string;
    readonly providerSecret?: string;
    /**
     * The Token and EncodingAESKey of the provider's 系统事件接收URL (服务商管理后台 → 应用管理 →
     * 通用开发参数): both or neither. Without them `/callback/provider/system` answers 404.
     */
    readonly token?: string;
    readonly encodingAesKey?: string;
  };
  readonly suites: readonly SuiteConfig[];
  /** WeCom's trusted-domain files, served at `/{name}`: name (`WW_verify_….txt`) → content. */
  readonly verifyFiles?: Readonly<Record<string, string>>;
}

/** Third-party suites mint corp tokens with get_corp_token; 代开发 templates with gettoken. */
export type SuiteKind = 'third_party' | 'customized';

/** 代开发 template ids start with `dk`; everything else is a third-party suite. */
export const suiteKindOf = (suiteId: string): SuiteKind =>
  suiteId.startsWith('dk') ? 'customized' : 'third_party';

/** The names WeCom gives its trusted-domain files. */
export const VERIFY_FILE_NAME = /^WW_verify_[A-Za-z0-9]{1,64}\.txt$/;
const MAX_VERIFY_FILE_CHARS = 1024;

/**
 * Validates the configuration document. Errors name the field (`suites[1].token`), never its value.
 *
 * @throws ConfigurationError for anything missing, malformed or duplicated.
 */
export const parseServiceConfig = (document: unknown): ServiceConfig => {
  const root = requireObject(document, 'configuration');
  const provider = requireObject(root.provider, 'provider');
  const providerSecret = provider.providerSecret;
  if (providerSecret !== undefined) {
    requireString(providerSecret, 'provider.providerSecret');
  }
  const corpId = requireId(provider.corpId, 'provider.corpId');
  if (!Array.isArray(root.suites) || root.suites.length === 0) {
    throw new ConfigurationError('suites must be a non-empty array');
  }
  const seen = new Set<string>();
  const suites = root.suites.map((entry: unknown, index: number): SuiteConfig => {
    const at = `suites[${index}]`;
    const suite = requireObject(entry, at);
    const suiteId = requireId(suite.suiteId, `${at}.suiteId`);
    if (seen.has(suiteId)) {
      throw new ConfigurationError(`${at}.suiteId repeats an earlier suite`);
    }
    seen.add(suiteId);
    const encodingAesKey = requireString(suite.encodingAesKey, `${at}.encodingAesKey`);
    parseEncodingAesKey(encodingAesKey, `${at}.encodingAesKey`);
    return {
      suiteId,
      suiteSecret: requireString(suite.suiteSecret, `${at}.suiteSecret`),
      token: requireString(suite.token, `${at}.token`),
      encodingAesKey,
      ...installSettingsOf(suite, suiteId, at),
    };
  });
  return {
    provider: {
      corpId,
      ...(typeof providerSecret === 'string' ? { providerSecret } : {}),
      ...systemEventKeysOf(provider),
    },
    suites,
    verifyFiles: verifyFilesOf(root.verifyFiles),
  };
};

/** The system-event URL's keys the configuration lacks, by their names in the document (none when set). */
export const missingSystemEventKeys = (config: ServiceConfig): string[] => [
  ...(config.provider.token === undefined ? ['provider.token'] : []),
  ...(config.provider.encodingAesKey === undefined ? ['provider.encodingAesKey'] : []),
];

// Both or neither: one alone is a half-done set-up that would only show as 404s to WeCom.
const systemEventKeysOf = (
  provider: Record<string, unknown>,
): Pick<ServiceConfig['provider'], 'token' | 'encodingAesKey'> => {
  const { token, encodingAesKey } = provider;
  if (token === undefined && encodingAesKey === undefined) {
    return {};
  }
  if (token === undefined || encodingAesKey === undefined) {
    const missing = token === undefined ? 'provider.token' : 'provider.encodingAesKey';
    throw new ConfigurationError(
      `${missing} is missing: provider.token and provider.encodingAesKey configure the system-event URL together`,
    );
  }
  const key = requireString(encodingAesKey, 'provider.encodingAesKey');
  parseEncodingAesKey(key, 'provider.encodingAesKey');
  return { token: requireString(token, 'provider.token'), encodingAesKey: key };
};

const installSettingsOf = (
  suite: Record<string, unknown>,
  suiteId: string,
  at: string,
): Pick<SuiteConfig, 'installCompleteUrl' | 'installTestMode'> => {
  const { installCompleteUrl, installTestMode } = suite;
  if (installCompleteUrl === undefined && installTestMode === undefined) {
    return {};
  }
  if (suiteKindOf(suiteId) === 'customized') {
    throw new ConfigurationError(
      `${at}: 代开发 templates are not installed from a link; leave out installCompleteUrl and installTestMode (corps authorize them with customized-auth-url)`,
    );
  }
  if (installTestMode !== undefined && typeof installTestMode !== 'boolean') {
    throw new ConfigurationError(`${at}.installTestMode must be true or false`);
  }
  return {
    ...(installCompleteUrl === undefined
      ? {}
      : { installCompleteUrl: requireHttpsUrl(installCompleteUrl, `${at}.installCompleteUrl`) }),
    ...(installTestMode === undefined ? {} : { installTestMode }),
  };
};

const requireHttpsUrl = (value: unknown, name: string): string => {
  const text = requireString(value, name);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigurationError(`${name} must be an absolute https URL`);
  }
  if (url.protocol !== 'https:' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigurationError(`${name} must be an https URL without credentials or #fragment`);
  }
  return url.toString();
};

const verifyFilesOf = (value: unknown): Readonly<Record<string, string>> => {
  if (value === undefined) {
    return {};
  }
  const files = requireObject(value, 'verifyFiles');
  for (const [name, content] of Object.entries(files)) {
    if (!VERIFY_FILE_NAME.test(name)) {
      throw new ConfigurationError('verifyFiles keys must be WeCom file names like WW_verify_AbC123.txt');
    }
    if (typeof content !== 'string' || content.trim() === '' || content.length > MAX_VERIFY_FILE_CHARS) {
      throw new ConfigurationError(
        `verifyFiles["${name}"] must be the file's content, 1-${MAX_VERIFY_FILE_CHARS} characters`,
      );
    }
  }
  return files as Record<string, string>;
};

const requireObject = (value: unknown, name: string): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigurationError(`${name} must be an object`);
  }
  return value as Record<string, unknown>;
};

const requireString = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigurationError(`${name} must be a non-empty string`);
  }
  return value;
};

const requireId = (value: unknown, name: string): string => {
  const id = requireString(value, name);
  if (!isWeComId(id)) {
    throw new ConfigurationError(`${name} must be ${WECOM_ID_RULE}`);
  }
  return id;
};
