import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CredentialDataStack } from '../../lib/stacks/credential-data-stack.ts';
import { CredentialServiceStack } from '../../lib/stacks/credential-service-stack.ts';
import { readStageConfig } from '../../lib/stage-config.ts';

export interface SynthesizedApp {
  readonly app: App;
  readonly data: Template;
  readonly service: Template;
  readonly serviceStack: CredentialServiceStack;
}

/**
 * Builds the app as bin/app.ts does, with the given context. Bundling is skipped (the
 * `aws:cdk:bundling-stacks` context) unless `bundle` is set; one test bundles for real.
 */
export const synthesizeApp = (
  context: Record<string, unknown> = {},
  options: {
    readonly bundle?: boolean;
    readonly nag?: boolean;
    readonly beforeSynth?: (service: CredentialServiceStack) => void;
  } = {},
): SynthesizedApp => {
  const app = new App({
    context: { ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': [] }), ...context },
  });
  if (options.nag === true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  const stage = readStageConfig(app);
  const data = new CredentialDataStack(app, 'Data', {
    createEgressIp: stage.egress.kind === 'nat' && stage.egress.eipAllocationId === undefined,
  });
  const serviceStack = new CredentialServiceStack(app, 'Service', {
    table: data.table.table,
    encryptionKey: data.key,
    configSecret: data.configSecret,
    ...(data.egressIp === undefined ? {} : { egressIp: data.egressIp }),
    stage,
  });
  options.beforeSynth?.(serviceStack);
  return { app, data: Template.fromStack(data), service: Template.fromStack(serviceStack), serviceStack };
};

type Statement = {
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  Resource?: unknown;
};

/** The IAM statements attached to the role of the function whose construct id starts with `functionId`. */
export const statementsOf = (template: Template, functionId: string): Statement[] => {
  const functions = template.findResources('AWS::Lambda::Function');
  const entry = Object.entries(functions).find(([logicalId]) => logicalId.startsWith(functionId));
  if (entry === undefined) {
    throw new Error(`no function ${functionId}`);
  }
  const roleId = (entry[1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
  );
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
};

/** Every action a function may take, flattened. */
export const actionsOf = (template: Template, functionId: string): string[] =>
  statementsOf(template, functionId).flatMap((statement) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action],
  );
