import { Agent, request } from 'node:http';
import { Logger } from '@aws-lambda-powertools/logger';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../functions/adapters/dynamodb/document-client.ts';
import { DynamoSuiteTicketStore } from '../functions/adapters/dynamodb/suite-ticket-store.ts';
import { tableKeys } from '../functions/adapters/dynamodb/table-keys.ts';
import { LOCAL_REGION } from '../local/dynamodb-local.ts';
import { CUSTOMIZED_TEMPLATE, THIRD_PARTY_SUITE } from '../test/support/callback-harness.ts';
import { prepareConfiguredStack } from '../test/support/configured-stack.ts';
import { signPush, suiteEventXml } from '../test/support/wecom-pushes.ts';
import { runTokenWorkers } from '../test/support/worker-processes.ts';
import { percentile, round, samplePairedLatencies } from './stats.ts';

export interface LatencyComparison {
  readonly name: string;
  readonly ours: { readonly p50: number; readonly p99: number };
  readonly baseline: { readonly name: string; readonly p50: number; readonly p99: number };
  readonly ratioP50: number;
  readonly target: string;
  readonly met: boolean;
  readonly note?: string;
}

export interface MintEconomy {
  readonly requests: number;
  readonly processes: number;
  readonly oursUpstreamMints: number;
  readonly naiveUpstreamMints: number;
  readonly oursErrors: number;
  readonly target: string;
  readonly met: boolean;
}

export interface AuthLatency {
  readonly installs: number;
  readonly p50Ms: number;
  readonly maxMs: number;
  readonly target: string;
  readonly met: boolean;
}

export interface LocalStackResults {
  readonly callbackCost: LatencyComparison;
  readonly tokenCacheHit: LatencyComparison;
  readonly providerTokenHit: LatencyComparison;
  readonly installStart: LatencyComparison;
  readonly jsapiSignature: LatencyComparison;
  readonly mintEconomy: MintEconomy;
  readonly authLatency: AuthLatency;
}

const suiteId = THIRD_PARTY_SUITE.suiteId;
const SAMPLES = 600;
const WARMUP = 200;

/** Runs `action` with the service's JSON log lines serialised but not printed (as a log shipper would). */
const quietly = async <T>(action: () => Promise<T>): Promise<T> => {
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, index) => {
    const write = writes[index] as typeof stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      typeof chunk === 'string' && chunk.startsWith('{')
        ? true
        : write(chunk as string, ...(rest as []))) as typeof stream.write;
  });
  try {
    return await action();
  } finally {
    streams.forEach((stream, index) => {
      stream.write = writes[index] as typeof stream.write;
    });
  }
};

/**
 * Benchmarks 2, 3, 4 and 6 against `npm start`'s stack in this process, configured with the test
 * suites and a WeCom simulator on loopback.
 */
