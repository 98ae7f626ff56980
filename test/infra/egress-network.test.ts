import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONSTRUCT_IDS,
  DEFAULT_STACKS_TIMEOUT_MS,
  defaultStacks,
  type StackTemplates,
} from '../support/stack-templates.ts';

let defaults: StackTemplates;

beforeAll(async () => {
  defaults = await defaultStacks();
}, DEFAULT_STACKS_TIMEOUT_MS);

describe('the service stack', () => {
  it('keeps the callback out of the VPC and puts the functions that call WeCom behind the NAT', () => {
    const functions = defaults.service.findResources('AWS::Lambda::Function');
    const inVpc = Object.entries(functions)
      .filter(([, resource]) => resource.Properties.VpcConfig !== undefined)
      .map(([logicalId]) => logicalId.replace(/[0-9A-F]{8}$/, ''));

    expect(inVpc.sort()).toEqual(
      // The callback never calls WeCom (1000 ms deadline); authorization reads the table only.
      CONSTRUCT_IDS.filter(
        (functionId) => functionId !== 'CallbackFunction' && functionId !== 'AuthorizationFunction',
      ).sort(),
    );
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
});
