import { describe, expect, it } from 'vitest';
import { parseServiceConfig, suiteKindOf } from '../../../../functions/core/config/service-config.ts';
import { SuiteRegistry } from '../../../../functions/core/config/suite-registry.ts';
import {
  ConfigurationError,
  InvalidRequestError,
  SystemEventsNotConfiguredError,
  UnknownSuiteError,
} from '../../../../functions/core/errors.ts';

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const validDocument = () => ({
  provider: { corpId: 'wwprovider', providerSecret: 'PROVIDER-SECRET' },
  suites: [
    { suiteId: 'wwsuite1', suiteSecret: 'SUITE-SECRET-1', token: 'TOKEN-1', encodingAesKey: KEY },
    { suiteId: 'dktemplate1', suiteSecret: 'SUITE-SECRET-2', token: 'TOKEN-2', encodingAesKey: KEY },
  ],
});

const messageOf = (document: unknown): string => {
  try {
    parseServiceConfig(document);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigurationError');
};

describe('parseServiceConfig', () => {
  it('accepts a valid document', () => {
    const config = parseServiceConfig(validDocument());

    expect(config.provider).toEqual({ corpId: 'wwprovider', providerSecret: 'PROVIDER-SECRET' });
    expect(config.suites.map((suite) => suite.suiteId)).toEqual(['wwsuite1', 'dktemplate1']);
  });

  it('accepts a document without a provider secret', () => {
    const document = { ...validDocument(), provider: { corpId: 'wwprovider' } };

    expect(parseServiceConfig(document).provider).toEqual({ corpId: 'wwprovider' });
  });

  it.each([
    ['not an object', null, 'configuration must be an object'],
    ['an array', [], 'configuration must be an object'],
    ['no provider', { suites: validDocument().suites }, 'provider must be an object'],
    [
      'an empty provider corp id',
      { ...validDocument(), provider: { corpId: '' } },
      'provider.corpId must be a non-empty string',
    ],
    [
      'a provider secret that is not a string',
      { ...validDocument(), provider: { corpId: 'ww', providerSecret: 5 } },
      'provider.providerSecret',
    ],
    ['no suites', { provider: { corpId: 'ww' } }, 'suites must be a non-empty array'],
    ['an empty suite list', { provider: { corpId: 'ww' }, suites: [] }, 'suites must be a non-empty array'],
    [
      'a suite that is not an object',
      { provider: { corpId: 'ww' }, suites: ['x'] },
      'suites[0] must be an object',
    ],
    [
      'a suite id with a slash',
      { provider: { corpId: 'ww' }, suites: [{ ...validDocument().suites[0], suiteId: 'ww/1' }] },
      'suites[0].suiteId must be',
    ],
    [
      'a missing token',
      { provider: { corpId: 'ww' }, suites: [{ ...validDocument().suites[0], token: undefined }] },
      'suites[0].token must be a non-empty string',
    ],
    [
      'a blank suite secret',
      { provider: { corpId: 'ww' }, suites: [{ ...validDocument().suites[0], suiteSecret: '  ' }] },
      'suites[0].suiteSecret',
    ],
    [
      'a 42-character key',
      {
        provider: { corpId: 'ww' },
        suites: [{ ...validDocument().suites[0], encodingAesKey: KEY.slice(1) }],
      },
      'suites[0].encodingAesKey must be exactly 43',
    ],
    [
      'a repeated suite',
      { provider: { corpId: 'ww' }, suites: [validDocument().suites[0], validDocument().suites[0]] },
      'suites[1].suiteId repeats',
    ],
  ])('rejects %s, naming the field', (_label, document, expected) => {
    expect(messageOf(document)).toContain(expected);
  });

  it('reads the install settings of a third-party suite and the trusted-domain files', () => {
    const document = validDocument();
    const config = parseServiceConfig({
      ...document,
      suites: [
        {
          ...document.suites[0],
          installCompleteUrl: 'https://provider.example/done?x=1',
          installTestMode: true,
        },
        document.suites[1],
      ],
      verifyFiles: { 'WW_verify_Ab12.txt': 'Ab12' },
    });

    expect(config.suites[0]).toMatchObject({
      installCompleteUrl: 'https://provider.example/done?x=1',
      installTestMode: true,
    });
    expect(new SuiteRegistry(config).verifyFiles).toEqual({ 'WW_verify_Ab12.txt': 'Ab12' });
    expect(new SuiteRegistry(parseServiceConfig(document)).verifyFiles).toEqual({});
  });

  it.each([
    [
      { installCompleteUrl: 'http://provider.example/done' },
      0,
      'suites[0].installCompleteUrl must be an https URL',
    ],
    [
      { installCompleteUrl: 'https://provider.example/#done' },
      0,
      'suites[0].installCompleteUrl must be an https URL',
    ],
    [{ installCompleteUrl: 'not a url' }, 0, 'suites[0].installCompleteUrl must be an absolute https URL'],
    [{ installTestMode: 'yes' }, 0, 'suites[0].installTestMode must be true or false'],
    [{ installTestMode: true }, 1, '代开发 templates are not installed from a link'],
  ])('refuses the install setting %o of suite %i', (setting, index, message) => {
    const document = validDocument();
    const suites = document.suites.map((suite, at) => (at === index ? { ...suite, ...setting } : suite));

    expect(messageOf({ ...document, suites })).toContain(message);
  });

  it.each([
    [{ 'verify.txt': 'x' }, 'verifyFiles keys must be WeCom file names'],
    [{ 'WW_verify_../x.txt': 'x' }, 'verifyFiles keys must be WeCom file names'],
    [{ 'WW_verify_Ab12.txt': '' }, "must be the file's content"],
    [{ 'WW_verify_Ab12.txt': 'x'.repeat(1025) }, "must be the file's content"],
    [['WW_verify_Ab12.txt'], 'verifyFiles must be an object'],
  ])('refuses the verifyFiles %o', (verifyFiles, message) => {
    expect(messageOf({ ...validDocument(), verifyFiles })).toContain(message);
  });

  it('never puts a secret value in its message', () => {
    const document = validDocument();
    const bad = { ...document, suites: [{ ...document.suites[0], encodingAesKey: `${KEY}X` }] };

    const message = messageOf(bad);

    for (const secret of ['SUITE-SECRET-1', 'TOKEN-1', KEY, 'PROVIDER-SECRET']) {
      expect(message).not.toContain(secret);
    }
  });
});

describe('suiteKindOf', () => {
  it('treats dk… ids as 代开发 templates and the rest as third-party suites', () => {
    expect(suiteKindOf('dk123')).toBe('customized');
    expect(suiteKindOf('ww123')).toBe('third_party');
    expect(suiteKindOf('wx123')).toBe('third_party');
  });
});

describe('SuiteRegistry', () => {
  it('lists suites in configuration order and types each one', () => {
    const registry = new SuiteRegistry(parseServiceConfig(validDocument()));

    expect(registry.suiteIds).toEqual(['wwsuite1', 'dktemplate1']);
    expect(registry.get('dktemplate1').kind).toBe('customized');
    expect(registry.providerCorpId).toBe('wwprovider');
  });

  it('throws UnknownSuiteError for a suite it does not have', () => {
    const registry = new SuiteRegistry(parseServiceConfig(validDocument()));

    expect(() => registry.get('wwnope')).toThrow(UnknownSuiteError);
  });
});

describe('SuiteRegistry.resolve', () => {
  it('returns the named suite, or the only one when no id is given', () => {
    const single = new SuiteRegistry(
      parseServiceConfig({ ...validDocument(), suites: [validDocument().suites[0]] }),
    );
    const several = new SuiteRegistry(parseServiceConfig(validDocument()));

    expect(single.resolve(undefined).suiteId).toBe('wwsuite1');
    expect(several.resolve('dktemplate1').suiteId).toBe('dktemplate1');
  });

  it('refuses to guess when several suites are configured', () => {
    const several = new SuiteRegistry(parseServiceConfig(validDocument()));

    expect(() => several.resolve(undefined)).toThrow(InvalidRequestError);
  });
});

describe('the system-event URL in the configuration', () => {
  const withProvider = (provider: Record<string, unknown>) => ({
    ...validDocument(),
    provider: { corpId: 'wwprovider', ...provider },
  });

  it('reads provider.token and provider.encodingAesKey together, and the registry opens that URL with them', () => {
    const config = parseServiceConfig(withProvider({ token: 'SYSTEM-TOKEN', encodingAesKey: KEY }));
    const registry = new SuiteRegistry(config);

    expect(config.provider).toEqual({ corpId: 'wwprovider', token: 'SYSTEM-TOKEN', encodingAesKey: KEY });
    expect(registry.missingSystemEventKeys).toEqual([]);
    expect(registry.systemEvents().token).toBe('SYSTEM-TOKEN');
  });

  it('leaves the URL unconfigured without both, and says which keys are missing', () => {
    const registry = new SuiteRegistry(parseServiceConfig(withProvider({})));

    expect(registry.missingSystemEventKeys).toEqual(['provider.token', 'provider.encodingAesKey']);
    expect(() => registry.systemEvents()).toThrow(SystemEventsNotConfiguredError);
    expect(() => registry.systemEvents()).toThrow('provider.token and provider.encodingAesKey missing');
  });

  it.each([
    [{ token: 'SYSTEM-TOKEN' }, 'provider.encodingAesKey is missing'],
    [{ encodingAesKey: KEY }, 'provider.token is missing'],
    [{ token: '', encodingAesKey: KEY }, 'provider.token must be a non-empty string'],
    [{ token: 'SYSTEM-TOKEN', encodingAesKey: `${KEY}X` }, 'provider.encodingAesKey must be exactly 43'],
  ])('refuses the half-done provider keys %o, naming the field and never its value', (provider, message) => {
    const text = messageOf(withProvider(provider));

    expect(text).toContain(message);
    expect(text).not.toContain('SYSTEM-TOKEN');
    expect(text).not.toContain(KEY);
  });
});