export const benchLocalStack = async (): Promise<LocalStackResults> => {
  const setup = await prepareConfiguredStack();
  const { port, lambdaPort, simulator } = setup;
  const stack = await setup.start({ logger: new Logger({ serviceName: 'bench' }) });
  const client = createDocumentClient({
    endpoint: stack.dynamoDbEndpoint,
    region: LOCAL_REGION,
    credentials: stack.dynamoDbCredentials,
  });
  // A keep-alive node:http agent, like the AWS SDK's own HTTP handler, for both sides of each ratio.
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  // Callbacks go to PORT, invocations to LAMBDA_PORT, as in `npm start`.
  const post = (path: string, body: string, contentType: string, method: 'GET' | 'POST' = 'POST') =>
    new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: path.startsWith('/2015-03-31/') ? lambdaPort : port,
          path,
          method,
          agent,
          headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const invokeRaw = async (functionName: string, payload: object) => {
    const response = await post(
      `/2015-03-31/functions/${functionName}/invocations`,
      JSON.stringify(payload),
      'application/json',
    );
    if (response.headers['x-amz-function-error'] !== undefined) {
      throw new Error(`${functionName} failed: ${response.text.slice(0, 200)}`);
    }
    return JSON.parse(response.text) as Record<string, unknown>;
  };
  const invoke = async (payload: object, functionName = 'corp-token') => {
    const response = await post(
      `/2015-03-31/functions/${functionName}/invocations`,
      JSON.stringify(payload),
      'application/json',
    );
    const body = JSON.parse(response.text) as { accessToken?: string; errorType?: string };
    if (response.headers['x-amz-function-error'] !== undefined) {
      throw new Error(body.errorType);
    }
    return body;
  };
  try {
    return await quietly(async () => {
      // 2. Callback cost: a suite_ticket push end to end, against the one conditional write it makes.
      // Pushed for the 代开发 template, whose made-up tickets must not disturb the token benchmarks.
      const pushedSuite = CUSTOMIZED_TEMPLATE;
      let stamp = Math.floor(Date.now() / 1000);
      const store = new DynamoSuiteTicketStore(client, stack.tableName, { nowMs: Date.now });
      let directStamp = stamp;
      const [pushes, writes] = await samplePairedLatencies(
        async () => {
          stamp += 1;
          const signed = signPush(
            pushedSuite,
            suiteEventXml.suiteTicket(pushedSuite.suiteId, `TICKET-${stamp}`, stamp),
            { receiveId: pushedSuite.suiteId, timestamp: Math.floor(Date.now() / 1000) },
          );
          const response = await post(
            `/callback/${pushedSuite.suiteId}/command?${signed.rawQueryString}`,
            signed.body,
            'text/xml',
          );
          if (response.text !== 'success') {
            throw new Error('push refused');
          }
        },
        async () => {
          directStamp += 1;
          await store.recordTicket('wwbenchdirectwrite', {
            suiteTicket: `TICKET-${directStamp}`,
            timeStamp: directStamp,
          });
        },
        SAMPLES,
        WARMUP,
      );

      // Tickets and an installed corp for the token benchmarks.
      await simulator.pushSuiteTicket(suiteId);
      await simulator.pushInstall(suiteId, 'wwbenchcorp');
      const waitForToken = async (corpId: string): Promise<number> => {
        const started = performance.now();
        for (;;) {
          try {
            await invoke({ suiteId, corpId });
            return performance.now() - started;
          } catch {
            if (performance.now() - started > 10_000) {
              throw new Error(`no corp token for ${corpId} within 10 s`);
            }
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      };
      await waitForToken('wwbenchcorp');

      // 3. Token cache hit: a warm corp-token invocation against one bare GetItem.
      const callsBefore = simulator.calls('service/get_corp_token');
      const [hits, reads] = await samplePairedLatencies(
        () => invoke({ suiteId, corpId: 'wwbenchcorp' }),
        () =>
          client.send(
            new GetCommand({ TableName: stack.tableName, Key: tableKeys.corpToken(suiteId, 'wwbenchcorp') }),
          ),
        SAMPLES,
        WARMUP,
      );
      const upstreamDuringHits = simulator.calls('service/get_corp_token') - callsBefore;

      // 9. The provider's own functions warm: provider-token, and GET /install with its pre-auth
      // code cached (what a flood of anonymous installs costs), each against one bare GetItem.
      await invoke({}, 'provider-token');
      const providerCallsBefore = simulator.calls('service/get_provider_token');
      const [providerHits, providerReads] = await samplePairedLatencies(
        () => invoke({}, 'provider-token'),
        () => client.send(new GetCommand({ TableName: stack.tableName, Key: tableKeys.providerToken() })),
        SAMPLES,
        WARMUP,
      );
      const providerUpstream = simulator.calls('service/get_provider_token') - providerCallsBefore;
      const preAuthBefore = simulator.calls('service/get_pre_auth_code');
      const [installStarts, installReads] = await samplePairedLatencies(
        async () => {
          const response = await post(`/install/${suiteId}?ref=bench`, '', 'text/plain', 'GET');
          if (response.status !== 302) {
            throw new Error(`GET /install answered ${response.status}`);
          }
        },
        () =>
          client.send(new GetCommand({ TableName: stack.tableName, Key: tableKeys.preAuthCode(suiteId) })),
        SAMPLES,
        WARMUP,
      );
      const preAuthUpstream = simulator.calls('service/get_pre_auth_code') - preAuthBefore;

      // 10. A warm JS-SDK signature (wx.agentConfig for a page) against one bare GetItem.
      const signPage = { suiteId, corpId: 'wwbenchcorp', type: 'agent', url: 'https://app.example.com/page' };
      await invokeRaw('jsapi-ticket', signPage);
      const ticketCallsBefore = simulator.calls('ticket/get');
      const [signatures, ticketReads] = await samplePairedLatencies(
        () => invokeRaw('jsapi-ticket', signPage),
        () =>
          client.send(
            new GetCommand({
              TableName: stack.tableName,
              Key: tableKeys.jsapiTicket(suiteId, 'wwbenchcorp', 'agent'),
            }),
          ),
        SAMPLES,
        WARMUP,
      );
      const ticketUpstream = simulator.calls('ticket/get') - ticketCallsBefore;

      // 6. Auth latency: create_auth push → first successful corp-token response.
      const authLatencies: number[] = [];
      for (let install = 0; install < 10; install += 1) {
        const corpId = `wwbenchinstall${install}`;
        const started = performance.now();
        await simulator.pushInstall(suiteId, corpId);
        await waitForToken(corpId);
        authLatencies.push(performance.now() - started);
      }
      authLatencies.sort((a, b) => a - b);

      // 4. Mint economy: 500 concurrent requests, 4 processes, cold cache; ours against naive cache-aside.
      const workerEnv = {
        DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
        DYNAMODB_ACCESS_KEY_ID: stack.dynamoDbCredentials.accessKeyId,
        DYNAMODB_SECRET_ACCESS_KEY: stack.dynamoDbCredentials.secretAccessKey,
        TABLE_NAME: stack.tableName,
        WECOM_API_BASE: simulator.baseUrl,
        TOKEN_KIND: 'corp',
        SUITE_ID: suiteId,
        CORP_ID: 'wwbenchcorp',
      };
      await client.send(
        new DeleteCommand({ TableName: stack.tableName, Key: tableKeys.corpToken(suiteId, 'wwbenchcorp') }),
      );
      simulator.invalidateCorpToken(suiteId, 'wwbenchcorp');
      const oursBefore = simulator.calls('service/get_corp_token');
      const ours = await runTokenWorkers(4, 125, { ...workerEnv, STRATEGY: 'service' });
      const oursMints = simulator.calls('service/get_corp_token') - oursBefore;
      simulator.invalidateCorpToken(suiteId, 'wwbenchcorp');
      const naiveBefore = simulator.calls('service/get_corp_token');
      await runTokenWorkers(4, 125, { ...workerEnv, STRATEGY: 'naive' });
      const naiveMints = simulator.calls('service/get_corp_token') - naiveBefore;

      const compare = (
        name: string,
        oursSamples: number[],
        baselineName: string,
        baselineSamples: number[],
        note?: string,
      ): LatencyComparison => {
        const ratio = percentile(oursSamples, 50) / percentile(baselineSamples, 50);
        return {
          name,
          ours: { p50: round(percentile(oursSamples, 50)), p99: round(percentile(oursSamples, 99)) },
          baseline: {
            name: baselineName,
            p50: round(percentile(baselineSamples, 50)),
            p99: round(percentile(baselineSamples, 99)),
          },
          ratioP50: round(ratio),
          target: 'p50 ratio ≤ 1.5',
          met: ratio <= 1.5,
          ...(note === undefined ? {} : { note }),
        };
      };
      return {
        callbackCost: compare(
          'callback cost (suite_ticket push, warm)',
          pushes,
          'one DynamoDB Local conditional UpdateItem',
          writes,
        ),
        tokenCacheHit: compare(
          'token cache hit (warm corp-token via local Invoke API)',
          hits,
          'one bare GetItem',
          reads,
          `${upstreamDuringHits} upstream calls during ${SAMPLES + WARMUP} invocations`,
        ),
        providerTokenHit: compare(
          'provider-token cache hit (warm, local Invoke API)',
          providerHits,
          'one bare GetItem',
          providerReads,
          `${providerUpstream} upstream calls during ${SAMPLES + WARMUP} invocations`,
        ),
        installStart: compare(
          'GET /install (warm, pre-auth code cached)',
          installStarts,
          'one bare GetItem',
          installReads,
          `${preAuthUpstream} get_pre_auth_code calls during ${SAMPLES + WARMUP} requests`,
        ),
        jsapiSignature: compare(
          'JS-SDK signature (warm jsapi-ticket with url, local Invoke API)',
          signatures,
          'one bare GetItem',
          ticketReads,
          `${ticketUpstream} upstream ticket fetches during ${SAMPLES + WARMUP} signatures`,
        ),
        mintEconomy: {
          requests: 500,
          processes: 4,
          oursUpstreamMints: oursMints,
          naiveUpstreamMints: naiveMints,
          oursErrors: ours.filter((outcome) => !outcome.ok).length,
          target: 'exactly 1 upstream mint',
          met: oursMints === 1 && ours.every((outcome) => outcome.ok),
        },
        authLatency: {
          installs: authLatencies.length,
          p50Ms: round(percentile(authLatencies, 50), 0),
          maxMs: round(percentile(authLatencies, 100), 0),
          target: '≤ 2000 ms',
          met: percentile(authLatencies, 100) <= 2000,
        },
      };
    });
  } finally {
    client.destroy();
    agent.destroy();
    await stack.stop();
    await setup.close();
  }
};
