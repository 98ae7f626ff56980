import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionEntry } from '../../functions/catalog.ts';
import {
  DEFAULT_STACKS_TIMEOUT_MS,
  defaultStacks,
  INVOKED,
  type StackTemplates,
} from '../support/stack-templates.ts';

let defaults: StackTemplates;

beforeAll(async () => {
  defaults = await defaultStacks();
}, DEFAULT_STACKS_TIMEOUT_MS);

describe('the service stack', () => {
  it('alarms on missing tickets (20 minutes), dead letters, function failures and WeCom errors, and draws a dashboard', () => {
    defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SuiteTicketReceived',
      Namespace: 'WeComCredentials',
      Period: 1200,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      Dimensions: [
        { Name: 'service', Value: 'wecom-callback' },
        { Name: 'stage', Value: 'WeComCredentials' },
      ],
    });
    defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
    defaults.service.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { MetricName: 'Errors', Namespace: 'AWS/Lambda' },
      3,
    );
    defaults.service.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'WeComError' }, 9);
    defaults.service.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    defaults.service.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('alarms when five auth codes from the install completion route fail their exchange in five minutes', () => {
    defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'InstallExchangeFailed',
      Namespace: 'WeComCredentials',
      Dimensions: [
        { Name: 'service', Value: 'auth-exchange' },
        { Name: 'stage', Value: 'WeComCredentials' },
      ],
      Period: 300,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms when the callback API answers 5xx (storage, secret or bus unavailable), five times in five minutes', () => {
    defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CallbackServerError',
      Namespace: 'WeComCredentials',
      Dimensions: [{ Name: 'apiId', Value: { Ref: Match.stringLikeRegexp('^CallbacksApi') } }],
      Period: 300,
      Threshold: 5,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on every error of the callback, auth-exchange and install, which answer no caller with a typed error', () => {
    for (const functionId of ['CallbackFunction', 'AuthExchangeFunction', 'InstallFunction']) {
      defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp(`^${functionId}`) } }],
        Threshold: 1,
      });
    }
  });

  it('alarms on crashes and timeouts of the invoked functions, not on the typed errors they answer with', () => {
    for (const [functionId, service] of INVOKED) {
      defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'FILL(errors, 0) - FILL(refused, 0)', ReturnData: true }),
          Match.objectLike({
            Id: 'errors',
            MetricStat: Match.objectLike({
              Metric: {
                Namespace: 'AWS/Lambda',
                MetricName: 'Errors',
                Dimensions: [
                  { Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp(`^${functionId}`) } },
                ],
              },
              Stat: 'Sum',
            }),
          }),
          Match.objectLike({
            Id: 'refused',
            MetricStat: Match.objectLike({
              Metric: {
                Namespace: 'WeComCredentials',
                MetricName: 'RequestRefused',
                Dimensions: [
                  { Name: 'service', Value: service },
                  { Name: 'stage', Value: 'WeComCredentials' },
                ],
              },
              Stat: 'Sum',
            }),
          }),
        ]),
      });
    }
  });

  it('alarms when several corps of one suite meet 40082 within a minute, in either function that mints third-party corp tokens', () => {
    const [alarm, ...others] = Object.entries(defaults.service.findResources('AWS::CloudWatch::Alarm'))
      .filter(([logicalId]) => logicalId.includes('SuiteTokenSuspect'))
      .map(([, resource]) => resource);
    expect(others).toHaveLength(0);
    expect(alarm?.Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    const summed =
      (alarm?.Properties.Metrics as { Id: string; Expression?: string; MetricStat?: unknown }[]) ?? [];
    const services = summed.flatMap((query) => {
      const stat = query.MetricStat as
        | { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] } }
        | undefined;
      if (stat === undefined) {
        return [];
      }
      expect(stat.Metric.MetricName).toBe('SuiteTokenSuspect');
      expect(stat.Metric.Dimensions).toContainEqual({ Name: 'stage', Value: 'WeComCredentials' });
      return stat.Metric.Dimensions.filter((dimension) => dimension.Name === 'service').map(
        (dimension) => dimension.Value,
      );
    });
    // The catalogue's minters of third-party corp tokens (lambda-entry-points.test.ts makes each
    // print the metric, and no other function print it); sign-in asks only 代开发 templates' with
    // gettoken, which never meets this 40082.
    const minters = FUNCTION_NAMES.filter(
      (name) => (FUNCTIONS[name] as FunctionEntry).mintsThirdPartyCorpTokens,
    );
    expect(minters).toEqual(expect.arrayContaining(['corp-token', 'jsapi-ticket']));
    expect(services.sort()).toEqual(minters.sort());
    const expression = summed.find((query) => query.Expression !== undefined)?.Expression;
    const ids = summed.filter((query) => query.MetricStat !== undefined).map((query) => query.Id);
    expect(expression).toBe(ids.map((id) => `FILL(${id}, 0)`).join(' + '));
  });

  it('alarms when WeCom refuses any function that calls it (egress in the catalogue), and only those', () => {
    const services = Object.values(
      defaults.service.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'WeComError' } }),
    ).map(
      (alarm) =>
        (alarm.Properties.Dimensions as { Name: string; Value: string }[]).find(
          ({ Name }) => Name === 'service',
        )?.Value,
    );

    const callers = FUNCTION_NAMES.filter((name) => FUNCTIONS[name].egress);
    expect(callers).toEqual(
      expect.arrayContaining([
        ...INVOKED.map(([, service]) => service).filter((name) => name !== 'authorization'),
        'auth-exchange',
        'install',
      ]),
    );
    expect(callers).not.toContain('wecom-callback');
    expect(services.sort()).toEqual([...callers].sort());
  });
});
