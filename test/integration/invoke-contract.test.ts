import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack.ts';
import { startSandboxStack } from '../support/configured-stack.ts';
import {
  errorEnvelopeSchemaErrorsOf,
  INVOKED_FUNCTIONS,
  invokeSchemaErrorsOf,
} from '../support/invoke-schemas.ts';
import { eventually } from '../support/token-harness.ts';

/**
 * The JSON Schemas in schemas/invoke/ against what the functions really answer: every invoked
 * function is called through the local Invoke API (the handlers as deployed, DynamoDB Local and the
 * sandbox's WeCom), and its answer and its error envelope are checked against the schemas.
 */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startSandboxStack();
}, 60_000);

afterAll(async () => {
  await stack.stop();
});

const suiteId = 'wwsandboxsuite0001';
const templateId = 'dksandboxtemplate1';
const corpId = 'wwcontractcorp';

const invoke = async (name: string, payload: unknown) => {
  const response = await fetch(`${stack.lambdaUrl}/2015-03-31/functions/${name}/invocations`, {
    method: 'POST',
    body: JSON.stringify(payload),
  });
  return {
    failed: response.headers.get('x-amz-function-error') !== null,
    body: (await response.json()) as Record<string, unknown>,
  };
};

const sandbox = async (path: string) =>
  (await (await fetch(`${stack.lambdaUrl}${path}`, { method: 'POST' })).json()) as Record<string, unknown>;

/** A payload for each function that it answers, built on a sandbox install of `corpId`. */
const answeredPayloads = async (): Promise<ReadonlyMap<string, readonly unknown[]>> => {
  await sandbox(`/sandbox/install?suiteId=${suiteId}&corpId=${corpId}`);
  await eventually(async () => {
    const answer = await invoke('corp-token', { suiteId, corpId });
    return answer.failed ? undefined : answer;
  });
  const { code } = (await sandbox(
    `/sandbox/oauth-code?suiteId=${suiteId}&corpId=${corpId}&userId=zhaoliu&scope=snsapi_privateinfo`,
  )) as { code: string };
  const identity = await invoke('user-identity', { suiteId, code });
  const page = 'https://app.example.com/page?x=1#part';
  return new Map<string, readonly unknown[]>([
    ['suite-token', [{ suiteId }]],
    ['corp-token', [{ suiteId, corpId }]],
    ['provider-token', [{}]],
    ['customized-auth-url', [{ templateIds: [templateId], state: 'contract1' }]],
    // The identity was asked above (a code works once); its answer is checked with the others.
    ['user-identity', [identity.body]],
    ['user-detail', [{ suiteId, userTicket: String(identity.body.userTicket) }]],
    [
      'jsapi-ticket',
      [
        { suiteId, corpId, type: 'agent', url: page },
        { suiteId, corpId, type: 'corp' },
      ],
    ],
    ['authorization', [{ suiteId, corpId }]],
  ]);
};

describe('what the invoked functions answer', () => {
  it('matches each function’s response schema, for every function of the catalogue', async () => {
    const payloads = await answeredPayloads();

    for (const name of INVOKED_FUNCTIONS) {
      const cases = payloads.get(name);
      expect(cases, `no payload for ${name} in this test`).toBeDefined();
      for (const payload of cases ?? []) {
        const answer =
          name === 'user-identity' ? { failed: false, body: payload } : await invoke(name, payload);
        expect(answer.failed, `${name} failed: ${JSON.stringify(answer.body)}`).toBe(false);
        expect(invokeSchemaErrorsOf(name, 'response', answer.body), name).toEqual([]);
      }
    }
  });

  it('matches the error envelope schema when a function refuses, for every function of the catalogue', async () => {
    for (const name of INVOKED_FUNCTIONS) {
      const refused = await invoke(name, { unknownField: true });

      expect(refused.failed, name).toBe(true);
      expect(refused.body.errorType, name).toBe('InvalidRequestError');
      expect(errorEnvelopeSchemaErrorsOf(refused.body), name).toEqual([]);
    }
  });

  it('matches the error envelope schema for the typed errors a caller handles', async () => {
    const answers = [
      await invoke('suite-token', { suiteId: 'wwnotconfigured' }),
      await invoke('corp-token', { suiteId, corpId: 'wwnotinstalled' }),
    ];

    expect(answers.map((answer) => answer.body.errorType)).toEqual([
      'UnknownSuiteError',
      'CorpNotAuthorizedError',
    ]);
    for (const answer of answers) {
      expect(errorEnvelopeSchemaErrorsOf(answer.body)).toEqual([]);
    }
  });
});
