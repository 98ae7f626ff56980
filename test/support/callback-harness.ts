import type { HttpHandler } from '../../functions/adapters/http/http-handler.ts';
import type { ServiceConfig } from '../../functions/core/config/service-config.ts';
import { SuiteRegistry } from '../../functions/core/config/suite-registry.ts';
import { createCallbackHandler } from '../../functions/wecom-callback/callback-handler.ts';
import { createCallbackDeps } from '../../functions/wiring/callback-deps.ts';
import { FixedClock } from './fixed-clock.ts';
import { createTestRuntime } from './test-runtime.ts';
import type { SuiteSecrets } from './wecom-pushes.ts';

export const PROVIDER_CORP_ID = 'wwprovidercorp0001';

/** A third-party suite; its key and token are the self-generated fixture S2's (test/fixtures/test-vectors.json). */
export const THIRD_PARTY_SUITE = {
  suiteId: 'wwtestsuite0000001',
  token: 'TestToken123',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  suiteSecret: 'third-party-suite-secret-value',
} as const satisfies SuiteSecrets & { suiteSecret: string };

/** A 代开发 template. */
export const CUSTOMIZED_TEMPLATE = {
  suiteId: 'dktemplate00000001',
  token: 'TemplateToken987',
  encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
  suiteSecret: 'customized-template-secret-value',
} as const satisfies SuiteSecrets & { suiteSecret: string };

/** The provider's system-event URL: its Token and EncodingAESKey, with the provider corp id as receiveId. */
export const PROVIDER_SYSTEM_URL = {
  suiteId: PROVIDER_CORP_ID,
  token: 'ProviderSystemToken42',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
} as const satisfies SuiteSecrets;

export const TEST_CONFIG: ServiceConfig = {
  provider: {
    corpId: PROVIDER_CORP_ID,
    providerSecret: 'provider-secret-value',
    token: PROVIDER_SYSTEM_URL.token,
    encodingAesKey: PROVIDER_SYSTEM_URL.encodingAesKey,
  },
  suites: [THIRD_PARTY_SUITE, CUSTOMIZED_TEMPLATE],
  verifyFiles: { 'WW_verify_Test0001.txt': 'Test0001' },
};

/** 2026-11-22T08:00:00Z in Unix seconds: the fixed "now" of callback tests. */
export const NOW_SECONDS = 1_795_334_400;

export interface CallbackHarness {
  readonly handler: HttpHandler;
  readonly clock: FixedClock;
  readonly runtime: ReturnType<typeof createTestRuntime>;
}

/**
 * The real callback handler, wired by createCallbackDeps as in Lambda, over the table at
 * `dynamoDbEndpoint`, with a fixed clock and the test configuration.
 */
export const createCallbackHarness = (
  dynamoDbEndpoint: string,
  tableName: string,
  options: {
    readonly maxSkewSeconds?: number;
    readonly config?: ServiceConfig;
    /** Tests that read the log lines turn them on. @default 'SILENT' */
    readonly logLevel?: 'INFO' | 'SILENT';
    /** Print real EMF metric lines. @default false (recorded in `runtime.metricsLog`) */
    readonly emitMetrics?: boolean;
    /** Publish through the real EventBridge client to a loopback fake. @default recorded in `runtime.eventsLog` */
    readonly eventBridge?: { readonly endpoint: string; readonly busName: string };
    /** @default TEST_DEADLINE_STRETCH; 1 as deployed */
    readonly deadlineStretch?: number;
    /** WECOM_SYSTEM_EVENTS. @default 'optional' */
    readonly systemEvents?: 'optional' | 'required';
  } = {},
): CallbackHarness => {
  const clock = new FixedClock(NOW_SECONDS * 1000);
  const registry = new SuiteRegistry(options.config ?? TEST_CONFIG);
  const runtime = createTestRuntime({
    dynamoDbEndpoint,
    tableName,
    registry: { current: async () => registry },
    clock,
    maxSkewSeconds: options.maxSkewSeconds ?? 300,
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    ...(options.emitMetrics === undefined ? {} : { emitMetrics: options.emitMetrics }),
    ...(options.eventBridge === undefined ? {} : { eventBridge: options.eventBridge }),
    ...(options.deadlineStretch === undefined ? {} : { deadlineStretch: options.deadlineStretch }),
    ...(options.systemEvents === undefined ? {} : { systemEvents: options.systemEvents }),
  });
  return { handler: createCallbackHandler(createCallbackDeps(runtime)), clock, runtime };
};
