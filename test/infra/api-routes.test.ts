import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STACKS_TIMEOUT_MS, defaultStacks, type StackTemplates } from '../support/stack-templates.ts';

let defaults: StackTemplates;

beforeAll(async () => {
  defaults = await defaultStacks();
}, DEFAULT_STACKS_TIMEOUT_MS);

describe('the service stack', () => {
  it('routes the callbacks, the installs and the trusted-domain files, throttled and access-logged, and nothing for the token functions', () => {
    const routes = Object.values(defaults.service.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );

    expect(routes.sort()).toEqual([
      'GET /callback/provider/system',
      'GET /callback/{suiteId}/command',
      'GET /callback/{suiteId}/data',
      'GET /install/{suiteId}',
      'GET /install/{suiteId}/complete',
      'GET /{file}',
      'POST /callback/provider/system',
      'POST /callback/{suiteId}/command',
      'POST /callback/{suiteId}/data',
    ]);
    defaults.service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
      AccessLogSettings: Match.objectLike({
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('requestId'),
      }),
    });
    defaults.service.hasOutput('CommandCallbackUrl', { Value: Match.objectLike({}) });
    defaults.service.hasOutput('DataCallbackUrl', { Value: Match.objectLike({}) });
    defaults.service.hasOutput('SystemEventUrl', { Value: Match.objectLike({}) });
  });
});

describe('callback throttling', () => {
  it('counts every 429 in the access log but those of the install routes, per API', () => {
    defaults.service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ Format: Match.stringLikeRegexp('"apiId":"\\$context.apiId"') }),
    });
    defaults.service.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ ($.status = "429") && ($.routeKey != "*/install/*") }',
      LogGroupName: { Ref: Match.stringLikeRegexp('^CallbacksAccessLogs') },
      MetricTransformations: [
        {
          MetricNamespace: 'WeComCredentials',
          MetricName: 'CallbackThrottled',
          MetricValue: '1',
          Unit: 'Count',
          Dimensions: [{ Key: 'apiId', Value: '$.apiId' }],
        },
      ],
    });
  });

  it('alarms into the alarm topic on any throttled callback within a minute', () => {
    defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'WeComCredentials',
      MetricName: 'CallbackThrottled',
      Dimensions: [{ Name: 'apiId', Value: { Ref: Match.stringLikeRegexp('^CallbacksApi') } }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
    });
  });
});
