import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IVpc, SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { ArnPrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EXCHANGE_STREAM_FILTERS } from '../../functions/adapters/dynamodb/stream-filters.ts';
import { DETAIL_TYPE } from '../../functions/core/events/service-events.ts';
import { CredentialAlarms } from '../constructs/credential-alarms.ts';
import { CredentialApi } from '../constructs/credential-api.ts';
import { CredentialEventsAccess } from '../constructs/credential-events-access.ts';
import { CredentialTableAccess } from '../constructs/credential-table-access.ts';
import { type EgressIpAttributes, EgressNetwork } from '../constructs/egress-network.ts';
import { ServiceFunction } from '../constructs/service-function.ts';
import type { StageConfig } from '../stage-config.ts';

export interface CredentialServiceStackProps extends StackProps {
  readonly table: ITable;
  readonly encryptionKey: IKey;
  readonly configSecret: ISecret;
  /** The bus the callback, auth-exchange and corp-token publish to (kept in the data stack). */
  readonly eventBus: IEventBus;
  readonly stage: StageConfig;
  /**
   * The Elastic IP kept in the data stack, for `egress: nat`. Leave it out when the stage reuses an
   * existing address (`egress.eipAllocationId`) or has no NAT.
   * @default none
   */
  readonly egressIp?: EgressIpAttributes;
}

/**
 * The stateless half: the functions, the HTTP API (and its custom domain, if any), the stream
 * wiring with its dead-letter queue, the network for calls to WeCom, the publish grants and
 * forwarding rules of the event bus, alarms and the dashboard. Safe to destroy and redeploy: every piece of state, the allow-listed
 * egress IP, the event bus and its archive included, lives in CredentialDataStack, and nothing here
 * is retained (its log groups and the alarm topic's key go with it).
 */
export class CredentialServiceStack extends Stack {
  readonly suiteTokenFunction: ServiceFunction;
  readonly corpTokenFunction: ServiceFunction;
  readonly providerTokenFunction: ServiceFunction;
  readonly customizedAuthUrlFunction: ServiceFunction;
  /** Serves the install routes to browsers; it has no consumer invoke permission. */
  readonly installFunction: ServiceFunction;
  /** The event bus: `events.eventBus` for rules of your own, `events.forwardTo(busArn)` for other buses. */
  readonly events: CredentialEventsAccess;

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
    const logRetention = stage.logRetentionDays;
    const environment = { TABLE_NAME: table.table.tableName, WECOM_CONFIG_SECRET: configSecret.secretArn };
    const network = this.#egress(stage, props.egressIp);
    const inVpc =
      network === undefined
        ? {}
        : {
            vpc: network.vpc,
            vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: [
              new SecurityGroup(this, 'WeComCallers', {
                vpc: network.vpc,
                description: 'Functions that call qyapi.weixin.qq.com',
                allowAllOutbound: true,
              }),
            ],
          };

    // The callback stays out of the VPC: it never calls WeCom, and it must answer within 1000 ms.
    const callback = new ServiceFunction(this, 'CallbackFunction', {
      functionDirectory: 'wecom-callback',
      serviceName: 'wecom-callback',
      environment,
      timeout: Duration.seconds(5),
      logRetention,
    });
    table.grantCallbackAccess(callback);
    configSecret.grantRead(callback);
    // Every authenticated callback but suite_ticket, and cancel_auth's change of an authorization.
    this.events.grantPublish(callback, [
      DETAIL_TYPE.dataCallback,
      DETAIL_TYPE.commandEvent,
      DETAIL_TYPE.authorizationChanged,
    ]);

