import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it, vi } from 'vitest';
import { readStageConfig } from '../../lib/stage-config.ts';
import { SYNTH_TIMEOUT_MS, synthesizeApp } from '../support/infra.ts';
import { type CfnResource, defaultStacks } from '../support/stack-templates.ts';

// Stages with settings of their own (the cdk.json context), each a synth of its own, the first one in
// this file's fresh process: they live apart from the construct files, which read the run's one synth
// of the default stage (test/support/stack-templates.ts).
vi.setConfig({ testTimeout: SYNTH_TIMEOUT_MS });

describe('the service stack', () => {
  it('logs only rejected VPC traffic, into its own log group with the stage retention', () => {
    const { service } = synthesizeApp({ logRetentionDays: 30 });
    const flowLogs = Object.values(service.findResources('AWS::EC2::FlowLog'));
    const destination = flowLogs[0]?.Properties.LogGroupName as { Ref: string };

    expect(flowLogs).toHaveLength(1);
    expect(flowLogs[0]?.Properties).toMatchObject({
      TrafficType: 'REJECT',
      LogDestinationType: 'cloud-watch-logs',
    });
    expect(service.toJSON().Resources[destination.Ref]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
    });
  });

  it('retains nothing, so cdk destroy leaves no orphan: log groups and the alarm key go with the stack', async () => {
    // The default stage from the run's synth, read here and not before all: the others need none.
    const defaults = await defaultStacks();
    for (const context of [{}, { egress: 'none' }, { egressIpAllocationId: 'eipalloc-0123456789abcdef0' }]) {
      const { service } = synthesizeApp(context);
      const resources = Object.values(service.toJSON().Resources as Record<string, CfnResource>);
      const kept = resources.filter(
        (resource) => resource.DeletionPolicy !== undefined && resource.DeletionPolicy !== 'Delete',
      );

      expect(kept).toEqual([]);
      expect(
        resources
          .filter((resource) => ['AWS::Logs::LogGroup', 'AWS::KMS::Key'].includes(resource.Type))
          .every((resource) => resource.DeletionPolicy === 'Delete'),
      ).toBe(true);
    }
    defaults.service.hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: 7 });
  });

  it("watches only its own stage's metrics, so two stages in one account never feed each other's alarms", () => {
    const { service } = synthesizeApp({ stackPrefix: 'WeComStaging' });
    const alarms = Object.values(service.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties,
    );
    // Every metric the functions emit, in an alarm of its own or inside metric math.
    const watched = alarms
      .flatMap((alarm) => [
        alarm,
        ...(alarm.Metrics ?? []).map(
          (query: { MetricStat?: { Metric: unknown } }) => query.MetricStat?.Metric,
        ),
      ])
      .filter(
        (metric): metric is { MetricName: string; Dimensions: { Name: string; Value: unknown }[] } =>
          metric?.Namespace === 'WeComCredentials' &&
          !['CallbackThrottled', 'CallbackServerError'].includes(metric.MetricName),
      );
    // The body's literal parts (tokens such as the region left out), as the dashboard JSON has them.
    const body = Object.values(service.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties
      .DashboardBody['Fn::Join'][1] as unknown[];
    const dashboard = body.filter((part) => typeof part === 'string').join('');
    const searches = [...dashboard.matchAll(/SEARCH\('[^']*'/g)].map(([search]) => search);

    // The ticket, outcome-unknown and install-exchange alarms, the suite-token-suspect alarm's two
    // counts (corp-token, jsapi-ticket), nine WeCom-error alarms, eight RequestRefused counts.
    expect(watched).toHaveLength(22);
    expect(
      watched.filter(
        (metric) =>
          !metric.Dimensions.some(({ Name, Value }) => Name === 'stage' && Value === 'WeComStaging'),
      ),
    ).toEqual([]);
    expect(searches).toHaveLength(3);
    for (const search of searches) {
      expect(search).toMatch(
        /^SEARCH\('\{WeComCredentials,[\w,]*stage\} MetricName=\\"\w+\\" stage=\\"WeComStaging\\"'$/,
      );
    }
    service.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Environment: { Variables: Match.objectLike({ STAGE: 'WeComStaging' }) } },
      11,
    );
  });

  it('rejects a stackPrefix that cannot name a stack', () => {
    for (const bad of ['', '1stage', 'we com', 'stage"x', 7]) {
      expect(() => synthesizeApp({ stackPrefix: bad })).toThrow(
        /context stackPrefix must be a letter followed by/,
      );
    }
  });
});

