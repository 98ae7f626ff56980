import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where each test run records the AWS calls the functions make, as IAM sees them (one JSON line per
 * distinct call and process): a directory of its own under this one, named by
 * `AWS_CALL_LOG_DIR`, which vitest.config.ts sets for the run and every process it starts. The IAM
 * contract (test/iam) evaluates them against the synthesized policies after all other tests ran.
 */
export const AWS_CALL_LOG_ROOT = new URL('../../test-results/aws-calls/', import.meta.url);

/**
 * This run's directory of recorded calls, or undefined outside a test run (the bench starts the
 * token workers too, and its calls are no test's).
 */
export const awsCallLogDirectory = (): string | undefined => {
  const directory = process.env.AWS_CALL_LOG_DIR;
  return directory === undefined || directory === '' ? undefined : directory;
};

/** The directory vitest.config.ts names for a run: the pid of its vitest process. */
const RUN_DIRECTORY = /^(\d+)$/;

const stillRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes from `root` what runs that no longer run left behind (killed before their end): their
 * directories, and the files of the flat layout before runs had directories of their own. A
 * running run's directory, and anything not named like one, is left alone.
 */
export const removeAbandonedRecordings = (root: string): void => {
  mkdirSync(root, { recursive: true });
  for (const entry of readdirSync(root)) {
    const pid = Number(RUN_DIRECTORY.exec(entry)?.[1] ?? Number.NaN);
    if (entry.endsWith('.jsonl') || (Number.isInteger(pid) && pid > 0 && !stillRunning(pid))) {
      rmSync(join(root, entry), { recursive: true, force: true });
    }
  }
};

/** Where a call is authorized: the resources of the two stacks, and `*` for actions with none. */
export type IamResource =
  | 'table'
  | 'stream'
  | 'config-secret'
  | 'table-key'
  | 'event-bus'
  | 'dead-letter-queue'
  | 'any';

/** One authorization request AWS would evaluate for a call: the action, what it names, the context. */
export interface IamRequest {
  /** The function whose role makes the call. */
  readonly service: string;
  /** The SDK command that caused it. */
  readonly command: string;
  readonly action: string;
  readonly resource: IamResource;
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
const fileName = `${process.pid}-${randomUUID()}.jsonl`;

const write = (request: IamRequest): void => {
  const directory = awsCallLogDirectory();
  const line = JSON.stringify(request);
  if (directory === undefined || seen.has(line)) {
    return;
  }
  seen.add(line);
  mkdirSync(directory, { recursive: true });
  appendFileSync(join(directory, fileName), `${line}\n`);
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

// DynamoDB decrypts the table key with the permission of the principal that reads or writes (the
// Decrypt in CloudTrail names that principal); the table key was generated by DynamoDB itself, so a
// write needs no GenerateDataKey. https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html
const TABLE_KEY_VIA_DYNAMODB = { 'kms:ViaService': `dynamodb.${SIMULATED_REGION}.amazonaws.com` };

const toIamRequests = (service: string, command: string, rawInput: unknown): IamRequest[] => {
  const input = (rawInput ?? {}) as Input;
  const table = (action: string, context: Record<string, string | readonly string[]>): IamRequest[] => [
    { service, command, action, resource: 'table', context },
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
      return [
        {
          service,
          command,
          action: `dynamodb:${command.replace(/Command$/, '')}`,
          resource: 'stream',
          context: {},
        },
      ];
    case 'GetRecordsCommand':
      // The stream of a table is encrypted with the table's key, so reading records decrypts like a read.
      return [
        { service, command, action: 'dynamodb:GetRecords', resource: 'stream', context: {} },
        { service, command, action: 'kms:Decrypt', resource: 'table-key', context: TABLE_KEY_VIA_DYNAMODB },
      ];
    case 'ListStreamsCommand':
      // ListStreams names no stream: IAM authorizes it on `*`.
      return [{ service, command, action: 'dynamodb:ListStreams', resource: 'any', context: {} }];
    case 'PutEventsCommand': {
      // No KMS request: EventBridge encrypts the bus with its own permission in the key policy, not
      // the publisher's. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-encryption-key-policy.html
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
      // Secrets Manager decrypts the secret with the caller's kms:Decrypt, through secretsmanager.
      // https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
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
      return [{ service, command, action: `unknown:${command}`, resource: 'any', context: {} }];
  }
};
