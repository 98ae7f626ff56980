import { type LocalStackOptions, LocalStartError } from './local-stack.ts';

/** What `npm start` takes from its environment, checked before anything starts. */
export type StartSettings = Pick<
  LocalStackOptions,
  | 'port'
  | 'lambdaPort'
  | 'maxSkewSeconds'
  | 'systemEvents'
  | 'ticketIntervalSeconds'
  | 'dbPath'
  | 'configFile'
  | 'wecomApiBase'
  | 'eventWebhook'
  | 'publicUrl'
  | 'deadlineStretch'
>;

// Values are quoted back only this long: a setting can be pasted garbage, the message stays a line.
const quoted = (value: string): string =>
  JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

const wholeNumber = (
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  range: { readonly min: number; readonly max: number; readonly fix: string },
): number => {
  const value = env[name];
  if (value === undefined || value === '') {
    return fallback;
  }
  const parsed = /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= range.min && parsed <= range.max)) {
    throw new LocalStartError(
      `${name} must be a whole number from ${range.min} to ${range.max} (got ${quoted(value)}): ${range.fix}.`,
    );
  }
  return parsed;
};

const optionalText = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
};

/**
 * Reads and checks `npm start`'s settings.
 *
 * @throws LocalStartError with one sentence naming the setting and the fix.
 */
export const readStartSettings = (env: NodeJS.ProcessEnv): StartSettings => {
  const ports = { min: 1, max: 65535, fix: 'set it to a free port, e.g. 3000' };
  const port = wholeNumber(env, 'PORT', 3000, ports);
  const lambdaPort = wholeNumber(env, 'LAMBDA_PORT', 3001, {
    ...ports,
    fix: 'set it to a free port, e.g. 3001',
  });
  if (port === lambdaPort) {
    throw new LocalStartError(
      `PORT and LAMBDA_PORT are both ${port}: they must differ, because only PORT may be exposed to WeCom.`,
    );
  }
  const wecomApiBase = optionalText(env, 'WECOM_API_BASE');
  if (wecomApiBase !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(wecomApiBase)) {
    throw new LocalStartError(
      `WECOM_API_BASE must be an http(s) URL (got ${quoted(wecomApiBase)}): unset it to call WeCom itself.`,
    );
  }
  const eventWebhook = optionalText(env, 'LOCAL_EVENT_WEBHOOK');
  if (eventWebhook !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(eventWebhook)) {
    throw new LocalStartError(
      `LOCAL_EVENT_WEBHOOK must be an http(s) URL (got ${quoted(eventWebhook)}): the local bus POSTs each event there.`,
    );
  }
  const publicUrl = optionalText(env, 'PUBLIC_URL');
  if (publicUrl !== undefined && !/^https?:\/\/[^\s/?#]+\/?$/.test(publicUrl)) {
    throw new LocalStartError(
      `PUBLIC_URL must be the origin a tunnel gives PORT, like https://abc.example-tunnel.com (got ${quoted(publicUrl)}).`,
    );
  }
  const systemEvents = optionalText(env, 'WECOM_SYSTEM_EVENTS');
  if (systemEvents !== undefined && systemEvents !== 'required' && systemEvents !== 'optional') {
    throw new LocalStartError(
      `WECOM_SYSTEM_EVENTS must be required or optional (got ${quoted(systemEvents)}): required makes a configuration without the system-event URL's keys stop the start.`,
    );
  }
  const dbPath = optionalText(env, 'LOCAL_DB_PATH');
  const configFile = optionalText(env, 'WECOM_CONFIG_FILE');
  return {
    port,
    lambdaPort,
    maxSkewSeconds: wholeNumber(env, 'WECOM_MAX_SKEW_SECONDS', 300, {
      min: 0,
      max: 86_400,
      fix: 'use 300 (the default) or 0 to turn the replay window off',
    }),
    ticketIntervalSeconds: wholeNumber(env, 'SANDBOX_TICKET_INTERVAL_SECONDS', 600, {
      min: 1,
      max: 86_400,
      fix: 'use 600, as WeCom pushes tickets every 10 minutes',
    }),
    deadlineStretch: wholeNumber(env, 'LOCAL_DEADLINE_STRETCH', 1, {
      min: 1,
      max: 100,
      fix: 'use 1 (the default: the deadlines of the deployed service) or more on a busy machine',
    }),
    ...(systemEvents === undefined ? {} : { systemEvents }),
    ...(dbPath === undefined ? {} : { dbPath }),
    ...(configFile === undefined ? {} : { configFile }),
    ...(wecomApiBase === undefined ? {} : { wecomApiBase }),
    ...(eventWebhook === undefined ? {} : { eventWebhook }),
    ...(publicUrl === undefined ? {} : { publicUrl: publicUrl.replace(/\/$/, '') }),
  };
};
