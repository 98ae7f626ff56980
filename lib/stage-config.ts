import type { App } from 'aws-cdk-lib';

/** How the functions that call WeCom reach the internet (WeCom only accepts allow-listed IPs). */
export type EgressMode =
  | { readonly kind: 'nat' }
  | { readonly kind: 'existing-vpc'; readonly vpcId: string }
  | { readonly kind: 'none' };

/** Typed per-stage settings, read from `cdk.json` context or `-c key=value` in one place. */
export interface StageConfig {
  /** Prefix of the stack names. @default 'WeComCredentials' */
  readonly stackPrefix: string;
  /** @default { kind: 'nat' } — a NAT gateway with an Elastic IP to allow-list in WeCom */
  readonly egress: EgressMode;
  /** Roles (ARNs) of the services that may invoke the token functions. @default none */
  readonly consumerRoleArns: readonly string[];
  /** Suite ids that get their own "no suite_ticket for 20 minutes" alarm. @default none (one alarm for all) */
  readonly suiteIds: readonly string[];
  /** Email address subscribed to the alarm topic. @default none */
  readonly alarmEmail?: string;
  /** Days to keep function and access logs. @default 90 */
  readonly logRetentionDays: number;
  /** Callback route throttling (requests per second, burst). @default 50 / 100 */
  readonly callbackRateLimit: number;
  readonly callbackBurstLimit: number;
  /** Account and region; required for `existing-vpc`, which looks the VPC up. */
  readonly env?: { readonly account?: string; readonly region?: string };
}

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

const egressFrom = (value: unknown): EgressMode => {
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

const positiveNumber = (value: unknown, name: string, fallback: number): number => {
  if (value === undefined) {
    return fallback;
  }
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new Error(`context ${name} must be a positive whole number`);
  }
  return parsed;
};

/** Reads the stage settings from the app's context; a bad value stops synthesis with its name. */
export const readStageConfig = (app: App): StageConfig => {
  const context = (key: string): unknown => app.node.tryGetContext(key);
  const egress = egressFrom(context('egress'));
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
    consumerRoleArns: listFrom(context('consumerRoleArns'), 'consumerRoleArns'),
    suiteIds: listFrom(context('suiteIds'), 'suiteIds'),
    ...(typeof alarmEmail === 'string' && alarmEmail !== '' ? { alarmEmail } : {}),
    logRetentionDays: positiveNumber(context('logRetentionDays'), 'logRetentionDays', 90),
    callbackRateLimit: positiveNumber(context('callbackRateLimit'), 'callbackRateLimit', 50),
    callbackBurstLimit: positiveNumber(context('callbackBurstLimit'), 'callbackBurstLimit', 100),
    ...(egress.kind === 'existing-vpc' ? { env: { account, region } } : {}),
  };
};
