import type { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EVENT_BUS_ARN } from './constructs/credential-events-access.ts';

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

/** Typed per-stage settings, read from `cdk.json` context or `-c key=value` in one place. */
export interface StageConfig {
  /** Prefix of the stack names. @default 'WeComCredentials' */
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
  /** Days the event archive keeps events for replay; 0 for no archive. @default 30 */
  readonly eventArchiveDays: number;
  /** Event buses (ARNs, any account) that get every event forwarded by a rule of their own. @default none */
  readonly eventConsumerBusArns: readonly string[];
  /** Account and region; required for `existing-vpc`, which looks the VPC up. */
  readonly env?: { readonly account?: string; readonly region?: string };
}

/** Retention periods CloudWatch Logs accepts, without "never expire" (CDK rounds anything else up). */
const RETENTION_DAYS: readonly RetentionDays[] = Object.values(RetentionDays).filter(
  (value): value is RetentionDays => typeof value === 'number' && value !== RetentionDays.INFINITE,
);

// An IAM role (with or without a path) in the partitions this app targets.
const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@\-/]+$/;
// Allocation ids are eipalloc- and 8 (older) or 17 hex digits.
const EIP_ALLOCATION_ID = /^eipalloc-([0-9a-f]{8}|[0-9a-f]{17})$/;

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
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  if (egress.kind === 'existing-vpc' && (account === undefined || region === undefined)) {
    throw new Error('egress=vpc-… needs AWS credentials for an account and region (the VPC is looked up)');
  }
  const alarmEmail = context('alarmEmail');
  return {
    stackPrefix:
      typeof context('stackPrefix') === 'string' ? String(context('stackPrefix')) : 'WeComCredentials',
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
    eventArchiveDays: wholeNumber(context('eventArchiveDays'), 'eventArchiveDays', 30, 0),
    eventConsumerBusArns: eventBusArnsFrom(context('eventConsumerBusArns')),
    ...(egress.kind === 'existing-vpc' ? { env: { account, region } } : {}),
  };
};
