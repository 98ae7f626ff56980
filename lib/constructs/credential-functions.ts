import { Duration } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionEntry,
  type FunctionName,
  type InvokedFunctionName,
} from '../../functions/catalog.ts';
import { DETAIL_TYPE } from '../../functions/core/events/service-events.ts';
import type { LambdaPlatform } from '../lambda-platform.ts';
import type { CredentialEventsAccess } from './credential-events-access.ts';
import type { CredentialTableAccess } from './credential-table-access.ts';
import { ServiceFunction } from './service-function.ts';

/** Where the functions that call WeCom run: the VPC whose NAT holds the allow-listed egress IP. */
export interface EgressPlacement {
  readonly vpc: IVpc;
  readonly vpcSubnets: SubnetSelection;
  readonly securityGroups: ISecurityGroup[];
}

export interface CredentialFunctionsProps {
  readonly table: CredentialTableAccess;
  readonly configSecret: ISecret;
  readonly events: CredentialEventsAccess;
  /** The stage's `stackPrefix`: the `stage` dimension of every custom metric. */
  readonly stage: string;
  readonly logRetention: RetentionDays;
  /** @default none: every function runs outside a VPC (`egress=none`) */
  readonly egress?: EgressPlacement;
  /**
   * `required`: the functions that publish system events (the callback) get WECOM_SYSTEM_EVENTS,
   * so a configuration without the system-event keys is an error there. @default 'optional'
   */
  readonly systemEvents?: 'optional' | 'required';
  /** Every function's runtime and architecture (the stage's). */
  readonly platform: LambdaPlatform;
}

/**
 * Every function of functions/catalog.ts as a Lambda function with what its entry says: its
 * timeout and memory, the VPC if it calls WeCom, its table access, the configuration secret, and
 * the detail-types it may publish. Nothing here names a function: a new catalogue entry is built,
 * granted, alarmed and (if invoked) output without a change to lib/. The functions are made in
 * `scope` (the service stack) under their catalogue construct ids, so their logical ids do not
 * depend on this grouping.
 */
export class CredentialFunctions {
  /** Each function by its catalogue name. */
  readonly byName: Readonly<Record<FunctionName, ServiceFunction>>;

  constructor(scope: Construct, props: CredentialFunctionsProps) {
    const environment = {
      TABLE_NAME: props.table.table.tableName,
      WECOM_CONFIG_SECRET: props.configSecret.secretArn,
    };
    const built: Partial<Record<FunctionName, ServiceFunction>> = {};
    for (const name of FUNCTION_NAMES) {
      const entry: FunctionEntry = FUNCTIONS[name];
      const wantsSystemEvents =
        props.systemEvents === 'required' && entry.publishes.includes(DETAIL_TYPE.systemEvent);
      const fn = new ServiceFunction(scope, entry.constructId, {
        functionDirectory: name,
        serviceName: name,
        environment: wantsSystemEvents ? { ...environment, WECOM_SYSTEM_EVENTS: 'required' } : environment,
        timeout: Duration.seconds(entry.timeoutSeconds),
        memorySize: entry.memoryMb,
        sourceMapsAtRunTime: entry.sourceMapsAtRunTime,
        logRetention: props.logRetention,
        stage: props.stage,
        platform: props.platform,
        ...(entry.egress && props.egress !== undefined ? props.egress : {}),
      });
      props.table.grantAccess(fn, entry.table);
      props.table.grantSecretRead(fn, props.configSecret);
      if (entry.publishes.length > 0) {
        props.events.grantPublish(fn, entry.publishes);
      }
      built[name] = fn;
    }
    this.byName = built as Record<FunctionName, ServiceFunction>;
  }

  /** The functions other services invoke with the Lambda API (never the HTTP or stream ones). */
  get invoked(): readonly (readonly [InvokedFunctionName, ServiceFunction])[] {
    return FUNCTION_NAMES.flatMap((name) =>
      FUNCTIONS[name].kind === 'invoked' ? [[name as InvokedFunctionName, this.byName[name]] as const] : [],
    );
  }

  /** Lets a role invoke every function other services invoke. */
  grantInvoke(grantee: IGrantable): void {
    for (const [, fn] of this.invoked) {
      fn.grantInvoke(grantee);
    }
  }
}
