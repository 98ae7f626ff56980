import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type CfnStage, HttpApi, HttpMethod, HttpRouteKey } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { type IMetric, Metric, Unit } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/adapters/metric-names.ts';
import type { PublicRoute } from '../../functions/catalog.ts';
import type { CustomDomain } from '../stage-config.ts';
import { CredentialApiDomain } from './credential-api-domain.ts';

/** Requests the stage answered 429 (throttled), counted from the access log by a metric filter. */
export const THROTTLED_METRIC = 'CallbackThrottled';
/** Requests the stage answered 5xx, counted from the access log by a metric filter. */
export const SERVER_ERROR_METRIC = 'CallbackServerError';

/** A throttle of the stage: steady requests per second of each route it applies to, and the burst. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** The functions behind the public routes, as functions/catalog.ts lists them. */
export interface ApiFunction {
  readonly fn: IFunction;
  /** The id of its Lambda integration (part of the routes' logical ids: keep it stable). */
  readonly integrationId: string;
  readonly routes: readonly PublicRoute[];
}

export interface CredentialApiProps {
  readonly functions: readonly ApiFunction[];
  /** Each route's throttle by its catalogue name; `callback` is the stage default. */
  readonly throttles: Readonly<Record<PublicRoute['throttle'], RouteThrottle>>;
  /** How long to keep the access logs (deleted with the API). */
  readonly logRetention: RetentionDays;
  /**
   * The API's own domain; every URL output is on it.
   * @default none: the outputs name the execute-api URL
   */
  readonly customDomain?: CustomDomain;
}

/**
 * The HTTP API (payload 2.0) that WeCom and browsers reach: GET|POST /callback/{suiteId}/command and
 * /data, GET /install/{suiteId} and /install/{suiteId}/complete, and GET /{file} for WeCom's
 * trusted-domain files; stage throttling (lower on the install routes), JSON access logs, counts of
 * the callback requests it throttled or failed, and optionally a custom domain. No route carries an
 * AWS authorizer: WeCom and browsers cannot sign AWS requests. Every callback is authenticated by
 * its msg_signature in the function, and an install completes only with a `state` the install
 * function issued. The token functions have no route at all: other services invoke them with IAM.
 */
export class CredentialApi extends Construct {
  readonly api: HttpApi;
  /** The JSON access log of the stage (one line per request, throttled ones included). */
  readonly accessLogs: LogGroup;
  /** The host every URL output names: the custom domain, or the execute-api host. */
  readonly host: string;
  /** The custom domain, when one is configured. */
  readonly domain?: CredentialApiDomain;

