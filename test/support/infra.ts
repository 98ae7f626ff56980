import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addCredentialStacks } from '../../lib/credential-app.ts';
import type { CredentialServiceStack } from '../../lib/stacks/credential-service-stack.ts';
import { readStageConfig } from '../../lib/stage-config.ts';

export interface SynthesizedApp {
  readonly app: App;
  readonly data: Template;
  readonly service: Template;
  readonly serviceStack: CredentialServiceStack;
}

/**
 * Builds the app as bin/app.ts does (addCredentialStacks), with the given context. Bundling is skipped (the
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
  const { data, service: serviceStack } = addCredentialStacks(app, readStageConfig(app), {
    data: 'Data',
    service: 'Service',
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
