import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IVpc, SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { ArnPrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  FUNCTIONS,
  type FunctionEntry,
  type FunctionName,
  functionsOfKind,
} from '../../functions/catalog.ts';
import { CredentialAlarms } from '../constructs/credential-alarms.ts';
import { CredentialApi } from '../constructs/credential-api.ts';
import { CredentialEventsAccess } from '../constructs/credential-events-access.ts';
import { CredentialFunctions, type EgressPlacement } from '../constructs/credential-functions.ts';
import { CredentialTableAccess } from '../constructs/credential-table-access.ts';
import { type EgressIpSource, EgressNetwork } from '../constructs/egress-network.ts';
import type { ServiceFunction } from '../constructs/service-function.ts';
import { StreamConsumer } from '../constructs/stream-consumer.ts';
import type { StageConfig } from '../stage-config.ts';

export interface CredentialServiceStackProps extends StackProps {
  readonly table: ITable;
  readonly encryptionKey: IKey;
  readonly configSecret: ISecret;
  /** The bus the callback, auth-exchange and corp-token publish to (kept in the data stack). */
  readonly eventBus: IEventBus;
  readonly stage: StageConfig;
  /**
   * Where the data stack publishes the NAT's Elastic IP (its own or a reused one), for
   * `egress: nat`; read when this stack deploys, never imported. Required with a NAT, refused without.
   * @default none
   */
  readonly egressIp?: EgressIpSource;
}

/**
 * The stateless half: the functions, the HTTP API (and its custom domain, if any), the stream
 * wiring with its dead-letter queue, the network for calls to WeCom, the publish grants and
 * forwarding rules of the event bus, alarms and the dashboard. Safe to destroy and redeploy: every piece of state, the allow-listed
 * egress IP, the event bus and its archive included, lives in CredentialDataStack, and nothing here
 * is retained (its log groups and the alarm topic's key go with it).
 */
export class CredentialServiceStack extends Stack {
  /** Every function of functions/catalog.ts, by its name there. */
  readonly functions: Readonly<Record<FunctionName, ServiceFunction>>;
  /** The event bus: `events.eventBus` for rules of your own, `events.forwardTo(busArn)` for other buses. */
  readonly events: CredentialEventsAccess;
  readonly #built: CredentialFunctions;

  constructor(scope: Construct, id: string, props: CredentialServiceStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const table = new CredentialTableAccess(this, 'Data', {
      tableArn: props.table.tableArn,
      tableStreamArn: props.table.tableStreamArn ?? '',
      keyArn: props.encryptionKey.keyArn,
    });
    // Imported for the same reason as the table: no service role may land in the data stack's policies.
    const configSecret = Secret.fromSecretAttributes(this, 'ConfigSecret', {
      secretCompleteArn: props.configSecret.secretArn,
      encryptionKey: table.key,
    });
    this.events = new CredentialEventsAccess(this, 'Events', {
      eventBusArn: props.eventBus.eventBusArn,
      eventBusName: props.eventBus.eventBusName,
    });
    const network = this.#egress(stage, props.egressIp);
    this.#built = new CredentialFunctions(this, {
      table,
      configSecret,
      events: this.events,
      stage: stage.stackPrefix,
      logRetention: stage.logRetentionDays,
      systemEvents: stage.systemEvents,
      platform: stage.lambda,
      ...(network === undefined ? {} : { egress: this.#placement(network.vpc) }),
    });
    this.functions = this.#built.byName;

    const streams = functionsOfKind('stream').map(
      ([name, entry]) =>
        new StreamConsumer(this, functionStem(entry), {
          table,
          consumer: this.functions[name],
          delivery: entry.stream,
        }),
    );

    const api = new CredentialApi(this, 'Callbacks', {
      functions: functionsOfKind('http').map(([name, entry]) => ({
        fn: this.functions[name],
        integrationId: functionStem(entry),
        routes: entry.routes,
      })),
      throttles: {
        callback: { rateLimit: stage.callbackRateLimit, burstLimit: stage.callbackBurstLimit },
        install: { rateLimit: stage.installRateLimit, burstLimit: stage.installBurstLimit },
        installComplete: {
          rateLimit: stage.installCompleteRateLimit,
          burstLimit: stage.installCompleteBurstLimit,
        },
      },
      logRetention: stage.logRetentionDays,
      ...(stage.customDomain === undefined ? {} : { customDomain: stage.customDomain }),
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'WeCom and browsers cannot sign AWS requests. Every callback is authenticated by its msg_signature (SHA-1 over the suite token) in the function. The install routes are public by design (a link on the provider website): the first only redirects to WeCom, and the completion stores an auth code only with a single-use state the install function issued and WeCom sent back; both are throttled (installRateLimit, and the completion far lower: installCompleteRateLimit). GET /{file} serves only the WW_verify files WeCom fetches to check the domain, which are public by nature, and 404 for any other name. The stage is throttled.',
    });

    for (const busArn of stage.eventConsumerBusArns) {
      this.events.forwardTo(busArn);
    }
    for (const [index, roleArn] of stage.consumerRoleArns.entries()) {
      for (const [, fn] of this.#built.invoked) {
        fn.addPermission(`Consumer${index}`, {
          principal: new ArnPrincipal(roleArn),
          action: 'lambda:InvokeFunction',
        });
      }
    }

    new CredentialAlarms(this, 'Alarms', {
      functions: (Object.keys(FUNCTIONS) as FunctionName[]).map((name) => {
        const entry: FunctionEntry = FUNCTIONS[name];
        return {
          name,
          lambda: this.functions[name],
          callsWeCom: entry.egress,
          // The invoked functions answer typed errors by contract (Lambda counts them as errors, and
          // they count each as RequestRefused); the HTTP functions map theirs to statuses, and the
          // stream's consumer answers no caller: every error of theirs is a failure.
          errorAlarm: entry.kind === 'invoked' ? 'crashes-only' : 'all-errors',
          mintsThirdPartyCorpTokens: entry.mintsThirdPartyCorpTokens,
        };
      }),
      deadLetterQueues: streams.map((stream) => stream.deadLetters),
      throttledCallbacks: api.metricThrottledRequests(),
      failedCallbacks: api.metricServerErrors(),
      suiteIds: stage.suiteIds,
      stage: stage.stackPrefix,
      ...(stage.alarmEmail === undefined ? {} : { alarmEmail: stage.alarmEmail }),
    });

    this.#outputs(props, table, network);
  }

