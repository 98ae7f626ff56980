import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The CloudWatch namespace of every metric the service emits; alarms and the dashboard use it. */
export const METRICS_NAMESPACE = 'WeComCredentials';

/**
 * The dimension naming the stage (its stack prefix) on every metric the functions emit, so two
 * stages in one account and region never count into each other's alarms.
 */
export const STAGE_DIMENSION = 'stage';

/** The stage of functions run outside a deployed stack (`npm start`, tests): no alarm watches it. */
export const LOCAL_STAGE = 'local';

/** Metric names, shared with the CDK alarms and dashboard. */
export const METRIC = {
  suiteTicketReceived: 'SuiteTicketReceived',
  authCodeReceived: 'AuthCodeReceived',
  tokenIssued: 'WeComTokenIssued',
  wecomError: 'WeComError',
  /**
   * An invocation answered with a typed error of the contract (CorpNotAuthorizedError, …): an answer,
   * not a crash. The function-error alarms subtract it from Lambda's `Errors`, which counts both.
   */
  requestRefused: 'RequestRefused',
  /** An auth code WeCom may have spent on a lost answer: that corp must reinstall (docs/operations.md, Alarms). */
  exchangeOutcomeUnknown: 'ExchangeOutcomeUnknown',
  /**
   * An auth code brought back by the install completion route that could not be exchanged (WeCom
   * called it invalid or used, 40078, or it expired): each cost a get_permanent_code, and many are
   * junk completions spending WeCom's quota (docs/operations.md, Alarms).
   */
  installExchangeFailed: 'InstallExchangeFailed',
  /**
   * A stale-token or rejected-signature report named a value WeCom handed over within the last
   * minute, and was answered from the cache (docs/callers.md, Reporting a rejected token).
   */
  staleReportIgnored: 'StaleReportIgnored',
  /**
   * Several corps of one suite had their corp token refused with 40082 within a minute: the suite
   * token is suspect, not their authorizations (docs/operations.md, Alarms).
   */
  suiteTokenSuspect: 'SuiteTokenSuspect',
} as const;

/** What the service counts (EMF lines through Powertools Metrics; nothing secret in a dimension). */
export interface ServiceMetrics {
  suiteTicketReceived(suiteId: string): void;
  authCodeReceived(suiteId: string): void;
  /** One answer from qyapi: `errcode` 0 for success, the errcode, or `network` for no answer. */
  wecomAnswered(api: string, outcome: number | 'network'): void;
  /** An invocation answered with a typed error of the contract (not a crash). */
  requestRefused(): void;
  /** An auth code ended with its exchange outcome unknown. */
  exchangeOutcomeUnknown(suiteId: string): void;
  /** An auth code from the install completion route could not be exchanged. */
  installExchangeFailed(suiteId: string): void;
  /** A stale report answered from the cache, by credential kind (`suite_token`, `jsapi_ticket`, …). */
  staleReportIgnored(credential: string): void;
  /** Several corps of the suite met 40082 at once (SUITE_WIDE_40082). */
  suiteTokenSuspect(suiteId: string): void;
}

/**
 * Emits each metric at once (a single-metric EMF line), so nothing is lost if a handler throws.
 * Every metric carries the `service` and `stage` dimensions besides its own.
 */
export const createServiceMetrics = (serviceName: string, stage: string = LOCAL_STAGE): ServiceMetrics => {
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName,
    defaultDimensions: { [STAGE_DIMENSION]: stage },
  });
  const emit = (name: string, dimensions: Record<string, string>) => {
    const single = metrics.singleMetric();
    for (const [dimension, value] of Object.entries(dimensions)) {
      single.addDimension(dimension, value);
    }
    single.addMetric(name, MetricUnit.Count, 1);
  };
  return {
    // Emitted per suite and once more without the suite, so an alarm can watch all suites without
    // knowing their ids (alarms cannot aggregate over a dimension).
    suiteTicketReceived: (suiteId) => {
      emit(METRIC.suiteTicketReceived, { suiteId });
      emit(METRIC.suiteTicketReceived, {});
    },
    authCodeReceived: (suiteId) => emit(METRIC.authCodeReceived, { suiteId }),
    wecomAnswered: (api, outcome) => {
      if (outcome === 0) {
        if (/token$/.test(api)) {
          emit(METRIC.tokenIssued, { api });
        }
        return;
      }
      emit(METRIC.wecomError, { api, errcode: String(outcome) });
      emit(METRIC.wecomError, {});
    },
    requestRefused: () => emit(METRIC.requestRefused, {}),
    exchangeOutcomeUnknown: (suiteId) => {
      emit(METRIC.exchangeOutcomeUnknown, { suiteId });
      emit(METRIC.exchangeOutcomeUnknown, {});
    },
    installExchangeFailed: (suiteId) => {
      emit(METRIC.installExchangeFailed, { suiteId });
      emit(METRIC.installExchangeFailed, {});
    },
    staleReportIgnored: (credential) => emit(METRIC.staleReportIgnored, { credential }),
    suiteTokenSuspect: (suiteId) => {
      emit(METRIC.suiteTokenSuspect, { suiteId });
      emit(METRIC.suiteTokenSuspect, {});
    },
  };
};
