import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseAuthorizationRequest,
  parseCorpTokenRequest,
  parseCustomizedAuthUrlRequest,
  parseProviderTokenRequest,
  parseSuiteTokenRequest,
} from '../../../functions/adapters/invoke/parse-token-request.ts';
import {
  parseJsapiTicketRequest,
  parseUserDetailRequest,
  parseUserIdentityRequest,
} from '../../../functions/adapters/invoke/parse-user-request.ts';
import { InvalidRequestError } from '../../../functions/core/errors.ts';
import { INVOKE_EXAMPLES } from '../../support/invoke-examples.ts';
import {
  errorEnvelopeSchemaErrorsOf,
  INVOKED_FUNCTIONS,
  invokeSchemaErrorsOf,
  invokeSchemaExists,
  requestFieldsOf,
} from '../../support/invoke-schemas.ts';

/** Each invoked function's own payload parser, by name (looked up by the catalogue's names). */
const PARSERS: ReadonlyMap<string, (payload: unknown) => unknown> = new Map<
  string,
  (payload: unknown) => unknown
>([
  ['suite-token', parseSuiteTokenRequest],
  ['corp-token', parseCorpTokenRequest],
  ['provider-token', parseProviderTokenRequest],
  ['customized-auth-url', parseCustomizedAuthUrlRequest],
  ['user-identity', parseUserIdentityRequest],
  ['user-detail', parseUserDetailRequest],
  ['jsapi-ticket', parseJsapiTicketRequest],
  ['authorization', parseAuthorizationRequest],
]);

/** Whether the parser accepts the payload; any refusal other than InvalidRequestError is a defect. */
const parserAccepts = (name: string, payload: unknown): boolean => {
  const parse = PARSERS.get(name);
  if (parse === undefined) {
    throw new Error(`no parser listed for ${name}`);
  }
  try {
    parse(payload);
    return true;
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) {
      throw error;
    }
    return false;
  }
};

const examplesOf = (name: string) => {
  const examples = INVOKE_EXAMPLES.get(name);
  if (examples === undefined) {
    throw new Error(`no examples for ${name} in test/support/invoke-examples.ts`);
  }
  return examples;
};

describe('the invoked functions of the catalogue', () => {
  it('are the functions this test has parsers and examples for', () => {
    expect(INVOKED_FUNCTIONS.length).toBeGreaterThan(0);
    expect([...PARSERS.keys()].sort()).toEqual([...INVOKED_FUNCTIONS].sort());
    expect([...INVOKE_EXAMPLES.keys()].sort()).toEqual([...INVOKED_FUNCTIONS].sort());
  });

  it.each(INVOKED_FUNCTIONS)('%s has a request and a response schema in schemas/invoke/', (name) => {
    expect(invokeSchemaExists(name, 'request')).toBe(true);
    expect(invokeSchemaExists(name, 'response')).toBe(true);
  });
});

describe.each(INVOKED_FUNCTIONS)('the %s request schema and the function’s parser', (name) => {
  it('both accept every valid example', () => {
    for (const payload of examplesOf(name).valid) {
      expect(invokeSchemaErrorsOf(name, 'request', payload), JSON.stringify(payload)).toEqual([]);
      expect(parserAccepts(name, payload), JSON.stringify(payload)).toBe(true);
    }
  });

  it('both refuse every invalid example', () => {
    for (const payload of examplesOf(name).invalid) {
      expect(invokeSchemaErrorsOf(name, 'request', payload), JSON.stringify(payload)).not.toEqual([]);
      expect(parserAccepts(name, payload), JSON.stringify(payload)).toBe(false);
    }
  });

  it('agree on arbitrary payloads built from the contract’s fields and values', () => {
    const verdicts = { accepted: 0, refused: 0 };

    fc.assert(
      fc.property(payloadArbitrary(name), (payload) => {
        const accepted = parserAccepts(name, payload);
        verdicts[accepted ? 'accepted' : 'refused'] += 1;
        expect(
          invokeSchemaErrorsOf(name, 'request', payload).length === 0,
          `schema vs parser on ${JSON.stringify(payload)}`,
        ).toBe(accepted);
      }),
      { numRuns: 500 },
    );

    // Both verdicts were reached, so the comparison covered each side.
    expect(verdicts.accepted).toBeGreaterThan(0);
    expect(verdicts.refused).toBeGreaterThan(0);
  });
});