    this.suiteTokenFunction = new ServiceFunction(this, 'SuiteTokenFunction', {
      functionDirectory: 'suite-token',
      serviceName: 'suite-token',
      environment,
      timeout: Duration.seconds(20),
      logRetention,
      ...inVpc,
    });
    this.corpTokenFunction = new ServiceFunction(this, 'CorpTokenFunction', {
      functionDirectory: 'corp-token',
      serviceName: 'corp-token',
      environment,
      timeout: Duration.seconds(20),
      logRetention,
      ...inVpc,
    });
    this.providerTokenFunction = new ServiceFunction(this, 'ProviderTokenFunction', {
      functionDirectory: 'provider-token',
      serviceName: 'provider-token',
      environment,
      timeout: Duration.seconds(20),
      logRetention,
      ...inVpc,
    });
    // It mints the provider token when needed, so it has the token functions' access.
    this.customizedAuthUrlFunction = new ServiceFunction(this, 'CustomizedAuthUrlFunction', {
      functionDirectory: 'customized-auth-url',
      serviceName: 'customized-auth-url',
      environment,
      timeout: Duration.seconds(20),
      logRetention,
      ...inVpc,
    });
    for (const fn of [
      this.suiteTokenFunction,
      this.corpTokenFunction,
      this.providerTokenFunction,
      this.customizedAuthUrlFunction,
    ]) {
      table.grantTokenAccess(fn);
      configSecret.grantRead(fn);
    }
    // Browsers reach it through the API, never by Lambda invoke. It calls WeCom (get_pre_auth_code,
    // set_session_info, and the suite token it mints), so it leaves through the allow-listed IP; a
    // browser waits on it, hence the short timeout.
    this.installFunction = new ServiceFunction(this, 'InstallFunction', {
      functionDirectory: 'install',
      serviceName: 'install',
      environment,
      timeout: Duration.seconds(10),
      logRetention,
      ...inVpc,
    });
    // The token functions' access: it mints the suite token and caches the pre-auth code (TOKEN#).
    table.grantTokenAccess(this.installFunction);
    // And it records the auth code a redirect brings back, with the mark of its spent state (SUITE#).
    table.grantInstallAccess(this.installFunction);
    configSecret.grantRead(this.installFunction);

    // corp-token marks an authorization WeCom refuses as broken.
    this.events.grantPublish(this.corpTokenFunction, [DETAIL_TYPE.authorizationChanged]);

