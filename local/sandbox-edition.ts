import { isWeComId, WECOM_ID_RULE } from '../functions/core/wecom-id.ts';
import type { SimulatedEdition, WeComSimulator } from './wecom-simulator/wecom-simulator.ts';

/** What a sandbox control answers: its HTTP status and JSON body. */
export interface SandboxAnswer {
  readonly status: number;
  readonly body: unknown;
}

const SECONDS_PER_YEAR = 365 * 24 * 60 * 60;
// WeCom's numbers in edition_info are unsigned 32-bit; a larger one is not a value WeCom sends.
const UINT32_MAX = 4_294_967_295;
const EDITION_NAME_MAX = 64;

/** The edition a change gives when the request names none of its fields: a paid one (app_status 3). */
export const DEFAULT_SANDBOX_EDITION = {
  editionId: 'sandboxpaid',
  editionName: '付费版',
  appStatus: 3,
  userLimit: 200,
  isVirtualVersion: false,
  isSharedFromOtherCorp: false,
} as const;

const PARAMETERS = [
  'suiteId',
  'corpId',
  'editionId',
  'editionName',
  'appStatus',
  'userLimit',
  'expiredTime',
  'isVirtualVersion',
  'isSharedFromOtherCorp',
] as const;

type Parsed<T> = { readonly value: T } | { readonly error: string };

const integerIn = (name: string, raw: string | null, max: number): Parsed<number | undefined> => {
  if (raw === null) {
    return { value: undefined };
  }
  // Digits only: Number() would also take '', ' 1', '1e3' and '0x10'.
  const value = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  return value <= max ? { value } : { error: `${name} must be an integer from 0 to ${max}` };
};

const flagOf = (name: string, raw: string | null): Parsed<boolean | undefined> => {
  if (raw === null) {
    return { value: undefined };
  }
  return raw === 'true' || raw === 'false'
    ? { value: raw === 'true' }
    : { error: `${name} must be true or false` };
};

/** The edition fields a request names, each checked as bounded for a stranger, or the first problem. */
const fieldsOf = (query: URLSearchParams): Parsed<Partial<SimulatedEdition>> => {
  const editionId = query.get('editionId');
  if (editionId !== null && !isWeComId(editionId)) {
    return { error: `editionId must be ${WECOM_ID_RULE}` };
  }
  const editionName = query.get('editionName');
  if (
    editionName !== null &&
    (editionName === '' || [...editionName].length > EDITION_NAME_MAX || /\p{Cc}/u.test(editionName))
  ) {
    return { error: `editionName must be 1-${EDITION_NAME_MAX} characters, without control characters` };
  }
  const numbers = {
    appStatus: integerIn('appStatus', query.get('appStatus'), 7),
    userLimit: integerIn('userLimit', query.get('userLimit'), UINT32_MAX),
    expiredTime: integerIn('expiredTime', query.get('expiredTime'), UINT32_MAX),
  };
  const flags = {
    isVirtualVersion: flagOf('isVirtualVersion', query.get('isVirtualVersion')),
    isSharedFromOtherCorp: flagOf('isSharedFromOtherCorp', query.get('isSharedFromOtherCorp')),
  };
  const fields: Record<string, unknown> = {};
  for (const [name, parsed] of Object.entries({ ...numbers, ...flags })) {
    if ('error' in parsed) {
      return parsed;
    }
    if (parsed.value !== undefined) {
      fields[name] = parsed.value;
    }
  }
  return {
    value: {
      ...(fields as Partial<SimulatedEdition>),
      ...(editionId === null ? {} : { editionId }),
      ...(editionName === null ? {} : { editionName }),
    },
  };
};

/**
 * `POST /sandbox/change-edition`: the corp's paid edition of the app changes in the simulator
 * (get_auth_info, v2 for 代开发, answers it from now on) and WeCom's change_editon is pushed to the
 * suite's command route, as WeCom does after a purchase, renewal, refund or expiry. `corpId` is
 * required; `suiteId` may be left out when the corp installed one suite only. Bad input is a 400
 * and a corp that has not installed the suite a 404, both changing nothing.
 */
export const changeEdition = async (
  query: URLSearchParams,
  simulator: WeComSimulator,
  nowMs: number = Date.now(),
): Promise<SandboxAnswer> => {
  const refuse = (status: 400 | 404, error: string): SandboxAnswer => ({ status, body: { error } });
  const unknown = [...query.keys()].find((name) => !(PARAMETERS as readonly string[]).includes(name));
  if (unknown !== undefined) {
    return refuse(400, `unknown parameter ${unknown.slice(0, 64)}; use ${PARAMETERS.join(', ')}`);
  }
  const corpId = query.get('corpId');
  if (corpId === null || !isWeComId(corpId)) {
    return refuse(400, `corpId is required: ${WECOM_ID_RULE}`);
  }
  const named = query.get('suiteId');
  if (named !== null && !isWeComId(named)) {
    return refuse(400, `suiteId must be ${WECOM_ID_RULE}`);
  }
  const fields = fieldsOf(query);
  if ('error' in fields) {
    return refuse(400, fields.error);
  }
  const suites = simulator.authorizedSuites(corpId);
  const suiteId = named ?? (suites.length === 1 ? suites[0] : undefined);
  if (suiteId === undefined && suites.length > 1) {
    return refuse(400, `${corpId} installed ${suites.join(', ')}: name one with suiteId`);
  }
  if (suiteId === undefined || !suites.includes(suiteId)) {
    return refuse(404, `${corpId} has not installed ${named ?? 'any suite'} in the sandbox`);
  }
  // A year after the later of now and the current expiry: a change with no fields still shows one.
  const current = simulator.editionOf(suiteId, corpId)?.expiredTime ?? 0;
  const edition: SimulatedEdition = {
    ...DEFAULT_SANDBOX_EDITION,
    expiredTime: Math.max(Math.floor(nowMs / 1000), current) + SECONDS_PER_YEAR,
    ...fields.value,
  };
  const { status, body } = await simulator.pushChangeEdition(suiteId, corpId, edition);
  return { status: 200, body: { suiteId, corpId, edition, callback: { status, body } } };
};
