/**
 * `npm start`: the whole service on this machine. Environment:
 * PORT (default 3000: the callback routes, the only port that may be tunnelled for WeCom),
 * LAMBDA_PORT (default 3001: the Lambda Invoke API and the sandbox; never expose it),
 * LOCAL_DB_PATH (keep data; default in memory), WECOM_CONFIG_FILE (your configuration; without it,
 * the sandbox), WECOM_API_BASE, WECOM_MAX_SKEW_SECONDS, SANDBOX_TICKET_INTERVAL_SECONDS (default 600).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { functionsOfKind } from '../functions/catalog.ts';
import { ConfigurationError } from '../functions/core/errors.ts';
import { DynamoDbLocalStartError } from './dynamodb-local.ts';
import { watchLifeline } from './lifeline.ts';
import { type LocalStack, LocalStartError, startLocalStack } from './local-stack.ts';
import { readStartSettings } from './start-settings.ts';

const env = process.env;

const main = async (): Promise<void> => {
  const settings = readStartSettings(env);
  if (process.stdout.isTTY && env.POWERTOOLS_DEV === undefined) {
    // Pretty, indented logs for a person at a terminal; JSON lines otherwise.
    env.POWERTOOLS_DEV = 'true';
  }
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const startedAt = Date.now();
  let stack: LocalStack | undefined;
  let stopping = false;
  const shutdown = async (exitCode: number, reason?: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    if (reason !== undefined) {
      process.stderr.write(`\n${reason}\n`);
    }
    await stack?.stop();
    process.exit(exitCode);
  };
  // Every way a person, a supervisor or a closing terminal stops the process stops everything.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void shutdown(0));
  }
  // The process that started us (npm, a shell, a supervisor) gone means nobody can stop us any
  // more: stop now. Under npm that is npm itself, not the `sh -c` between us (see lifeline.ts).
  await watchLifeline(() => void shutdown(0, 'The process that started npm start has exited: stopping.'));

  stack = await startLocalStack({
    ...settings,
    logger: new Logger({ serviceName: 'wecom-local' }),
    onDatabaseExit: (reason) =>
      void shutdown(
        1,
        `DynamoDB Local exited unexpectedly (${reason}); the local stack cannot run without it and has stopped. Start it again with npm start.`,
      ),
  });
  const [firstSuite = '', secondSuite] = stack.suiteIds;
  const lines = [
    '',
    `WeCom credential service is ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s)${stack.sandbox ? ' — SANDBOX: a built-in WeCom simulator stands in for WeCom' : ''}`,
    '',
    `  Callback URLs     ${stack.url}/callback/{suiteId}/command   and   …/data`,
    `  System events     ${stack.url}/callback/provider/system   (${stack.systemEventsConfigured ? 'configured' : '404 until provider.token and provider.encodingAesKey are set'})`,
    `  Install link      ${settings.publicUrl ?? stack.url}/install/{suiteId}?ref=…   (third-party suites; and …/WW_verify_….txt)`,
    `                    (PORT ${stack.port}: the only port you may tunnel so WeCom reaches your laptop)`,
    `  Lambda Invoke API ${stack.lambdaUrl}  (functions: ${functionsOfKind('invoked')
      .map(([name]) => name)
      .join(', ')})`,
    `                    (LAMBDA_PORT ${stack.lambdaPort}: tokens and the sandbox; never expose it)`,
    `  DynamoDB Local    ${stack.dynamoDbEndpoint}  table ${stack.tableName}${settings.dbPath === undefined ? ' (in memory)' : ` (data in ${settings.dbPath}, yours only)`}, private to this run's credentials`,
    stack.dynamoDbLoopbackOnly
      ? '                    (listens on 127.0.0.1 only)'
      : '                    (WARNING: listens on EVERY interface, as this Java cannot run local/java/LoopbackDynamoDbLocal.java: see docs/local.md)',
    `  WeCom API         ${stack.wecomApiBase}`,
    `  Provider corp     ${stack.providerCorpId}`,
    `  Suites            ${stack.suiteIds.join(', ')}`,
    '',
    'Get a suite token:',
    `  curl -s -X POST ${stack.lambdaUrl}/2015-03-31/functions/suite-token/invocations -d '{"suiteId":"${firstSuite}"}'`,
  ];
  if (stack.sandbox) {
    lines.push(
      '',
      'Simulate a company installing the app, then get its corp token:',
      `  curl -s -X POST '${stack.lambdaUrl}/sandbox/install?suiteId=${firstSuite}&corpId=wwdemocorp'`,
      `  curl -s -X POST ${stack.lambdaUrl}/2015-03-31/functions/corp-token/invocations -d '{"suiteId":"${firstSuite}","corpId":"wwdemocorp"}'`,
      `  (as a visitor of your website would: add &via=website&ref=order42 to the install)`,
      '',
      'Sign a user in (the code WeCom appends to your OAuth redirect), and sign a page for the JS-SDK:',
      `  curl -s -X POST '${stack.lambdaUrl}/sandbox/oauth-code?suiteId=${firstSuite}&corpId=wwdemocorp&userId=zhangsan&scope=snsapi_privateinfo'`,
      `  curl -s -X POST ${stack.lambdaUrl}/2015-03-31/functions/user-identity/invocations -d '{"suiteId":"${firstSuite}","code":"<code>"}'`,
      `  curl -s -X POST ${stack.lambdaUrl}/2015-03-31/functions/jsapi-ticket/invocations -d '{"suiteId":"${firstSuite}","corpId":"wwdemocorp","type":"agent","url":"https://app.example.com/page"}'`,
      `  (the 代开发 template ${secondSuite ?? ''} works the same way; also /sandbox/verify-urls, /sandbox/ticket, /sandbox/reset-secret, /sandbox/uninstall, /sandbox/change-auth, /sandbox/message, /sandbox/ip-allow-list)`,
      '',
      'Push a licence or registration event to the system-event URL, or a paid-app event to a suite (watch them on GET /events):',
      `  curl -s -X POST '${stack.lambdaUrl}/sandbox/system-event?infoType=license_pay_success&corpId=wwdemocorp'`,
      `  curl -s -X POST '${stack.lambdaUrl}/sandbox/paid-app-event?suiteId=${firstSuite}&infoType=open_order&corpId=wwdemocorp'`,
      `  curl -s -X POST '${stack.lambdaUrl}/sandbox/change-edition?suiteId=${firstSuite}&corpId=wwdemocorp&userLimit=500'`,
    );
  }
  lines.push('', 'Ctrl-C stops everything, DynamoDB Local included.', '');
  process.stdout.write(`${lines.join('\n')}\n`);
};

main().catch((error: unknown) => {
  const known =
    error instanceof LocalStartError ||
    error instanceof DynamoDbLocalStartError ||
    error instanceof ConfigurationError;
  process.stderr.write(`\nCould not start: ${known ? (error as Error).message : (error as Error).stack}\n`);
  process.exit(1);
});
