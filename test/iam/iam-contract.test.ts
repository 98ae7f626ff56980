import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServiceName } from '../../functions/wiring/service-runtime.ts';
import { AWS_CALL_LOG_DIR, type IamRequest, SIMULATED_REGION } from '../support/aws-call-recorder.ts';
import { synthesizeApp } from '../support/infra.ts';
import { FUNCTION_IDS } from '../support/service-functions.ts';
import { SIMULATED_ACCOUNT, type TemplateJson, TemplateResolver } from '../support/template-resolver.ts';

/**
 * The IAM contract: every AWS call each function made during the other tests (recorded by the
 * runtime's client middleware, test/support/aws-call-recorder.ts) is evaluated against that
 * function's role policies and the table key's key policy in the synthesized templates, with the
 * request context AWS would send. This project runs after all others (vitest.config.ts).
 */

type Policy = { readonly Version: string; readonly Statement: unknown[] };
type Resource = IamRequest['resource'] | 'dead-letter-queue' | 'any';

const SERVICES = Object.keys(FUNCTION_IDS) as ServiceName[];

let evaluate: (request: Omit<IamRequest, 'command'>) => Promise<'Allowed' | 'Denied'>;

beforeAll(() => {
  const synthesized = synthesizeApp();
  const data = synthesized.data.toJSON() as TemplateJson;
  const service = synthesized.service.toJSON() as TemplateJson;
  const resolver = new TemplateResolver([data, service], SIMULATED_REGION);
  const logicalIdOf = (template: TemplateJson, type: string, prefix = ''): string => {
    const id = Object.entries(template.Resources).find(
      ([logicalId, resource]) => resource.Type === type && logicalId.startsWith(prefix),
    )?.[0];
    if (id === undefined) {
      throw new Error(`no ${type} ${prefix} in the template`);
    }
    return id;
  };
  const table = logicalIdOf(data, 'AWS::DynamoDB::Table');
  const key = logicalIdOf(data, 'AWS::KMS::Key');
  const arns: Record<Resource, string> = {
    table: resolver.arnOf(table, data),
    stream: resolver.arnOf(table, data, 'StreamArn'),
    'table-key': resolver.arnOf(key, data),
    'config-secret': resolver.arnOf(logicalIdOf(data, 'AWS::SecretsManager::Secret'), data),
    'dead-letter-queue': resolver.arnOf(
      logicalIdOf(service, 'AWS::SQS::Queue', 'AuthExchangeDeadLetters'),
      service,
    ),
    'event-bus': eventBusArn(),
    any: '*',
  };
  function eventBusArn(): string {
    for (const template of [data, service]) {
      const id = Object.entries(template.Resources).find(
        ([, resource]) => resource.Type === 'AWS::Events::EventBus',
      )?.[0];
      if (id !== undefined) {
        return resolver.arnOf(id, template);
      }
    }
    throw new Error('no AWS::Events::EventBus in the templates');
  }
  const keyPolicy = resolver.resolve(data.Resources[key]?.Properties?.KeyPolicy, data) as Policy;
  const roleOf = (name: ServiceName): string => {
    const fn = service.Resources[logicalIdOf(service, 'AWS::Lambda::Function', FUNCTION_IDS[name])];
    const role = fn?.Properties?.Role as { 'Fn::GetAtt': [string, string] } | undefined;
    if (role === undefined) {
      throw new Error(`no role for ${name}`);
    }
    return role['Fn::GetAtt'][0];
  };
  const policiesOf = (role: string): { name: string; policy: Policy }[] =>
    Object.entries(service.Resources)
      .filter(
        ([, resource]) =>
          resource.Type === 'AWS::IAM::Policy' &&
          ((resource.Properties?.Roles ?? []) as { Ref?: string }[]).some((entry) => entry.Ref === role),
      )
      .map(([logicalId, resource]) => ({
        name: logicalId,
        policy: resolver.resolve(resource.Properties?.PolicyDocument, service) as Policy,
      }));

  evaluate = async (request) => {
    const role = roleOf(request.service as ServiceName);
    const result = await runSimulation(
      {
        identityPolicies: policiesOf(role),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(request.action.startsWith('kms:') ? { resourcePolicy: keyPolicy } : {}),
        request: {
          action: request.action,
          principal: resolver.arnOf(role, service),
          resource: { resource: arns[request.resource as Resource], accountId: SIMULATED_ACCOUNT },
          contextVariables: Object.fromEntries(
            Object.entries(request.context).map(([name, value]) => [
              name,
              typeof value === 'string' ? value : [...value],
            ]),
          ),
        },
      },
      {},
    );
    if (result.resultType !== 'single') {
      throw new Error(`simulation failed for ${request.action}: ${JSON.stringify(result).slice(0, 500)}`);
    }
    // A context key the action does not support would be ignored, and prove nothing.
    expect(result.result.ignoredContextKeys ?? [], `${request.action} context`).toEqual([]);
    return result.overallResult === 'Allowed' ? 'Allowed' : 'Denied';
  };
});

