import { App } from 'aws-cdk-lib';
import { addCredentialStacks } from '../lib/credential-app.ts';
import { readStageConfig } from '../lib/stage-config.ts';

const app = new App();
addCredentialStacks(app, readStageConfig(app));
