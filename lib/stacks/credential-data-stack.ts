import { CfnOutput, RemovalPolicy, SecretValue, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CredentialEvents } from '../constructs/credential-events.ts';
import { CredentialTable } from '../constructs/credential-table.ts';
import { EgressIp } from '../constructs/egress-network.ts';

export interface CredentialDataStackProps extends StackProps {
  /**
   * The Elastic IP of the NAT egress: `create` makes one here, with the other things that must
   * outlive the service stack; an allocation id reuses an existing one. Either way the stack
   * publishes it for the service stack's NAT (EgressIp).
   * @default none: the stage has no NAT (egress `none` or an existing VPC)
   */
  readonly egressIp?: 'create' | { readonly allocationId: string };
  /**
   * Days the event archive keeps events for replay; 0 for no archive.
   * @default 30
   */
  readonly eventArchiveDays?: number;
}

/**
 * The stateful half: the KMS key, the table, the configuration secret, the event bus with its
 * archive, and the allow-listed egress IP. Everything here is kept when the stack is deleted (but
 * the SSM parameter that points the service stack at the egress IP: a pointer, not state), so
 * tearing down or redeploying the service stack loses nothing.
 *
 * The bus lives here, not with its publishers: its archive is state (the replayable history), the
 * key policy that lets EventBridge use our key must name the bus (a bus in the service stack would
 * tie the two stacks in a cycle), and consumers in other accounts allow-list its ARN, which must
 * not change when the service stack is redeployed.
 */
export class CredentialDataStack extends Stack {
  readonly key: Key;
  readonly table: CredentialTable;
  /** The event bus; add rules of your own in this app with `events.eventBus`. */
  readonly events: CredentialEvents;
  readonly configSecret: Secret;
  /** The NAT gateway's address, when `egressIp` is set. */
  readonly egressIp?: EgressIp;

  constructor(scope: Construct, id: string, props: CredentialDataStackProps = {}) {
    super(scope, id, props);
    this.key = new Key(this, 'Key', {
      description: 'Encrypts WeCom tickets, permanent codes, tokens and the configuration secret',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table = new CredentialTable(this, 'Credentials', { encryptionKey: this.key });
    this.events = new CredentialEvents(this, 'Events', {
      encryptionKey: this.key,
      ...(props.eventArchiveDays === undefined ? {} : { archiveDays: props.eventArchiveDays }),
    });
    this.configSecret = new Secret(this, 'Config', {
      description:
        'WeCom configuration: {"provider":{"corpId","providerSecret"},"suites":[{"suiteId","suiteSecret","token","encodingAesKey"}]} (see README)',
      encryptionKey: this.key,
      // Created holding "{}" (not a secret); the operator fills it once after the first deploy.
      secretStringValue: SecretValue.unsafePlainText('{}'),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.configSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'WeCom issues the suite secrets, callback tokens and AES keys in its console; AWS cannot rotate them.',
    });
    if (props.egressIp === 'create') {
      this.egressIp = new EgressIp(this, 'EgressIp');
      new CfnOutput(this, 'EgressIpAllocationId', {
        value: this.egressIp.allocationId,
        description:
          'Kept when this stack is deleted; pass it as -c egressIpAllocationId=… to keep the allow-listed address',
      });
    } else if (props.egressIp !== undefined) {
      this.egressIp = new EgressIp(this, 'EgressIp', { existingAllocationId: props.egressIp.allocationId });
    }
  }
}
