import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { FUNCTION_NAMES, FUNCTIONS, functionsOfKind } from '../../functions/catalog.ts';
import { synthesizedBundles } from './bundles.ts';

/** The two templates of a stage: the data stack's and the service stack's. */
export interface StackTemplates {
  readonly data: Template;
  readonly service: Template;
}

/** A hook's bound on defaultStacks(): the bundles' own wait (bundles.ts) and a margin, so their error shows. */
export const DEFAULT_STACKS_TIMEOUT_MS = 660_000;

/**
 * The default stage's templates as `cdk synth` writes them, from this run's one synth
 * (bundle-setup.ts starts it in a process of its own). They equal synthesizeApp()'s but for the
 * bundles' asset hashes; reading them spares a test file loading lib/ and aws-cdk-lib's constructs,
 * and synthesizing, in its own process. A stage with other settings still needs synthesizeApp().
 */
export const defaultStacks = async (): Promise<StackTemplates> => {
  const { templates } = await synthesizedBundles();
  return {
    data: Template.fromJSON(templates.data as Record<string, unknown>),
    service: Template.fromJSON(templates.service as Record<string, unknown>),
  };
};

/** Each function's construct id in the service stack (functions/catalog.ts), in the catalogue's order. */
export const CONSTRUCT_IDS: readonly string[] = FUNCTION_NAMES.map((name) => FUNCTIONS[name].constructId);

/** The functions other services invoke (functions/catalog.ts): construct id and function name. */
export const INVOKED = functionsOfKind('invoked').map(([name, entry]) => [entry.constructId, name] as const);

/** The construct ids of the invoked functions. */
export const INVOKED_IDS: string[] = INVOKED.map(([functionId]) => functionId);

/** The construct ids of the functions the catalogue says publish events, sorted. */
export const PUBLISHER_IDS: string[] = FUNCTION_NAMES.filter((name) => FUNCTIONS[name].publishes.length > 0)
  .map((name) => FUNCTIONS[name].constructId)
  .sort();

/** A resource as it appears in a synthesized template. */
export type CfnResource = { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> };

/** A key policy or IAM statement as synthesized. */
export type PolicyStatement = {
  Sid?: string;
  Action: string | string[];
  Principal?: Record<string, unknown>;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
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

/** The logical id of the one resource in `resources`. */
export const logicalIdOf = (resources: Record<string, unknown>): string => {
  const ids = Object.keys(resources);
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
};

/** The statements of the data stack's key policy. */
export const keyPolicyOf = (stacks: StackTemplates): PolicyStatement[] => {
  const keys = stacks.data.findResources('AWS::KMS::Key');
  return (keys[logicalIdOf(keys)]?.Properties.KeyPolicy.Statement ?? []) as PolicyStatement[];
};

/** The key policy's statements for EventBridge (the bus and its archive). */
export const eventBridgeStatements = (stacks: StackTemplates): PolicyStatement[] =>
  keyPolicyOf(stacks).filter((statement) =>
    JSON.stringify(statement.Principal).includes('events.amazonaws.com'),
  );
