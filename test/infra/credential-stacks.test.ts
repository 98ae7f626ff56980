import { Match } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, type SynthesizedApp, statementsOf, synthesizeApp } from '../support/infra.ts';

let defaults: SynthesizedApp;

beforeAll(() => {
  defaults = synthesizeApp();
});

const FUNCTIONS = ['CallbackFunction', 'SuiteTokenFunction', 'CorpTokenFunction', 'AuthExchangeFunction'];

describe('the data stack', () => {
  it('keeps an on-demand, KMS-encrypted table with PITR, TTL, a stream and deletion protection, retained on delete', () => {
    defaults.data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAtEpoch', Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        SSESpecification: Match.objectLike({
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: Match.anyValue(),
        }),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    });
  });

  it('creates a rotating customer-managed key and a secret encrypted with it, both retained', () => {
    defaults.data.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ EnableKeyRotation: true }),
    });
    defaults.data.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ KmsKeyId: Match.anyValue(), SecretString: '{}' }),
    });
  });
});

describe('the service stack', () => {
  it('runs four functions on Node.js 24, ARM64, with the table and secret in their environment', () => {
    defaults.service.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Environment: {
          Variables: Match.objectLike({
            TABLE_NAME: Match.anyValue(),
            WECOM_CONFIG_SECRET: Match.anyValue(),
            NODE_OPTIONS: '--enable-source-maps',
            POWERTOOLS_SERVICE_NAME: Match.anyValue(),
          }),
        },
        LoggingConfig: Match.objectLike({ LogGroup: Match.anyValue() }),
      },
      4,
    );
    defaults.service.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('keeps the callback out of the VPC and puts the functions that call WeCom behind the NAT', () => {
    const functions = defaults.service.findResources('AWS::Lambda::Function');
    const inVpc = Object.entries(functions)
      .filter(([, resource]) => resource.Properties.VpcConfig !== undefined)
      .map(([logicalId]) => logicalId.replace(/[0-9A-F]{8}$/, ''));

    expect(inVpc.sort()).toEqual(['AuthExchangeFunction', 'CorpTokenFunction', 'SuiteTokenFunction']);
    defaults.service.resourceCountIs('AWS::EC2::NatGateway', 1);
    defaults.service.hasResourceProperties('AWS::EC2::NatGateway', {
      AllocationId: { 'Fn::GetAtt': [Match.stringLikeRegexp('EgressIp'), 'AllocationId'] },
    });
    defaults.service.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({}),
    });
    defaults.service.hasOutput('EgressIp', { Value: { Ref: Match.stringLikeRegexp('EgressIp') } });
  });

  it('routes exactly the four callback routes, throttled and access-logged, and nothing for the token functions', () => {
    const routes = Object.values(defaults.service.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );

    expect(routes.sort()).toEqual([
      'GET /callback/{suiteId}/command',
      'GET /callback/{suiteId}/data',
      'POST /callback/{suiteId}/command',
      'POST /callback/{suiteId}/data',
    ]);
    defaults.service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('requestId'),
      }),
    });
    defaults.service.hasOutput('CommandCallbackUrl', { Value: Match.objectLike({}) });
    defaults.service.hasOutput('DataCallbackUrl', { Value: Match.objectLike({}) });
  });

  it('feeds auth-exchange new auth codes and stale authorizations from the stream, with bounded retries and a DLQ', () => {
    defaults.service.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 300,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { entity: { S: ['AuthCode'] } } },
            }),
          },
          {
            Pattern: JSON.stringify({
              dynamodb: { NewImage: { entity: { S: ['Authorization'] }, authInfoStale: { BOOL: [true] } } },
            }),
          },
        ],
      },
    });
    defaults.service.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
  });

  it('alarms on missing tickets (20 minutes), dead letters, function errors and WeCom errors, and draws a dashboard', () => {
    defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SuiteTicketReceived',
      Namespace: 'WeComCredentials',
      Period: 1200,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      Dimensions: [{ Name: 'service', Value: 'wecom-callback' }],
    });
    defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
    defaults.service.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { MetricName: 'Errors', Namespace: 'AWS/Lambda' },
      4,
    );
    defaults.service.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'WeComError' }, 3);
    defaults.service.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    defaults.service.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('names the token functions and the secret in its outputs', () => {
    for (const output of [
      'SuiteTokenFunctionName',
      'SuiteTokenFunctionArn',
      'CorpTokenFunctionName',
      'CorpTokenFunctionArn',
      'ConfigSecretArn',
    ]) {
      defaults.service.hasOutput(output, {});
    }
  });
});

