import { Stack, Token } from 'aws-cdk-lib';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { Effect, type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../functions/core/events/service-events.ts';
import type { CredentialEventType } from './credential-events.ts';

/** An EventBridge event bus ARN in the partitions this app targets (bus names as EventBridge allows). */
export const EVENT_BUS_ARN =
  /^arn:aws(-cn|-us-gov)?:events:[a-z]{2}(-[a-z]+)+-\d:\d{12}:event-bus\/[\w.\-/]{1,256}$/;

/** A function that publishes: it gets the bus name in its environment and the grant. */
export interface PublishingFunction extends IGrantable {
  addEnvironment(key: string, value: string): unknown;
}

export interface CredentialEventsAccessProps {
  /** The bus of CredentialEvents, by ARN (the resource of the grants). */
  readonly eventBusArn: string;
  /** The same bus by name (EVENT_BUS_NAME, and the bus of the rules). */
  readonly eventBusName: string;
}

/**
 * The event bus as the service stack sees it: who may publish what, and rules that forward the
 * events to the provider's other services.
 *
 * It is imported by name and ARN for the same reason as the table: the data stack's bus policy and
 * key policy never name a role of this stack. The key policy lets EventBridge itself encrypt: a
 * PutEvents caller calls no KMS API (AWS lists only the key-policy permissions for EventBridge,
 * eb-encryption-key-policy), so publishing grants no KMS permission, and the publishers' grants on
 * that key are confined to DynamoDB and Secrets Manager (`kms:ViaService`): the IAM contract denies
 * them any use of it through EventBridge.
 */
export class CredentialEventsAccess extends Construct {
  /** The bus, for rules of your own in this app: `new Rule(scope, id, { eventBus, eventPattern })`. */
  readonly eventBus: IEventBus;
  #forwards = 0;

  constructor(scope: Construct, id: string, props: CredentialEventsAccessProps) {
    super(scope, id);
    this.eventBus = EventBus.fromEventBusAttributes(this, 'Bus', {
      eventBusArn: props.eventBusArn,
      eventBusName: props.eventBusName,
      eventBusPolicy: '',
    });
  }

  /**
   * Sets EVENT_BUS_NAME and lets the function put events on this bus only, with our source and only
   * the given detail-types.
   */
  grantPublish(publisher: PublishingFunction, detailTypes: readonly CredentialEventType[]): void {
    if (detailTypes.length === 0) {
      throw new Error('grantPublish needs at least one detail-type');
    }
    publisher.addEnvironment('EVENT_BUS_NAME', this.eventBus.eventBusName);
    publisher.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        // IAM types both keys as lists of strings, hence ForAllValues: every event must carry our
        // source and an allowed detail-type; Null keeps a request without them from passing
        // vacuously. A refused entry comes back in FailedEntries (NotAuthorizedForSourceException,
        // NotAuthorizedForDetailTypeException).
        conditions: {
          'ForAllValues:StringEquals': {
            'events:source': [EVENT_SOURCE],
            'events:detail-type': [...detailTypes],
          },
          Null: { 'events:source': 'false', 'events:detail-type': 'false' },
        },
      }),
    );
  }

  /**
   * Forwards our events (all, or only the given detail-types) to another bus, in this account or
   * another: a rule on our bus with a role EventBridge assumes to put them there. The owner of the
   * target bus must allow this account to put events on it (its bus policy).
   *
   * @param targetBusArn an EventBridge event bus ARN
   * @throws when `targetBusArn` is not an event bus ARN
   */
  forwardTo(targetBusArn: string, detailTypes?: readonly CredentialEventType[]): Rule {
    if (!Token.isUnresolved(targetBusArn) && !EVENT_BUS_ARN.test(targetBusArn)) {
      throw new Error(`forwardTo needs an EventBridge event bus ARN, got ${JSON.stringify(targetBusArn)}`);
    }
    const id = `Forward${this.#forwards++}`;
    const role = new Role(this, `${id}Role`, {
      description: `EventBridge puts ${EVENT_SOURCE} events on ${targetBusArn}`,
      // Only EventBridge acting for this account may assume it (confused-deputy guard).
      assumedBy: new ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    const rule = new Rule(this, id, {
      eventBus: this.eventBus,
      description: `Forwards ${EVENT_SOURCE} events to ${targetBusArn}`,
      eventPattern: {
        source: [EVENT_SOURCE],
        ...(detailTypes === undefined || detailTypes.length === 0 ? {} : { detailType: [...detailTypes] }),
      },
    });
    rule.addTarget(new EventBusTarget(EventBus.fromEventBusArn(this, `${id}Target`, targetBusArn), { role }));
    return rule;
  }
}
