import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../functions/core/config/service-config.ts';
import { DETAIL_TYPE } from '../../functions/core/events/service-events.ts';
import { PAID_APP_EVENT_SHAPES, SYSTEM_EVENT_SHAPES } from '../../local/wecom-simulator/system-events.ts';
import { signedPushEvent, systemCallbackEvent } from '../support/api-events.ts';
import {
  createCallbackHarness,
  PROVIDER_CORP_ID,
  PROVIDER_SYSTEM_URL,
  TEST_CONFIG,
} from '../support/callback-harness.ts';
import type { ReceivedEvent } from '../support/fake-eventbridge.ts';
import { createTokenHarness, type TokenHarness } from '../support/token-harness.ts';
import { signPush } from '../support/wecom-pushes.ts';

/**
 * WeCom's documented sample messages (test/fixtures/wecom-samples), one per InfoType or Event the
 * service handles or forwards, each pushed through its real route and checked against the event it
 * becomes: the detail-type, the fields read from it, and the whole message as docs/events.md maps it
 * (written down in the fixture independently of the service's parser).
 */

interface Sample {
  readonly file: string;
  readonly route: 'system' | 'command' | 'data';
  readonly source: string;
  readonly message: Record<string, unknown>;
}

const fixtures = new URL('../fixtures/wecom-samples/', import.meta.url);
const { samples } = JSON.parse(readFileSync(new URL('index.json', fixtures), 'utf8')) as {
  readonly samples: readonly Sample[];
};
const xmlOf = (sample: Sample): string => readFileSync(new URL(sample.file, fixtures), 'utf8');

// The suites the pages' samples name, with keys of our own.
const suite = (suiteId: string, token: string) => ({
  suiteId,
  token,
  encodingAesKey: createHash('sha256').update(suiteId).digest('base64').replace(/[+/=]/g, 'A').slice(0, 43),
  suiteSecret: `${suiteId}-secret`,
});
const SUITES = [
  suite('ww4asffe99e54c0aaa', 'PaidAppToken'),
  suite('ww4asffe99e54c0f4c', 'AuthPagesToken'),
  suite('dk4asffe99e54c0f4c', 'TemplateToken'),
];
const CONFIG: ServiceConfig = { ...TEST_CONFIG, suites: SUITES };
// The data samples' placeholder corp, named by the data URL's `?corpid=$CORPID$`.
const DATA_CORP = 'toUser';

let harness: TokenHarness;
let callback: ReturnType<typeof createCallbackHarness>;

beforeAll(async () => {
  harness = await createTokenHarness();
  callback = createCallbackHarness(harness.table.endpoint, harness.table.tableName, {
    config: CONFIG,
    eventBridge: { endpoint: harness.eventBridge.endpoint, busName: 'wecom-credentials-test' },
  });
}, 60_000);

afterAll(async () => {
  await harness.close();
});

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const push = (sample: Sample, xml: string) => {
  callback.clock.set(Date.now());
  const timestamp = Math.floor(Date.now() / 1000);
  if (sample.route === 'system') {
    const signed = signPush(PROVIDER_SYSTEM_URL, xml, { receiveId: PROVIDER_CORP_ID, timestamp });
    return callback.handler(
      systemCallbackEvent({ method: 'POST', rawQueryString: signed.rawQueryString, body: signed.body }),
    );
  }
  const suiteId = sample.route === 'command' ? text(sample.message.SuiteId) : (SUITES[0]?.suiteId ?? '');
  const secrets = SUITES.find((candidate) => candidate.suiteId === suiteId) ?? SUITES[0];
  const receiveId = sample.route === 'command' ? suiteId : DATA_CORP;
  const signed = signPush(secrets ?? PROVIDER_SYSTEM_URL, xml, {
    receiveId,
    timestamp,
    ...(sample.route === 'data' ? { extraQuery: `&corpid=${DATA_CORP}` } : {}),
  });
  return callback.handler(signedPushEvent(suiteId, signed, sample.route));
};

