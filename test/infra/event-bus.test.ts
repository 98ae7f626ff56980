import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS as CATALOGUE, FUNCTION_NAMES } from '../../functions/catalog.ts';
import {
  DEFAULT_STACKS_TIMEOUT_MS,
  defaultStacks,
  eventBridgeStatements,
  logicalIdOf,
  type PolicyStatement,
  PUBLISHER_IDS,
  type StackTemplates,
  statementsOf,
} from '../support/stack-templates.ts';

let defaults: StackTemplates;

beforeAll(async () => {
  defaults = await defaultStacks();
}, DEFAULT_STACKS_TIMEOUT_MS);

/** Fn::Join of literals and Refs, rendered as text with `${Ref}` placeholders. */
const rendered = (value: unknown): string => {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) {
    return JSON.stringify(value);
  }
  return join[1]
    .map((part) => {
      if (typeof part === 'string') {
        return part;
      }
      const ref = (part as { Ref?: string }).Ref;
      // The bus name's suffix: the GUID at the end of the data stack's id.
      return ref === undefined ? `\${StackGuid}` : `\${${ref}}`;
    })
    .join(join[0]);
};

/** Logical ids (hash stripped) of the functions whose role may call `action`, and those statements. */
const rolesAllowed = (template: StackTemplates['service'], action: string) =>
  Object.keys(template.findResources('AWS::Lambda::Function'))
    .map((logicalId) => logicalId.replace(/[0-9A-F]{8}$/, ''))
    .map((functionId) => ({
      functionId,
      statements: statementsOf(template, functionId).filter((statement) =>
        [statement.Action].flat().includes(action),
      ),
    }))
    .filter(({ statements }) => statements.length > 0);

describe('the event bus', () => {
  it('keeps a bus encrypted with the key the table uses, retained on delete and replace', () => {
    const key = logicalIdOf(defaults.data.findResources('AWS::KMS::Key'));
    const buses = defaults.data.findResources('AWS::Events::EventBus');

    expect(logicalIdOf(buses)).toMatch(/^Events/);
    defaults.data.hasResource('AWS::Events::EventBus', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ KmsKeyIdentifier: { 'Fn::GetAtt': [key, 'Arn'] } }),
    });
    defaults.data.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({ KMSMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } }),
    });
  });

  it("lets EventBridge use the key only for this account's bus and data bound to it, as AWS documents", () => {
    const busName = rendered(
      Object.values(defaults.data.findResources('AWS::Events::EventBus'))[0]?.Properties.Name,
    );
    const busArn = `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/${busName}`;
    // A data stack created later gets a bus of its own: the name ends with the stack's GUID.
    expect(busName).toMatch(/-\$\{StackGuid\}$/);
    const statements = eventBridgeStatements(defaults);
    const forBus = statements.find((statement) => statement.Sid === 'EventBridgeEncryptsTheEventBus');

    expect([forBus?.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(forBus?.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(rendered(forBus?.Condition?.StringEquals?.['aws:SourceArn'])).toBe(busArn);
    expect(
      rendered(forBus?.Condition?.StringEquals?.['kms:EncryptionContext:aws:events:event-bus:arn']),
    ).toBe(busArn);
    for (const statement of statements) {
      expect(statement.Condition, statement.Sid).toBeDefined();
    }
    expect(
      statements
        .filter((statement) => statement.Action !== 'kms:DescribeKey')
        .every((statement) =>
          rendered(
            statement.Condition?.StringEquals?.['kms:EncryptionContext:aws:events:event-bus:arn'],
          ).endsWith(`:event-bus/${busName}`),
        ),
    ).toBe(true);
  });

  it('archives every event for 30 days, encrypted with the same key, retained on delete and replace', () => {
    const key = logicalIdOf(defaults.data.findResources('AWS::KMS::Key'));
    const bus = logicalIdOf(defaults.data.findResources('AWS::Events::EventBus'));
    const forArchive = eventBridgeStatements(defaults).find(
      (statement) => statement.Sid === 'EventBridgeEncryptsTheEventArchive',
    );

    defaults.data.hasResource('AWS::Events::Archive', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        SourceArn: { 'Fn::GetAtt': [bus, 'Arn'] },
        RetentionDays: 30,
        KmsKeyIdentifier: { 'Fn::GetAtt': [key, 'Arn'] },
        EventPattern: { source: ['wecom-credentials'] },
      }),
    });
    expect([forArchive?.Action].flat().sort()).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'kms:ReEncrypt*',
    ]);
  });

  it('names the bus in the EventBusName and EventBusArn outputs', () => {
    defaults.service.hasOutput('EventBusName', {
      Value: { 'Fn::ImportValue': Match.stringLikeRegexp('^Data:.*Ref.*EventsBus') },
    });
    defaults.service.hasOutput('EventBusArn', {
      Value: { 'Fn::ImportValue': Match.stringLikeRegexp('^Data:.*EventsBus.*Arn') },
    });
  });

  it('lets only the callback, auth-exchange and the functions that mint corp tokens put events, on the bus only, with our source', () => {
    const publishers = rolesAllowed(defaults.service, 'events:PutEvents');

    expect(publishers.map(({ functionId }) => functionId).sort()).toEqual(PUBLISHER_IDS);
    for (const { statements } of publishers) {
      expect(statements).toHaveLength(1);
      expect(statements[0]?.Resource).toMatchObject({
        'Fn::ImportValue': expect.stringMatching(/^Data:.*EventsBus.*Arn/),
      });
      expect(statements[0]?.Condition?.['ForAllValues:StringEquals']?.['events:source']).toEqual([
        'wecom-credentials',
      ]);
      expect(statements[0]?.Condition?.Null).toEqual({
        'events:source': 'false',
        'events:detail-type': 'false',
      });
    }
    const allStatements = Object.values(defaults.service.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[],
    );
    expect(
      allStatements.filter((statement) => [statement.Action].flat().includes('events:PutEvents')),
    ).toHaveLength(PUBLISHER_IDS.length);
  });

  it('lets the callback publish the four callback and change detail-types and the others only authorization changes', () => {
    const detailTypes = Object.fromEntries(
      rolesAllowed(defaults.service, 'events:PutEvents').map(({ functionId, statements }) => [
        functionId,
        statements[0]?.Condition?.['ForAllValues:StringEquals']?.['events:detail-type'],
      ]),
    );

    expect(detailTypes).toEqual(
      Object.fromEntries(
        FUNCTION_NAMES.filter((name) => CATALOGUE[name].publishes.length > 0).map((name) => [
          CATALOGUE[name].constructId,
          [...CATALOGUE[name].publishes],
        ]),
      ),
    );
    // The catalogue's own claim, checked once: the callback publishes all four, others only changes.
    expect(detailTypes.CallbackFunction).toEqual([
      'WeCom Data Callback',
      'WeCom Command Event',
      'WeCom Authorization Changed',
      'WeCom System Event',
    ]);
  });

  it('gives EVENT_BUS_NAME to exactly the publishers', () => {
    const withBus = Object.entries(defaults.service.findResources('AWS::Lambda::Function'))
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.EVENT_BUS_NAME !== undefined)
      .map(([logicalId, fn]) => {
        expect(fn.Properties.Environment.Variables.EVENT_BUS_NAME).toEqual({
          'Fn::ImportValue': expect.stringMatching(/^Data:.*Ref.*EventsBus/),
        });
        return logicalId.replace(/[0-9A-F]{8}$/, '');
      });

    expect(withBus.sort()).toEqual(PUBLISHER_IDS);
  });
});
