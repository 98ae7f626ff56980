import type { ServiceMetrics } from '../../functions/adapters/metrics.ts';

/** One metric call a function made, with the function's name. */
export type RecordedMetric =
  | {
      readonly service: string;
      readonly name: 'suiteTicketReceived' | 'authCodeReceived';
      readonly suiteId: string;
    }
  | {
      readonly service: string;
      readonly name: 'wecomAnswered';
      readonly api: string;
      readonly outcome: number | 'network';
    }
  | { readonly service: string; readonly name: 'requestRefused' }
  | { readonly service: string; readonly name: 'exchangeOutcomeUnknown'; readonly suiteId: string }
  | { readonly service: string; readonly name: 'installExchangeFailed'; readonly suiteId: string }
  | { readonly service: string; readonly name: 'staleReportIgnored'; readonly credential: string }
  | { readonly service: string; readonly name: 'suiteTokenSuspect'; readonly suiteId: string };

/** ServiceMetrics that remember every call instead of printing EMF, for tests that assert on them. */
export class RecordingMetrics {
  readonly recorded: RecordedMetric[] = [];

  /** The metrics of one function, as the runtime's `metrics(service)` hands them out. */
  readonly forService = (service: string): ServiceMetrics => ({
    suiteTicketReceived: (suiteId) => this.recorded.push({ service, name: 'suiteTicketReceived', suiteId }),
    authCodeReceived: (suiteId) => this.recorded.push({ service, name: 'authCodeReceived', suiteId }),
    wecomAnswered: (api, outcome) => this.recorded.push({ service, name: 'wecomAnswered', api, outcome }),
    requestRefused: () => this.recorded.push({ service, name: 'requestRefused' }),
    exchangeOutcomeUnknown: (suiteId) =>
      this.recorded.push({ service, name: 'exchangeOutcomeUnknown', suiteId }),
    installExchangeFailed: (suiteId) =>
      this.recorded.push({ service, name: 'installExchangeFailed', suiteId }),
    staleReportIgnored: (credential) =>
      this.recorded.push({ service, name: 'staleReportIgnored', credential }),
    suiteTokenSuspect: (suiteId) => this.recorded.push({ service, name: 'suiteTokenSuspect', suiteId }),
  });
}
