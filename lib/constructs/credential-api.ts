import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

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
 * throttling and JSON access logs. The routes carry no AWS authorizer because WeCom cannot sign
 * AWS requests; every request is authenticated by its msg_signature in the function. The token
 * functions have no route at all: other services invoke them with IAM.
 */
export class CredentialApi extends Construct {
  readonly api: HttpApi;

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
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.defaultRouteSettings = {
      throttlingRateLimit: props.rateLimit,
      throttlingBurstLimit: props.burstLimit,
    };
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationLatencyMs: '$context.integrationLatency',
        sourceIp: '$context.identity.sourceIp',
      }),
    };
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
}