/** The calls recorded during the other tests, one per distinct shape (key space, not key value). */
const recordedCalls = (): IamRequest[] => {
  let files: string[] = [];
  try {
    files = readdirSync(AWS_CALL_LOG_DIR.pathname).filter((file) => file.endsWith('.jsonl'));
  } catch {
    files = [];
  }
  const distinct = new Map<string, IamRequest>();
  for (const file of files) {
    for (const line of readFileSync(join(AWS_CALL_LOG_DIR.pathname, file), 'utf8').split('\n')) {
      if (line.trim() === '') {
        continue;
      }
      const request = JSON.parse(line) as IamRequest;
      distinct.set(shapeOf(request), request);
    }
  }
  return [...distinct.values()].sort((a, b) => shapeOf(a).localeCompare(shapeOf(b)));
};

const keySpace = (key: string): string => `${key.match(/^([A-Z]+#)+/)?.[0] ?? key}…`;

const shapeOf = (request: Omit<IamRequest, 'command'>): string => {
  const context = Object.entries(request.context)
    .map(([name, value]) =>
      name === 'dynamodb:LeadingKeys'
        ? `${name}=${(value as string[]).map(keySpace).join(',')}`
        : `${name}=${Array.isArray(value) ? value.join(',') : String(value)}`,
    )
    .join(' ');
  return `${request.service.padEnd(15)} ${request.action.padEnd(30)} ${request.resource.padEnd(14)} ${context}`;
};

