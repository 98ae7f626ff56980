import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IVpc, SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { ArnPrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EXCHANGE_STREAM_FILTERS } from '../../functions/adapters/dynamodb/stream-filters.ts';
import { DETAIL_TYPE } from '../../functions/core/events/service-events.ts';
import type { ServiceName } from '../../functions/wiring/service-runtime.ts';
import { CredentialAlarms } from '../constructs/credential-alarms.ts';
import { CredentialApi } from '../constructs/credential-api.ts';
import { CredentialEventsAccess } from '../constructs/credential-events-access.ts';
import { CredentialTableAccess } from '../constructs/credential-table-access.ts';
import { type EgressIpSource, EgressNetwork } from '../constructs/egress-network.ts';
import { ServiceFunction } from '../constructs/service-function.ts';
import type { StageConfig } from '../stage-config.ts';

/**
 * The functions other services invoke with the Lambda API, JSON in and out (design §3 and §9), by
 * their name in the alarms. Each calls WeCom, so it leaves through the allow-listed IP; reads
 * tickets and authorizations and caches what it mints or fetches under TOKEN# keys (the token
 * access); reads the configuration secret; answers typed errors by contract; and the consumer roles
 * and grantTokenInvoke may invoke it. An `id` is the logical-id prefix of a deployed function:
 * renaming one replaces the function.
 */
const INVOKED_FUNCTIONS = {
  suiteToken: { id: 'SuiteTokenFunction', serviceName: 'suite-token' },
  corpToken: { id: 'CorpTokenFunction', serviceName: 'corp-token' },
  providerToken: { id: 'ProviderTokenFunction', serviceName: 'provider-token' },
  // It mints the provider token when needed.
  customizedAuthUrl: { id: 'CustomizedAuthUrlFunction', serviceName: 'customized-auth-url' },
  // Sign-in: with the suite token, or a 代开发 corp's token, each minted when needed.
  userIdentity: { id: 'UserIdentityFunction', serviceName: 'user-identity' },
  userDetail: { id: 'UserDetailFunction', serviceName: 'user-detail' },
  // JS-SDK tickets are cached and minted single-flight like tokens (WeCom allows a corp 400 an hour).
  jsapiTicket: { id: 'JsapiTicketFunction', serviceName: 'jsapi-ticket' },
} as const satisfies Record<string, { readonly id: string; readonly serviceName: ServiceName }>;

type InvokedFunctionName = keyof typeof INVOKED_FUNCTIONS;

