import type { App } from 'aws-cdk-lib';
import { CredentialDataStack, type CredentialDataStackProps } from './stacks/credential-data-stack.ts';
import { CredentialServiceStack } from './stacks/credential-service-stack.ts';
import type { StageConfig } from './stage-config.ts';

export interface CredentialStacks {
  readonly data: CredentialDataStack;
  readonly service: CredentialServiceStack;
}

/**
 * The one assembly of the service's two stacks for a stage: bin/app.ts, the infrastructure tests
 * and the cold-start benchmark all build the app through it.
 *
 * @param ids stack ids; @default `${stackPrefix}Data` and `${stackPrefix}Service`
 */
export const addCredentialStacks = (
  app: App,
  stage: StageConfig,
  ids: { readonly data?: string; readonly service?: string } = {},
): CredentialStacks => {
  const env = stage.env === undefined ? {} : { env: stage.env };
  const data = new CredentialDataStack(app, ids.data ?? `${stage.stackPrefix}Data`, {
    description:
      'WeCom credential service: table, key, configuration secret, event bus and archive, egress IP (kept on deletion)',
    ...egressIpOf(stage),
    eventArchiveDays: stage.eventArchiveDays,
    ...env,
  });
  const service = new CredentialServiceStack(app, ids.service ?? `${stage.stackPrefix}Service`, {
    description:
      'WeCom credential service: callback and install API, token functions, auth-code exchange, event forwarding, alarms',
    // References, resolved by CloudFormation exports that exist under every stage setting (the
    // infrastructure tests synthesize each context change and check it); what depends on the
    // settings (the NAT's Elastic IP) is read at deploy time instead.
    table: data.table.table,
    encryptionKey: data.key,
    configSecret: data.configSecret,
    eventBus: data.events.eventBus,
    ...(data.egressIp === undefined ? {} : { egressIp: data.egressIp.source }),
    stage,
    ...env,
  });
  // Also when no reference is left: the service stack reads the data stack's parameter as it deploys.
  service.addStackDependency(data);
  return { data, service };
};

const egressIpOf = (stage: StageConfig): Pick<CredentialDataStackProps, 'egressIp'> => {
  if (stage.egress.kind !== 'nat') {
    return {};
  }
  const reused = stage.egress.eipAllocationId;
  return { egressIp: reused === undefined ? 'create' : { allocationId: reused } };
};
