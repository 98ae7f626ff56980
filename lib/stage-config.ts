import type { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EVENT_BUS_ARN } from './constructs/credential-events-access.ts';
import { readDeployTarget } from './deploy-target.ts';
import { type LambdaPlatform, readLambdaPlatform } from './lambda-platform.ts';

/** How the functions that call WeCom reach the internet (WeCom only accepts allow-listed IPs). */
export type EgressMode =
  | {
      readonly kind: 'nat';
      /**
       * An Elastic IP that already exists (and is allow-listed) for the NAT gateway.
       * @default none: the data stack creates one and keeps it
       */
      readonly eipAllocationId?: string;
    }
  | { readonly kind: 'existing-vpc'; readonly vpcId: string }
  | { readonly kind: 'none' };

/**
 * The API's own domain (docs/architecture.md, The API's own domain): WeCom checks its callback, install-redirect and OAuth domains
 * against the provider's verified domains, so a production stage needs one.
 */
export type CustomDomain = {
  /** The host name, lower-case, without scheme or trailing dot, e.g. `wecom.example.com`. */
  readonly domainName: string;
} & (
  | {
      /** An ACM certificate covering `domainName`, in the stack's account and region. */
      readonly certificateArn: string;
      /**
       * A Route 53 public hosted zone that serves `domainName`: the stack adds alias records there.
       * @default none: point a CNAME at the `CustomDomainTarget` output yourself
       */
      readonly hostedZoneId?: string;
    }
  | {
      /** None: the stack requests the certificate itself, DNS-validated in `hostedZoneId`. */
      readonly certificateArn?: undefined;
      /** A Route 53 public hosted zone of the stack's account that serves `domainName`. */
      readonly hostedZoneId: string;
    }
);

/** Typed per-stage settings, read from `cdk.json` context or `-c key=value` in one place. */
export interface StageConfig {
  /**
   * Prefix of the stack names, and the stage's name: the `stage` dimension of the functions'
   * metrics, which its alarms and dashboard select. @default 'WeComCredentials'
   */
  readonly stackPrefix: string;
  /** @default { kind: 'nat' } — a NAT gateway with an Elastic IP to allow-list in WeCom */
  readonly egress: EgressMode;
  /** IAM role ARNs of the services that may invoke the token functions. @default none */
  readonly consumerRoleArns: readonly string[];
  /** Suite ids that get their own "no suite_ticket for 20 minutes" alarm. @default none (one alarm for all) */
  readonly suiteIds: readonly string[];
  /** Email address subscribed to the alarm topic. @default none */
  readonly alarmEmail?: string;
  /** Days to keep function, access and flow logs; one of CloudWatch's retention values. @default 90 */
  readonly logRetentionDays: RetentionDays;
  /**
   * Callback route throttling (steady requests per second, burst). Data callbacks carry every
   * message of every authorized corp, so the stage is sized for that volume. @default 1000 / 2000
   */
  readonly callbackRateLimit: number;
  readonly callbackBurstLimit: number;
  /**
   * Throttling of `GET /install/{suiteId}`, which anyone may call (its pre-auth code is shared,
   * so a flood costs WeCom nothing). @default 10 / 20
   */
  readonly installRateLimit: number;
  readonly installBurstLimit: number;
  /**
   * Throttling of `GET /install/{suiteId}/complete` alone. Every request there with a fresh state
   * may cost a get_permanent_code (a made-up code fails at WeCom), and real installs complete
   * rarely, so it is far lower. @default 1 / 5
   */
  readonly installCompleteRateLimit: number;
  readonly installCompleteBurstLimit: number;
  /** The API's own domain. @default none: the execute-api URL */
  readonly customDomain?: CustomDomain;
  /** Days the event archive keeps events for replay; 0 for no archive. @default 30 */
  readonly eventArchiveDays: number;
  /**
   * Whether the stage wants the provider's system-event URL (`-c systemEvents=required`): the
   * callback then treats a configuration without provider.token and provider.encodingAesKey as an
   * error naming them (500, logged, alarmed) instead of answering 404. @default 'optional'
   */
  readonly systemEvents: 'optional' | 'required';
  /** Event buses (ARNs, any account) that get every event forwarded by a rule of their own. @default none */
  readonly eventConsumerBusArns: readonly string[];
  /**
   * Account and region the stacks are pinned to: context `region`/`account`, or the CLI's for
   * `existing-vpc`, which looks the VPC up. @default none: environment-agnostic stacks
   */
  readonly env?: { readonly account?: string; readonly region?: string };
  /** The functions' runtime and architecture (`lambdaRuntime`, `lambdaArchitecture`). */
  readonly lambda: LambdaPlatform;
}

