import { DETAIL_TYPE, type DetailType } from './core/events/service-events.ts';
import type { ServiceRuntime } from './wiring/service-runtime.ts';

/**
 * What a function may do in the table; lib/constructs/credential-table-access.ts turns each into
 * least-privilege IAM (keys confined by `dynamodb:LeadingKeys`, docs/architecture.md, Keys).
 * - `callback`: writes tickets, auth codes and authorization changes; reads only a status.
 * - `credentials`: reads tickets and authorizations, caches credentials under TOKEN# keys.
 * - `install`: suite items and suite credentials only, plus the auth code a browser brings back.
 * - `exchange`: reads everything, completes auth codes and authorizations.
 * - `status`: reads authorizations only, and of them only what is not secret (no permanent code).
 */
export type TableAccess = 'callback' | 'credentials' | 'install' | 'exchange' | 'status';

/** A route of the public HTTP API (API Gateway in AWS, PORT under `npm start`). */
export interface PublicRoute {
  readonly methods: readonly ('GET' | 'POST')[];
  /** With `{name}` path variables, each a whole segment. */
  readonly path: string;
  /** Which of the stage's throttles applies (lib/stage-config.ts). */
  readonly throttle: 'callback' | 'install' | 'installComplete';
}

/** How the table's stream feeds a function (the Lambda event-source mapping, and locally the poller). */
export interface StreamDelivery {
  readonly batchSize: number;
  /** Retries of a failing batch before its records go to the dead-letter queue. */
  readonly retryAttempts: number;
  /**
   * -1 for none. A mapping created again reads the stream's last day, and Lambda sends a record
   * older than a maximum unread to the dead-letter queue; auth-exchange settles old records itself.
   */
  readonly maxRecordAgeSeconds: number;
  readonly bisectBatchOnError: true;
  readonly reportBatchItemFailures: true;
}

/** A function's own module (`functions/<name>/function.ts`): its handler, built on a runtime. */
export interface FunctionModule {
  readonly buildFunction: (runtime: ServiceRuntime) => unknown;
}

interface CommonEntry {
  /** Its construct id in the service stack, the prefix of its logical id: renaming one replaces the function. */
  readonly constructId: string;
  readonly table: TableAccess;
  /** The `detail-type`s it publishes to the event bus (and may publish, by IAM). */
  readonly publishes: readonly DetailType[];
  /** It calls WeCom, so it runs in the VPC and leaves through the allow-listed egress IP. */
  readonly egress: boolean;
  /** Its Lambda timeout; calls are held to it less a reserve (functions/adapters/deadline). */
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /**
   * Whether its stack traces name our sources (`--enable-source-maps`, on runtimes that read the map
   * only when a trace needs it: lib/lambda-platform.ts). The first trace of a container then parses
   * the whole map, ~125 ms of CPU measured here: fine for a 20 s invocation, not for an answer WeCom
   * waits 1000 ms for, whose traces name positions in index.mjs (its map ships beside it).
   */
  readonly sourceMapsAtRunTime: boolean;
  /**
   * It asks service/get_corp_token with the suite token, so it meets that call's suite-wide 40082
   * (functions/app/credentials/get-credential.ts, SUITE_WIDE_40082) and reports it: the
   * SuiteTokenSuspect alarm sums these functions. Sign-in and user details ask corp tokens only of
   * 代开发 templates, with gettoken, which never says 40082.
   */
  readonly mintsThirdPartyCorpTokens: boolean;
  /** One sentence for the reader of the stack and the docs. */
  readonly purpose: string;
  /**
   * Its module, loaded only when asked (`npm start`, the tests): lib/ reads the other fields at
   * synth without loading any function code, and no bundle imports this catalogue.
   */
  readonly load: () => Promise<FunctionModule>;
}

/** Called by browsers or WeCom through the public API; it answers HTTP statuses it maps itself. */
export interface HttpFunctionEntry extends CommonEntry {
  readonly kind: 'http';
  readonly routes: readonly PublicRoute[];
}

/** Invoked by other services with the Lambda API, JSON in and out; it throws typed errors by contract. */
export interface InvokedFunctionEntry extends CommonEntry {
  readonly kind: 'invoked';
}

/** Fed by the table's stream. */
export interface StreamFunctionEntry extends CommonEntry {
  readonly kind: 'stream';
  readonly stream: StreamDelivery;
}

export type FunctionEntry = HttpFunctionEntry | InvokedFunctionEntry | StreamFunctionEntry;

