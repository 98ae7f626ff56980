import { UpstreamUnavailableError } from '../../core/errors.ts';
import type { MintedToken, WeComUserDetail, WeComUserIdentity } from '../../core/ports/wecom-api.ts';
import type { WireUserDetailResponse, WireUserInfoResponse } from './wire-types.ts';

/** A token or ticket answer as a domain token; an answer missing either field is WeCom's failure. */
export const minted = (
  api: string,
  accessToken: string | undefined,
  expiresIn: number | undefined,
): MintedToken => {
  if (
    typeof accessToken !== 'string' ||
    accessToken === '' ||
    typeof expiresIn !== 'number' ||
    expiresIn <= 0
  ) {
    throw new UpstreamUnavailableError(`${api} answered without a token or expires_in`);
  }
  return { accessToken, expiresInSeconds: expiresIn };
};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** Only the fields WeCom gave, under our names (the answer is a member's or an outsider's). */
export const identityOf = (response: WireUserInfoResponse): WeComUserIdentity => {
  const fields = {
    corpId: text(response.corpid),
    userId: text(response.userid),
    openUserId: text(response.open_userid),
    openId: text(response.openid),
    externalUserId: text(response.external_userid),
    userTicket: text(response.user_ticket),
  };
  return {
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
    ...(fields.userTicket !== undefined && typeof response.expires_in === 'number'
      ? { userTicketExpiresInSeconds: response.expires_in }
      : {}),
  };
};

/** A user_ticket's details under our names; an answer without `userid` is WeCom's failure. */
export const detailOf = (api: string, response: WireUserDetailResponse): WeComUserDetail => {
  const userId = text(response.userid);
  if (userId === undefined) {
    throw new UpstreamUnavailableError(`${api} answered without userid`);
  }
  const fields = {
    corpId: text(response.corpid),
    name: text(response.name),
    gender: response.gender === undefined ? undefined : String(response.gender),
    avatar: text(response.avatar),
    qrCode: text(response.qr_code),
    mobile: text(response.mobile),
    email: text(response.email),
    bizMail: text(response.biz_mail),
    address: text(response.address),
  };
  return {
    userId,
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
  };
};
