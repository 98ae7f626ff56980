import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Alarm,
  type AlarmProps,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, STAGE_DIMENSION } from '../../functions/adapters/metric-names.ts';
import type { FunctionName } from '../../functions/catalog.ts';

const FIVE_MINUTES = Duration.minutes(5);

/** A function to watch. */
export interface MonitoredFunction {
  /** Its catalogue name: its Powertools service name, the `service` dimension of its metrics. */
  readonly name: FunctionName;
  readonly lambda: IFunction;
  /** It calls WeCom: WeCom's refusals of its calls raise an alarm. */
  readonly callsWeCom: boolean;
  /**
   * What its `Errors-*` alarm counts. `all-errors`: Lambda's `Errors`, for functions whose every
   * error is a failure. `crashes-only`: `Errors` minus `RequestRefused`, for functions that answer
   * callers with typed errors by contract (Lambda counts those as errors too) and count each one.
   */
  readonly errorAlarm: 'all-errors' | 'crashes-only';
  /** It reports a suite-wide 40082 of service/get_corp_token (catalogue: mintsThirdPartyCorpTokens). */
  readonly mintsThirdPartyCorpTokens: boolean;
}

export interface CredentialAlarmsProps {
  /** Every function of the catalogue; the callback and auth-exchange also feed the ticket and exchange alarms. */
  readonly functions: readonly MonitoredFunction[];
  /** The dead-letter queues of the stream consumers. */
  readonly deadLetterQueues: readonly IQueue[];
  /** Callback requests the API throttled (answered 429); the install routes' do not count. */
  readonly throttledCallbacks: IMetric;
  /**
   * Callback requests the API answered 5xx (the callback's 503 when storage or the bus is down);
   * the install routes' do not count.
   */
  readonly failedCallbacks: IMetric;
  /** Suites that get their own ticket alarm besides the one for all suites. */
  readonly suiteIds: readonly string[];
  /**
   * The stage whose functions' metrics to watch (their `stage` dimension): another stage in the
   * same account and region emits the same names and services, and must not feed these alarms.
   */
  readonly stage: string;
  /** Subscribed to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
}

/**
 * What an operator must hear about: tickets that stopped arriving (20 minutes = two missed pushes,
 * ten minutes before WeCom's 30-minute hard failure), anything in the dead-letter queue, function
 * crashes and timeouts (not the typed answers of the functions other services invoke), any
 * throttled callback, and WeCom refusing our calls. Plus one dashboard of ticket arrivals, token
 * mints, errcodes and callback latency.
 *
 * The ticket alarms treat "no data" as breaching, so they are in ALARM from their creation until
 * the first ticket arrives: CloudWatch cannot tell "deployed minutes ago" from "tickets stopped",
 * and the first ticket waits on the operator registering the callback URL anyway (README).
 */
export class CredentialAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: CredentialAlarmsProps) {
    super(scope, id);
    // Its own key: CloudWatch must be allowed in the key policy to publish to an encrypted topic.
    // It encrypts nothing that outlives the topic, so it is scheduled for deletion with the stack.
    const topicKey = new Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts the WeCom credential alarm topic',
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    topicKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { masterKey: topicKey, enforceSSL: true });
    if (props.alarmEmail !== undefined) {
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    }
    const named = (name: FunctionName): MonitoredFunction => {
      const fn = props.functions.find((candidate) => candidate.name === name);
      if (fn === undefined) {
        throw new Error(`the alarms need the ${name} function`);
      }
      return fn;
    };
    const callback = named('wecom-callback');
    // The functions' own metrics, of this stage only.
    const serviceMetric = (metricName: string, dimensions: Record<string, string>, period: Duration) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { ...dimensions, [STAGE_DIMENSION]: props.stage },
        statistic: 'Sum',
        period,
      });
    const ticketMetric = (suiteId?: string) =>
      serviceMetric(
        METRIC.suiteTicketReceived,
        { service: callback.name, ...(suiteId === undefined ? {} : { suiteId }) },
        Duration.minutes(20),
      );
    this.#alarm('NoSuiteTicket', {
      metric: ticketMetric(),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
      alarmDescription:
        'No suite_ticket for any suite in 20 minutes (also from the first deploy until the first ticket): check the command callback URL and the callback function (docs/operations.md, Alarms).',
    });
    for (const suiteId of props.suiteIds) {
      this.#alarm(`NoSuiteTicket-${suiteId}`, {
        metric: ticketMetric(suiteId),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.BREACHING,
        alarmDescription: `No suite_ticket for ${suiteId} in 20 minutes: tokens for it fail with 40085 within 10 more minutes.`,
      });
    }
    for (const [index, queue] of props.deadLetterQueues.entries()) {
      // The first keeps the id the operations docs name; a second stream consumer gets its own.
      this.#alarm(index === 0 ? 'DeadLetters' : `DeadLetters${index + 1}`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription:
          'An auth code or authorization refresh failed every retry: the install may be lost (docs/operations.md, Alarms).',
      });
    }
    this.#alarm('CallbackThrottled', {
      metric: props.throttledCallbacks,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'The callback API answered 429 (throttled) in the last minute: WeCom retries only a few times, so a message or event may be lost. Raise callbackRateLimit / callbackBurstLimit (docs/operations.md, Alarms).',
    });
    this.#alarm('CallbackUnavailable', {
      metric: props.failedCallbacks,
      threshold: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'The callback answered 5xx 5+ times in 5 minutes: the table, the configuration secret or the event bus is unavailable (its log says which). WeCom retries a push a few times, then it is lost (docs/operations.md, Alarms).',
    });
    this.#alarm('ExchangeOutcomeUnknown', {
      metric: serviceMetric(
        METRIC.exchangeOutcomeUnknown,
        { service: named('auth-exchange').name },
        FIVE_MINUTES,
      ),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'get_permanent_code got no answer and WeCom then called the auth code used: the install may be lost and the corp must reinstall (docs/operations.md, Alarms).',
    });
    this.#alarm('InstallExchangeFailures', {
      metric: serviceMetric(
        METRIC.installExchangeFailed,
        { service: named('auth-exchange').name },
        FIVE_MINUTES,
      ),
      threshold: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'Five or more auth codes brought back through /install/{suiteId}/complete failed their exchange in 5 minutes: made-up codes (each costs one get_permanent_code, bounded by installCompleteRateLimit) or expired installs (docs/operations.md, Alarms).',
    });
    const corpTokenMinters = props.functions.filter((fn) => fn.mintsThirdPartyCorpTokens);
    this.#alarm('SuiteTokenSuspect', {
      metric: new MathExpression({
        expression: corpTokenMinters.map((_, index) => `FILL(m${index}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(
          corpTokenMinters.map(({ name }, index) => [
            `m${index}`,
            serviceMetric(METRIC.suiteTokenSuspect, { service: name }, FIVE_MINUTES),
          ]),
        ),
        label: 'suite-wide 40082 signals',
        period: FIVE_MINUTES,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription:
        'Three or more corps of one suite had their corp token refused with 40082 within a minute although WeCom had just confirmed the suite token: the suite token (suite secret, ticket, WeCom) is at fault, not their authorizations, which are not blocked for it (docs/operations.md, Alarms).',
    });
    for (const fn of props.functions) {
      const { name } = fn;
      this.#alarm(`Errors-${name}`, {
        metric: failures(fn, serviceMetric(METRIC.requestRefused, { service: name }, FIVE_MINUTES)),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription:
          fn.errorAlarm === 'crashes-only'
            ? `The ${name} function crashed or timed out in the last 5 minutes (typed answers such as SuiteTicketMissingError or CorpNotAuthorizedError do not count).`
            : `The ${name} function failed (crashed or timed out) in the last 5 minutes.`,
      });
    }
    for (const { name: service } of props.functions.filter((fn) => fn.callsWeCom)) {
      this.#alarm(`WeComErrors-${service}`, {
        metric: serviceMetric(METRIC.wecomError, { service }, FIVE_MINUTES),
        threshold: 5,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `WeCom refused ${service}'s calls 5+ times in 5 minutes; the dashboard shows which errcode (60020: allow-list the egress IP).`,
      });
    }

    // Every series of a metric whatever its other dimensions' values, of this stage only.
    const search = (metricName: string, dimensions: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${dimensions},${STAGE_DIMENSION}} MetricName="${metricName}" ${STAGE_DIMENSION}="${props.stage}"', 'Sum', 300)`,
        label,
        period: FIVE_MINUTES,
      });
    new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new GraphWidget({
            title: 'suite_ticket arrivals by suite',
            left: [search(METRIC.suiteTicketReceived, 'service,suiteId', '')],
            width: 12,
          }),
          new GraphWidget({
            title: 'Tokens issued by WeCom (mints)',
            left: [search(METRIC.tokenIssued, 'service,api', '')],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'WeCom errcodes',
            left: [search(METRIC.wecomError, 'service,api,errcode', '')],
            width: 12,
          }),
          new GraphWidget({
            title: 'Callback latency (ms)',
            left: [
              callback.lambda.metricDuration({ statistic: 'p50' }),
              callback.lambda.metricDuration({ statistic: 'p99' }),
            ],
            width: 12,
          }),
        ],
      ],
    });
  }

  #alarm(id: string, props: Omit<AlarmProps, 'evaluationPeriods'>): void {
    const alarm = new Alarm(this, id, { ...props, evaluationPeriods: 1 });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

/**
 * Invocations that count as failures. Lambda's `Errors` counts every thrown error; for a
 * `crashes-only` function the typed answers (one `RequestRefused` each) are subtracted, so what
 * remains is crashes and timeouts. FILL turns a period without either metric into 0, not a gap.
 *
 * @param refused the function's `RequestRefused` count (of this stage), over five minutes
 */
const failures = (fn: MonitoredFunction, refused: IMetric): IMetric => {
  const errors = fn.lambda.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' });
  if (fn.errorAlarm === 'all-errors') {
    return errors;
  }
  return new MathExpression({
    expression: 'FILL(errors, 0) - FILL(refused, 0)',
    usingMetrics: { errors, refused },
    label: `${fn.name} crashes and timeouts`,
    period: FIVE_MINUTES,
  });
};