  #outputs(
    props: CredentialServiceStackProps,
    table: CredentialTableAccess,
    network: { egressAddress?: string } | undefined,
  ): void {
    new CfnOutput(this, 'TableName', {
      value: table.table.tableName,
      description: 'The credential table (the README smoke check reads the ticket age from it)',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.events.eventBus.eventBusName,
      description: 'The bus every callback and authorization change is published to (docs/events.md)',
    });
    new CfnOutput(this, 'EventBusArn', {
      value: this.events.eventBus.eventBusArn,
      description: 'The same bus by ARN: the destination of a replay from its archive (docs/events.md)',
    });
    for (const [, fn] of this.#built.invoked) {
      new CfnOutput(this, `${fn.node.id}Name`, { value: fn.functionName });
      new CfnOutput(this, `${fn.node.id}Arn`, { value: fn.functionArn });
    }
    new CfnOutput(this, 'ConfigSecretArn', {
      value: props.configSecret.secretArn,
      description: 'Fill it with the configuration document (README, Deploy)',
    });
    new CfnOutput(this, 'EgressIp', {
      value:
        network?.egressAddress ??
        (props.stage.egress.kind === 'existing-vpc'
          ? 'the NAT address of your VPC'
          : 'none: egress=none, calls leave from Lambda addresses'),
      description:
        'Add to the WeCom provider IP allow-list (服务商管理后台 → 服务商信息 → 基本信息 → IP白名单)',
    });
  }

  /** The subnets and security group of the functions that call WeCom (qyapi.weixin.qq.com). */
  #placement(vpc: IVpc): EgressPlacement {
    return {
      vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [
        new SecurityGroup(this, 'WeComCallers', {
          vpc,
          description: 'Functions that call qyapi.weixin.qq.com',
          allowAllOutbound: true,
        }),
      ],
    };
  }

  /**
   * Lets a role of another service (in this app) invoke the functions consumers call: the token,
   * link, sign-in and JS-SDK ticket functions (never install, which browsers reach through the API).
   */
  grantTokenInvoke(grantee: IGrantable): void {
    this.#built.grantInvoke(grantee);
  }

  #egress(
    stage: StageConfig,
    egressIp: EgressIpSource | undefined,
  ): { vpc: IVpc; egressAddress?: string } | undefined {
    if (egressIp !== undefined && stage.egress.kind !== 'nat') {
      throw new Error('egressIp is for egress=nat: the stage has no NAT gateway');
    }
    switch (stage.egress.kind) {
      case 'none':
        return undefined;
      case 'existing-vpc':
        return { vpc: Vpc.fromLookup(this, 'Vpc', { vpcId: stage.egress.vpcId }) };
      case 'nat': {
        if (egressIp === undefined) {
          throw new Error(
            "egress=nat needs the data stack's Elastic IP parameter (egressIp), whether it created the address or reuses egressIpAllocationId",
          );
        }
        const network = new EgressNetwork(this, 'Egress', { egressIp, logRetention: stage.logRetentionDays });
        return { vpc: network.vpc, egressAddress: network.egressAddress };
      }
    }
  }
}

/** A function's construct id without its `Function` suffix (`CallbackFunction` → `Callback`). */
const functionStem = (entry: FunctionEntry): string => entry.constructId.replace(/Function$/, '');
