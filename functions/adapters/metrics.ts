import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { LOCAL_STAGE, METRIC, METRICS_NAMESPACE, STAGE_DIMENSION } from './metric-names.ts';

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
