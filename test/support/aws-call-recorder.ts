import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every AWS call the functions make during the tests, as IAM sees it, is appended here (one JSON
 * line per distinct call and process); the IAM contract tests (test/iam) evaluate each against the
 * synthesized policies after all other tests ran.
 */
export const AWS_CALL_LOG_DIR = new URL('../../test-results/aws-calls/', import.meta.url);

/** One authorization request AWS would evaluate for a call: the action, what it names, the context. */
export interface IamRequest {
  /** The function whose role makes the call. */
  readonly service: string;
  /** The SDK command that caused it. */
  readonly command: string;
  readonly action: string;
  readonly resource: 'table' | 'stream' | 'config-secret' | 'table-key' | 'event-bus';
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

/** The part of an SDK client the recorder needs: its middleware stack. */
interface ObservableClient {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: { input: unknown }) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high' },
    ): void;
  };
}

const seen = new Set<string>();
const logFile = join(AWS_CALL_LOG_DIR.pathname, `${process.pid}-${randomUUID()}.jsonl`);

const write = (request: IamRequest): void => {
  const line = JSON.stringify(request);
  if (seen.has(line)) {
    return;
  }
  seen.add(line);
  mkdirSync(AWS_CALL_LOG_DIR.pathname, { recursive: true });
  appendFileSync(logFile, `${line}\n`);
};

/** Adds a middleware that records each command the client sends as the IAM requests it implies. */
export const recordAwsCalls = (client: unknown, service: string): void => {
  (client as ObservableClient).middlewareStack.add(
    (next, context) => async (args) => {
      for (const request of toIamRequests(service, context.commandName ?? 'unknown', args.input)) {
        write(request);
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordAwsCallsForIamContract', priority: 'high' },
  );
};

type Input = Record<string, unknown>;

/** A key attribute's value, whether the input is still plain (lib-dynamodb) or marshalled. */
const stringOf = (value: unknown): string =>
  typeof value === 'string' ? value : String((value as { S?: string } | undefined)?.S ?? '');

const leadingKey = (input: Input): string =>
  stringOf((input.Key as Input | undefined)?.pk ?? (input.Item as Input | undefined)?.pk);

/** dynamodb:Attributes of a read: the projected top-level names plus the key, or none (all attributes). */
const readContext = (input: Input): Record<string, string | readonly string[]> => {
  const base = { 'dynamodb:LeadingKeys': [leadingKey(input)] };
  const projection = input.ProjectionExpression;
  if (typeof projection !== 'string') {
    // No projection asks for the whole item: modelled as Select ALL_ATTRIBUTES.
    return { ...base, 'dynamodb:Select': 'ALL_ATTRIBUTES' };
  }
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const attributes = projection
    .split(',')
    .map((part) => part.trim().split(/[.[]/)[0] ?? '')
    .map((part) => names[part] ?? part);
  return {
    ...base,
    'dynamodb:Attributes': [...new Set(['pk', 'sk', ...attributes])],
    'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
  };
};

const writeContext = (input: Input): Record<string, string | readonly string[]> => ({
  'dynamodb:LeadingKeys': [leadingKey(input)],
  ...(typeof input.ReturnValues === 'string' ? { 'dynamodb:ReturnValues': input.ReturnValues } : {}),
});

/** The region the IAM contract tests resolve the templates in. */
export const SIMULATED_REGION = 'ap-southeast-1';

const TABLE_KEY_VIA_DYNAMODB = { 'kms:ViaService': `dynamodb.${SIMULATED_REGION}.amazonaws.com` };

const toIamRequests = (service: string, command: string, rawInput: unknown): IamRequest[] => {
  const input = (rawInput ?? {}) as Input;
  const table = (action: string, context: Record<string, string | readonly string[]>): IamRequest[] => [
    { service, command, action, resource: 'table', context },
    // DynamoDB uses the table's customer-managed key with the caller's permissions.
    { service, command, action: 'kms:Decrypt', resource: 'table-key', context: TABLE_KEY_VIA_DYNAMODB },
  ];
  switch (command) {
    case 'GetCommand':
    case 'GetItemCommand':
      return table('dynamodb:GetItem', readContext(input));
    case 'PutCommand':
    case 'PutItemCommand':
      return table('dynamodb:PutItem', writeContext(input));
    case 'UpdateCommand':
    case 'UpdateItemCommand':
      return table('dynamodb:UpdateItem', writeContext(input));
    case 'DeleteCommand':
    case 'DeleteItemCommand':
      return table('dynamodb:DeleteItem', writeContext(input));
    case 'TransactWriteCommand':
    case 'TransactWriteItemsCommand':
      // IAM authorizes each item of a transaction as its own action.
      return ((input.TransactItems ?? []) as Input[]).flatMap((item) => {
        const [kind, body] = Object.entries(item)[0] ?? ['', {}];
        const action = {
          Put: 'PutItem',
          Update: 'UpdateItem',
          Delete: 'DeleteItem',
          ConditionCheck: 'ConditionCheckItem',
        }[kind];
        return table(`dynamodb:${action ?? kind}`, writeContext(body as Input));
      });
    case 'DescribeStreamCommand':
    case 'GetShardIteratorCommand':
    case 'GetRecordsCommand':
    case 'ListStreamsCommand':
      return [
        {
          service,
          command,
          action: `dynamodb:${command.replace(/Command$/, '')}`,
          resource: 'stream',
          context: {},
        },
      ];
    case 'PutEventsCommand': {
      const entries = (input.Entries ?? []) as { Source?: string; DetailType?: string }[];
      return [
        {
          service,
          command,
          action: 'events:PutEvents',
          resource: 'event-bus',
          context: {
            'events:source': [...new Set(entries.map((entry) => String(entry.Source)))].sort(),
            'events:detail-type': [...new Set(entries.map((entry) => String(entry.DetailType)))].sort(),
          },
        },
      ];
    }
    case 'GetSecretValueCommand':
      return [
        { service, command, action: 'secretsmanager:GetSecretValue', resource: 'config-secret', context: {} },
        {
          service,
          command,
          action: 'kms:Decrypt',
          resource: 'table-key',
          context: { 'kms:ViaService': `secretsmanager.${SIMULATED_REGION}.amazonaws.com` },
        },
      ];
    default:
      // An unknown command is recorded as is; the contract test fails on an action it cannot place.
      return [{ service, command, action: `unknown:${command}`, resource: 'table', context: {} }];
  }
};