const report = (title: string, lines: string[]): void => {
  process.stdout.write(`\n${title}\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
};

describe('the IAM contract: every AWS call the functions make is allowed', () => {
  it('has calls recorded from every function (the other tests ran first)', () => {
    const services = new Set(recordedCalls().map((call) => call.service));

    expect([...services].sort()).toEqual([...SERVICES].sort());
  });

  it.each(SERVICES)('allows every call %s made during the tests', async (name) => {
    const calls = recordedCalls().filter((call) => call.service === name);

    const outcomes = await Promise.all(calls.map(async (call) => ({ call, decision: await evaluate(call) })));

    report(
      `IAM contract, ${name}: ${calls.length} distinct calls`,
      outcomes.map(({ call, decision }) => `${decision.padEnd(8)} ${shapeOf(call)}  (${call.command})`),
    );
    expect(calls.length).toBeGreaterThan(0);
    expect(
      outcomes.filter(({ decision }) => decision !== 'Allowed').map(({ call }) => shapeOf(call)),
    ).toEqual([]);
  });

  // Calls AWS makes with the function's role outside our code: the event-source mapping reads the
  // stream and sends records that failed every retry to the dead-letter queue (encrypted with the key).
  it.each([
    { service: 'auth-exchange', action: 'dynamodb:ListStreams', resource: 'any', context: {} },
    { service: 'auth-exchange', action: 'dynamodb:DescribeStream', resource: 'stream', context: {} },
    { service: 'auth-exchange', action: 'sqs:SendMessage', resource: 'dead-letter-queue', context: {} },
    {
      service: 'auth-exchange',
      action: 'kms:GenerateDataKey',
      resource: 'table-key',
      context: { 'kms:ViaService': `sqs.${SIMULATED_REGION}.amazonaws.com` },
    },
  ] as const)('allows the platform call $action for $service', async (request) => {
    const decision = await evaluate(request as unknown as Omit<IamRequest, 'command'>);

    report('IAM contract, platform calls', [`${decision.padEnd(8)} ${shapeOf(request as never)}`]);
    expect(decision).toBe('Allowed');
  });
});

const secretOrTokenReads = [
  { 'dynamodb:LeadingKeys': ['CORP#wwcorp'], 'dynamodb:Select': 'ALL_ATTRIBUTES' },
  {
    'dynamodb:LeadingKeys': ['CORP#wwcorp'],
    'dynamodb:Attributes': ['pk', 'sk', 'permanentCode'],
    'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
  },
  { 'dynamodb:LeadingKeys': ['TOKEN#CORP#wwcorp'], 'dynamodb:Select': 'ALL_ATTRIBUTES' },
  {
    'dynamodb:LeadingKeys': ['TOKEN#SUITE#wwsuite'],
    'dynamodb:Attributes': ['pk', 'sk', 'accessToken'],
    'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
  },
  { 'dynamodb:LeadingKeys': ['SUITE#wwsuite'], 'dynamodb:Select': 'ALL_ATTRIBUTES' },
];

const NEGATIVE_CASES: { why: string; request: Omit<IamRequest, 'command'> }[] = [
  ...secretOrTokenReads.map((context) => ({
    why: 'the callback cannot read a permanent code, a token or a ticket',
    request: { service: 'wecom-callback', action: 'dynamodb:GetItem', resource: 'table' as const, context },
  })),
  ...['dynamodb:PutItem', 'dynamodb:UpdateItem'].map((action) => ({
    why: 'the callback cannot write a token',
    request: {
      service: 'wecom-callback',
      action,
      resource: 'table' as const,
      context: { 'dynamodb:LeadingKeys': ['TOKEN#CORP#wwcorp'] },
    },
  })),
  {
    why: 'the callback cannot get an old item back from a write',
    request: {
      service: 'wecom-callback',
      action: 'dynamodb:UpdateItem',
      resource: 'table',
      context: { 'dynamodb:LeadingKeys': ['CORP#wwcorp'], 'dynamodb:ReturnValues': 'ALL_OLD' },
    },
  },
  ...(['suite-token', 'corp-token'] as const).flatMap((service) =>
    ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'].flatMap((action) =>
      ['SUITE#wwsuite', 'CORP#wwcorp'].map((key) => ({
        why: 'token functions cannot write tickets, auth codes or authorizations',
        request: { service, action, resource: 'table' as const, context: { 'dynamodb:LeadingKeys': [key] } },
      })),
    ),
  ),
  {
    why: 'the suite-token function cannot publish events',
    request: {
      service: 'suite-token',
      action: 'events:PutEvents',
      resource: 'event-bus' as const,
      context: {
        'events:source': ['wecom-credentials'],
        'events:detail-type': ['WeCom Authorization Changed'],
      },
    },
  },
  {
    why: 'auth-exchange may publish only authorization changes, not callbacks',
    request: {
      service: 'auth-exchange',
      action: 'events:PutEvents',
      resource: 'event-bus' as const,
      context: { 'events:source': ['wecom-credentials'], 'events:detail-type': ['WeCom Data Callback'] },
    },
  },
  {
    why: 'nothing can publish events under another source',
    request: {
      service: 'wecom-callback',
      action: 'events:PutEvents',
      resource: 'event-bus' as const,
      context: { 'events:source': ['aws.forged'], 'events:detail-type': ['WeCom Data Callback'] },
    },
  },
  ...['dynamodb:PutItem', 'dynamodb:UpdateItem'].map((action) => ({
    why: 'install cannot write an authorization',
    request: {
      service: 'install',
      action,
      resource: 'table' as const,
      context: { 'dynamodb:LeadingKeys': ['CORP#wwcorp'] },
    },
  })),
  {
    why: 'install may only put new suite items, never update a ticket or an auth code',
    request: {
      service: 'install',
      action: 'dynamodb:UpdateItem',
      resource: 'table',
      context: { 'dynamodb:LeadingKeys': ['SUITE#wwsuite'] },
    },
  },
  {
    why: 'install cannot get an old item back from a put',
    request: {
      service: 'install',
      action: 'dynamodb:PutItem',
      resource: 'table',
      context: { 'dynamodb:LeadingKeys': ['SUITE#wwsuite'], 'dynamodb:ReturnValues': 'ALL_OLD' },
    },
  },
  {
    why: 'install caches the pre-auth code by update, like the token functions, and cannot replace a token item',
    request: {
      service: 'install',
      action: 'dynamodb:PutItem',
      resource: 'table',
      context: { 'dynamodb:LeadingKeys': ['TOKEN#SUITE#wwsuite'] },
    },
  },
  {
    why: 'install cannot delete anything, cached tokens included',
    request: {
      service: 'install',
      action: 'dynamodb:DeleteItem',
      resource: 'table',
      context: { 'dynamodb:LeadingKeys': ['TOKEN#SUITE#wwsuite'] },
    },
  },
  {
    why: 'install publishes no events',
    request: {
      service: 'install',
      action: 'events:PutEvents',
      resource: 'event-bus',
      context: {
        'events:source': ['wecom-credentials'],
        'events:detail-type': ['WeCom Authorization Changed'],
      },
    },
  },
  ...['dynamodb:GetRecords', 'dynamodb:GetShardIterator'].map((action) => ({
    why: 'install cannot read the table stream',
    request: { service: 'install', action, resource: 'stream' as const, context: {} },
  })),
  ...[
    { key: 'CORP#wwcorp', what: 'a permanent code' },
    { key: 'TOKEN#CORP#wwcorp', what: 'a corp token' },
  ].flatMap(({ key, what }) => [
    {
      why: `install (public, anonymous) cannot read ${what}`,
      request: {
        service: 'install',
        action: 'dynamodb:GetItem',
        resource: 'table' as const,
        context: { 'dynamodb:LeadingKeys': [key], 'dynamodb:Select': 'ALL_ATTRIBUTES' },
      },
    },
  ]),
  {
    why: 'install cannot touch a corp token',
    request: {
      service: 'install',
      action: 'dynamodb:UpdateItem',
      resource: 'table',
      context: { 'dynamodb:LeadingKeys': ['TOKEN#CORP#wwcorp'] },
    },
  },
  {
    why: 'install cannot batch-read the table',
    request: { service: 'install', action: 'dynamodb:BatchGetItem', resource: 'table', context: {} },
  },
  ...(['user-identity', 'user-detail', 'jsapi-ticket'] as const).flatMap((service) => [
    ...['dynamodb:PutItem', 'dynamodb:UpdateItem'].flatMap((action) =>
      ['SUITE#wwsuite', 'CORP#wwcorp'].map((key) => ({
        why: 'the sign-in and JS-SDK ticket functions cannot write tickets, auth codes or authorizations',
        request: { service, action, resource: 'table' as const, context: { 'dynamodb:LeadingKeys': [key] } },
      })),
    ),
    {
      why: 'the sign-in and JS-SDK ticket functions cache by update and cannot replace a token or ticket item',
      request: {
        service,
        action: 'dynamodb:PutItem',
        resource: 'table' as const,
        context: { 'dynamodb:LeadingKeys': ['TOKEN#CORP#wwcorp'] },
      },
    },
    {
      why: 'the sign-in and JS-SDK ticket functions cannot delete anything, cached tokens and tickets included',
      request: {
        service,
        action: 'dynamodb:DeleteItem',
        resource: 'table' as const,
        context: { 'dynamodb:LeadingKeys': ['TOKEN#CORP#wwcorp'] },
      },
    },
    {
      why: 'the sign-in and JS-SDK ticket functions publish only authorization changes (a broken one)',
      request: {
        service,
        action: 'events:PutEvents',
        resource: 'event-bus' as const,
        context: {
          'events:source': ['wecom-credentials'],
          'events:detail-type': ['WeCom Data Callback'],
        },
      },
    },
    ...['dynamodb:GetRecords', 'dynamodb:GetShardIterator'].map((action) => ({
      why: 'the sign-in and JS-SDK ticket functions cannot read the table stream',
      request: { service, action, resource: 'stream' as const, context: {} },
    })),
  ]),
  ...SERVICES.flatMap((service) => [
    ...['SUITE#wwsuite', 'CORP#wwcorp'].map((key) => ({
      why: 'no function can delete a ticket, an auth code or an authorization',
      request: {
        service,
        action: 'dynamodb:DeleteItem',
        resource: 'table' as const,
        context: { 'dynamodb:LeadingKeys': [key] },
      },
    })),
    ...['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:DeleteTable', 'dynamodb:BatchWriteItem'].map(
      (action) => ({
        why: 'no function can scan, query, batch-write or delete the table',
        request: { service, action, resource: 'table' as const, context: {} },
      }),
    ),
  ]),
];

describe('the IAM contract: what the functions must not do is denied', () => {
  it.each(NEGATIVE_CASES)('$why: $request.service $request.action $request.context', async ({ request }) => {
    const decision = await evaluate(request);

    report('IAM contract, negative case', [`${decision.padEnd(8)} ${shapeOf(request)}`]);
    expect(decision).toBe('Denied');
  });
});
