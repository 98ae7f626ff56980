import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '../../functions/catalog.ts';
import {
  actionsOf,
  CONSTRUCT_IDS,
  DEFAULT_STACKS_TIMEOUT_MS,
  defaultStacks,
  INVOKED_IDS,
  type StackTemplates,
  statementsOf,
} from '../support/stack-templates.ts';

let defaults: StackTemplates;

/** A catalogue function's resource in the service template (its logical id starts with its construct id). */
const functionResourceOf = (name: FunctionName) =>
  Object.entries(defaults.service.findResources('AWS::Lambda::Function')).find(([logicalId]) =>
    logicalId.startsWith(FUNCTIONS[name].constructId),
  )?.[1];

beforeAll(async () => {
  defaults = await defaultStacks();
}, DEFAULT_STACKS_TIMEOUT_MS);

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
            POWERTOOLS_SERVICE_NAME: Match.anyValue(),
          }),
        },
        LoggingConfig: Match.objectLike({ LogGroup: Match.anyValue() }),
      },
      11,
    );
    defaults.service.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('maps stack traces through source maps in every function but the callback WeCom times', () => {
    for (const name of FUNCTION_NAMES) {
      const entry = FUNCTIONS[name];
      const variables = functionResourceOf(name)?.Properties.Environment.Variables;
      expect(variables, name).toBeDefined();
      if (entry.sourceMapsAtRunTime) {
        expect(variables, name).toMatchObject({ NODE_OPTIONS: '--enable-source-maps' });
      } else {
        expect(variables, name).not.toHaveProperty('NODE_OPTIONS');
      }
    }
    expect(FUNCTIONS['wecom-callback'].sourceMapsAtRunTime).toBe(false);
  });

  it('gives each function the memory and timeout of its catalogue entry, the callback 1024 MB', () => {
    for (const name of FUNCTION_NAMES) {
      const entry = FUNCTIONS[name];
      expect(functionResourceOf(name)?.Properties, name).toMatchObject({
        MemorySize: entry.memoryMb,
        Timeout: entry.timeoutSeconds,
      });
    }
    // WeCom waits 1000 ms for its cold first answer, which is CPU-bound (docs/performance.md).
    expect(FUNCTIONS['wecom-callback'].memoryMb).toBe(1024);
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
    // authorization reads the table only: stage below.
    for (const functionId of INVOKED_IDS.filter((id) => id !== 'AuthorizationFunction')) {
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

  it('lets authorization read only the non-secret attributes of CORP# items, and write nothing', () => {
    const statements = statementsOf(defaults.service, 'AuthorizationFunction');
    const tableActions = actionsOf(defaults.service, 'AuthorizationFunction').filter((action) =>
      action.startsWith('dynamodb:'),
    );
    const read = statements.find((statement) =>
      JSON.stringify(statement.Action).includes('dynamodb:GetItem'),
    );

    expect(tableActions).toEqual(['dynamodb:GetItem']);
    expect(read?.Condition?.['ForAllValues:StringLike']).toEqual({ 'dynamodb:LeadingKeys': ['CORP#*'] });
    expect(read?.Condition?.['ForAllValues:StringEquals']?.['dynamodb:Attributes']).not.toContain(
      'permanentCode',
    );
  });

  it('gives secretsmanager:GetSecretValue to the eleven functions and no other role', () => {
    const policies = Object.values(defaults.service.findResources('AWS::IAM::Policy'));
    const readers = policies.filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'),
    );

    expect(readers).toHaveLength(11);
    for (const functionId of CONSTRUCT_IDS) {
      expect(actionsOf(defaults.service, functionId)).toContain('secretsmanager:GetSecretValue');
    }
  });
});