// Invoked functions mint or use tokens (20 s: a WeCom call with retries, or waiting on another's mint).
const INVOKED = {
  kind: 'invoked',
  table: 'credentials',
  egress: true,
  timeoutSeconds: 20,
  memoryMb: 512,
  sourceMapsAtRunTime: true,
} as const;

/**
 * The one list of the service's functions. Each is a folder `functions/<name>/` with `handler.ts`
 * (the Lambda entry) and `function.ts` (`buildFunction(runtime)`, which `npm start` and the tests
 * use). lib/ builds every function, its grants, routes, alarms and outputs from its entry; the local
 * stack, the tests and the client's function names derive from this list. Adding a function is one
 * entry here plus its own folder and use case (docs/architecture.md, Adding a function).
 */
export const FUNCTIONS = {
  'wecom-callback': {
    load: () => import('./wecom-callback/function.ts'),
    kind: 'http',
    constructId: 'CallbackFunction',
    purpose: 'Verifies, decrypts and records WeCom pushes, and publishes them as events.',
    routes: [
      { methods: ['GET', 'POST'], path: '/callback/{suiteId}/command', throttle: 'callback' },
      { methods: ['GET', 'POST'], path: '/callback/{suiteId}/data', throttle: 'callback' },
      // The provider's 系统事件接收URL (licences, registrations): 404 until provider.token and
      // provider.encodingAesKey are configured.
      { methods: ['GET', 'POST'], path: '/callback/provider/system', throttle: 'callback' },
      // WeCom's trusted-domain check fetches WW_verify_….txt at the root.
      { methods: ['GET'], path: '/{file}', throttle: 'callback' },
    ],
    table: 'callback',
    // Every authenticated callback but suite_ticket, and cancel_auth's change of an authorization.
    publishes: [
      DETAIL_TYPE.dataCallback,
      DETAIL_TYPE.commandEvent,
      DETAIL_TYPE.authorizationChanged,
      DETAIL_TYPE.systemEvent,
    ],
    // It never calls WeCom, and must answer within 1000 ms: out of the VPC.
    egress: false,
    timeoutSeconds: 5,
    // A cold start's first answer is CPU-bound at Lambda's share of a vCPU: on Node.js 24 it used
    // ~25% more CPU than on 20, and at 512 MB (0.29 vCPU) some cold create_auth answers missed
    // WeCom's 1000 ms in bench row 12; 1024 MB (0.58 vCPU) kept them all inside (docs/performance.md).
    memoryMb: 1024,
    sourceMapsAtRunTime: false,
    mintsThirdPartyCorpTokens: false,
  },
  'suite-token': {
    load: () => import('./suite-token/function.ts'),
    ...INVOKED,
    constructId: 'SuiteTokenFunction',
    purpose: 'Serves a suite_access_token, minted once per refresh point.',
    publishes: [],
    mintsThirdPartyCorpTokens: false,
  },
  'corp-token': {
    load: () => import('./corp-token/function.ts'),
    ...INVOKED,
    constructId: 'CorpTokenFunction',
    purpose: "Serves a corp's access_token; announces an authorization WeCom refuses.",
    publishes: [DETAIL_TYPE.authorizationChanged],
    mintsThirdPartyCorpTokens: true,
  },
  'provider-token': {
    load: () => import('./provider-token/function.ts'),
    ...INVOKED,
    constructId: 'ProviderTokenFunction',
    purpose: "Serves the provider_access_token of the provider's own corp.",
    publishes: [],
    mintsThirdPartyCorpTokens: false,
  },
  'customized-auth-url': {
    load: () => import('./customized-auth-url/function.ts'),
    ...INVOKED,
    constructId: 'CustomizedAuthUrlFunction',
    purpose: '代开发 authorization links (QR codes), with the provider token.',
    publishes: [],
    mintsThirdPartyCorpTokens: false,
  },
  'user-identity': {
    load: () => import('./user-identity/function.ts'),
    ...INVOKED,
    constructId: 'UserIdentityFunction',
    purpose: 'Exchanges a sign-in code for who signed in.',
    // A 代开发 sign-in mints the corp token, and may be the first to meet a broken authorization.
    publishes: [DETAIL_TYPE.authorizationChanged],
    mintsThirdPartyCorpTokens: false,
  },
  'user-detail': {
    load: () => import('./user-detail/function.ts'),
    ...INVOKED,
    constructId: 'UserDetailFunction',
    purpose: "Exchanges a user_ticket for the user's details.",
    publishes: [DETAIL_TYPE.authorizationChanged],
    mintsThirdPartyCorpTokens: false,
  },
  'jsapi-ticket': {
    load: () => import('./jsapi-ticket/function.ts'),
    ...INVOKED,
    constructId: 'JsapiTicketFunction',
    purpose: 'Serves JS-SDK tickets, or signs a page URL with them.',
    publishes: [DETAIL_TYPE.authorizationChanged],
    // A third-party corp's JS-SDK tickets are asked with its corp token, minted here when missing.
    mintsThirdPartyCorpTokens: true,
  },
  authorization: {
    load: () => import('./authorization/function.ts'),
    ...INVOKED,
    constructId: 'AuthorizationFunction',
    purpose: "A corp's authorization as WeCom described it (never its permanent code).",
    // It reads the table only: no WeCom, no token, nothing to publish.
    table: 'status',
    egress: false,
    timeoutSeconds: 5,
    publishes: [],
    mintsThirdPartyCorpTokens: false,
  },
  install: {
    load: () => import('./install/function.ts'),
    kind: 'http',
    constructId: 'InstallFunction',
    purpose: "Installs from the provider's website: the redirect to WeCom and the way back.",
    routes: [
      { methods: ['GET'], path: '/install/{suiteId}', throttle: 'install' },
      // Each request with a fresh state may cost a get_permanent_code: its own, far lower throttle.
      { methods: ['GET'], path: '/install/{suiteId}/complete', throttle: 'installComplete' },
    ],
    table: 'install',
    publishes: [],
    egress: true,
    // A browser waits on it.
    timeoutSeconds: 10,
    memoryMb: 512,
    sourceMapsAtRunTime: true,
    mintsThirdPartyCorpTokens: false,
  },
  'auth-exchange': {
    load: () => import('./auth-exchange/function.ts'),
    kind: 'stream',
    constructId: 'AuthExchangeFunction',
    purpose: 'Exchanges auth codes for permanent codes and refreshes authorizations, from the stream.',
    stream: {
      batchSize: 10,
      retryAttempts: 5,
      maxRecordAgeSeconds: -1,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
    },
    table: 'exchange',
    publishes: [DETAIL_TYPE.authorizationChanged],
    egress: true,
    timeoutSeconds: 60,
    memoryMb: 512,
    sourceMapsAtRunTime: true,
    mintsThirdPartyCorpTokens: false,
  },
} as const satisfies Record<string, FunctionEntry>;