describe('least privilege', () => {
  it('lets the callback read only the status attribute and never return old items', () => {
    const statements = statementsOf(defaults.service, 'CallbackFunction').filter((statement) =>
      JSON.stringify(statement.Action).includes('dynamodb:'),
    );
    const reads = statements.filter((statement) => JSON.stringify(statement.Action).includes('GetItem'));
    const writes = statements.filter((statement) => !JSON.stringify(statement.Action).includes('GetItem'));

    expect(reads).toHaveLength(1);
    expect(reads[0]?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'status'] },
      StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
    });
    expect(
      writes.every((statement) =>
        JSON.stringify(statement.Condition).includes('"dynamodb:ReturnValues":["NONE"]'),
      ),
    ).toBe(true);
    expect(actionsOf(defaults.service, 'CallbackFunction')).not.toEqual(
      expect.arrayContaining(['dynamodb:Query']),
    );
  });

  it('lets the token functions write token items only, and never put or delete', () => {
    for (const functionId of ['SuiteTokenFunction', 'CorpTokenFunction']) {
      const statements = statementsOf(defaults.service, functionId);
      const updates = statements.filter((statement) =>
        JSON.stringify(statement.Action).includes('dynamodb:UpdateItem'),
      );
      const actions = actionsOf(defaults.service, functionId);

      expect(updates).toHaveLength(1);
      expect(updates[0]?.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*'] },
      });
      expect(actions).not.toContain('dynamodb:PutItem');
      expect(actions).not.toContain('dynamodb:DeleteItem');
      expect(actions.filter((action) => action.startsWith('dynamodb:') && action.includes('*'))).toEqual([]);
    }
  });

  it('lets auth-exchange delete token items only', () => {
    const deletes = statementsOf(defaults.service, 'AuthExchangeFunction').filter((statement) =>
      JSON.stringify(statement.Action).includes('dynamodb:DeleteItem'),
    );

    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*'] },
    });
    expect(actionsOf(defaults.service, 'AuthExchangeFunction')).not.toContain('dynamodb:PutItem');
  });

  it('gives secretsmanager:GetSecretValue to the four functions and no other role', () => {
    const policies = Object.values(defaults.service.findResources('AWS::IAM::Policy'));
    const readers = policies.filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'),
    );

    expect(readers).toHaveLength(4);
    for (const functionId of FUNCTIONS) {
      expect(actionsOf(defaults.service, functionId)).toContain('secretsmanager:GetSecretValue');
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

  it('rejects an egress value it does not know', () => {
    expect(() => synthesizeApp({ egress: 'proxy' })).toThrow(/context egress/);
  });

  it('consumerRoleArns: each role may invoke both token functions', () => {
    const roleArn = 'arn:aws:iam::123456789012:role/orders-service';
    const { service } = synthesizeApp({ consumerRoleArns: [roleArn] });

    service.resourcePropertiesCountIs(
      'AWS::Lambda::Permission',
      { Action: 'lambda:InvokeFunction', Principal: roleArn },
      2,
    );
  });

  it('suiteIds: one ticket alarm per suite on top of the one for all suites', () => {
    const { service } = synthesizeApp({ suiteIds: 'wwsuite1,dktemplate1' });

    service.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'SuiteTicketReceived' }, 3);
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SuiteTicketReceived',
      Dimensions: Match.arrayWith([{ Name: 'suiteId', Value: 'dktemplate1' }]),
    });
  });

  it('grantTokenInvoke lets a role in the app invoke both token functions', () => {
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

    service.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Consumer') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'lambda:InvokeFunction',
            Resource: Match.arrayWith([
              Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^SuiteTokenFunction'), 'Arn'] }),
            ]),
          }),
        ]),
      },
    });
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged under AwsSolutions checks', () => {
    const { app } = synthesizeApp({}, { nag: true });

    expect(() => app.synth()).not.toThrow();
  });
});
