import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnResource,
  DEFAULT_STACKS_TIMEOUT_MS,
  defaultStacks,
  type StackTemplates,
} from '../support/stack-templates.ts';

let defaults: StackTemplates;

beforeAll(async () => {
  defaults = await defaultStacks();
}, DEFAULT_STACKS_TIMEOUT_MS);

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
