import { parseEncodingAesKey } from '../crypto/aes-key.ts';
import { MessageCipher } from '../crypto/message-cipher.ts';
import { InvalidRequestError, SystemEventsNotConfiguredError, UnknownSuiteError } from '../errors.ts';
import type { ServiceConfig, SuiteConfig, SuiteKind } from './service-config.ts';
import { missingSystemEventKeys, suiteKindOf } from './service-config.ts';

/** A configured suite with its cipher built once. */
export interface RegisteredSuite extends SuiteConfig {
  readonly kind: SuiteKind;
  readonly cipher: MessageCipher;
}

/** What verifies and decrypts the pushes to one callback URL: its Token and its key's cipher. */
export interface CallbackReceiver {
  readonly token: string;
  readonly cipher: MessageCipher;
}

/** The configured suites by id, and the provider's corp id. Built once per configuration document. */
export class SuiteRegistry {
  readonly providerCorpId: string;
  /** For the provider token (service/get_provider_token); absent when not configured. */
  readonly providerSecret?: string;
  /** WeCom's trusted-domain files by name. */
  readonly verifyFiles: Readonly<Record<string, string>>;
  /** Which of provider.token and provider.encodingAesKey are missing (none: the system-event URL is configured). */
  readonly missingSystemEventKeys: readonly string[];
  readonly #suites: ReadonlyMap<string, RegisteredSuite>;
  readonly #systemEvents: CallbackReceiver | undefined;

  constructor(config: ServiceConfig) {
    this.providerCorpId = config.provider.corpId;
    this.missingSystemEventKeys = missingSystemEventKeys(config);
    const { token, encodingAesKey } = config.provider;
    this.#systemEvents =
      token === undefined || encodingAesKey === undefined
        ? undefined
        : {
            token,
            cipher: new MessageCipher(parseEncodingAesKey(encodingAesKey, 'provider.encodingAesKey')),
          };
    this.verifyFiles = config.verifyFiles ?? {};
    if (config.provider.providerSecret !== undefined) {
      this.providerSecret = config.provider.providerSecret;
    }
    this.#suites = new Map(
      config.suites.map((suite) => [
        suite.suiteId,
        {
          ...suite,
          kind: suiteKindOf(suite.suiteId),
          cipher: new MessageCipher(parseEncodingAesKey(suite.encodingAesKey)),
        },
      ]),
    );
  }

  /** The ids of every configured suite, in configuration order. */
  get suiteIds(): readonly string[] {
    return [...this.#suites.keys()];
  }

  /**
   * The named suite, or the only configured one when no id is given (docs/callers.md, The contract).
   *
   * @throws InvalidRequestError when no id is given and several suites are configured;
   *   UnknownSuiteError when the suite is not configured.
   */
  resolve(suiteId: string | undefined): RegisteredSuite {
    if (suiteId !== undefined) {
      return this.get(suiteId);
    }
    const [only, ...others] = this.#suites.values();
    if (only === undefined || others.length > 0) {
      throw new InvalidRequestError(
        'MISSING_PARAMETER',
        'suiteId is required when more than one suite is configured',
      );
    }
    return only;
  }

  /**
   * The provider's system-event URL (系统事件接收URL): its Token and cipher.
   *
   * @throws SystemEventsNotConfiguredError when provider.token and provider.encodingAesKey are not set.
   */
  systemEvents(): CallbackReceiver {
    if (this.#systemEvents === undefined) {
      throw new SystemEventsNotConfiguredError(
        `the system-event URL is not configured: ${this.missingSystemEventKeys.join(' and ')} missing`,
      );
    }
    return this.#systemEvents;
  }

  /**
   * @throws UnknownSuiteError when the suite is not configured.
   */
  get(suiteId: string): RegisteredSuite {
    const suite = this.#suites.get(suiteId);
    if (suite === undefined) {
      throw new UnknownSuiteError(`suite ${suiteId} is not configured`);
    }
    return suite;
  }
}