/** `record` with `transform` applied to each value, keys kept. */
const mapValues = <K extends string, V, W>(
  record: Readonly<Record<K, V>>,
  transform: (value: V) => W,
): Record<K, W> =>
  Object.fromEntries(Object.entries<V>(record).map(([key, value]) => [key, transform(value)])) as Record<
    K,
    W
  >;

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
  readonly suiteTokenFunction: ServiceFunction;
  readonly corpTokenFunction: ServiceFunction;
  readonly providerTokenFunction: ServiceFunction;
  readonly customizedAuthUrlFunction: ServiceFunction;
  /** Exchanges a sign-in code for who signed in (design §9). */
  readonly userIdentityFunction: ServiceFunction;
  /** Exchanges a user_ticket for the user's details (design §9). */
  readonly userDetailFunction: ServiceFunction;
  /** Serves JS-SDK tickets, or signs a page URL with them (design §9). */
  readonly jsapiTicketFunction: ServiceFunction;
  /** Serves the install routes to browsers; it has no consumer invoke permission. */
  readonly installFunction: ServiceFunction;
  /** The event bus: `events.eventBus` for rules of your own, `events.forwardTo(busArn)` for other buses. */
  readonly events: CredentialEventsAccess;
  /** The functions other services invoke, INVOKED_FUNCTIONS built. */
  readonly #invoked: Readonly<Record<InvokedFunctionName, ServiceFunction>>;

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
      stage: stage.stackPrefix,
    });
    table.grantCallbackAccess(callback);
    table.grantSecretRead(callback, configSecret);
    // Every authenticated callback but suite_ticket, and cancel_auth's change of an authorization.
    this.events.grantPublish(callback, [
      DETAIL_TYPE.dataCallback,
      DETAIL_TYPE.commandEvent,
      DETAIL_TYPE.authorizationChanged,
    ]);

    const invoked = mapValues(INVOKED_FUNCTIONS, ({ id, serviceName }) => {
      const fn = new ServiceFunction(this, id, {
        functionDirectory: serviceName,
        serviceName,
        environment,
        timeout: Duration.seconds(20),
        logRetention,
        stage: stage.stackPrefix,
        ...inVpc,
      });
      table.grantTokenAccess(fn);
      table.grantSecretRead(fn, configSecret);
      return fn;
    });
    this.#invoked = invoked;
    this.suiteTokenFunction = invoked.suiteToken;
    this.corpTokenFunction = invoked.corpToken;
    this.providerTokenFunction = invoked.providerToken;
    this.customizedAuthUrlFunction = invoked.customizedAuthUrl;
    this.userIdentityFunction = invoked.userIdentity;
    this.userDetailFunction = invoked.userDetail;
    this.jsapiTicketFunction = invoked.jsapiTicket;

    // Browsers reach it through the API, never by Lambda invoke. It calls WeCom (get_pre_auth_code,
    // set_session_info, and the suite token it mints), so it leaves through the allow-listed IP; a
    // browser waits on it, hence the short timeout.
    this.installFunction = new ServiceFunction(this, 'InstallFunction', {
      functionDirectory: 'install',
      serviceName: 'install',
      environment,
      timeout: Duration.seconds(10),
      logRetention,
      stage: stage.stackPrefix,
      ...inVpc,
    });
    // Public and anonymous, so less than the token functions: suite items and suite credentials
    // only (never a corp's permanent code or token), plus the auth code a redirect brings back.
    table.grantInstallAccess(this.installFunction);
    table.grantSecretRead(this.installFunction, configSecret);

    // Whichever function mints a corp token first meets an authorization WeCom refuses, marks it
    // broken and announces it: corp-token, and the sign-in and JS-SDK functions that use that token.
    for (const fn of [
      this.corpTokenFunction,
      this.userIdentityFunction,
      this.userDetailFunction,
      this.jsapiTicketFunction,
    ]) {
      this.events.grantPublish(fn, [DETAIL_TYPE.authorizationChanged]);
    }

    const exchange = new ServiceFunction(this, 'AuthExchangeFunction', {
      functionDirectory: 'auth-exchange',
      serviceName: 'auth-exchange',
      environment,
      timeout: Duration.seconds(60),
      logRetention,
      stage: stage.stackPrefix,
      ...inVpc,
    });
    table.grantExchangeAccess(exchange);
    table.grantSecretRead(exchange, configSecret);
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
        // A mapping created again (a new service stack, a replaced function) reads the stream's last
        // 24 hours, so no code stored while it was away is lost. What it reads again costs nothing:
        // codes already exchanged or settled are skipped, codes past WeCom's 10 minutes are settled
        // without a WeCom call, and changes already published or refreshed are seen as done.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        // A record that fails 5 times goes to the queue, with its alarm. No maximum record age:
        // Lambda sends every record older than that to the queue unread, which for a mapping
        // created again would be most of that day.
        retryAttempts: 5,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        onFailure: table.deadLetterQueue(deadLetters),
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
      installCompleteRateLimit: stage.installCompleteRateLimit,
      installCompleteBurstLimit: stage.installCompleteBurstLimit,
      logRetention,
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
      for (const fn of Object.values(invoked)) {
        fn.addPermission(`Consumer${index}`, {
          principal: new ArnPrincipal(roleArn),
          action: 'lambda:InvokeFunction',
        });
      }
    }

    new CredentialAlarms(this, 'Alarms', {
      functions: {
        // The callback maps its typed errors to HTTP answers and auth-exchange answers no caller, so
        // Lambda counts only their failures as Errors. The invoked functions throw typed errors by contract.
        callback: { lambda: callback, serviceName: callback.serviceName, errorAlarm: 'all-errors' },
        ...mapValues(invoked, (fn) => ({
          lambda: fn,
          serviceName: fn.serviceName,
          errorAlarm: 'crashes-only' as const,
        })),
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
      stage: stage.stackPrefix,
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
    for (const fn of Object.values(invoked)) {
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
        (stage.egress.kind === 'existing-vpc'
          ? 'the NAT address of your VPC'
          : 'none: egress=none, calls leave from Lambda addresses'),
      description:
        'Add to the WeCom provider IP allow-list (服务商管理后台 → 服务商信息 → 基本信息 → IP白名单)',
    });
  }

  /**
   * Lets a role of another service (in this app) invoke the functions consumers call: the token,
   * link, sign-in and JS-SDK ticket functions (never install, which browsers reach through the API).
   */
  grantTokenInvoke(grantee: IGrantable): void {
    for (const fn of Object.values(this.#invoked)) {
      fn.grantInvoke(grantee);
    }
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
