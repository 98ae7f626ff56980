import { Logger } from '@aws-lambda-powertools/logger';
import { SuiteRegistry } from '../functions/core/config/suite-registry.ts';
import type { EventPublisher } from '../functions/core/ports/event-publisher.ts';
import { createCallbackHandler } from '../functions/wecom-callback/callback-handler.ts';
import { createCallbackDeps } from '../functions/wiring/callback-deps.ts';
import { createServiceRuntime, type RuntimeSeams } from '../functions/wiring/service-runtime.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/dynamodb-local.ts';
import { signedPushEvent } from '../test/support/api-events.ts';
import { TEST_CONFIG, THIRD_PARTY_SUITE } from '../test/support/callback-harness.ts';
import { startFakeEventBridge } from '../test/support/fake-eventbridge.ts';
import { RecordingMetrics } from '../test/support/recording-metrics.ts';
import { signPush } from '../test/support/wecom-pushes.ts';
import { percentile, round, samplePairedLatencies } from './stats.ts';

export interface PublishingCost {
  readonly samples: number;
  readonly withPublishing: { readonly p50: number; readonly p99: number };
  readonly withoutPublishing: { readonly p50: number; readonly p99: number };
  /** p50 with minus p50 without, ms. */
  readonly addedP50Ms: number;
}

const SAMPLES = 600;
const WARMUP = 100;

/**
 * What publishing adds to a data callback: the same signed text message through the real callback
 * handler, once publishing through the real EventBridge client to a PutEvents stand-in on loopback
 * and once into a bus that does nothing, interleaved in one run. A data message for a corp named
 * by `corpid` touches no table, so the difference is the PutEvents round trip and the JSON form.
 */
export const benchEventPublishing = async (): Promise<PublishingCost> => {
  const eventBridge = await startFakeEventBridge();
  try {
    const registry = new SuiteRegistry(TEST_CONFIG);
    const local = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const handlerWith = (seams: RuntimeSeams) =>
      createCallbackHandler(
        createCallbackDeps(
          createServiceRuntime(
            { TABLE_NAME: 'unused-by-data-callbacks', EVENT_BUS_NAME: 'bench-bus' },
            {
              // Never called: the corp is named by corpid, so no table lookup.
              dynamoDb: { endpoint: 'http://127.0.0.1:9', ...local },
              registry: { current: async () => registry },
              logger: (service) => new Logger({ serviceName: service, logLevel: 'SILENT' }),
              metrics: new RecordingMetrics().forService,
              ...seams,
            },
          ),
        ),
      );
    const nothing: EventPublisher = { publish: async () => undefined };
    const publishing = handlerWith({ eventBridge: { endpoint: eventBridge.endpoint, ...local } });
    const silent = handlerWith({ events: () => nothing });
    const corpId = 'wxbenchcorp';
    const push = (handler: typeof publishing) => async (index: number) => {
      const xml = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[user]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好 ${index}]]></Content><MsgId>${index}</MsgId><AgentID>1000002</AgentID></xml>`;
      const signed = signPush(THIRD_PARTY_SUITE, xml, {
        receiveId: corpId,
        timestamp: Math.floor(Date.now() / 1000),
        extraQuery: `&corpid=${corpId}`,
      });
      const response = await handler(signedPushEvent(THIRD_PARTY_SUITE.suiteId, signed, 'data'));
      if (response.statusCode !== 200) {
        throw new Error(`data callback answered ${response.statusCode}`);
      }
    };
    const [withPublishing, withoutPublishing] = await samplePairedLatencies(
      push(publishing),
      push(silent),
      SAMPLES,
      WARMUP,
    );
    if (eventBridge.received.length !== SAMPLES + WARMUP) {
      throw new Error(`expected ${SAMPLES + WARMUP} events at the bus, got ${eventBridge.received.length}`);
    }
    const summary = (samples: number[]) => ({
      p50: round(percentile(samples, 50)),
      p99: round(percentile(samples, 99)),
    });
    const withStats = summary(withPublishing);
    const withoutStats = summary(withoutPublishing);
    return {
      samples: SAMPLES,
      withPublishing: withStats,
      withoutPublishing: withoutStats,
      addedP50Ms: round(withStats.p50 - withoutStats.p50),
    };
  } finally {
    await eventBridge.close();
  }
};
