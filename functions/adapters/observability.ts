import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The service's structured JSON logger. Level from `POWERTOOLS_LOG_LEVEL` (default INFO); set
 * `POWERTOOLS_DEV=true` for indented output in a terminal.
 */
export const createLogger = (serviceName: string): Logger => new Logger({ serviceName });

export type { Logger };
