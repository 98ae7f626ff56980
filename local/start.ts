/**
 * `npm start`: the whole service on this machine. Environment:
 * PORT (default 3000), LOCAL_DB_PATH (keep data; default in memory), WECOM_CONFIG_FILE (your
 * configuration; without it, the sandbox), WECOM_API_BASE, WECOM_MAX_SKEW_SECONDS,
 * SANDBOX_TICKET_INTERVAL_SECONDS (default 600).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigurationError } from '../functions/core/errors.ts';
import { DynamoDbLocalStartError } from './dynamodb-local.ts';
import { LocalStartError, startLocalStack } from './local-stack.ts';

const env = process.env;

const numberFrom = (name: string, fallback: number): number => {
  const value = env[name];
  if (value === undefined || value === '') {
    return fallback;
  }
  if (!/^\d+$/.test(value)) {
    throw new LocalStartError(`${name} must be a whole number (got "${value}").`);
  }
  return Number(value);
};

const main = async (): Promise<void> => {
  if (process.stdout.isTTY && env.POWERTOOLS_DEV === undefined) {
    // Pretty, indented logs for a person at a terminal; JSON lines otherwise.
    env.POWERTOOLS_DEV = 'true';
  }
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const startedAt = Date.now();
  const stack = await startLocalStack({
    port: numberFrom('PORT', 3000),
    maxSkewSeconds: numberFrom('WECOM_MAX_SKEW_SECONDS', 300),
    ticketIntervalSeconds: numberFrom('SANDBOX_TICKET_INTERVAL_SECONDS', 600),
    logger: new Logger({ serviceName: 'wecom-local' }),
    ...(env.LOCAL_DB_PATH ? { dbPath: env.LOCAL_DB_PATH } : {}),
    ...(env.WECOM_CONFIG_FILE ? { configFile: env.WECOM_CONFIG_FILE } : {}),
    ...(env.WECOM_API_BASE ? { wecomApiBase: env.WECOM_API_BASE } : {}),
  });
  const [firstSuite = '', secondSuite] = stack.suiteIds;
  const lines = [
    '',
    `WeCom credential service is ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s)${stack.sandbox ? ' — SANDBOX: a built-in WeCom simulator stands in for WeCom' : ''}`,
    '',
    `  Callback URLs     ${stack.url}/callback/{suiteId}/command   and   …/data`,
    `  Lambda Invoke API ${stack.url}  (functions: suite-token, corp-token)`,
    `  DynamoDB Local    ${stack.dynamoDbEndpoint}  table ${stack.tableName}${env.LOCAL_DB_PATH ? ` (data in ${env.LOCAL_DB_PATH})` : ' (in memory)'}`,
    `  WeCom API         ${stack.wecomApiBase}`,
    `  Provider corp     ${stack.providerCorpId}`,
    `  Suites            ${stack.suiteIds.join(', ')}`,
    '',
    'Get a suite token:',
    `  curl -s -X POST ${stack.url}/2015-03-31/functions/suite-token/invocations -d '{"suiteId":"${firstSuite}"}'`,
  ];
  if (stack.sandbox) {
    lines.push(
      '',
      'Simulate a company installing the app, then get its corp token:',
      `  curl -s -X POST '${stack.url}/sandbox/install?suiteId=${firstSuite}&corpId=wwdemocorp'`,
      `  curl -s -X POST ${stack.url}/2015-03-31/functions/corp-token/invocations -d '{"suiteId":"${firstSuite}","corpId":"wwdemocorp"}'`,
      `  (the 代开发 template ${secondSuite ?? ''} works the same way; also /sandbox/verify-urls, /sandbox/ticket, /sandbox/reset-secret, /sandbox/uninstall)`,
    );
  }
  lines.push('', 'Ctrl-C stops everything, DynamoDB Local included.', '');
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) {
      return;
    }
    stopping = true;
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
};

main().catch((error: unknown) => {
  const known =
    error instanceof LocalStartError ||
    error instanceof DynamoDbLocalStartError ||
    error instanceof ConfigurationError;
  process.stderr.write(`\nCould not start: ${known ? (error as Error).message : (error as Error).stack}\n`);
  process.exit(1);
});
