import { RegionInfo } from 'aws-cdk-lib/region-info';

/** Where the stacks deploy, as far as synthesis knows it (docs/china.md, Aiming a synth at China). */
export interface DeployTarget {
  /** The account: context `account`, else the CLI's credentials (CDK_DEFAULT_ACCOUNT). */
  readonly account?: string;
  /** The region: context `region`, else the CLI's (CDK_DEFAULT_REGION) when it has credentials. */
  readonly region?: string;
  /** `aws`, `aws-cn`, …: CDK's region fact for `region`. */
  readonly partition?: string;
  /**
   * The region the stacks are pinned to (context `region`): their templates name the partition,
   * URL suffix and region as literals, and the CLI deploys there whatever region its profile names.
   * Never the account: a stack pinned to an account looks its availability zones up with the CLI's
   * credentials at synth, which an offline synth (CI) cannot; the CLI deploys an account-agnostic
   * stack into its credentials' account, which `account` only checks.
   */
  readonly pinned: { readonly region: string } | undefined;
}

// The regions CDK's region facts know (a typo names no partition); `aws-cdk-lib/region-info`.
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ACCOUNT = /^\d{12}$/;

const contextText = (value: unknown, name: string, pattern: RegExp, example: string): string | undefined => {
  if (value === undefined || value === '') {
    return undefined;
  }
  if (typeof value !== 'string' || !pattern.test(value.trim())) {
    throw new Error(`context ${name} must be ${example}, got ${JSON.stringify(value)}`);
  }
  return value.trim();
};

/** The partition CDK's region facts give a region, or a refusal naming the region. */
const partitionOf = (region: string): string => {
  const partition = RegionInfo.get(region).partition;
  if (partition === undefined) {
    throw new Error(
      `context region ${region} is not a region aws-cdk-lib knows (its region facts name no partition for it)`,
    );
  }
  return partition;
};

/**
 * Reads the target from context `region` and `account` and the CLI's environment. A context region
 * pins the stacks there: the cleanest way to aim a synth at China, because the CLI overwrites
 * CDK_DEFAULT_REGION with its profile's region, while a stack's own `env` is what `cdk deploy` uses.
 * A context account is what the certificate and the CLI's account are checked against.
 * Pinned to a partition other than the CLI credentials', synthesis stops here rather than in a
 * deploy that cannot authenticate (accounts and credentials never cross partitions, per AWS China's
 * "General Information" page).
 */
export const readDeployTarget = (
  context: (key: string) => unknown,
  environment: Readonly<Record<string, string | undefined>>,
): DeployTarget => {
  const contextRegion = contextText(context('region'), 'region', REGION, 'a region such as cn-north-1');
  const contextAccount = contextText(context('account'), 'account', ACCOUNT, 'a 12-digit account id');
  const cliAccount = environment.CDK_DEFAULT_ACCOUNT;
  // Without credentials the CLI fills in us-east-1 for a region nobody chose: only believe it with an account.
  const cliRegion = cliAccount === undefined ? undefined : environment.CDK_DEFAULT_REGION;
  if (contextRegion !== undefined && cliRegion !== undefined && REGION.test(cliRegion)) {
    const wanted = partitionOf(contextRegion);
    const credentials = RegionInfo.get(cliRegion).partition;
    if (credentials !== undefined && credentials !== wanted) {
      throw new Error(
        `context region ${contextRegion} is in the ${wanted} partition, but the CLI's credentials are for ${credentials} (region ${cliRegion}): accounts never cross partitions, so use a profile of the ${wanted} account (--profile …)`,
      );
    }
  }
  if (contextAccount !== undefined && cliAccount !== undefined && contextAccount !== cliAccount) {
    throw new Error(
      `context account ${contextAccount} is not the account of the CLI's credentials (${cliAccount}): the CLI deploys into its credentials' account, so use a profile of ${contextAccount} (--profile …)`,
    );
  }
  const region = contextRegion ?? cliRegion;
  const account = contextAccount ?? cliAccount;
  const partition =
    contextRegion !== undefined ? partitionOf(contextRegion) : region && RegionInfo.get(region).partition;
  const pinned = contextRegion === undefined ? undefined : { region: contextRegion };
  return {
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region }),
    ...(partition === undefined || partition === '' ? {} : { partition }),
    pinned,
  };
};