    const exchange = new ServiceFunction(this, 'AuthExchangeFunction', {
      functionDirectory: 'auth-exchange',
      serviceName: 'auth-exchange',
      environment,
      timeout: Duration.seconds(60),
      logRetention,
      ...inVpc,
    });
    table.grantExchangeAccess(exchange);
    configSecret.grantRead(exchange);
    this.events.grantPublish(exchange, [DETAIL_TYPE.authorizationChanged]);
    const deadLetters = new Queue(this, 'AuthExchangeDeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: table.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the stream.',
    });
    exchange.addEventSource(
      new DynamoEventSource(table.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        retryAttempts: 5,
        // An auth code lives 10 minutes: a record still failing after 5 is better in the queue, with an alarm.
        maxRecordAge: Duration.minutes(5),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(deadLetters),
        // The same patterns the local stream poller applies (npm start, tests).
        filters: EXCHANGE_STREAM_FILTERS.map((pattern) => FilterCriteria.filter({ ...pattern })),
      }),
    );

    const api = new CredentialApi(this, 'Callbacks', {
      callbackFunction: callback,
      installFunction: this.installFunction,
      rateLimit: stage.callbackRateLimit,
      burstLimit: stage.callbackBurstLimit,
      installRateLimit: stage.installRateLimit,
      installBurstLimit: stage.installBurstLimit,
      logRetention,
      ...(stage.customDomain === undefined ? {} : { customDomain: stage.customDomain }),
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'WeCom and browsers cannot sign AWS requests. Every callback is authenticated by its msg_signature (SHA-1 over the suite token) in the function. The install routes are public by design (a link on the provider website): the first only redirects to WeCom, and the completion stores an auth code only with a single-use state the install function issued and WeCom sent back; both are throttled to installRateLimit. GET /{file} serves only the WW_verify files WeCom fetches to check the domain, which are public by nature, and 404 for any other name. The stage is throttled.',
    });

    for (const busArn of stage.eventConsumerBusArns) {
      this.events.forwardTo(busArn);
    }

    for (const [index, roleArn] of stage.consumerRoleArns.entries()) {
      for (const fn of [
        this.suiteTokenFunction,
        this.corpTokenFunction,
        this.providerTokenFunction,
        this.customizedAuthUrlFunction,
      ]) {
        fn.addPermission(`Consumer${index}`, {
          principal: new ArnPrincipal(roleArn),
          action: 'lambda:InvokeFunction',
        });
      }
    }

    new CredentialAlarms(this, 'Alarms', {
      functions: {
        // The callback maps its typed errors to HTTP answers and auth-exchange answers no caller, so
        // Lambda counts only their failures as Errors. The token functions throw typed errors by contract.
        callback: { lambda: callback, serviceName: callback.serviceName, errorAlarm: 'all-errors' },
        suiteToken: {
          lambda: this.suiteTokenFunction,
          serviceName: this.suiteTokenFunction.serviceName,
          errorAlarm: 'crashes-only',
        },
        corpToken: {
          lambda: this.corpTokenFunction,
          serviceName: this.corpTokenFunction.serviceName,
          errorAlarm: 'crashes-only',
        },
        providerToken: {
          lambda: this.providerTokenFunction,
          serviceName: this.providerTokenFunction.serviceName,
          errorAlarm: 'crashes-only',
        },
        customizedAuthUrl: {
          lambda: this.customizedAuthUrlFunction,
          serviceName: this.customizedAuthUrlFunction.serviceName,
          errorAlarm: 'crashes-only',
        },
        authExchange: { lambda: exchange, serviceName: exchange.serviceName, errorAlarm: 'all-errors' },
        // Like the callback, it answers browsers with HTTP statuses it maps itself.
        install: {
          lambda: this.installFunction,
          serviceName: this.installFunction.serviceName,
          errorAlarm: 'all-errors',
        },
      },
      deadLetterQueue: deadLetters,
      throttledCallbacks: api.metricThrottledRequests(),
      failedCallbacks: api.metricServerErrors(),
      suiteIds: stage.suiteIds,
      ...(stage.alarmEmail === undefined ? {} : { alarmEmail: stage.alarmEmail }),
    });

    Validations.of(exchange).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams, granted by the stream event source, has no resource-level permissions.',
    });

    new CfnOutput(this, 'TableName', {
      value: table.table.tableName,
      description: 'The credential table (the README smoke check reads the ticket age from it)',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.events.eventBus.eventBusName,
      description: 'The bus every callback and authorization change is published to (README, Events)',
    });
    new CfnOutput(this, 'EventBusArn', {
      value: this.events.eventBus.eventBusArn,
      description: 'The same bus by ARN: the destination of a replay from its archive (README, Events)',
    });
    new CfnOutput(this, 'SuiteTokenFunctionName', { value: this.suiteTokenFunction.functionName });
    new CfnOutput(this, 'SuiteTokenFunctionArn', { value: this.suiteTokenFunction.functionArn });
    new CfnOutput(this, 'CorpTokenFunctionName', { value: this.corpTokenFunction.functionName });
    new CfnOutput(this, 'CorpTokenFunctionArn', { value: this.corpTokenFunction.functionArn });
    new CfnOutput(this, 'ProviderTokenFunctionName', { value: this.providerTokenFunction.functionName });
    new CfnOutput(this, 'ProviderTokenFunctionArn', { value: this.providerTokenFunction.functionArn });
    new CfnOutput(this, 'CustomizedAuthUrlFunctionName', {
      value: this.customizedAuthUrlFunction.functionName,
    });
    new CfnOutput(this, 'ConfigSecretArn', {
      value: props.configSecret.secretArn,
      description: 'Fill it with the configuration document (README, Deploy)',
    });
    new CfnOutput(this, 'EgressIp', {
      value:
        network?.egressAddress ??
        (stage.egress.kind === 'existing-vpc'
          ? 'the NAT address of your VPC'
          : 'none: egress=none, calls leave from Lambda addresses'),
      description:
        'Add to the WeCom provider IP allow-list (服务商管理后台 → 服务商信息 → 基本信息 → IP白名单)',
    });
  }

  /** Lets a role of another service (in this app) invoke the token functions. */
  grantTokenInvoke(grantee: IGrantable): void {
    this.suiteTokenFunction.grantInvoke(grantee);
    this.corpTokenFunction.grantInvoke(grantee);
    this.providerTokenFunction.grantInvoke(grantee);
    this.customizedAuthUrlFunction.grantInvoke(grantee);
  }

  #egress(
    stage: StageConfig,
    keptIp: EgressIpAttributes | undefined,
  ): { vpc: IVpc; egressAddress?: string } | undefined {
    if (keptIp !== undefined && (stage.egress.kind !== 'nat' || stage.egress.eipAllocationId !== undefined)) {
      throw new Error(
        'egressIp is for egress=nat without egressIpAllocationId; the stage uses no new address',
      );
    }
    switch (stage.egress.kind) {
      case 'none':
        return undefined;
      case 'existing-vpc':
        return { vpc: Vpc.fromLookup(this, 'Vpc', { vpcId: stage.egress.vpcId }) };
      case 'nat': {
        const reused = stage.egress.eipAllocationId;
        const egressIp = keptIp ?? (reused === undefined ? undefined : { allocationId: reused });
        if (egressIp === undefined) {
          throw new Error(
            'egress=nat needs an Elastic IP: the data stack one (egressIp) or an existing one (egressIpAllocationId)',
          );
        }
        const network = new EgressNetwork(this, 'Egress', { egressIp, logRetention: stage.logRetentionDays });
        return { vpc: network.vpc, egressAddress: network.egressAddress };
      }
    }
  }
}
