import { parseEncodingAesKey } from '../crypto/aes-key.ts';
import { ConfigurationError } from '../errors.ts';

/** One third-party suite (`ww…`/`wx…`) or 代开发 template (`dk…`) the provider runs. */
export interface SuiteConfig {
  readonly suiteId: string;
  /** Secret for `get_suite_token`. */
  readonly suiteSecret: string;
  /** The callback Token that signs WeCom's pushes. */
  readonly token: string;
  /** 43 characters; see `parseEncodingAesKey`. */
  readonly encodingAesKey: string;
}

/** The configuration document (README, Configuration), the same in AWS (a secret) and locally (a file). */
export interface ServiceConfig {
  readonly provider: {
    readonly corpId: string;
    readonly providerSecret?: string;
  };
  readonly suites: readonly SuiteConfig[];
}

/** Third-party suites mint corp tokens with get_corp_token; 代开发 templates with gettoken. */
export type SuiteKind = 'third_party' | 'customized';

/** 代开发 template ids start with `dk`; everything else is a third-party suite. */
export const suiteKindOf = (suiteId: string): SuiteKind =>
  suiteId.startsWith('dk') ? 'customized' : 'third_party';

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

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
    };
  });
  return {
    provider: { corpId, ...(typeof providerSecret === 'string' ? { providerSecret } : {}) },
    suites,
  };
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
  if (!ID_PATTERN.test(id)) {
    throw new ConfigurationError(`${name} must be 1-64 letters, digits, '-' or '_'`);
  }
  return id;
};
