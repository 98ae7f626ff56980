import { InvalidRequestError } from '../../core/errors.ts';
import { isWeComId, WECOM_ID_RULE } from '../../core/wecom-id.ts';
import { isWeComValue, WECOM_VALUE_RULE } from '../../core/wecom-values.ts';

/** `suite-token` payload (docs/callers.md, The contract). */
export interface SuiteTokenRequest {
  readonly suiteId?: string;
  readonly staleToken?: string;
}

/** `corp-token` payload (docs/callers.md, The contract). */
export interface CorpTokenRequest extends SuiteTokenRequest {
  readonly corpId: string;
}

/** `customized-auth-url` payload. */
export interface CustomizedAuthUrlRequest {
  readonly templateIds: readonly string[];
  readonly state?: string;
}

// get_customized_auth_url: `state` is at most 32 bytes of [a-zA-Z0-9] (document/path/98744).
const STATE_PATTERN = /^[A-Za-z0-9]{1,32}$/;

/**
 * @throws InvalidRequestError when the payload is not `{ templateIds: 1–9 ids, state?: [A-Za-z0-9]{1,32} }`.
 */
export const parseCustomizedAuthUrlRequest = (payload: unknown): CustomizedAuthUrlRequest => {
  const fields = asObject(payload);
  rejectUnknownFields(fields, ['templateIds', 'state']);
  const ids = fields.templateIds;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > 9 || !ids.every(isWeComId)) {
    throw new InvalidRequestError('MALFORMED_PARAMETER', 'templateIds must be 1 to 9 template ids');
  }
  const state = fields.state;
  if (state !== undefined && (typeof state !== 'string' || !STATE_PATTERN.test(state))) {
    throw new InvalidRequestError('MALFORMED_PARAMETER', 'state must be 1-32 letters or digits');
  }
  return { templateIds: [...new Set(ids)], ...(state === undefined ? {} : { state }) };
};

/** `provider-token` payload. */
export interface ProviderTokenRequest {
  readonly staleToken?: string;
}

/**
 * @throws InvalidRequestError when the payload is not `{ staleToken? }`.
 */
export const parseProviderTokenRequest = (payload: unknown): ProviderTokenRequest => {
  const fields = asObject(payload);
  rejectUnknownFields(fields, ['staleToken']);
  return optionalToken(fields);
};

/**
 * @throws InvalidRequestError when the payload is not `{ suiteId?, staleToken? }`.
 */
export const parseSuiteTokenRequest = (payload: unknown): SuiteTokenRequest => {
  const fields = asObject(payload);
  rejectUnknownFields(fields, ['suiteId', 'staleToken']);
  return { ...optionalId(fields, 'suiteId'), ...optionalToken(fields) };
};

/**
 * @throws InvalidRequestError when the payload is not `{ corpId, suiteId?, staleToken? }`.
 */
export const parseCorpTokenRequest = (payload: unknown): CorpTokenRequest => {
  const fields = asObject(payload);
  rejectUnknownFields(fields, ['corpId', 'suiteId', 'staleToken']);
  const corpId = fields.corpId;
  if (!isWeComId(corpId)) {
    throw new InvalidRequestError('MISSING_PARAMETER', `corpId is required: ${WECOM_ID_RULE}`);
  }
  return { corpId, ...optionalId(fields, 'suiteId'), ...optionalToken(fields) };
};

/** `authorization` payload. */
export interface AuthorizationRequest {
  readonly corpId: string;
  readonly suiteId?: string;
}

/**
 * @throws InvalidRequestError when the payload is not `{ corpId, suiteId? }`.
 */
export const parseAuthorizationRequest = (payload: unknown): AuthorizationRequest => {
  const fields = asObject(payload);
  rejectUnknownFields(fields, ['corpId', 'suiteId']);
  const corpId = fields.corpId;
  if (!isWeComId(corpId)) {
    throw new InvalidRequestError('MISSING_PARAMETER', `corpId is required: ${WECOM_ID_RULE}`);
  }
  return { corpId, ...optionalId(fields, 'suiteId') };
};

export const asObject = (payload: unknown): Record<string, unknown> => {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new InvalidRequestError('INVALID_PAYLOAD', 'the payload must be a JSON object');
  }
  return payload as Record<string, unknown>;
};

export const rejectUnknownFields = (fields: Record<string, unknown>, known: readonly string[]): void => {
  const unknown = Object.keys(fields).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    // Bounded: a payload with thousands of fields must not become a message of hundreds of KiB.
    const named = unknown.slice(0, 5).map((name) => name.slice(0, 40));
    const more = unknown.length > named.length ? ` and ${unknown.length - named.length} more` : '';
    throw new InvalidRequestError('INVALID_PAYLOAD', `unknown field(s): ${named.join(', ')}${more}`);
  }
};

export const optionalId = (fields: Record<string, unknown>, name: string): Record<string, string> => {
  const value = fields[name];
  if (value === undefined) {
    return {};
  }
  if (!isWeComId(value)) {
    throw new InvalidRequestError('MALFORMED_PARAMETER', `${name} must be ${WECOM_ID_RULE}`);
  }
  return { [name]: value };
};

const optionalToken = (fields: Record<string, unknown>): { staleToken?: string } => {
  const value = fields.staleToken;
  if (value === undefined) {
    return {};
  }
  if (!isWeComValue(value)) {
    throw new InvalidRequestError('MALFORMED_PARAMETER', `staleToken must be a token: ${WECOM_VALUE_RULE}`);
  }
  return { staleToken: value };
};
