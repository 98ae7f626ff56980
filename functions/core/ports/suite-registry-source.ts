import type { SuiteRegistry } from '../config/suite-registry.ts';

/** The current configuration, loaded lazily and cached by the adapter behind it. */
export interface SuiteRegistrySource {
  /**
   * @throws ConfigurationError when the document is invalid; StorageUnavailableError when it
   *   cannot be fetched right now.
   */
  current(): Promise<SuiteRegistry>;
}
