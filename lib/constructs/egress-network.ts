import { RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  CfnEIP,
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  type IVpc,
  NatProvider,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/**
 * How the service stack finds the NAT's Elastic IP: by an SSM parameter the data stack writes,
 * read when the service stack deploys. Never a CloudFormation export: an export the data stack
 * drops or changes while the service stack imports it stops `cdk deploy --all` (the data stack
 * deploys first), and which address the stage uses is a context choice that may change.
 */
export interface EgressIpSource {
  /** The parameter holding the allocation id: a plain name, known at synth. */
  readonly parameterName: string;
  /**
   * Where that allocation id comes from: `created` (the data stack's own address) or the reused
   * allocation id. The service stack reads the parameter again when this changes.
   */
  readonly origin: string;
}

/** The parameter name under which a data stack publishes the NAT's allocation id. */
export const egressIpParameterName = (dataStackName: string): string =>
  `/wecom-credentials/${dataStackName}/egress-ip-allocation-id`;

export interface EgressIpProps {
  /**
   * An Elastic IP that already exists (and is allow-listed) to publish instead of creating one.
   * @default none: create one, kept on delete and replace
   */
  readonly existingAllocationId?: string;
}

/**
 * The Elastic IP the provider allow-lists in WeCom, in the data stack: created once and kept (it
 * is retained on delete and replace, so neither a redeploy nor a `cdk destroy` can hand out a new
 * address, which would fail every WeCom call with errcode 60020 until the allow-list is edited),
 * or an existing one. Either way its allocation id is published in an SSM parameter (`source`) for
 * the service stack's NAT gateway.
 */
export class EgressIp extends Construct {
  readonly allocationId: string;
  /** The created address, or none for an existing one (the service stack looks it up). */
  readonly address?: string;
  readonly source: EgressIpSource;

  constructor(scope: Construct, id: string, props: EgressIpProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.existingAllocationId === undefined) {
      const eip = new CfnEIP(this, 'Address', {
        domain: 'vpc',
        tags: [{ key: 'Name', value: 'WeCom credential service egress (allow-listed in WeCom)' }],
      });
      eip.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.allocationId = eip.attrAllocationId;
      this.address = eip.attrPublicIp;
      // Service stacks deployed before the SSM parameter imported these two; keeping the exports lets
      // such a stage upgrade with a plain `cdk deploy --all` (docs/operations.md, Redeploys). Nothing imports them now.
      stack.exportValue(eip.attrAllocationId);
      stack.exportValue(eip.attrPublicIp);
    } else {
      this.allocationId = props.existingAllocationId;
    }
    const parameterName = egressIpParameterName(stack.stackName);
    // A pointer, not state: it goes with the stack, so a data stack created later can write it again.
    new StringParameter(this, 'AllocationIdParameter', {
      parameterName,
      stringValue: this.allocationId,
      description: "The Elastic IP of the WeCom credential service's NAT gateway (read by its service stack)",
    });
    this.source = { parameterName, origin: props.existingAllocationId ?? 'created' };
  }
}

export interface EgressNetworkProps {
  /** Where the data stack published the NAT gateway's Elastic IP (this construct never owns one). */
  readonly egressIp: EgressIpSource;
  /** How long to keep the rejected-traffic flow log and the lookups' logs. */
  readonly logRetention: RetentionDays;
}

/**
 * A VPC whose private subnets reach the internet through one NAT gateway with one Elastic IP:
 * the fixed address to put on the WeCom provider allow-list (errcode 60020 otherwise). DynamoDB
 * traffic stays on a gateway endpoint and never crosses the NAT. Rejected traffic is logged.
 *
 * The NAT takes its allocation id from one deploy-time source in every configuration (the data
 * stack's parameter), so a context change that keeps the address (say, from the data stack's own
 * Elastic IP to `egressIpAllocationId` naming that same one) leaves the NAT untouched: a NAT
 * gateway cannot be replaced in place with the address its predecessor still holds, because
 * CloudFormation creates the new one before it deletes the old. A change of address replaces the
 * NAT with one holding the new, free address, which works.
 */
