import { Fn, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnArchive, type CfnEventBus, EventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { type DETAIL_TYPE, EVENT_SOURCE } from '../../functions/core/events/service-events.ts';

/** A `detail-type` the service publishes (docs/events.md). */
export type CredentialEventType = (typeof DETAIL_TYPE)[keyof typeof DETAIL_TYPE];

export interface CredentialEventsProps {
  /**
   * The customer-managed key that encrypts the events on the bus and in the archive (the table's
   * key). It must be a key of this stack: its key policy gets the statements EventBridge needs.
   */
  readonly encryptionKey: IKey;
  /**
   * Days the archive keeps every event for replay. 0 creates no archive (EventBridge itself reads
   * a retention of 0 as "forever", so 0 never reaches it).
   * @default 30
   */
  readonly archiveDays?: number;
}

/**
 * The custom EventBridge bus the service publishes to, encrypted with our key, and its archive for
 * replay. Both are kept when the stack is deleted: the archive is state, and replaying it needs its
 * source bus. Publishers and subscribers reach the bus through CredentialEventsAccess.
 *
 * The key policy statements are written here rather than by CDK's `kmsKey` props: CDK's bus
 * statement puts kms:DescribeKey under an encryption-context condition that DescribeKey requests
 * never carry, and its archive statement names the bus by Fn::GetAtt, which makes the key depend on
 * the bus that depends on the key. Here the bus has a name fixed at synth, so the policy names its
 * ARN without referring to the resource.
 */
export class CredentialEvents extends Construct {
  readonly eventBus: EventBus;
  /** The archive, unless `archiveDays` is 0. */
  readonly archive?: CfnArchive;

  constructor(scope: Construct, id: string, props: CredentialEventsProps) {
    super(scope, id);
    const archiveDays = props.archiveDays ?? 30;
    if (!Number.isInteger(archiveDays) || archiveDays < 0) {
      throw new Error(`archiveDays must be a whole number of days (0 for no archive), got ${archiveDays}`);
    }
    const stack = Stack.of(this);
    // The bus is retained when its stack goes, so its name carries the stack's own id: a data stack
    // created later (after a `cdk destroy`) gets a bus of its own instead of failing on the name.
    // Known at synth as a token, so the key policy below can name the bus before it exists.
    const stackGuid = Fn.select(2, Fn.split('/', stack.stackId));
    const eventBusName = `${Names.uniqueResourceName(this, { maxLength: 160, separator: '-' })}-${stackGuid}`;
    const eventBusArn = stack.formatArn({
      service: 'events',
      resource: 'event-bus',
      resourceName: eventBusName,
    });
    this.eventBus = new EventBus(this, 'Bus', {
      eventBusName,
      description: 'WeCom callbacks and authorization changes (source wecom-credentials)',
    });
    this.eventBus.applyRemovalPolicy(RemovalPolicy.RETAIN);
    (this.eventBus.node.defaultChild as CfnEventBus).kmsKeyIdentifier = props.encryptionKey.keyArn;

    const events = new ServicePrincipal('events.amazonaws.com');
    const busContext = { 'kms:EncryptionContext:aws:events:event-bus:arn': eventBusArn };
    // As AWS documents for a bus (eb-encryption-key-policy): only for our account, our bus, and data
    // bound to our bus's encryption context.
    props.encryptionKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EventBridgeEncryptsTheEventBus',
        effect: Effect.ALLOW,
        principals: [events],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': eventBusArn, ...busContext },
        },
      }),
    );
    // DescribeKey carries no encryption context; EventBridge calls it to check the key is symmetric.
    props.encryptionKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EventBridgeDescribesTheKey',
        effect: Effect.ALLOW,
        principals: [events],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEqualsIfExists: { 'aws:SourceAccount': stack.account } },
      }),
    );

    if (archiveDays > 0) {
      // As AWS documents for an archive (encryption-archives): it also re-encrypts, and its requests
      // are bound by the bus's encryption context (the same one); the account is checked when sent.
      props.encryptionKey.addToResourcePolicy(
        new PolicyStatement({
          sid: 'EventBridgeEncryptsTheEventArchive',
          effect: Effect.ALLOW,
          principals: [events],
          actions: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:ReEncrypt*'],
          resources: ['*'],
          conditions: {
            StringEquals: busContext,
            StringEqualsIfExists: { 'aws:SourceAccount': stack.account },
          },
        }),
      );
      this.archive = new CfnArchive(this, 'Archive', {
        sourceArn: this.eventBus.eventBusArn,
        description: `Every ${EVENT_SOURCE} event, kept ${archiveDays} days for replay`,
        eventPattern: { source: [EVENT_SOURCE] },
        retentionDays: archiveDays,
        kmsKeyIdentifier: props.encryptionKey.keyArn,
      });
      this.archive.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
  }
}
