import {
  CfnEIP,
  FlowLogDestination,
  GatewayVpcEndpointAwsService,
  type IVpc,
  NatProvider,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/**
 * A VPC whose private subnets reach the internet through one NAT gateway with one Elastic IP:
 * the fixed address to put on the WeCom provider allow-list (errcode 60020 otherwise). DynamoDB
 * traffic stays on a gateway endpoint and never crosses the NAT.
 */
export class EgressNetwork extends Construct {
  readonly vpc: IVpc;
  readonly egressIp: CfnEIP;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.egressIp = new CfnEIP(this, 'EgressIp', { domain: 'vpc' });
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      natGatewayProvider: NatProvider.gateway({ eipAllocationIds: [this.egressIp.attrAllocationId] }),
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'functions', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      gatewayEndpoints: { DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB } },
      flowLogs: { rejected: { destination: FlowLogDestination.toCloudWatchLogs(), trafficType: undefined } },
    });
    this.vpc = vpc;
  }
}
