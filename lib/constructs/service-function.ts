import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/adapters/metric-names.ts';
import {
  architectureOf,
  DEFAULT_LAMBDA_PLATFORM,
  esbuildTargetOf,
  type LambdaPlatform,
  nodeOptionsOf,
  runtimeOf,
} from '../lambda-platform.ts';

export interface ServiceFunctionProps {
  /** Folder under functions/ holding `handler.ts`, e.g. `wecom-callback`. */
  readonly functionDirectory: string;
  /** Powertools service name; also the log and metric `service`. */
  readonly serviceName: string;
  /**
   * The stage it belongs to (the stack prefix): its metrics' `stage` dimension, which the stage's
   * alarms and dashboard select, so a second stage in the account never feeds them.
   */
  readonly stage: string;
  /** Merged over the house defaults, never replacing them. @default {} */
  readonly environment?: Record<string, string>;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** How long to keep its logs (the log group is deleted with the function). */
  readonly logRetention: RetentionDays;
  /** Runs the function in this VPC (for the fixed egress IP). @default no VPC */
  readonly vpc?: IVpc;
  readonly vpcSubnets?: SubnetSelection;
  readonly securityGroups?: ISecurityGroup[];
  /** Runtime and architecture (context `lambdaRuntime`, `lambdaArchitecture`). @default nodejs24.x on arm64 */
  readonly platform?: LambdaPlatform;
  /**
   * Whether Node.js maps its stack traces through the source map where the runtime allows it
   * without a cold-start cost (functions/catalog.ts, sourceMapsAtRunTime).
   * @default true
   */
  readonly sourceMapsAtRunTime?: boolean;
}

const FUNCTIONS_ROOT = new URL('../../functions/', import.meta.url);

/**
 * The modules every function's bundle takes from our own files instead (esbuild aliases); the
 * bench builds its SDK floor with them too.
 */
export const LAMBDA_BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  // Lambda passes role credentials in the environment: bundle only that provider (see the file).
  '@aws-sdk/credential-provider-node': fileURLToPath(
    new URL('adapters/lambda-credentials.ts', FUNCTIONS_ROOT),
  ),
  // `process` is a global: no ES module namespace of it built at every cold start (see the file).
  'node:process': fileURLToPath(new URL('adapters/lambda-process.ts', FUNCTIONS_ROOT)),
  // No operation the functions call streams events: no codec, nor the lazy wrappers it costs (see the file).
  '@smithy/core/event-streams': fileURLToPath(new URL('adapters/no-event-streams.ts', FUNCTIONS_ROOT)),
};

/** Some bundled dependencies are CommonJS and call require(): every ESM bundle starts by making one. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * A NodejsFunction with the house defaults: Node.js 24 on ARM64 (or the stage's `platform`); one minified ESM bundle with
 * source maps (read at run time where that costs no cold start: see nodeOptionsOf); the AWS SDK bundled and so pinned by our lock file;
 * an explicit log group with retention; Powertools settings and the stage in the environment.
 */
export class ServiceFunction extends NodejsFunction {
  /** Its Powertools service name: the `service` dimension of the metrics it emits. */
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    // Logs of a stateless function go with it: `cdk destroy` leaves no orphaned log group behind.
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const platform = props.platform ?? DEFAULT_LAMBDA_PLATFORM;
    const nodeOptions = props.sourceMapsAtRunTime === false ? undefined : nodeOptionsOf(platform);
    super(scope, id, {
      entry: fileURLToPath(new URL(`${props.functionDirectory}/handler.ts`, FUNCTIONS_ROOT)),
      handler: 'handler',
      runtime: runtimeOf(platform),
      architecture: architectureOf(platform),
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup,
      environment: {
        ...(nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }),
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        STAGE: props.stage,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: esbuildTargetOf(platform.runtime),
        minify: true,
        sourceMap: true,
        externalModules: [],
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        esbuildArgs: Object.fromEntries(
          Object.entries(LAMBDA_BUNDLE_ALIASES).map(([module, file]) => [`--alias:${module}`, file]),
        ),
      },
      ...(props.vpc === undefined
        ? {}
        : { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups: props.securityGroups }),
    });
    this.serviceName = props.serviceName;
    if (platform.runtime !== DEFAULT_LAMBDA_PLATFORM.runtime) {
      Validations.of(this).acknowledge({
        id: 'AwsSolutions-L1',
        reason: `The stage chose ${platform.runtime} (context lambdaRuntime), for a region that lacks the newest runtime.`,
      });
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'The AWS-maintained minimum for writing the function logs; its log group is our own, with retention.',
    });
    if (props.vpc !== undefined) {
      Validations.of(this).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason:
          'The AWS-maintained minimum for the network interfaces of a function in a VPC (the fixed egress IP).',
      });
    }
  }
}