const DETAIL_TYPE_OF = {
  system: DETAIL_TYPE.systemEvent,
  command: DETAIL_TYPE.commandEvent,
  data: DETAIL_TYPE.dataCallback,
} as const;

describe('WeCom’s documented samples through the real routes', () => {
  it('has one sample per system InfoType and paid-app event the simulator pushes', () => {
    const names = samples.map((sample) => sample.file.replace(/^.*\/|\.xml$/g, ''));

    expect(names).toEqual(
      expect.arrayContaining([...Object.keys(SYSTEM_EVENT_SHAPES), ...Object.keys(PAID_APP_EVENT_SHAPES)]),
    );
  });

  it.each(samples.map((sample) => [sample.file, sample] as const))(
    '%s becomes its event',
    async (_file, sample) => {
      const xml = xmlOf(sample);
      const before = harness.eventBridge.received.length;

      const answer = await push(sample, xml);

      expect(answer).toMatchObject({ statusCode: 200, body: sample.route === 'data' ? '' : 'success' });
      const published = harness.eventBridge.received
        .slice(before)
        .filter((event: ReceivedEvent) => event.DetailType === DETAIL_TYPE_OF[sample.route]);
      if (sample.file === 'command/suite_ticket.xml') {
        // The service's own business: stored, never published.
        expect(published).toEqual([]);
        return;
      }
      expect(published).toHaveLength(1);
      const detail = JSON.parse(published[0]?.Detail ?? '{}') as Record<string, unknown>;
      const kind =
        text(sample.message.InfoType) || text(sample.message.Event) || text(sample.message.MsgType);
      expect(detail.eventId).toBe(createHash('sha256').update(xml).digest('hex'));
      expect(detail.message).toEqual(sample.message);
      if (sample.route === 'data') {
        expect(detail).toMatchObject({ corpId: DATA_CORP, msgType: text(sample.message.MsgType) });
      } else {
        expect(detail).toMatchObject({
          infoType: kind,
          timeStamp: Number(sample.message.TimeStamp),
          ...(text(sample.message.AuthCorpId) || text(sample.message.PaidCorpId)
            ? { authCorpId: text(sample.message.AuthCorpId) || text(sample.message.PaidCorpId) }
            : {}),
        });
      }
    },
  );

  it('let no credential of any sample reach an event', () => {
    const everything = JSON.stringify(harness.eventBridge.received);

    for (const secret of [
      'accesstoken000001',
      'pIKi3wRPNWCGF',
      'asdfasfdasdfasdf',
      'AUTHCODEAUTHCODE',
      'RESETCOD',
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});

/** Element paths of an XML document, for comparing shapes: `AccountList/ActiveCode`, … */
const pathsOf = (xml: string): string[] => {
  const paths = new Set<string>();
  const stack: string[] = [];
  for (const [, closing, name] of xml
    .replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '')
    .matchAll(/<(\/?)([A-Za-z]+)>/g)) {
    if (closing === '/') {
      stack.pop();
    } else {
      stack.push(name ?? '');
      paths.add(stack.slice(1).join('/'));
    }
  }
  paths.delete('');
  return [...paths].sort();
};

describe('the simulator’s pushes', () => {
  it.each([...Object.entries(SYSTEM_EVENT_SHAPES), ...Object.entries(PAID_APP_EVENT_SHAPES)])(
    'push %s with the elements of WeCom’s sample',
    (infoType, shape) => {
      const sample = samples.find((candidate) => candidate.file.endsWith(`/${infoType}.xml`));
      const pushed = shape({
        providerCorpId: PROVIDER_CORP_ID,
        corpId: 'wwcorp',
        suiteId: 'ww1',
        timeStamp: 1,
      });

      expect(sample).toBeDefined();
      const expected = pathsOf(xmlOf(sample as Sample));
      expect(expected.length).toBeGreaterThan(3);
      // auto_activate's PreviousActiveCode comes only for a member who had a licence; the simulator's has none.
      expect(pathsOf(pushed)).toEqual(expected.filter((path) => path !== 'AccountList/PreviousActiveCode'));
    },
  );
});
