import { pathToFileURL } from 'node:url';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tableKeys } from '../../functions/adapters/dynamodb/table-keys.ts';
import { localCreateTableInput } from '../../functions/adapters/dynamodb/table-schema.ts';
import { METRICS_NAMESPACE } from '../../functions/adapters/metric-names.ts';
import type { ServiceName } from '../../functions/wiring/service-runtime.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local.ts';
import { StreamPoller } from '../../local/stream-poller.ts';
import { SANDBOX_CORP_COOKIE, WeComSimulator } from '../../local/wecom-simulator/wecom-simulator.ts';
import { browserGetEvent, callbackEvent, signedPushEvent } from '../support/api-events.ts';
import { SIMULATED_REGION } from '../support/aws-call-recorder.ts';
import { synthesizedBundles } from '../support/bundles.ts';
import { CUSTOMIZED_TEMPLATE, TEST_CONFIG, THIRD_PARTY_SUITE } from '../support/callback-harness.ts';
import { localDocumentClient } from '../support/dynamodb.ts';
import { type FakeEventBridge, startFakeEventBridge } from '../support/fake-eventbridge.ts';
import { type FakeSecretsManager, startFakeSecretsManager } from '../support/fake-secrets-manager.ts';
import { synthesizeApp } from '../support/infra.ts';
import { captureLogs, type LogCapture } from '../support/log-capture.ts';
import { FUNCTION_IDS } from '../support/service-functions.ts';
import { type TemplateJson, TemplateResolver } from '../support/template-resolver.ts';
import { eventually } from '../support/token-harness.ts';
import { signPush, suiteEventXml } from '../support/wecom-pushes.ts';

/**
 * The composition test: each function's bundle, as `cdk synth` writes it for upload (esbuild, the
 * file Lambda runs), is imported with the environment the synthesized stack gives its function, the table (named as the stack names it)
 * on DynamoDB Local, the configuration secret on a loopback Secrets Manager and WeCom on the fake.
 * A full flow runs through them, and the EMF metrics they print are checked against what the
 * synthesized alarms and dashboard watch.
 */

type Handler = (event: unknown, context?: Context) => Promise<unknown>;
/** A metric CloudWatch would have to receive for an alarm or dashboard widget to see anything. */
interface WatchedMetric {
  readonly watcher: string;
  readonly metricName: string;
  /** Dimension name → value, or `*` where a dashboard SEARCH takes any value. */
  readonly dimensions: Readonly<Record<string, string>>;
}

const suiteId = THIRD_PARTY_SUITE.suiteId;
const corpId = 'wwentrypointcorp';
const savedEnv = { ...process.env };
let service: TemplateJson;
let functionEnvironments: Record<ServiceName, Record<string, string>>;
let watched: WatchedMetric[];
let simulator: WeComSimulator;
let secretsManager: FakeSecretsManager;
let eventBridge: FakeEventBridge;
let tableName: string;
let logs: LogCapture;
const handlers = {} as Record<ServiceName, Handler>;

