import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Fact, FactName } from 'aws-cdk-lib/region-info';

/** The Node.js runtimes the functions are written for (no API newer than Node 20.12 is used). */
export const LAMBDA_RUNTIMES = ['nodejs24.x', 'nodejs22.x', 'nodejs20.x'] as const;
export type LambdaRuntimeName = (typeof LAMBDA_RUNTIMES)[number];

export const LAMBDA_ARCHITECTURES = ['arm64', 'x86_64'] as const;
export type LambdaArchitectureName = (typeof LAMBDA_ARCHITECTURES)[number];

/** The runtime and instruction set every function runs on. */
export interface LambdaPlatform {
  /** @default 'nodejs24.x' */
  readonly runtime: LambdaRuntimeName;
  /** @default 'arm64' */
  readonly architecture: LambdaArchitectureName;
}

/**
 * The defaults, which exist in every region the service supports: CDK's region fact
 * `latestNodeRuntime` (aws-cdk-lib/region-info) is nodejs24.x in every region it knows, the two China
 * regions included, and AWS China's Lambda page ("How Amazon Lambda differs") lists no architecture
 * among the China differences (docs/china.md, Runtime and architecture).
 */
export const DEFAULT_LAMBDA_PLATFORM: LambdaPlatform = { runtime: 'nodejs24.x', architecture: 'arm64' };

/** The Node.js major of a Lambda runtime name (`nodejs24.x` → 24; NaN for another name). */
export const majorOf = (runtime: string): number =>
  Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1] ?? Number.NaN);

/**
 * Reads `lambdaRuntime` and `lambdaArchitecture`, refusing a runtime the target region lacks: newer
 * than CDK's `latestNodeRuntime` fact for it (new runtimes have reached China late before). Without
 * a known region (no context region, no credentials) nothing can be compared.
 */
export const readLambdaPlatform = (
  runtime: unknown,
  architecture: unknown,
  region: string | undefined,
): LambdaPlatform => {
  const chosenRuntime = runtime === undefined || runtime === '' ? DEFAULT_LAMBDA_PLATFORM.runtime : runtime;
  const chosenArchitecture =
    architecture === undefined || architecture === '' ? DEFAULT_LAMBDA_PLATFORM.architecture : architecture;
  const knownRuntime = LAMBDA_RUNTIMES.find((name) => name === chosenRuntime);
  if (knownRuntime === undefined) {
    throw new Error(
      `context lambdaRuntime must be one of ${LAMBDA_RUNTIMES.join(', ')}, got ${JSON.stringify(runtime)}`,
    );
  }
  const knownArchitecture = LAMBDA_ARCHITECTURES.find((name) => name === chosenArchitecture);
  if (knownArchitecture === undefined) {
    throw new Error(
      `context lambdaArchitecture must be one of ${LAMBDA_ARCHITECTURES.join(', ')}, got ${JSON.stringify(architecture)}`,
    );
  }
  const latest = region === undefined ? undefined : Fact.find(region, FactName.LATEST_NODE_RUNTIME);
  if (latest !== undefined && majorOf(knownRuntime) > majorOf(latest)) {
    throw new Error(
      `context lambdaRuntime ${knownRuntime} is not offered in ${region} (the newest Node.js runtime there is ${latest}): choose ${latest} or older`,
    );
  }
  return { runtime: knownRuntime, architecture: knownArchitecture };
};

/** The CDK runtime of a platform. */
export const runtimeOf = (platform: LambdaPlatform): Runtime => RUNTIMES[platform.runtime];

const RUNTIMES: Readonly<Record<LambdaRuntimeName, Runtime>> = {
  'nodejs24.x': Runtime.NODEJS_24_X,
  'nodejs22.x': Runtime.NODEJS_22_X,
  'nodejs20.x': Runtime.NODEJS_20_X,
};

/** The CDK architecture of a platform. */
export const architectureOf = (platform: LambdaPlatform): Architecture =>
  platform.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64;

/** esbuild's target for a Lambda runtime (`nodejs22.x` → `node22`). */
export const esbuildTargetOf = (runtime: string): string => `node${majorOf(runtime)}`;

/**
 * NODE_OPTIONS for a platform's functions: `--enable-source-maps` only where Node.js reads a bundle's
 * map when a stack trace needs it (24). Node.js 20 and 22 parse the whole map while the bundle
 * loads, on every cold start (docs/performance.md, "Source maps and the runtime"); there the traces
 * name positions in `index.mjs`, whose `index.mjs.map` ships beside it.
 */
export const nodeOptionsOf = (platform: LambdaPlatform): string | undefined =>
  majorOf(platform.runtime) >= 24 ? '--enable-source-maps' : undefined;