/** Retention periods CloudWatch Logs accepts, without "never expire" (CDK rounds anything else up). */
const RETENTION_DAYS: readonly RetentionDays[] = Object.values(RetentionDays).filter(
  (value): value is RetentionDays => typeof value === 'number' && value !== RetentionDays.INFINITE,
);

// An IAM role (with or without a path) in the partitions this app targets.
const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@\-/]+$/;
// Allocation ids are eipalloc- and 8 (older) or 17 hex digits.
const EIP_ALLOCATION_ID = /^eipalloc-([0-9a-f]{8}|[0-9a-f]{17})$/;
// A host name of two or more labels (letters, digits, inner hyphens), lower-cased before the test.
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
// An ACM certificate: arn:<partition>:acm:<region>:<account>:certificate/<uuid>.
const CERTIFICATE_ARN = /^arn:aws(-cn|-us-gov)?:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[0-9a-f-]{36}$/;
// Stack names are a letter, then letters, digits and hyphens, 128 at most with "Service" appended.
const STACK_PREFIX = /^[A-Za-z][A-Za-z0-9-]{0,120}$/;
// Route 53 zone ids are Z and upper-case letters and digits.
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
// The longest domain name ACM takes as a certificate's subject (its common name).
const MAX_CERTIFICATE_NAME = 64;

const listFrom = (value: unknown, name: string): string[] => {
  if (value === undefined || value === '') {
    return [];
  }
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) {
    return value;
  }
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
  }
  throw new Error(`context ${name} must be a list of strings or a comma-separated string`);
};

const egressFrom = (value: unknown, allocationId: unknown): EgressMode => {
  if (allocationId !== undefined && allocationId !== '') {
    if (typeof allocationId !== 'string' || !EIP_ALLOCATION_ID.test(allocationId)) {
      throw new Error(
        `context egressIpAllocationId must be an Elastic IP allocation id (eipalloc-…), got ${JSON.stringify(allocationId)}`,
      );
    }
    if (value !== undefined && value !== 'nat') {
      throw new Error('context egressIpAllocationId only applies to egress=nat (the NAT gateway uses it)');
    }
    return { kind: 'nat', eipAllocationId: allocationId };
  }
  if (value === undefined || value === 'nat') {
    return { kind: 'nat' };
  }
  if (value === 'none') {
    return { kind: 'none' };
  }
  if (typeof value === 'string' && /^vpc-[0-9a-f]+$/.test(value)) {
    return { kind: 'existing-vpc', vpcId: value };
  }
  throw new Error("context egress must be 'nat' (default), 'none' or an existing VPC id (vpc-…)");
};

const roleArnsFrom = (value: unknown): string[] => {
  const arns = listFrom(value, 'consumerRoleArns');
  const invalid = arns.filter((arn) => !ROLE_ARN.test(arn));
  if (invalid.length > 0) {
    throw new Error(
      `context consumerRoleArns must hold IAM role ARNs (arn:aws:iam::<account>:role/<name>); not a role ARN: ${invalid.join(', ')}`,
    );
  }
  return arns;
};

const eventBusArnsFrom = (value: unknown): string[] => {
  const arns = listFrom(value, 'eventConsumerBusArns');
  const invalid = arns.filter((arn) => !EVENT_BUS_ARN.test(arn));
  if (invalid.length > 0) {
    throw new Error(
      `context eventConsumerBusArns must hold EventBridge event bus ARNs (arn:aws:events:<region>:<account>:event-bus/<name>); not a bus ARN: ${invalid.join(', ')}`,
    );
  }
  return arns;
};

const wholeNumber = (value: unknown, name: string, fallback: number, minimum: 0 | 1): number => {
  if (value === undefined) {
    return fallback;
  }
  const parsed = value === '' || value === null ? Number.NaN : Number(value);
  if (!Number.isInteger(parsed) || parsed < minimum) {
    throw new Error(
      minimum === 1
        ? `context ${name} must be a positive whole number, got ${JSON.stringify(value)}`
        : `context ${name} must be a whole number of days (0 for none), got ${JSON.stringify(value)}`,
    );
  }
  return parsed;
};

