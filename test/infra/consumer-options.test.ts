import { Match } from 'aws-cdk-lib/assertions';
import { Rule } from 'aws-cdk-lib/aws-events';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it, vi } from 'vitest';
import { SYNTH_TIMEOUT_MS, synthesizeApp } from '../support/infra.ts';
import { eventBridgeStatements, INVOKED_IDS, type PolicyStatement } from '../support/stack-templates.ts';

// Stages with settings of their own (the cdk.json context), each a synth of its own, the first one in
// this file's fresh process: they live apart from the construct files, which read the run's one synth
// of the default stage (test/support/stack-templates.ts).
vi.setConfig({ testTimeout: SYNTH_TIMEOUT_MS });

describe('context options', () => {
  it('rejects a consumerRoleArns entry that is not an IAM role ARN, naming it', () => {
    for (const bad of [
      'arn:aws:iam::123456789012:user/alice',
      'arn:aws:iam::12345:role/orders',
      'orders-service',
      'arn:aws:lambda:us-east-1:123456789012:function:orders',
    ]) {
      expect(() =>
        synthesizeApp({ consumerRoleArns: ['arn:aws:iam::123456789012:role/orders', bad] }),
      ).toThrow(
        `context consumerRoleArns must hold IAM role ARNs (arn:aws:iam::<account>:role/<name>); not a role ARN: ${bad}`,
      );
    }
  });

  it('accepts role ARNs with a path and in the China and GovCloud partitions', () => {
    const roleArns = [
      'arn:aws:iam::123456789012:role/service-role/orders',
      'arn:aws-cn:iam::123456789012:role/crm',
      'arn:aws-us-gov:iam::123456789012:role/billing',
    ];

    const { service } = synthesizeApp({ consumerRoleArns: roleArns.join(',') });

    for (const roleArn of roleArns) {
      service.resourcePropertiesCountIs('AWS::Lambda::Permission', { Principal: roleArn }, 8);
    }
  });

  it('consumerRoleArns: each role may invoke the token, link, sign-in and JS-SDK ticket functions', () => {
    const roleArn = 'arn:aws:iam::123456789012:role/orders-service';
    const { service } = synthesizeApp({ consumerRoleArns: [roleArn] });

    const invocable = Object.values(
      service.findResources('AWS::Lambda::Permission', {
        Properties: { Action: 'lambda:InvokeFunction', Principal: roleArn },
      }),
    ).map((permission) =>
      String(permission.Properties.FunctionName['Fn::GetAtt'][0]).replace(/[0-9A-F]{8}$/, ''),
    );

    expect(invocable.sort()).toEqual([...INVOKED_IDS].sort());
  });

  it('consumerRoleArns and grantTokenInvoke never reach the install function: browsers call it through the API', () => {
    const { service } = synthesizeApp(
      { consumerRoleArns: ['arn:aws:iam::123456789012:role/orders-service'] },
      {
        beforeSynth: (stack) =>
          stack.grantTokenInvoke(
            new Role(stack, 'Consumer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }),
          ),
      },
    );
    const install = { 'Fn::GetAtt': [Match.stringLikeRegexp('^InstallFunction'), 'Arn'] };

    const principals = Object.values(
      service.findResources('AWS::Lambda::Permission', { Properties: { FunctionName: install } }),
    ).map((permission) => permission.Properties.Principal);
    const consumerPolicy = Object.values(service.findResources('AWS::IAM::Policy')).find((policy) =>
      JSON.stringify(policy.Properties.Roles).includes('Consumer'),
    );

    expect(principals).toEqual(['apigateway.amazonaws.com', 'apigateway.amazonaws.com']);
    expect(consumerPolicy).toBeDefined();
    expect(JSON.stringify(consumerPolicy)).not.toContain('InstallFunction');
  });

  it('grantTokenInvoke lets a role in the app invoke every invoked function', () => {
    const { service } = synthesizeApp(
      {},
      {
        beforeSynth: (stack) => {
          const consumer = new Role(stack, 'Consumer', {
            assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
          });
          stack.grantTokenInvoke(consumer);
        },
      },
    );

    const statements = Object.values(
      service.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Consumer') }] },
      }),
    ).flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[]);
    const invocable = statements
      .filter((statement) => statement.Action === 'lambda:InvokeFunction')
      .flatMap((statement) => [statement.Resource].flat())
      .flatMap((resource) => {
        const target = (resource as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt']?.[0];
        return target === undefined ? [] : [target.replace(/[0-9A-F]{8}$/, '')];
      });

    expect([...new Set(invocable)].sort()).toEqual([...INVOKED_IDS].sort());
  });
});

