import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Rule } from 'aws-cdk-lib/aws-events';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS as CATALOGUE, FUNCTION_NAMES, functionsOfKind } from '../../functions/catalog.ts';
import { readStageConfig } from '../../lib/stage-config.ts';
import { actionsOf, type SynthesizedApp, statementsOf, synthesizeApp } from '../support/infra.ts';

let defaults: SynthesizedApp;

/** A resource as it appears in a synthesized template. */
type CfnResource = { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> };

beforeAll(() => {
  defaults = synthesizeApp();
});

/** The functions other services invoke (functions/catalog.ts): construct id and service name. */
const INVOKED = functionsOfKind('invoked').map(([name, entry]) => [entry.constructId, name] as const);
const INVOKED_IDS: string[] = INVOKED.map(([functionId]) => functionId);
const FUNCTIONS = FUNCTION_NAMES.map((name) => CATALOGUE[name].constructId);
/** The functions the catalogue says publish events, by construct id. */
const PUBLISHERS = FUNCTION_NAMES.filter((name) => CATALOGUE[name].publishes.length > 0)
  .map((name) => CATALOGUE[name].constructId)
  .sort();

/** A key policy or IAM statement as synthesized. */
type PolicyStatement = {
  Sid?: string;
  Action: string | string[];
  Principal?: Record<string, unknown>;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

const logicalIdOf = (resources: Record<string, unknown>): string => {
  const ids = Object.keys(resources);
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
};

/** Fn::Join of literals and Refs, rendered as text with `${Ref}` placeholders. */
const rendered = (value: unknown): string => {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) {
    return JSON.stringify(value);
  }
  return join[1]
    .map((part) => {
      if (typeof part === 'string') {
        return part;
      }
      const ref = (part as { Ref?: string }).Ref;
      // The bus name's suffix: the GUID at the end of the data stack's id.
      return ref === undefined ? `\${StackGuid}` : `\${${ref}}`;
    })
    .join(join[0]);
};

const keyPolicyOf = (app: SynthesizedApp): PolicyStatement[] => {
  const keys = app.data.findResources('AWS::KMS::Key');
  return (keys[logicalIdOf(keys)]?.Properties.KeyPolicy.Statement ?? []) as PolicyStatement[];
};

const eventBridgeStatements = (app: SynthesizedApp): PolicyStatement[] =>
  keyPolicyOf(app).filter((statement) =>
    JSON.stringify(statement.Principal).includes('events.amazonaws.com'),
  );