beforeAll(async () => {
  // One per-suite ticket alarm too, so its dimensions are checked.
  const synthesized = synthesizeApp({ suiteIds: [suiteId] });
  const data = synthesized.data.toJSON() as TemplateJson;
  service = synthesized.service.toJSON() as TemplateJson;
  const resolver = new TemplateResolver([data, service], SIMULATED_REGION);
  functionEnvironments = Object.fromEntries(
    Object.entries(FUNCTION_IDS).map(([name, prefix]) => {
      const [, fn] =
        Object.entries(service.Resources).find(
          ([logicalId, resource]) =>
            resource.Type === 'AWS::Lambda::Function' && logicalId.startsWith(prefix),
        ) ?? [];
      const variables = (fn?.Properties?.Environment as { Variables?: unknown } | undefined)?.Variables;
      return [name, resolver.resolve(variables, service) as Record<string, string>];
    }),
  ) as Record<ServiceName, Record<string, string>>;
  watched = watchedMetrics(service, resolver);

  // The table and the secret exist under the names the stack gives them.
  tableName = functionEnvironments['suite-token'].TABLE_NAME ?? '';
  const admin = localDocumentClient();
  await admin.send(new CreateTableCommand(localCreateTableInput(tableName)));
  admin.destroy();
  secretsManager = await startFakeSecretsManager();
  eventBridge = await startFakeEventBridge();
  secretsManager.setSecret(
    functionEnvironments['suite-token'].WECOM_CONFIG_SECRET ?? '',
    JSON.stringify(TEST_CONFIG),
  );
  simulator = await new WeComSimulator({
    suites: TEST_CONFIG.suites,
    providerCorpId: TEST_CONFIG.provider.corpId,
    providerSecret: TEST_CONFIG.provider.providerSecret ?? '',
  }).start();

  // What Lambda adds to the stack's variables: region and role credentials. WeCom and the AWS
  // endpoints are the only things pointed elsewhere. The SDK reads them lazily, so they stay set.
  const lambdaEnvironment = {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoDbEndpoint'),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
    WECOM_API_BASE: simulator.baseUrl,
    WECOM_OPEN_BASE: simulator.baseUrl,
  };
  const bundles = await synthesizedBundles();
  logs = captureLogs();
  for (const name of Object.keys(FUNCTION_IDS) as ServiceName[]) {
    process.env = { ...savedEnv, ...functionEnvironments[name], ...lambdaEnvironment };
    const entry = pathToFileURL(bundles.functions[name].bundle).href;
    handlers[name] = ((await import(/* @vite-ignore */ entry)) as { handler: Handler }).handler;
  }
  // The bundles are built while other tests run; on two busy cores that can take minutes.
}, 600_000);

afterAll(async () => {
  logs.stop();
  process.env = { ...savedEnv };
  await simulator.stop();
  await secretsManager.close();
  await eventBridge.close();
  const admin = localDocumentClient();
  await admin.send(new DeleteTableCommand({ TableName: tableName }));
  admin.destroy();
});

/**
 * Pushes a command event through the bundled callback. The callback runs under WeCom's deployed
 * 1000 ms deadline, which a second test run on the machine can make DynamoDB Local miss: a 503 is
 * delivered again, as WeCom does (a few times, seconds apart), and the push is idempotent.
 */
const pushCommand = async (xml: string): Promise<unknown> => {
  let answer: unknown;
  for (let delivery = 1; delivery <= 4; delivery += 1) {
    const signed = signPush(THIRD_PARTY_SUITE, xml, {
      receiveId: suiteId,
      timestamp: Math.floor(Date.now() / 1000),
    });
    answer = await handlers['wecom-callback'](signedPushEvent(suiteId, signed));
    if ((answer as { statusCode?: number }).statusCode !== 503) {
      return answer;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000 * delivery));
  }
  return answer;
};