const optionalText = (value: unknown, name: string): string | undefined => {
  if (value === undefined || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new Error(`context ${name} must be a string, got ${JSON.stringify(value)}`);
  }
  return value.trim();
};

const customDomainFrom = (domain: unknown, certificate: unknown, zone: unknown): CustomDomain | undefined => {
  const domainName = optionalText(domain, 'domainName')?.toLowerCase();
  const certificateArn = optionalText(certificate, 'certificateArn');
  const hostedZoneId = optionalText(zone, 'hostedZoneId')?.replace(/^\/hostedzone\//, '');
  if (domainName === undefined) {
    if (certificateArn !== undefined || hostedZoneId !== undefined) {
      throw new Error(
        `context ${certificateArn === undefined ? 'hostedZoneId' : 'certificateArn'} needs domainName: they configure the API's own domain`,
      );
    }
    return undefined;
  }
  if (!DOMAIN_NAME.test(domainName)) {
    throw new Error(
      `context domainName must be a host name such as wecom.example.com (no scheme, path, port or wildcard), got ${JSON.stringify(domain)}`,
    );
  }
  if (hostedZoneId !== undefined && !HOSTED_ZONE_ID.test(hostedZoneId)) {
    throw new Error(
      `context hostedZoneId must be a Route 53 hosted zone id (Z…), got ${JSON.stringify(zone)}`,
    );
  }
  if (certificateArn === undefined) {
    if (hostedZoneId === undefined) {
      throw new Error(
        `context domainName needs certificateArn or hostedZoneId: an ACM certificate for ${domainName} in the stack's region, or a Route 53 hosted zone serving ${domainName} in which the stack requests and DNS-validates one`,
      );
    }
    // ACM puts the name in the certificate's common name, which holds 64 characters at most (RFC
    // 5280's ub-common-name): stop here rather than in aws-cdk-lib's Certificate or in a deployment.
    if (domainName.length > MAX_CERTIFICATE_NAME) {
      throw new Error(
        `context domainName ${domainName} is ${domainName.length} characters, longer than the ${MAX_CERTIFICATE_NAME} a certificate the stack requests may name: request one covering it yourself and pass certificateArn`,
      );
    }
    return { domainName, hostedZoneId };
  }
  if (!CERTIFICATE_ARN.test(certificateArn)) {
    throw new Error(
      `context certificateArn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>), got ${JSON.stringify(certificate)}`,
    );
  }
  return { domainName, certificateArn, ...(hostedZoneId === undefined ? {} : { hostedZoneId }) };
};

/**
 * A regional API Gateway domain takes only a certificate of its own account and region, so a
 * certificate elsewhere fails here rather than halfway through a deployment. The target is context
 * `region`/`account` when given, else what the CLI's credentials name (CDK_DEFAULT_ACCOUNT and
 * CDK_DEFAULT_REGION). Without credentials the CLI fills in us-east-1 for a region nobody chose, so
 * that region is never compared (lib/deploy-target.ts); what is unknown is not compared.
 */
const requireCertificateWhereDeployed = (
  certificateArn: string,
  account: string | undefined,
  region: string | undefined,
): void => {
  const [, , , certificateRegion, certificateAccount] = certificateArn.split(':');
  if (region !== undefined && certificateRegion !== region) {
    throw new Error(
      `context certificateArn is a certificate in ${certificateRegion}, but the stacks deploy to ${region}: API Gateway needs one in the API's own region (request or import it there in ACM)`,
    );
  }
  if (account !== undefined && certificateAccount !== account) {
    throw new Error(
      `context certificateArn belongs to account ${certificateAccount}, but the stacks deploy to ${account}: API Gateway needs a certificate of its own account`,
    );
  }
};

const stackPrefixFrom = (value: unknown): string => {
  if (value === undefined) {
    return 'WeComCredentials';
  }
  if (typeof value !== 'string' || !STACK_PREFIX.test(value)) {
    throw new Error(
      `context stackPrefix must be a letter followed by letters, digits and hyphens (it names the stacks and the stage of the metrics), got ${JSON.stringify(value)}`,
    );
  }
  return value;
};

const retentionFrom = (value: unknown): RetentionDays => {
  const days = value === undefined ? RetentionDays.THREE_MONTHS : Number(value);
  const match = RETENTION_DAYS.find((allowed) => allowed === days);
  if (match === undefined) {
    throw new Error(
      `context logRetentionDays must be one of CloudWatch's retention periods (${RETENTION_DAYS.join(', ')}), got ${JSON.stringify(value)}`,
    );
  }
  return match;
};

/** Reads the stage settings from the app's context; a bad value stops synthesis with its name. */
export const readStageConfig = (app: App): StageConfig => {
  const context = (key: string): unknown => app.node.tryGetContext(key);
  const egress = egressFrom(context('egress'), context('egressIpAllocationId'));
  const target = readDeployTarget(context, process.env);
  const { account, region } = target;
  if (egress.kind === 'existing-vpc' && (account === undefined || region === undefined)) {
    throw new Error('egress=vpc-… needs AWS credentials for an account and region (the VPC is looked up)');
  }
  const alarmEmail = context('alarmEmail');
  const customDomain = customDomainFrom(
    context('domainName'),
    context('certificateArn'),
    context('hostedZoneId'),
  );
  if (target.partition === 'aws-cn' && customDomain === undefined) {
    throw new Error(
      `${region} is in AWS China, where API Gateway serves unauthenticated requests only on a custom domain ICP-filed by your entity (the execute-api host cannot pass WeCom's domain check either): set domainName, with certificateArn or hostedZoneId (docs/china.md)`,
    );
  }
  if (customDomain?.certificateArn !== undefined) {
    requireCertificateWhereDeployed(customDomain.certificateArn, account, region);
  }
  return {
    stackPrefix: stackPrefixFrom(context('stackPrefix')),
    egress,
    consumerRoleArns: roleArnsFrom(context('consumerRoleArns')),
    suiteIds: listFrom(context('suiteIds'), 'suiteIds'),
    ...(typeof alarmEmail === 'string' && alarmEmail !== '' ? { alarmEmail } : {}),
    logRetentionDays: retentionFrom(context('logRetentionDays')),
    // Data callbacks carry every message of every authorized corp, so 50/100 would refuse a single
    // busy corp. 1000 per second steady and a burst of 2000 (two seconds' worth, for spikes such as
    // WeCom re-sending callbacks it got no answer to within 5 s): at ~100 ms a callback that is ~100
    // concurrent executions, a tenth of Lambda's default account concurrency, and a tenth of the
    // 10,000 rps HTTP API quota of an account and region. Any 429 raises the CallbackThrottled alarm.
    callbackRateLimit: wholeNumber(context('callbackRateLimit'), 'callbackRateLimit', 1000, 1),
    callbackBurstLimit: wholeNumber(context('callbackBurstLimit'), 'callbackBurstLimit', 2000, 1),
    // Installs are people clicking a link: 10 a second per route (a burst of 20) is far above any
    // provider's install rate, and caps what an anonymous flood costs in Lambda time and in WeCom's
    // pre_auth_code quota. Requests over it get 429 before any function runs.
    installRateLimit: wholeNumber(context('installRateLimit'), 'installRateLimit', 10, 1),
    installBurstLimit: wholeNumber(context('installBurstLimit'), 'installBurstLimit', 20, 1),
    installCompleteRateLimit: wholeNumber(
      context('installCompleteRateLimit'),
      'installCompleteRateLimit',
      1,
      1,
    ),
    installCompleteBurstLimit: wholeNumber(
      context('installCompleteBurstLimit'),
      'installCompleteBurstLimit',
      5,
      1,
    ),
    ...(customDomain === undefined ? {} : { customDomain }),
    eventArchiveDays: wholeNumber(context('eventArchiveDays'), 'eventArchiveDays', 30, 0),
    systemEvents: systemEventsFrom(context('systemEvents')),
    eventConsumerBusArns: eventBusArnsFrom(context('eventConsumerBusArns')),
    ...(egress.kind === 'existing-vpc'
      ? { env: { account, region } }
      : target.pinned === undefined
        ? {}
        : { env: target.pinned }),
    lambda: readLambdaPlatform(context('lambdaRuntime'), context('lambdaArchitecture'), region),
  };
};

const systemEventsFrom = (value: unknown): 'optional' | 'required' => {
  if (value === undefined || value === 'optional' || value === 'required') {
    return value ?? 'optional';
  }
  throw new Error('context systemEvents must be required or optional');
};