/** Logical ids (hash stripped) of the functions whose role may call `action`, and those statements. */
const rolesAllowed = (template: SynthesizedApp['service'], action: string) =>
  Object.keys(template.findResources('AWS::Lambda::Function'))
    .map((logicalId) => logicalId.replace(/[0-9A-F]{8}$/, ''))
    .map((functionId) => ({
      functionId,
      statements: statementsOf(template, functionId).filter((statement) =>
        [statement.Action].flat().includes(action),
      ),
    }))
    .filter(({ statements }) => statements.length > 0);

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

  it('keeps the Elastic IP of the NAT egress, retained on delete and replace, and names its allocation id', () => {
    defaults.data.hasResource('AWS::EC2::EIP', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ Domain: 'vpc' }),
    });
    defaults.data.hasOutput('EgressIpAllocationId', {
      Value: { 'Fn::GetAtt': [Match.anyValue(), 'AllocationId'] },
    });
  });

  it('retains every resource it holds but the parameter that points the service stack at the Elastic IP', () => {
    const resources = Object.values(defaults.data.toJSON().Resources as Record<string, CfnResource>);
    const [pointers, state] = [
      resources.filter((resource) => resource.Type === 'AWS::SSM::Parameter'),
      resources.filter((resource) => resource.Type !== 'AWS::SSM::Parameter'),
    ];

    expect(state.map((resource) => resource.Type).sort()).toEqual([
      'AWS::DynamoDB::Table',
      'AWS::EC2::EIP',
      'AWS::Events::Archive',
      'AWS::Events::EventBus',
      'AWS::KMS::Key',
      'AWS::SecretsManager::Secret',
    ]);
    expect(state.every((resource) => resource.DeletionPolicy === 'Retain')).toBe(true);
    // Deleted with the stack (CloudFormation's default), so a data stack created after a destroy
    // can write it again under the same name.
    expect(pointers).toHaveLength(1);
    expect(pointers[0]?.DeletionPolicy).toBeUndefined();
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
  it('runs ten functions on Node.js 24, ARM64, with the table and secret in their environment', () => {
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
      10,
    );
    defaults.service.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('keeps the callback out of the VPC and puts the functions that call WeCom behind the NAT', () => {
    const functions = defaults.service.findResources('AWS::Lambda::Function');
    const inVpc = Object.entries(functions)
      .filter(([, resource]) => resource.Properties.VpcConfig !== undefined)
      .map(([logicalId]) => logicalId.replace(/[0-9A-F]{8}$/, ''));

    expect(inVpc.sort()).toEqual(FUNCTIONS.filter((functionId) => functionId !== 'CallbackFunction').sort());
    defaults.service.resourceCountIs('AWS::EC2::NatGateway', 1);
    defaults.service.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({}),
    });
  });

  it("gives the NAT the data stack's Elastic IP, read from its parameter when the stack deploys, and names the address in EgressIp", () => {
    const parameter = Object.values(defaults.data.findResources('AWS::SSM::Parameter'))[0]?.Properties;
    const reader = { 'Fn::GetAtt': [Match.stringLikeRegexp('^EgressEgressIpAllocation'), 'Parameter.Value'] };

    expect(parameter).toMatchObject({
      Name: '/wecom-credentials/Data/egress-ip-allocation-id',
      Value: { 'Fn::GetAtt': [expect.stringMatching(/^EgressIpAddress/), 'AllocationId'] },
    });
    defaults.service.resourceCountIs('AWS::EC2::EIP', 0);
    defaults.service.hasResourceProperties('AWS::EC2::NatGateway', { AllocationId: reader });
    defaults.service.hasResourceProperties('Custom::AWS', {
      Create: Match.serializedJson(
        Match.objectLike({
          service: 'SSM',
          action: 'getParameter',
          parameters: { Name: parameter?.Name },
          outputPaths: ['Parameter.Value'],
        }),
      ),
    });
    // Only that parameter: ssm:GetParameter on its ARN.
    defaults.service.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'ssm:GetParameter',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                Match.arrayWith([':parameter/wecom-credentials/Data/egress-ip-allocation-id']),
              ],
            },
          },
        ],
        Version: '2012-10-17',
      },
    });
    defaults.service.hasOutput('EgressIp', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('EgressIpLookup'), 'Addresses.0.PublicIp'] },
    });
    defaults.service.hasResourceProperties('Custom::AWS', {
      Create: {
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('describeAddresses'), reader])],
      },
    });
  });

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

  it('retains nothing, so cdk destroy leaves no orphan: log groups and the alarm key go with the stack', () => {
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

  it('routes the callbacks, the installs and the trusted-domain files, throttled and access-logged, and nothing for the token functions', () => {
    const routes = Object.values(defaults.service.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => route.Properties.RouteKey,
    );

    expect(routes.sort()).toEqual([
      'GET /callback/{suiteId}/command',
      'GET /callback/{suiteId}/data',
      'GET /install/{suiteId}',
      'GET /install/{suiteId}/complete',
      'GET /{file}',
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
  });

  it('feeds auth-exchange new auth codes, stale authorizations and changes to publish from the stream, with bounded retries and a DLQ', () => {
    defaults.service.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      // From the oldest record, so a mapping created again loses nothing; no maximum age, which
      // would send the older records of that replay to the queue unread (docs/operations.md, Dead-letter queue).
      StartingPosition: 'TRIM_HORIZON',
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: Match.absent(),
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
          {
            Pattern: JSON.stringify({
              dynamodb: { NewImage: { entity: { S: ['Authorization'] }, hasPendingEvent: { BOOL: [true] } } },
            }),
          },
        ],
      },
    });
    defaults.service.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    // What fails every retry lands in the queue the DeadLetters alarm watches.
    const mapping = Object.values(defaults.service.findResources('AWS::Lambda::EventSourceMapping'))[0];
    const queue = mapping?.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
    defaults.service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
    });
  });

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

  it('alarms when WeCom refuses any function but the callback, which never calls it', () => {
    const services = Object.values(
      defaults.service.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'WeComError' } }),
    ).map(
      (alarm) =>
        (alarm.Properties.Dimensions as { Name: string; Value: string }[]).find(
          ({ Name }) => Name === 'service',
        )?.Value,
    );

    expect(services.sort()).toEqual(
      [...INVOKED.map(([, service]) => service), 'auth-exchange', 'install'].sort(),
    );
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

    // The ticket and outcome-unknown alarms, nine WeCom-error alarms, seven RequestRefused counts.
    expect(watched).toHaveLength(18);
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
      10,
    );
  });

  it('rejects a stackPrefix that cannot name a stack', () => {
    for (const bad of ['', '1stage', 'we com', 'stage"x', 7]) {
      expect(() => synthesizeApp({ stackPrefix: bad })).toThrow(
        /context stackPrefix must be a letter followed by/,
      );
    }
  });

  it('names each invoked function and the secret in its outputs', () => {
    for (const functionId of INVOKED_IDS) {
      defaults.service.hasOutput(`${functionId}Name`, {
        Value: { Ref: Match.stringLikeRegexp(`^${functionId}`) },
      });
      defaults.service.hasOutput(`${functionId}Arn`, {
        Value: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${functionId}`), 'Arn'] },
      });
    }
    defaults.service.hasOutput('ConfigSecretArn', {});
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

  it('lets the invoked functions update token items only, and never put or delete', () => {
    for (const functionId of INVOKED_IDS) {
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

  it('lets install read and cache suite credentials only, and put items under suite keys without old items back', () => {
    const statements = statementsOf(defaults.service, 'InstallFunction').filter((statement) =>
      JSON.stringify(statement.Action).includes('dynamodb:'),
    );
    const byAction = Object.fromEntries(
      statements.map((statement) => [[statement.Action].flat().join(','), statement.Condition]),
    );

    expect(byAction).toEqual({
      'dynamodb:GetItem': {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SUITE#*', 'TOKEN#SUITE#*'] },
      },
      'dynamodb:UpdateItem': { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#SUITE#*'] } },
      'dynamodb:PutItem': {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SUITE#*'] },
        StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE'] },
      },
    });
    expect(actionsOf(defaults.service, 'InstallFunction')).toEqual(
      expect.arrayContaining(['secretsmanager:GetSecretValue', 'kms:Decrypt']),
    );
  });

  it('gives secretsmanager:GetSecretValue to the ten functions and no other role', () => {
    const policies = Object.values(defaults.service.findResources('AWS::IAM::Policy'));
    const readers = policies.filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'),
    );

    expect(readers).toHaveLength(10);
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
      service.resourcePropertiesCountIs('AWS::Lambda::Permission', { Principal: roleArn }, 7);
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

  it('suiteIds: one ticket alarm per suite on top of the one for all suites', () => {
    const { service } = synthesizeApp({ suiteIds: 'wwsuite1,dktemplate1' });

    service.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'SuiteTicketReceived' }, 3);
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SuiteTicketReceived',
      Dimensions: Match.arrayWith([{ Name: 'suiteId', Value: 'dktemplate1' }]),
    });
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
  it('keeps a bus encrypted with the key the table uses, retained on delete and replace', () => {
    const key = logicalIdOf(defaults.data.findResources('AWS::KMS::Key'));
    const buses = defaults.data.findResources('AWS::Events::EventBus');

    expect(logicalIdOf(buses)).toMatch(/^Events/);
    defaults.data.hasResource('AWS::Events::EventBus', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ KmsKeyIdentifier: { 'Fn::GetAtt': [key, 'Arn'] } }),
    });
    defaults.data.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({ KMSMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } }),
    });
  });

  it("lets EventBridge use the key only for this account's bus and data bound to it, as AWS documents", () => {
    const busName = rendered(
      Object.values(defaults.data.findResources('AWS::Events::EventBus'))[0]?.Properties.Name,
    );
    const busArn = `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/${busName}`;
    // A data stack created later gets a bus of its own: the name ends with the stack's GUID.
    expect(busName).toMatch(/-\$\{StackGuid\}$/);
    const statements = eventBridgeStatements(defaults);
    const forBus = statements.find((statement) => statement.Sid === 'EventBridgeEncryptsTheEventBus');

    expect([forBus?.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(forBus?.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(rendered(forBus?.Condition?.StringEquals?.['aws:SourceArn'])).toBe(busArn);
    expect(
      rendered(forBus?.Condition?.StringEquals?.['kms:EncryptionContext:aws:events:event-bus:arn']),
    ).toBe(busArn);
    for (const statement of statements) {
      expect(statement.Condition, statement.Sid).toBeDefined();
    }
    expect(
      statements
        .filter((statement) => statement.Action !== 'kms:DescribeKey')
        .every((statement) =>
          rendered(
            statement.Condition?.StringEquals?.['kms:EncryptionContext:aws:events:event-bus:arn'],
          ).endsWith(`:event-bus/${busName}`),
        ),
    ).toBe(true);
  });

  it('archives every event for 30 days, encrypted with the same key, retained on delete and replace', () => {
    const key = logicalIdOf(defaults.data.findResources('AWS::KMS::Key'));
    const bus = logicalIdOf(defaults.data.findResources('AWS::Events::EventBus'));
    const forArchive = eventBridgeStatements(defaults).find(
      (statement) => statement.Sid === 'EventBridgeEncryptsTheEventArchive',
    );

    defaults.data.hasResource('AWS::Events::Archive', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        SourceArn: { 'Fn::GetAtt': [bus, 'Arn'] },
        RetentionDays: 30,
        KmsKeyIdentifier: { 'Fn::GetAtt': [key, 'Arn'] },
        EventPattern: { source: ['wecom-credentials'] },
      }),
    });
    expect([forArchive?.Action].flat().sort()).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'kms:ReEncrypt*',
    ]);
  });

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

  it('names the bus in the EventBusName and EventBusArn outputs', () => {
    defaults.service.hasOutput('EventBusName', {
      Value: { 'Fn::ImportValue': Match.stringLikeRegexp('^Data:.*Ref.*EventsBus') },
    });
    defaults.service.hasOutput('EventBusArn', {
      Value: { 'Fn::ImportValue': Match.stringLikeRegexp('^Data:.*EventsBus.*Arn') },
    });
  });

  it('lets only the callback, auth-exchange and the functions that mint corp tokens put events, on the bus only, with our source', () => {
    const publishers = rolesAllowed(defaults.service, 'events:PutEvents');

    expect(publishers.map(({ functionId }) => functionId).sort()).toEqual(PUBLISHERS);
    for (const { statements } of publishers) {
      expect(statements).toHaveLength(1);
      expect(statements[0]?.Resource).toMatchObject({
        'Fn::ImportValue': expect.stringMatching(/^Data:.*EventsBus.*Arn/),
      });
      expect(statements[0]?.Condition?.['ForAllValues:StringEquals']?.['events:source']).toEqual([
        'wecom-credentials',
      ]);
      expect(statements[0]?.Condition?.Null).toEqual({
        'events:source': 'false',
        'events:detail-type': 'false',
      });
    }
    const allStatements = Object.values(defaults.service.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[],
    );
    expect(
      allStatements.filter((statement) => [statement.Action].flat().includes('events:PutEvents')),
    ).toHaveLength(PUBLISHERS.length);
  });

  it('lets the callback publish all three detail-types and the others only authorization changes', () => {
    const detailTypes = Object.fromEntries(
      rolesAllowed(defaults.service, 'events:PutEvents').map(({ functionId, statements }) => [
        functionId,
        statements[0]?.Condition?.['ForAllValues:StringEquals']?.['events:detail-type'],
      ]),
    );

    expect(detailTypes).toEqual(
      Object.fromEntries(
        FUNCTION_NAMES.filter((name) => CATALOGUE[name].publishes.length > 0).map((name) => [
          CATALOGUE[name].constructId,
          [...CATALOGUE[name].publishes],
        ]),
      ),
    );
    // The catalogue's own claim, checked once: the callback publishes all three, others only changes.
    expect(detailTypes.CallbackFunction).toEqual([
      'WeCom Data Callback',
      'WeCom Command Event',
      'WeCom Authorization Changed',
    ]);
  });

  it('gives EVENT_BUS_NAME to exactly the publishers', () => {
    const withBus = Object.entries(defaults.service.findResources('AWS::Lambda::Function'))
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.EVENT_BUS_NAME !== undefined)
      .map(([logicalId, fn]) => {
        expect(fn.Properties.Environment.Variables.EVENT_BUS_NAME).toEqual({
          'Fn::ImportValue': expect.stringMatching(/^Data:.*Ref.*EventsBus/),
        });
        return logicalId.replace(/[0-9A-F]{8}$/, '');
      });

    expect(withBus.sort()).toEqual(PUBLISHERS);
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
