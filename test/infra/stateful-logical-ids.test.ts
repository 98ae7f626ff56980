import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STACKS_TIMEOUT_MS, defaultStacks, type StackTemplates } from '../support/stack-templates.ts';

/**
 * CloudFormation replaces a resource whose logical id changes: it creates the new one and deletes
 * the old one with what it holds. For the resources below that is data (the table, its key, the
 * secrets, the archive, messages waiting in the dead-letter queue) or an address WeCom has on its
 * allow-list (the Elastic IP). Their logical ids are pinned: a refactor that moves one under another
 * construct fails here instead of in a provider's next deploy. Changing one on purpose needs a
 * migration note in docs/operations.md, Redeploys.
 */
const STATEFUL_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
  'AWS::Events::EventBus',
  'AWS::Events::Archive',
  'AWS::SQS::Queue',
  'AWS::EC2::EIP',
];

const PINNED = {
  data: [
    'Config57D1D894',
    'CredentialsTable401B582A',
    'EgressIpAddressCEF3223E',
    'EventsArchive92ED0459',
    'EventsBus45DE4339',
    'Key961B73FD',
  ],
  service: ['AlarmsTopicKeyAB251E47', 'AuthExchangeDeadLettersF241296D'],
};

let defaults: StackTemplates;

beforeAll(async () => {
  defaults = await defaultStacks();
}, DEFAULT_STACKS_TIMEOUT_MS);

const statefulIds = (template: Template): string[] =>
  STATEFUL_TYPES.flatMap((type) => Object.keys(template.findResources(type))).sort();

describe('the logical ids of resources that hold state', () => {
  it('stay those of earlier releases in the data stack', () => {
    expect(statefulIds(defaults.data)).toEqual(PINNED.data);
  });

  it('stay those of earlier releases in the service stack', () => {
    expect(statefulIds(defaults.service)).toEqual(PINNED.service);
  });
});
