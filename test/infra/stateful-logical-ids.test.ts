import { describe, expect, it } from 'vitest';
import { synthesizeApp } from '../support/infra.ts';

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

describe('the logical ids of resources that hold state', () => {
  const { data, service } = synthesizeApp();
  const statefulIds = (template: typeof data): string[] =>
    STATEFUL_TYPES.flatMap((type) => Object.keys(template.findResources(type))).sort();

  it('stay those of earlier releases in the data stack', () => {
    expect(statefulIds(data)).toEqual(PINNED.data);
  });

  it('stay those of earlier releases in the service stack', () => {
    expect(statefulIds(service)).toEqual(PINNED.service);
  });
});
