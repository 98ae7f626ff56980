import { readFile } from 'node:fs/promises';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { parseServiceConfig } from '../../core/config/service-config.ts';
import { SuiteRegistry } from '../../core/config/suite-registry.ts';
import { ConfigurationError, StorageUnavailableError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { SuiteRegistrySource } from '../../core/ports/suite-registry-source.ts';

/** Fetches the configuration document's text. */
export type ConfigDocumentFetcher = () => Promise<string>;

/**
 * Loads the configuration lazily on first use and keeps it for `maxAgeMs`, so a rotated secret is
 * picked up without a redeploy. The registry (and its ciphers) is rebuilt only when the text changed.
 */
export class CachedRegistrySource implements SuiteRegistrySource {
  #registry: SuiteRegistry | undefined;
  #documentText: string | undefined;
  #loadedAtMs = 0;

  constructor(
    private readonly fetchDocument: ConfigDocumentFetcher,
    private readonly clock: Clock,
    private readonly maxAgeMs = 5 * 60 * 1000,
  ) {}

  async current(): Promise<SuiteRegistry> {
    const now = this.clock.nowMs();
    if (this.#registry !== undefined && now - this.#loadedAtMs < this.maxAgeMs) {
      return this.#registry;
    }
    const text = await this.fetchDocument();
    if (this.#registry === undefined || text !== this.#documentText) {
      this.#registry = new SuiteRegistry(parseServiceConfig(parseJson(text)));
      this.#documentText = text;
    }
    this.#loadedAtMs = now;
    return this.#registry;
  }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the error, which could be a secret.
    throw new ConfigurationError('configuration is not valid JSON');
  }
};

/** Reads the document from a local file (`WECOM_CONFIG_FILE`). */
export const configFileFetcher =
  (path: string): ConfigDocumentFetcher =>
  async () => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new ConfigurationError(`configuration file ${path} cannot be read`, { cause: error });
    }
  };

/**
 * Reads the document from Secrets Manager (`WECOM_CONFIG_SECRET`) through Powertools Parameters,
 * which caches it for `maxAgeSeconds`.
 */
export const configSecretFetcher = (
  secretId: string,
  provider: SecretsProvider = new SecretsProvider(),
  maxAgeSeconds = 300,
): ConfigDocumentFetcher => {
  return async () => {
    let value: unknown;
    try {
      value = await provider.get(secretId, { maxAge: maxAgeSeconds });
    } catch (error) {
      throw new StorageUnavailableError('configuration secret cannot be read right now', { cause: error });
    }
    // The stack creates the secret holding `{}` until an operator fills it.
    if (typeof value !== 'string' || value.trim() === '' || value.trim() === '{}') {
      throw new ConfigurationError(
        `configuration secret ${secretId} is not filled yet; fill it as the README shows (Deploy, step 3)`,
      );
    }
    return value;
  };
};