  constructor(scope: Construct, id: string, props: CredentialApiProps) {
    super(scope, id);
    // The execute-api endpoint stays enabled with a custom domain. WeCom holds the URLs registered
    // in the provider console, and a stage that gains a domain keeps receiving suite_ticket pushes
    // on the old URLs until someone re-registers them; disabling the endpoint in the same deploy
    // would cut them off and break every token 30 minutes later. It opens no second door either:
    // both hosts reach the same stage, throttling and checks, and an install started on the
    // execute-api host gets a redirect_uri on that host, which WeCom refuses (not a verified domain).
    this.api = new HttpApi(this, 'Api', {
      description: 'WeCom callbacks (指令回调 and 数据回调), installs and trusted-domain files',
    });
    // A path variable must be a whole segment: WeCom's trusted-domain files (WW_verify_<name>.txt at
    // the domain root) arrive on the catch-all GET /{file}, and the callback answers 404 for other names.
    const throttledRoutes = props.functions.flatMap(({ fn, integrationId, routes }) => {
      const integration = new HttpLambdaIntegration(integrationId, fn);
      return routes.flatMap((route) => {
        const added = this.api.addRoutes({
          path: route.path,
          methods: route.methods.map((method) => HttpMethod[method]),
          integration,
        });
        return route.throttle === 'callback' ? [] : [{ route, added }];
      });
    });

    // Access logs go with the API: `cdk destroy` leaves no orphaned log group behind.
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const defaultStage = this.api.defaultStage?.node.defaultChild as CfnStage;
    // The stage default applies to every route without settings of its own: the install routes have lower ones.
    defaultStage.defaultRouteSettings = {
      throttlingRateLimit: props.throttles.callback.rateLimit,
      throttlingBurstLimit: props.throttles.callback.burstLimit,
    };
    defaultStage.routeSettings = Object.fromEntries(
      throttledRoutes.flatMap(({ route }) =>
        route.methods.map((method) => {
          const throttle = props.throttles[route.throttle];
          return [
            HttpRouteKey.with(route.path, HttpMethod[method]).key,
            // RouteSettings is a JSON map in CloudFormation: CDK passes it as is, so the keys are
            // CloudFormation's PascalCase, not the camelCase of defaultRouteSettings.
            { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit },
          ];
        }),
      ),
    );
    // API Gateway refuses route settings for a route that does not exist yet, and nothing else
    // orders the stage after the routes.
    for (const { added } of throttledRoutes) {
      for (const route of added) {
        defaultStage.node.addDependency(route);
      }
    }
    defaultStage.accessLogSettings = {
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
    // HTTP APIs publish no throttling metric (only 4xx), and their 5xx metric covers every route,
    // so count both from the stage's log. The install routes are left out: their answers go to
    // browsers, and an anonymous flood of them must not raise the alarms about lost WeCom pushes.
    // Every other request counts, one the stage could not route included. The apiId dimension
    // keeps two stages in one account and region apart.
    const notInstall = FilterPattern.stringValue('$.routeKey', '!=', '*/install/*');
    for (const [filterId, metricName, status] of [
      ['Throttled', THROTTLED_METRIC, '429'],
      ['ServerErrors', SERVER_ERROR_METRIC, '5*'],
    ] as const) {
      this.accessLogs.addMetricFilter(filterId, {
        filterPattern: FilterPattern.all(FilterPattern.stringValue('$.status', '=', status), notInstall),
        metricNamespace: METRICS_NAMESPACE,
        metricName,
        metricValue: '1',
        dimensions: { apiId: '$.apiId' },
        unit: Unit.COUNT,
      });
    }

    if (props.customDomain !== undefined) {
      this.domain = new CredentialApiDomain(this, 'Domain', { api: this.api, ...props.customDomain });
      this.host = props.customDomain.domainName;
    } else {
      // The host of apiEndpoint, built the way HttpApi builds that URL.
      const stack = Stack.of(this);
      this.host = `${this.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    }
    this.#outputs(props.customDomain !== undefined);
  }

  #outputs(onCustomDomain: boolean): void {
    const stack = Stack.of(this);
    const url = `https://${this.host}`;
    const where = onCustomDomain
      ? ''
      : ' (the execute-api host: WeCom requires a verified domain for installs and OAuth, see domainName)';
    new CfnOutput(stack, 'CommandCallbackUrl', {
      value: `${url}/callback/{suiteId}/command`,
      description: '指令回调URL / 代开发模板回调URL: replace {suiteId} with each suite or template id',
    });
    new CfnOutput(stack, 'DataCallbackUrl', {
      value: `${url}/callback/{suiteId}/data?corpid=$CORPID$`,
      description: '数据回调URL: replace {suiteId}; keep ?corpid=$CORPID$ so WeCom names the corp',
    });
    new CfnOutput(stack, 'SystemEventUrl', {
      value: `${url}/callback/provider/system`,
      description:
        '系统事件接收URL (应用管理 → 通用开发参数): needs provider.token and provider.encodingAesKey in the configuration',
    });
    new CfnOutput(stack, 'InstallUrl', {
      value: `${url}/install/{suiteId}`,
      description: `The install link for your website: replace {suiteId}; add ?ref=… to get it back${where}`,
    });
    new CfnOutput(stack, 'InstallRedirectDomain', {
      value: this.host,
      description: `安装完成回调域名 and 可信域名 of each app in the provider console${where}`,
    });
    new CfnOutput(stack, 'VerifyFileUrl', {
      value: `${url}/WW_verify_{name}.txt`,
      description:
        'Where WeCom fetches the domain verification file: put its name and content under "verifyFiles" in the configuration secret',
    });
  }

  /**
   * Callback requests answered 5xx over 5 minutes (install routes left out): a 503 is what the
   * callback answers when the table, the configuration secret or the event bus is unavailable, and
   * WeCom gives a push up after a few retries.
   */
  metricServerErrors(): IMetric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: SERVER_ERROR_METRIC,
      dimensionsMap: { apiId: this.api.apiId },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
  }

  /** Callback requests the stage throttled (answered 429; install routes left out), per minute. */
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