describe('the event bus', () => {
  it('eventArchiveDays: keeps the given days, also when passed as -c text; 0 keeps no archive', () => {
    const { data } = synthesizeApp({ eventArchiveDays: '7' });
    const none = synthesizeApp({ eventArchiveDays: 0 });

    data.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 7 });
    none.data.resourceCountIs('AWS::Events::Archive', 0);
    none.data.resourceCountIs('AWS::Events::EventBus', 1);
    expect(eventBridgeStatements(none).map((statement) => statement.Sid)).not.toContain(
      'EventBridgeEncryptsTheEventArchive',
    );
  });

  it('rejects an eventArchiveDays that is not a whole number of days', () => {
    for (const days of [-1, 1.5, 'month', '']) {
      expect(() => synthesizeApp({ eventArchiveDays: days })).toThrow(
        /context eventArchiveDays must be a whole number of days \(0 for none\)/,
      );
    }
  });

  it('eventConsumerBusArns: one rule per bus forwards every event there, with a role limited to that bus', () => {
    const targets = [
      'arn:aws:events:ap-southeast-1:210987654321:event-bus/crm-events',
      'arn:aws-cn:events:cn-north-1:123456789012:event-bus/default',
    ];

    const { service } = synthesizeApp({ eventConsumerBusArns: targets.join(',') });

    service.resourceCountIs('AWS::Events::Rule', 2);
    for (const target of targets) {
      const rules = service.findResources('AWS::Events::Rule', {
        Properties: { Targets: [Match.objectLike({ Arn: target })] },
      });
      const rule = Object.values(rules)[0]?.Properties ?? {};
      const roleId: unknown = rule.Targets?.[0]?.RoleArn?.['Fn::GetAtt']?.[0];
      const policies = Object.values(service.findResources('AWS::IAM::Policy')).filter((policy) =>
        (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
      );

      expect(rule).toMatchObject({
        EventBusName: { 'Fn::ImportValue': expect.stringMatching(/^Data:.*Ref.*EventsBus/) },
        EventPattern: { source: ['wecom-credentials'] },
        State: 'ENABLED',
      });
      expect(policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
        { Action: 'events:PutEvents', Effect: 'Allow', Resource: target },
      ]);
      service.hasResource('AWS::IAM::Role', {
        Properties: Match.objectLike({
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Action: 'sts:AssumeRole',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
            Version: '2012-10-17',
          },
        }),
      });
      expect(Object.keys(service.findResources('AWS::IAM::Role'))).toContain(roleId);
    }
  });

  it('rejects an eventConsumerBusArns entry that is not an EventBridge bus ARN, naming it', () => {
    for (const bad of [
      'crm-events',
      'arn:aws:events:us-east-1:123456789012:rule/crm',
      'arn:aws:events:us-east-1:12345:event-bus/crm',
      'arn:aws:sqs:us-east-1:123456789012:crm',
    ]) {
      expect(() =>
        synthesizeApp({
          eventConsumerBusArns: ['arn:aws:events:us-east-1:123456789012:event-bus/crm', bad],
        }),
      ).toThrow(
        `context eventConsumerBusArns must hold EventBridge event bus ARNs (arn:aws:events:<region>:<account>:event-bus/<name>); not a bus ARN: ${bad}`,
      );
    }
  });

  it('forwardTo forwards only the given detail-types; eventBus takes rules of your own', () => {
    const target = 'arn:aws:events:us-east-1:210987654321:event-bus/installs';

    const { service } = synthesizeApp(
      {},
      {
        beforeSynth: (stack) => {
          stack.events.forwardTo(target, ['WeCom Authorization Changed']);
          new Rule(stack, 'OwnRule', {
            eventBus: stack.events.eventBus,
            eventPattern: { source: ['wecom-credentials'], detailType: ['WeCom Data Callback'] },
          });
        },
      },
    );

    service.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['wecom-credentials'], 'detail-type': ['WeCom Authorization Changed'] },
      Targets: [Match.objectLike({ Arn: target })],
    });
    service.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { 'Fn::ImportValue': Match.stringLikeRegexp('EventsBus') },
      EventPattern: { source: ['wecom-credentials'], 'detail-type': ['WeCom Data Callback'] },
    });
  });

  it('forwardTo rejects what is not an event bus ARN', () => {
    expect(() =>
      synthesizeApp(
        {},
        { beforeSynth: (stack) => stack.events.forwardTo('arn:aws:sns:us-east-1:123456789012:t') },
      ),
    ).toThrow(/forwardTo needs an EventBridge event bus ARN/);
  });
});
