import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type IMetric, Metric, Unit } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/adapters/metrics.ts';

/** Requests the stage answered 429 (throttled), counted from the access log by a metric filter. */
export const THROTTLED_METRIC = 'CallbackThrottled';

export interface CredentialApiProps {
  /** The function behind every callback route. */
  readonly callbackFunction: IFunction;
  /** Steady requests per second across the callback routes. */
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** How long to keep the access logs (deleted with the API). */
  readonly logRetention: RetentionDays;
}

/**
 * The HTTP API WeCom calls: GET|POST /callback/{suiteId}/command and /data (payload 2.0), stage
 * throttling, JSON access logs and a count of the requests it throttled. The routes carry no AWS
 * authorizer because WeCom cannot sign AWS requests; every request is authenticated by its
 * msg_signature in the function. The token functions have no route at all: other services invoke
 * them with IAM.
 */
export class CredentialApi extends Construct {
  readonly api: HttpApi;
  /** The JSON access log of the stage (one line per request, throttled ones included). */
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: CredentialApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', { description: 'WeCom callbacks (指令回调 and 数据回调)' });
    const integration = new HttpLambdaIntegration('Callback', props.callbackFunction);
    for (const kind of ['command', 'data']) {
      this.api.addRoutes({
        path: `/callback/{suiteId}/${kind}`,
        methods: [HttpMethod.GET, HttpMethod.POST],
        integration,
      });
    }
    // Access logs go with the API: `cdk destroy` leaves no orphaned log group behind.
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.defaultRouteSettings = {
      throttlingRateLimit: props.rateLimit,
      throttlingBurstLimit: props.burstLimit,
    };
    stage.accessLogSettings = {
      destinationArn: this.accessLogs.logGroupArn,
      format: JSON.stringify({
        apiId: '$context.apiId',
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationLatencyMs: '$context.integrationLatency',
        sourceIp: '$context.identity.sourceIp',
      }),
    };
    // HTTP APIs publish no throttling metric (only 4xx), so count the 429s the stage logs. The
    // apiId dimension keeps two stages in one account and region apart.
    this.accessLogs.addMetricFilter('Throttled', {
      filterPattern: FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: METRICS_NAMESPACE,
      metricName: THROTTLED_METRIC,
      metricValue: '1',
      dimensions: { apiId: '$.apiId' },
      unit: Unit.COUNT,
    });
    const url = this.api.apiEndpoint;
    new CfnOutput(Stack.of(this), 'CommandCallbackUrl', {
      value: `${url}/callback/{suiteId}/command`,
      description: '指令回调URL / 代开发模板回调URL: replace {suiteId} with each suite or template id',
    });
    new CfnOutput(Stack.of(this), 'DataCallbackUrl', {
      value: `${url}/callback/{suiteId}/data?corpid=$CORPID$`,
      description: '数据回调URL: replace {suiteId}; keep ?corpid=$CORPID$ so WeCom names the corp',
    });
  }

  /**
   * Callback requests answered 5xx over 5 minutes: a 503 is what the callback answers when the
   * table, the configuration secret or the event bus is unavailable, and WeCom gives a push up
   * after a few retries.
   */
  metricServerErrors(): IMetric {
    return this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' });
  }

  /** Callback requests the stage throttled (answered 429), per minute. */
  metricThrottledRequests(): IMetric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: THROTTLED_METRIC,
      dimensionsMap: { apiId: this.api.apiId },
      statistic: 'Sum',
      period: Duration.minutes(1),
    });
  }
}