export class EgressNetwork extends Construct {
  readonly vpc: IVpc;
  /** The address to allow-list (a deploy-time value). */
  readonly egressAddress: string;
  /** The REJECT flow log; it lives and dies with this (stateless) network. */
  readonly rejectedTrafficLogs: LogGroup;

  constructor(scope: Construct, id: string, props: EgressNetworkProps) {
    super(scope, id);
    if (Token.isUnresolved(props.egressIp.parameterName)) {
      throw new Error('EgressNetwork needs the parameter name as a plain string: a token would be an export');
    }
    this.rejectedTrafficLogs = new LogGroup(this, 'RejectedTrafficLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The custom resources' Lambda function (a stack-wide singleton) logs here.
    const lookupLogs = new LogGroup(this, 'EgressIpLookupLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const allocationId = this.#readAllocationId(props.egressIp, lookupLogs);
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      natGatewayProvider: NatProvider.gateway({ eipAllocationIds: [allocationId] }),
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'functions', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      gatewayEndpoints: { DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB } },
      flowLogs: {
        rejected: {
          destination: FlowLogDestination.toCloudWatchLogs(this.rejectedTrafficLogs),
          trafficType: FlowLogTrafficType.REJECT,
        },
      },
    });
    this.egressAddress = this.#lookUpAddress(allocationId, lookupLogs);
    // The provider function is a singleton at stack level, outside this construct.
    const provider = Stack.of(this).node.tryFindChild(
      `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`,
    );
    if (provider !== undefined) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'The AWS-maintained minimum for writing the logs of the Elastic IP lookups; their log group is our own.',
      });
    }
  }

  // ssm:GetParameter on that one parameter, at deploy time, by a custom resource: an SSM-typed
  // CloudFormation parameter (`valueForStringParameter`) is resolved with the deploying role, and the
  // CDK bootstrap's deploy role may read only its own version parameter. Read again whenever the
  // origin changes (the physical id carries it). A data stack created again meets a new service
  // stack, which reads it when created: the data stack cannot go while this one imports from it.
  #readAllocationId(source: EgressIpSource, logGroup: LogGroup): string {
    const stack = Stack.of(this);
    const read = new AwsCustomResource(this, 'EgressIpAllocation', {
      onUpdate: {
        service: 'SSM',
        action: 'getParameter',
        parameters: { Name: source.parameterName },
        physicalResourceId: PhysicalResourceId.of(`${source.parameterName}@${source.origin}`),
        outputPaths: ['Parameter.Value'],
      },
      policy: AwsCustomResourcePolicy.fromSdkCalls({
        resources: [
          stack.formatArn({
            service: 'ssm',
            resource: 'parameter',
            resourceName: source.parameterName.replace(/^\//, ''),
          }),
        ],
      }),
      installLatestAwsSdk: false,
      logGroup,
    });
    return read.getResponseField('Parameter.Value');
  }

  // CloudFormation cannot turn an allocation id into its address, so it is read with
  // ec2:DescribeAddresses when the stack deploys (nothing to do on delete: we do not own it).
  #lookUpAddress(allocationId: string, logGroup: LogGroup): string {
    const lookup = new AwsCustomResource(this, 'EgressIpLookup', {
      onUpdate: {
        service: 'EC2',
        action: 'describeAddresses',
        parameters: { AllocationIds: [allocationId] },
        physicalResourceId: PhysicalResourceId.of(allocationId),
        outputPaths: ['Addresses.0.PublicIp'],
      },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
      logGroup,
    });
    Validations.of(lookup).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeAddresses, the only action granted, has no resource-level permissions.',
    });
    return lookup.getResponseField('Addresses.0.PublicIp');
  }
}