describe('the Lambda entry points, as CDK bundles them', () => {
  it('run a whole flow: ticket push, suite token, install, exchange, corp token', async () => {
    const { suiteTicket, timeStamp } = simulator.issueSuiteTicket(suiteId);
    expect(await pushCommand(suiteEventXml.suiteTicket(suiteId, suiteTicket, timeStamp))).toMatchObject({
      statusCode: 200,
      body: 'success',
    });

    // WeCom refuses once (60020: the egress IP is not allow-listed); the typed error reaches the
    // caller, and the next call mints.
    simulator.injectFaults('service/get_suite_token', { kind: 'errcode', errcode: 60020 });
    await expect(handlers['suite-token']({ suiteId })).rejects.toMatchObject({ name: 'WeComApiError' });
    const suiteToken = (await handlers['suite-token']({ suiteId })) as { accessToken: string };
    expect(simulator.isValidSuiteToken(suiteId, suiteToken.accessToken)).toBe(true);
    simulator.injectFaults('service/get_provider_token', { kind: 'errcode', errcode: 60020 });
    await expect(handlers['provider-token']({})).rejects.toMatchObject({ name: 'WeComApiError' });
    const providerToken = (await handlers['provider-token']({})) as { accessToken: string };
    expect(simulator.isValidProviderToken(providerToken.accessToken)).toBe(true);
    simulator.injectFaults('service/get_customized_auth_url', { kind: 'errcode', errcode: 60020 });
    await expect(
      handlers['customized-auth-url']({ templateIds: [CUSTOMIZED_TEMPLATE.suiteId] }),
    ).rejects.toMatchObject({ name: 'WeComApiError' });
    expect(
      await handlers['customized-auth-url']({ templateIds: [CUSTOMIZED_TEMPLATE.suiteId] }),
    ).toMatchObject({
      qrcodeUrl: expect.stringMatching(/^https:\/\//),
    });

    // The install: auth-exchange, fed by the table's stream, exchanges the code; WeCom fails its
    // first get_auth_info, which the exchange survives (the authorization is refreshed later).
    type ExchangeHandler = ConstructorParameters<typeof StreamPoller>[0]['handler'];
    const exchangeAnswers: Awaited<ReturnType<ExchangeHandler>>[] = [];
    const poller = new StreamPoller({
      endpoint: inject('dynamoDbEndpoint'),
      tableName,
      handler: async (batch) => {
        const answer = await (handlers['auth-exchange'] as ExchangeHandler)(batch);
        exchangeAnswers.push(answer);
        return answer;
      },
      pollIntervalMs: 50,
    });
    await poller.start();
    try {
      simulator.injectFaults('service/get_auth_info', { kind: 'errcode', errcode: 60020 });
      const authCode = simulator.authorizeCorp(suiteId, corpId);
      expect(
        await pushCommand(suiteEventXml.createAuth(suiteId, authCode, Math.floor(Date.now() / 1000))),
      ).toMatchObject({ statusCode: 200, body: 'success' });

      simulator.injectFaults('service/get_corp_token', { kind: 'errcode', errcode: 60020 });
      const corpToken = await eventually(async () => {
        try {
          return (await handlers['corp-token']({ suiteId, corpId })) as {
            accessToken: string;
            agentId?: number;
          };
        } catch {
          return undefined;
        }
      });
      expect(simulator.isValidCorpToken(suiteId, corpId, corpToken.accessToken)).toBe(true);
      await eventually(async () => (simulator.calls('service/get_auth_info') >= 2 ? true : undefined));

      // An install from the provider's website: the install function's two routes around WeCom's
      // page; the same exchange completes it. WeCom refuses the first pre-auth code (60020).
      const websiteCorp = `${corpId}web`;
      const host = 'credentials.provider.example';
      const begin = (ref: string) =>
        handlers.install(
          browserGetEvent('/install/{suiteId}', new URL(`https://${host}/install/${suiteId}?ref=${ref}`), {
            suiteId,
          }),
        ) as Promise<{ statusCode: number; headers: Record<string, string> }>;
      simulator.injectFaults('service/get_pre_auth_code', { kind: 'errcode', errcode: 60020 });
      expect((await begin('site1')).statusCode).toBe(502);
      const started = await begin('site1');
      expect(started.statusCode).toBe(302);
      const consent = await fetch(started.headers.location ?? '', {
        redirect: 'manual',
        headers: { cookie: `${SANDBOX_CORP_COOKIE}=${websiteCorp}` },
      });
      const back = new URL(consent.headers.get('location') ?? '');
      expect(`${back.origin}${back.pathname}`).toBe(`https://${host}/install/${suiteId}/complete`);
      expect(
        await handlers.install(browserGetEvent('/install/{suiteId}/complete', back, { suiteId })),
      ).toMatchObject({ statusCode: 200 });
      // Two other corps of the suite met 40082 a moment ago (as other containers note it on the
      // suite token's item); the website corp's first mint meets it too: a suite-token problem,
      // signalled (the SuiteTokenSuspect alarm's metric), and a passing failure the next call mends.
      // Both functions that mint third-party corp tokens meet it: jsapi-ticket first, then, with the
      // corp token it minted taken out of the table, corp-token.
      const suiteWide40082 = async () => {
        const admin = localDocumentClient();
        await admin.send(
          new UpdateCommand({
            TableName: tableName,
            Key: tableKeys.suiteToken(suiteId),
            UpdateExpression: 'SET corpRefusals = :refusals',
            ExpressionAttributeValues: {
              ':refusals': { wwentryother1: Date.now(), wwentryother2: Date.now() },
            },
          }),
        );
        await admin.send(
          new DeleteCommand({ TableName: tableName, Key: tableKeys.corpToken(suiteId, websiteCorp) }),
        );
        admin.destroy();
        simulator.injectFaults('service/get_corp_token', { kind: 'errcode', errcode: 40082 });
      };
      const signalled = (service: string) =>
        logs
          .records()
          .some(
            (record) =>
              record.service === service &&
              (record as Record<string, unknown>).SuiteTokenSuspect !== undefined,
          );
      await suiteWide40082();
      await eventually(async () => {
        try {
          return await handlers['jsapi-ticket']({ suiteId, corpId: websiteCorp, type: 'corp' });
        } catch {
          return undefined;
        }
      });
      expect(signalled('jsapi-ticket')).toBe(true);
      await suiteWide40082();
      const websiteToken = await eventually(async () => {
        try {
          return (await handlers['corp-token']({ suiteId, corpId: websiteCorp })) as { accessToken: string };
        } catch {
          return undefined;
        }
      });
      expect(signalled('corp-token')).toBe(true);
      expect(simulator.isValidCorpToken(suiteId, websiteCorp, websiteToken.accessToken)).toBe(true);
      // A made-up auth code brought back with a fresh state: one failing exchange, counted.
      const junkStart = new URL((await begin('site2')).headers.location ?? '');
      const junkBack = new URL(`https://${host}/install/${suiteId}/complete`);
      junkBack.searchParams.set('auth_code', `authcode-madeup-${'7'.repeat(64)}`);
      junkBack.searchParams.set('state', junkStart.searchParams.get('state') ?? '');
      expect(
        await handlers.install(browserGetEvent('/install/{suiteId}/complete', junkBack, { suiteId })),
      ).toMatchObject({ statusCode: 200 });
      await eventually(async () =>
        logs.lines().some((line) => line.includes('"InstallExchangeFailed"')) ? true : undefined,
      );
      // The authorization as the authorization function answers it, and a corp it never saw.
      expect(await handlers.authorization({ suiteId, corpId: websiteCorp })).toMatchObject({
        status: 'active',
        installRef: 'site1',
      });
      await expect(handlers.authorization({ suiteId, corpId: 'wwneverinstalled' })).rejects.toMatchObject({
        name: 'CorpNotAuthorizedError',
      });
      expect(
        await handlers['wecom-callback'](
          browserGetEvent('/{file}', new URL(`https://${host}/WW_verify_Test0001.txt`), {
            file: 'WW_verify_Test0001.txt',
          }),
        ),
      ).toMatchObject({ statusCode: 200, body: 'Test0001' });

      // Sign-in and the JS-SDK for the installed corp, WeCom refusing each once (60020; the OAuth
      // code is not spent by a refused call).
      const code = simulator.issueOAuthCode(suiteId, corpId, {
        userId: 'entryuser',
        scope: 'snsapi_privateinfo',
      });
      simulator.injectFaults('service/auth/getuserinfo3rd', { kind: 'errcode', errcode: 60020 });
      await expect(handlers['user-identity']({ code, suiteId })).rejects.toMatchObject({
        name: 'WeComApiError',
      });
      const identity = (await handlers['user-identity']({ code, suiteId })) as { userTicket: string };
      simulator.injectFaults('service/auth/getuserdetail3rd', { kind: 'errcode', errcode: 60020 });
      await expect(
        handlers['user-detail']({ userTicket: identity.userTicket, suiteId }),
      ).rejects.toMatchObject({ name: 'WeComApiError' });
      expect(await handlers['user-detail']({ userTicket: identity.userTicket, suiteId })).toMatchObject({
        userId: 'entryuser',
      });
      simulator.injectFaults('ticket/get', { kind: 'errcode', errcode: 60020 });
      const page = { suiteId, corpId, type: 'agent', url: 'https://app.example.com/' };
      await expect(handlers['jsapi-ticket'](page)).rejects.toMatchObject({ name: 'WeComApiError' });
      expect(await handlers['jsapi-ticket'](page)).toMatchObject({
        appId: corpId,
        signature: expect.stringMatching(/^[0-9a-f]{40}$/),
      });
      await expect(
        handlers['jsapi-ticket']({ suiteId, corpId: 'wwnobody', type: 'corp' }),
      ).rejects.toMatchObject({
        name: 'CorpNotAuthorizedError',
      });

      // Refusals: a push whose signature does not match; a corp that never installed; an exchange
      // that WeCom rate-limits past the client's own retries, which the batch answer reports as a
      // failed record, and which the stream's next delivery completes.
      const forged = signPush(THIRD_PARTY_SUITE, suiteEventXml.suiteTicket(suiteId, 'forged', timeStamp), {
        receiveId: suiteId,
        timestamp: Math.floor(Date.now() / 1000),
      });
      expect(
        await handlers['wecom-callback'](
          callbackEvent({
            method: 'POST',
            route: 'command',
            suiteId,
            rawQueryString: forged.rawQueryString.replace(
              /msg_signature=([0-9a-f])/,
              (_, first: string) => `msg_signature=${first === '0' ? '1' : '0'}`,
            ),
            body: forged.body,
          }),
        ),
      ).toMatchObject({ statusCode: 403 });
      await expect(handlers['corp-token']({ suiteId, corpId: 'wwneverinstalled' })).rejects.toMatchObject({
        name: 'CorpNotAuthorizedError',
      });
      const rateLimited = { kind: 'errcode', errcode: 45009 } as const;
      simulator.injectFaults('service/v2/get_permanent_code', rateLimited, rateLimited, rateLimited);
      const limitedCorp = `${corpId}limited`;
      const limitedCode = simulator.authorizeCorp(suiteId, limitedCorp);
      await pushCommand(suiteEventXml.createAuth(suiteId, limitedCode, Math.floor(Date.now() / 1000)));
      const limitedToken = await eventually(async () => {
        try {
          return (await handlers['corp-token']({ suiteId, corpId: limitedCorp })) as { accessToken: string };
        } catch {
          return undefined;
        }
      }, 30_000);
      expect(simulator.isValidCorpToken(suiteId, limitedCorp, limitedToken.accessToken)).toBe(true);
      expect(exchangeAnswers.some((answer) => (answer?.batchItemFailures ?? []).length > 0)).toBe(true);

      // Another install whose get_permanent_code answer is lost after WeCom spent the code: the
      // stream's retry learns it (40078) and the exchange reports the outcome unknown.
      simulator.injectFaults('service/v2/get_permanent_code', { kind: 'answer-lost' });
      const lostCode = simulator.authorizeCorp(suiteId, `${corpId}lost`);
      await pushCommand(suiteEventXml.createAuth(suiteId, lostCode, Math.floor(Date.now() / 1000)));
      await eventually(async () =>
        logs.lines().some((line) => line.includes('"ExchangeOutcomeUnknown"')) ? true : undefined,
      );
    } finally {
      await poller.stop();
    }
  });

  it('print the EMF metrics, with the names, namespace and dimensions the alarms and dashboard watch', () => {
    const emitted = logs
      .records()
      .filter((record) => typeof record._aws === 'object')
      .flatMap((record) => {
        const directives = (record._aws as { CloudWatchMetrics: EmfDirective[] }).CloudWatchMetrics;
        return directives.flatMap((directive) =>
          directive.Metrics.flatMap((metric) =>
            directive.Dimensions.map((names) => ({
              namespace: directive.Namespace,
              metricName: metric.Name,
              dimensions: Object.fromEntries(names.map((name) => [name, String(record[name])])),
            })),
          ),
        );
      });
    const seen = (metric: WatchedMetric) =>
      emitted.some(
        (line) =>
          line.namespace === METRICS_NAMESPACE &&
          line.metricName === metric.metricName &&
          Object.keys(line.dimensions).sort().join() === Object.keys(metric.dimensions).sort().join() &&
          Object.entries(metric.dimensions).every(
            ([name, value]) => value === '*' || line.dimensions[name] === value,
          ),
      );

    const unseen = watched.filter((metric) => !seen(metric));

    // Sanity: the alarms of every function and both dashboard SEARCH kinds are among those checked.
    expect(watched.map((metric) => metric.metricName)).toEqual(
      expect.arrayContaining(['SuiteTicketReceived', 'WeComError', 'WeComTokenIssued', 'RequestRefused']),
    );
    // Each alarm and graph selects this stage's metrics only (a second stage in the account emits
    // the same names and services), and the functions print the stage the stack gave them.
    const stage = functionEnvironments['wecom-callback'].STAGE;
    expect(stage).toBe('WeComCredentials');
    expect(watched.filter((metric) => metric.dimensions.stage !== stage)).toEqual([]);
    expect(unseen).toEqual([]);
    // The reverse for the one alarm that sums a chosen set of functions: a function that reports a
    // suite-wide 40082 without mintsThirdPartyCorpTokens in the catalogue would go unwatched.
    const servicesOf = (metrics: readonly { metricName: string; dimensions: Record<string, string> }[]) =>
      [
        ...new Set(
          metrics
            .filter(
              (metric) =>
                metric.metricName === 'SuiteTokenSuspect' && metric.dimensions.service !== undefined,
            )
            .map((metric) => metric.dimensions.service),
        ),
      ].sort();
    expect(servicesOf(emitted)).toEqual(servicesOf(watched));
  });
});

interface EmfDirective {
  readonly Namespace: string;
  readonly Dimensions: string[][];
  readonly Metrics: { readonly Name: string }[];
}

/**
 * Every metric the synthesized alarms and dashboard watch in our namespace: alarm metrics (plain or
 * inside metric math) with their dimensions, and the dimension sets of the dashboard's SEARCHes.
 */
const watchedMetrics = (template: TemplateJson, resolver: TemplateResolver): WatchedMetric[] => {
  const metrics: WatchedMetric[] = [];
  type MetricJson = {
    Namespace?: string;
    MetricName?: string;
    Dimensions?: { Name: string; Value: unknown }[];
  };
  const add = (watcher: string, metric: MetricJson) => {
    if (
      metric.Namespace !== METRICS_NAMESPACE ||
      metric.MetricName === undefined ||
      fromLogFilters.has(metric.MetricName)
    ) {
      return;
    }
    metrics.push({
      watcher,
      metricName: metric.MetricName,
      dimensions: Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, String(d.Value)])),
    });
  };
  // Metrics CloudWatch Logs derives from log lines (the API's access log) are not the functions' to print.
  const fromLogFilters = new Set(
    Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Logs::MetricFilter')
      .flatMap((resource) => (resource.Properties?.MetricTransformations as { MetricName: string }[]) ?? [])
      .map((transformation) => transformation.MetricName),
  );
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::CloudWatch::Alarm') {
      const properties = resolver.resolve(resource.Properties, template) as MetricJson & {
        Metrics?: { MetricStat?: { Metric: MetricJson } }[];
      };
      add(logicalId, properties);
      for (const query of properties.Metrics ?? []) {
        if (query.MetricStat !== undefined) {
          add(logicalId, query.MetricStat.Metric);
        }
      }
    }
    if (resource.Type === 'AWS::CloudWatch::Dashboard') {
      const body = String(resolver.resolve(resource.Properties?.DashboardBody, template));
      // {namespace,dimension names} MetricName="…" and any exact dimension="value" terms.
      for (const match of body.matchAll(
        /SEARCH\('\{([^}]+)\} MetricName=\\?"(\w+)\\?"((?: [\w-]+=\\?"[^"\\]*\\?")*)'/g,
      )) {
        const [namespace, ...dimensionNames] = (match[1] ?? '').split(',');
        const exact = Object.fromEntries(
          [...(match[3] ?? '').matchAll(/([\w-]+)=\\?"([^"\\]*)\\?"/g)].map((term) => [term[1], term[2]]),
        );
        if (namespace === METRICS_NAMESPACE) {
          metrics.push({
            watcher: `${logicalId} SEARCH`,
            metricName: match[2] ?? '',
            dimensions: Object.fromEntries(dimensionNames.map((name) => [name, exact[name] ?? '*'])),
          });
        }
      }
    }
  }
  return metrics;
};