describe('context options', () => {
  it('egress=none: no VPC, no NAT, no function in a VPC', () => {
    const { service } = synthesizeApp({ egress: 'none' });

    service.resourceCountIs('AWS::EC2::VPC', 0);
    service.resourceCountIs('AWS::EC2::NatGateway', 0);
    expect(
      Object.values(service.findResources('AWS::Lambda::Function')).every(
        (fn) => fn.Properties.VpcConfig === undefined,
      ),
    ).toBe(true);
  });

  it('systemEvents=required: the callback, which publishes system events, is told the stage wants that URL; no other function', () => {
    const { service } = synthesizeApp({ systemEvents: 'required', egress: 'none' });

    const told = Object.values(service.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.WECOM_SYSTEM_EVENTS === 'required',
    );
    expect(told.map((fn) => fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME)).toEqual([
      'wecom-callback',
    ]);
  });

  it('rejects a systemEvents value it does not know', () => {
    expect(() => synthesizeApp({ systemEvents: 'yes' })).toThrow(
      /context systemEvents must be required or optional/,
    );
  });

  it('rejects an egress value it does not know', () => {
    expect(() => synthesizeApp({ egress: 'proxy' })).toThrow(/context egress/);
  });

  it('egressIpAllocationId: the data stack creates no address and publishes that one, which the NAT reads like its own', () => {
    const allocationId = 'eipalloc-0123456789abcdef0';

    const { data, service } = synthesizeApp({ egressIpAllocationId: allocationId });

    data.resourceCountIs('AWS::EC2::EIP', 0);
    data.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/wecom-credentials/Data/egress-ip-allocation-id',
      Value: allocationId,
    });
    expect(data.findOutputs('EgressIpAllocationId')).toEqual({});
    service.resourceCountIs('AWS::EC2::EIP', 0);
    service.hasResourceProperties('AWS::EC2::NatGateway', {
      AllocationId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^EgressEgressIpAllocation'), 'Parameter.Value'],
      },
    });
    // A change of the address's origin makes the stack read the parameter again.
    service.hasResourceProperties('Custom::AWS', {
      Create: Match.serializedJson(
        Match.objectLike({
          action: 'getParameter',
          physicalResourceId: { id: `/wecom-credentials/Data/egress-ip-allocation-id@${allocationId}` },
        }),
      ),
    });
    service.hasOutput('EgressIp', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('EgressIpLookup'), 'Addresses.0.PublicIp'] },
    });
  });

  it('rejects an egressIpAllocationId that is not an allocation id, or without a NAT', () => {
    expect(() => synthesizeApp({ egressIpAllocationId: '203.0.113.7' })).toThrow(
      /context egressIpAllocationId must be an Elastic IP allocation id \(eipalloc-…\), got "203\.0\.113\.7"/,
    );
    expect(() => synthesizeApp({ egress: 'none', egressIpAllocationId: 'eipalloc-0123abcd' })).toThrow(
      /egressIpAllocationId only applies to egress=nat/,
    );
  });

  it('logRetentionDays: every log group keeps the given CloudWatch retention, also when passed as -c text', () => {
    const { service } = synthesizeApp({ logRetentionDays: '400' });
    const logGroups = Object.values(service.findResources('AWS::Logs::LogGroup'));

    expect(logGroups.length).toBeGreaterThanOrEqual(6);
    expect(logGroups.every((group) => group.Properties.RetentionInDays === 400)).toBe(true);
  });

  it('rejects a logRetentionDays CloudWatch does not offer instead of rounding it, listing the valid values', () => {
    for (const days of [45, 0, 9999, 'forever']) {
      expect(() => synthesizeApp({ logRetentionDays: days })).toThrow(
        /context logRetentionDays must be one of CloudWatch's retention periods \(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653\)/,
      );
    }
  });

  it('suiteIds: one ticket alarm per suite on top of the one for all suites', () => {
    const { service } = synthesizeApp({ suiteIds: 'wwsuite1,dktemplate1' });

    service.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'SuiteTicketReceived' }, 3);
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SuiteTicketReceived',
      Dimensions: Match.arrayWith([{ Name: 'suiteId', Value: 'dktemplate1' }]),
    });
  });
});

describe('callback throttling', () => {
  it('takes callbackRateLimit and callbackBurstLimit from the context, and rejects what is not a positive whole number', () => {
    const { service } = synthesizeApp({ callbackRateLimit: '300', callbackBurstLimit: 600 });

    service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 300, ThrottlingBurstLimit: 600 },
    });
    for (const bad of [0, -5, 2.5, 'fast']) {
      expect(() => synthesizeApp({ callbackBurstLimit: bad })).toThrow(
        /context callbackBurstLimit must be a positive whole number/,
      );
    }
  });
});

describe('cdk.json', () => {
  it('holds the same defaults as the code, so a plain `cdk deploy` and the tests build the same stage', () => {
    const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
      context: Record<string, unknown>;
    };

    expect(readStageConfig(new App({ context: cdkJson.context }))).toEqual(readStageConfig(new App()));
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged under AwsSolutions checks', () => {
    const { app } = synthesizeApp({}, { nag: true });

    expect(() => app.synth()).not.toThrow();
  });

  it('finds nothing unacknowledged when the stage reuses an Elastic IP (the address lookup)', () => {
    const { app } = synthesizeApp({ egressIpAllocationId: 'eipalloc-0123456789abcdef0' }, { nag: true });

    expect(() => app.synth()).not.toThrow();
  });

  it('finds nothing unacknowledged with forwarding rules and without an archive', () => {
    const { app } = synthesizeApp(
      {
        eventConsumerBusArns: ['arn:aws:events:us-east-1:210987654321:event-bus/crm'],
        eventArchiveDays: 0,
      },
      { nag: true },
    );

    expect(() => app.synth()).not.toThrow();
  });
});
