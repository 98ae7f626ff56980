import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
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
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/** An Elastic IP as the network sees it. */
export interface EgressIpAttributes {
  /** `eipalloc-…` */
  readonly allocationId: string;
  /** The public address. @default looked up at deploy time from the allocation id */
  readonly address?: string;
}

/**
 * The Elastic IP the provider allow-lists in WeCom, created once and kept: it is retained on
 * delete and replace, so neither a redeploy nor a `cdk destroy` can hand out a new address (which
 * would fail every WeCom call with errcode 60020 until the allow-list is edited).
 */
export class EgressIp extends Construct {
  readonly allocationId: string;
  readonly address: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const eip = new CfnEIP(this, 'Address', {
      domain: 'vpc',
      tags: [{ key: 'Name', value: 'WeCom credential service egress (allow-listed in WeCom)' }],
    });
    eip.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.allocationId = eip.attrAllocationId;
    this.address = eip.attrPublicIp;
  }
}

export interface EgressNetworkProps {
  /** The NAT gateway's Elastic IP (created elsewhere and kept; this construct never owns one). */
  readonly egressIp: EgressIpAttributes;
  /** How long to keep the rejected-traffic flow log. */
  readonly logRetention: RetentionDays;
}

/**
 * A VPC whose private subnets reach the internet through one NAT gateway with one Elastic IP:
 * the fixed address to put on the WeCom provider allow-list (errcode 60020 otherwise). DynamoDB
 * traffic stays on a gateway endpoint and never crosses the NAT. Rejected traffic is logged.
 */
export class EgressNetwork extends Construct {
  readonly vpc: IVpc;
  /** The address to allow-list (a deploy-time value). */
  readonly egressAddress: string;
  /** The REJECT flow log; it lives and dies with this (stateless) network. */
  readonly rejectedTrafficLogs: LogGroup;

  constructor(scope: Construct, id: string, props: EgressNetworkProps) {
    super(scope, id);
    this.rejectedTrafficLogs = new LogGroup(this, 'RejectedTrafficLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      natGatewayProvider: NatProvider.gateway({ eipAllocationIds: [props.egressIp.allocationId] }),
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
    this.egressAddress = props.egressIp.address ?? this.#lookUpAddress(props.egressIp.allocationId, props);
  }

  // CloudFormation cannot turn an allocation id into its address, so a reused Elastic IP is read
  // with ec2:DescribeAddresses when the stack deploys (nothing to do on delete: we do not own it).
  #lookUpAddress(allocationId: string, props: EgressNetworkProps): string {
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
      logGroup: new LogGroup(this, 'EgressIpLookupLogs', {
        retention: props.logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    Validations.of(lookup).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeAddresses, the only action granted, has no resource-level permissions.',
    });
    // The provider function is a singleton at stack level, outside this construct.
    const provider = Stack.of(this).node.tryFindChild(
      `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`,
    );
    if (provider !== undefined) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'The AWS-maintained minimum for writing the logs of the address lookup; its log group is our own.',
      });
    }
    return lookup.getResponseField('Addresses.0.PublicIp');
  }
}
