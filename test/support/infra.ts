import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addCredentialStacks } from '../../lib/credential-app.ts';
import type { CredentialServiceStack } from '../../lib/stacks/credential-service-stack.ts';
import { readStageConfig } from '../../lib/stage-config.ts';
import type { StackTemplates } from './stack-templates.ts';

/**
 * How long one test or hook that synthesizes may take: seconds on an idle machine, but a test
 * file's first synth loads aws-cdk-lib into its fresh process, which on a busy two-core machine
 * can alone pass vitest's default minute.
 */
export const SYNTH_TIMEOUT_MS = 300_000;

export interface SynthesizedApp extends StackTemplates {
  readonly app: App;
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