describe.each(INVOKED_FUNCTIONS)('the %s response schema', (name) => {
  it('accepts the answers the client’s types describe', () => {
    for (const response of examplesOf(name).responses) {
      expect(invokeSchemaErrorsOf(name, 'response', response), JSON.stringify(response)).toEqual([]);
    }
  });

  it('refuses answers outside the contract', () => {
    for (const response of examplesOf(name).invalidResponses) {
      expect(invokeSchemaErrorsOf(name, 'response', response), JSON.stringify(response)).not.toEqual([]);
    }
  });
});

describe('the error envelope schema', () => {
  it('accepts what the Lambda runtime answers for a thrown error', () => {
    expect(
      errorEnvelopeSchemaErrorsOf({ errorType: 'UnknownSuiteError', errorMessage: 'x', trace: [] }),
    ).toEqual([]);
    expect(errorEnvelopeSchemaErrorsOf({ errorType: 'Error', errorMessage: 'internal error' })).toEqual([]);
  });

  it('refuses an envelope without errorType or with fields Lambda does not send', () => {
    expect(errorEnvelopeSchemaErrorsOf({ errorMessage: 'x' })).not.toEqual([]);
    expect(errorEnvelopeSchemaErrorsOf({ errorType: 'E', errorMessage: 'x', stack: 's' })).not.toEqual([]);
  });
});

// Values near every bound the contract has (ids, tokens, opaque codes, states, signatures), of
// right and wrong types, so that schema and parser are compared where they could differ.
const SIGNATURE = 'b'.repeat(40);
const VALUES: readonly unknown[] = [
  null,
  true,
  0,
  1.5,
  '',
  'ww1',
  'dk-template_1',
  'a'.repeat(64),
  'a'.repeat(65),
  'has space',
  '代码',
  '!~',
  'x'.repeat(512),
  'x'.repeat(513),
  'x'.repeat(1024),
  'x'.repeat(1025),
  'corp',
  'agent',
  'https://app.example.com/p?x=1#h',
  'A1b2',
  'x'.repeat(33),
  [],
  ['dk1'],
  ['dk1', 'dk1'],
  ['bad id'],
  Array.from({ length: 9 }, (_, i) => `dk${i}`),
  Array.from({ length: 10 }, (_, i) => `dk${i}`),
  {},
  { nonceStr: 'abc', timestamp: 1_800_000_000, signature: SIGNATURE },
  { nonceStr: 'abc', timestamp: 1_800_000_000, signature: SIGNATURE, extra: 1 },
  { nonceStr: 'a-b', timestamp: 1, signature: SIGNATURE },
  { nonceStr: 'abc', timestamp: 1.5, signature: SIGNATURE },
  { nonceStr: 'abc', timestamp: 1, signature: 'b'.repeat(39) },
  [{ nonceStr: 'abc', timestamp: 1, signature: SIGNATURE }],
];
const FIELDS = [
  'suiteId',
  'corpId',
  'staleToken',
  'templateIds',
  'state',
  'code',
  'userTicket',
  'type',
  'url',
  'staleTicket',
  'rejectedSignature',
  'extra',
];

type Edit = readonly ['set', string, unknown] | readonly ['delete', string];

/**
 * Payloads near the contract's edges: a valid example with up to three fields set to a value from
 * VALUES or removed; now and then an object of random fields, or no object at all.
 */
const payloadArbitrary = (name: string): fc.Arbitrary<unknown> => {
  const fields = requestFieldsOf(name);
  const anyField = fc.oneof(
    { arbitrary: fc.constantFrom(...fields), weight: 6 },
    { arbitrary: fc.constantFrom(...FIELDS), weight: 1 },
  );
  const edit: fc.Arbitrary<Edit> = fc.oneof(
    fc.tuple(fc.constant('set' as const), anyField, fc.constantFrom(...VALUES)),
    fc.tuple(fc.constant('delete' as const), fc.constantFrom(...fields)),
  );
  const edited = fc
    .tuple(fc.constantFrom(...examplesOf(name).valid), fc.array(edit, { maxLength: 3 }))
    .map(([example, edits]) => {
      const payload: Record<string, unknown> = { ...example };
      for (const [kind, field, value] of edits) {
        if (kind === 'set') {
          payload[field] = value;
        } else {
          delete payload[field];
        }
      }
      return payload;
    });
  return fc.oneof(
    { arbitrary: edited, weight: 8 },
    {
      arbitrary: fc.dictionary(anyField, fc.constantFrom(...VALUES), { maxKeys: fields.length + 1 }),
      weight: 1,
    },
    { arbitrary: fc.constantFrom(...VALUES), weight: 1 },
  );
};
