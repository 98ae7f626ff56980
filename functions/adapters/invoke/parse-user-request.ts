import { InvalidRequestError } from '../../core/errors.ts';
import type { JsapiTicketType } from '../../core/ports/wecom-api.ts';
import { isWeComId, WECOM_ID_RULE } from '../../core/wecom-id.ts';
import { isWeComValue, WECOM_VALUE_RULE } from '../../core/wecom-values.ts';
import { asObject, optionalId, rejectUnknownFields } from './parse-token-request.ts';

/** `user-identity` payload. */
export interface UserIdentityRequest {
  readonly code: string;
  readonly suiteId?: string;
  readonly corpId?: string;
}

/** `user-detail` payload. */
export interface UserDetailRequest {
  readonly userTicket: string;
  readonly suiteId?: string;
  readonly corpId?: string;
}

/** `jsapi-ticket` payload. */
export interface JsapiTicketRequest {
  readonly corpId: string;
  readonly suiteId?: string;
  readonly type: JsapiTicketType;
  readonly url?: string;
  /** Without `url`: a ticket the JS-SDK refused. */
  readonly staleTicket?: string;
  /** With `url`: a signature of ours the page's wx.config refused. */
  readonly rejectedSignature?: {
    readonly nonceStr: string;
    readonly timestamp: number;
    readonly signature: string;
  };
}

/** @throws InvalidRequestError when the payload is not `{ code, suiteId?, corpId? }`. */
export const parseUserIdentityRequest = (payload: unknown): UserIdentityRequest => {
  const fields = asObject(payload);
  rejectUnknownFields(fields, ['code', 'suiteId', 'corpId']);
  return {
    code: requireOpaque(fields, 'code'),
    ...optionalId(fields, 'suiteId'),
    ...optionalId(fields, 'corpId'),
  };
};

/** @throws InvalidRequestError when the payload is not `{ userTicket, suiteId?, corpId? }`. */
export const parseUserDetailRequest = (payload: unknown): UserDetailRequest => {
  const fields = asObject(payload);
  rejectUnknownFields(fields, ['userTicket', 'suiteId', 'corpId']);
  return {
    userTicket: requireOpaque(fields, 'userTicket'),
    ...optionalId(fields, 'suiteId'),
    ...optionalId(fields, 'corpId'),
  };
};

/** @throws InvalidRequestError when the payload is not `{ corpId, suiteId?, type: corp|agent, url? }`. */
export const parseJsapiTicketRequest = (payload: unknown): JsapiTicketRequest => {
  const fields = asObject(payload);
  rejectUnknownFields(fields, ['corpId', 'suiteId', 'type', 'url', 'staleTicket', 'rejectedSignature']);
  const { corpId, type, url, staleTicket, rejectedSignature } = fields;
  if (!isWeComId(corpId)) {
    throw new InvalidRequestError('MISSING_PARAMETER', `corpId is required: ${WECOM_ID_RULE}`);
  }
  if (type !== 'corp' && type !== 'agent') {
    throw new InvalidRequestError(
      'MALFORMED_PARAMETER',
      "type must be 'corp' (wx.config) or 'agent' (wx.agentConfig)",
    );
  }
  if (url !== undefined && typeof url !== 'string') {
    throw new InvalidRequestError('MALFORMED_PARAMETER', 'url must be a string');
  }
  if (
    staleTicket !== undefined &&
    (url !== undefined || typeof staleTicket !== 'string' || !isWeComValue(staleTicket))
  ) {
    throw new InvalidRequestError(
      'MALFORMED_PARAMETER',
      'staleTicket must be a ticket (1-512 characters), without url',
    );
  }
  return {
    corpId,
    type,
    ...optionalId(fields, 'suiteId'),
    ...(url === undefined ? {} : { url }),
    ...(staleTicket === undefined ? {} : { staleTicket }),
    ...(rejectedSignature === undefined
      ? {}
      : { rejectedSignature: parseRejectedSignature(rejectedSignature, url) }),
  };
};

// The message names the field, never its value (a code or ticket is a credential).
const requireOpaque = (fields: Record<string, unknown>, name: string): string => {
  const value = fields[name];
  if (!isWeComValue(value)) {
    throw new InvalidRequestError('MISSING_PARAMETER', `${name} is required: ${WECOM_VALUE_RULE}`);
  }
  return value;
};

const parseRejectedSignature = (
  value: unknown,
  url: unknown,
): { readonly nonceStr: string; readonly timestamp: number; readonly signature: string } => {
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { nonceStr, timestamp, signature } = fields;
  if (
    url === undefined ||
    typeof nonceStr !== 'string' ||
    !/^[A-Za-z0-9]{1,64}$/.test(nonceStr) ||
    typeof timestamp !== 'number' ||
    !Number.isSafeInteger(timestamp) ||
    typeof signature !== 'string' ||
    !/^[0-9a-f]{40}$/.test(signature)
  ) {
    throw new InvalidRequestError(
      'MALFORMED_PARAMETER',
      'rejectedSignature must be { nonceStr, timestamp, signature } as this service answered, with url',
    );
  }
  return { nonceStr, timestamp, signature };
};
