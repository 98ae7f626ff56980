import { App } from 'aws-cdk-lib';
import { CredentialDataStack } from '../lib/stacks/credential-data-stack.ts';
import { CredentialServiceStack } from '../lib/stacks/credential-service-stack.ts';
import { readStageConfig } from '../lib/stage-config.ts';

const app = new App();
const stage = readStageConfig(app);
const env = stage.env;
const data = new CredentialDataStack(app, `${stage.stackPrefix}Data`, {
  description: 'WeCom credential service: table, key, configuration secret and egress IP (kept on deletion)',
  createEgressIp: stage.egress.kind === 'nat' && stage.egress.eipAllocationId === undefined,
  ...(env === undefined ? {} : { env }),
});
new CredentialServiceStack(app, `${stage.stackPrefix}Service`, {
  description: 'WeCom credential service: callback API, token functions, auth-code exchange, alarms',
  table: data.table.table,
  encryptionKey: data.key,
  configSecret: data.configSecret,
  ...(data.egressIp === undefined ? {} : { egressIp: data.egressIp }),
  stage,
  ...(env === undefined ? {} : { env }),
});
