/**
 * The names the functions' metrics are emitted under, and the alarms and dashboard watch: plain
 * definitions, so lib/ reads them at synth without loading the Powertools Metrics that metrics.ts
 * emits them with.
 */

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