/** A function of the service: its folder under functions/, its Powertools service name, its metrics' `service`. */
export type FunctionName = keyof typeof FUNCTIONS;

type NamesOfKind<Kind extends FunctionEntry['kind']> = {
  [Name in FunctionName]: (typeof FUNCTIONS)[Name]['kind'] extends Kind ? Name : never;
}[FunctionName];

/** The functions other services invoke with the Lambda API (the client's calls). */
export type InvokedFunctionName = NamesOfKind<'invoked'>;
export type HttpFunctionName = NamesOfKind<'http'>;
export type StreamFunctionName = NamesOfKind<'stream'>;

/** Every function name, in the catalogue's order. */
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as readonly FunctionName[];

/** The entries of one kind, by name. */
export const functionsOfKind = <Kind extends FunctionEntry['kind']>(
  kind: Kind,
): readonly (readonly [NamesOfKind<Kind>, Extract<FunctionEntry, { kind: Kind }>])[] =>
  FUNCTION_NAMES.flatMap((name) => {
    const entry: FunctionEntry = FUNCTIONS[name];
    return entry.kind === kind
      ? [[name as NamesOfKind<Kind>, entry as Extract<FunctionEntry, { kind: Kind }>] as const]
      : [];
  });

/** The handler a function's module builds, as its own type (typed harnesses and local routes). */
export type FunctionHandler<Name extends FunctionName> = ReturnType<
  Awaited<ReturnType<(typeof FUNCTIONS)[Name]['load']>>['buildFunction']
>;

/** Loads a function's module and builds its handler on `runtime`. */
export const buildFunction = async <Name extends FunctionName>(
  name: Name,
  runtime: ServiceRuntime,
): Promise<FunctionHandler<Name>> => {
  const module = await FUNCTIONS[name].load();
  return module.buildFunction(runtime) as FunctionHandler<Name>;
};
