import {
  type AgentEdition,
  type AgentPrivilege,
  type AuthInfo,
  type AuthorizationInstaller,
  type AuthorizedAgent,
  PRIVILEGE_LIST_LIMIT,
  type RegisterCodeInfo,
} from '../../core/authorization/corp-authorization.ts';
import { UpstreamUnavailableError } from '../../core/errors.ts';
import type { PermanentCodeGrant } from '../../core/ports/wecom-api.ts';
import type {
  WireAgentEdition,
  WireAuthInfoResponse,
  WireAuthorizedAgent,
  WirePermanentCodeResponse,
} from './wire-types.ts';

// What WeCom hands over is taken as far as its documents describe it (docs/wecom-protocol.md
// §5.6–5.7): a field of another type than documented is left out, never guessed at.
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const integer = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
const flag = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);

/** Only the entries whose value is defined: the item and the events carry no `undefined`. */
const defined = <T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };

const nonEmpty = <T extends object>(fields: T): T | undefined =>
  Object.keys(fields).length === 0 ? undefined : fields;

/** service/v2/get_permanent_code's answer under our names; without permanent_code or corpid it is WeCom's failure. */
export const permanentCodeGrantOf = (
  api: string,
  response: WirePermanentCodeResponse,
): PermanentCodeGrant => {
  const permanentCode = text(response.permanent_code);
  const corpId = text(response.auth_corp_info?.corpid);
  if (permanentCode === undefined || corpId === undefined) {
    throw new UpstreamUnavailableError(`${api} answered without permanent_code or corpid`);
  }
  const user = response.auth_user_info;
  const installer: AuthorizationInstaller | undefined = nonEmpty(
    defined({
      userId: text(user?.userid),
      openUserId: text(user?.open_userid),
      name: text(user?.name),
      avatar: text(user?.avatar),
    }),
  );
  // register_code itself is a credential: never kept.
  const registerCode: RegisterCodeInfo | undefined = nonEmpty(
    defined({
      templateId: text(response.register_code_info?.template_id),
      state: text(response.register_code_info?.state),
    }),
  );
  return {
    permanentCode,
    corpId,
    ...defined({
      corpName: text(response.auth_corp_info?.corp_name),
      state: text(response.state),
      installer,
      registerCode,
    }),
  };
};

/** get_auth_info's answer (v1 or v2) under our names: the corp's name, its agents, editions and dealer. */
export const authInfoOf = (response: WireAuthInfoResponse): AuthInfo => {
  const agents = (Array.isArray(response.auth_info?.agent) ? response.auth_info.agent : []).flatMap(agentOf);
  const editions = (Array.isArray(response.edition_info?.agent) ? response.edition_info.agent : []).flatMap(
    editionOf,
  );
  const dealerCorpId = text(response.dealer_corp_info?.corpid);
  return defined({
    corpName: text(response.auth_corp_info?.corp_name),
    agentId: agents[0]?.agentId,
    authMode: agents[0]?.authMode,
    agents: agents.length === 0 ? undefined : agents,
    editions: editions.length === 0 ? undefined : editions,
    dealer:
      dealerCorpId === undefined
        ? undefined
        : { corpId: dealerCorpId, ...defined({ corpName: text(response.dealer_corp_info?.corp_name) }) },
  });
};

const agentOf = (wire: WireAuthorizedAgent): AuthorizedAgent[] => {
  const agentId = integer(wire?.agentid);
  if (agentId === undefined) {
    return [];
  }
  const sharedFromCorpId = text(wire.shared_from?.corpid);
  return [
    {
      agentId,
      ...defined({
        name: text(wire.name),
        authMode: integer(wire.auth_mode),
        isCustomizedApp: flag(wire.is_customized_app),
        authFromThirdApp: flag(wire.auth_from_thirdapp),
        privilege: wire.privilege === undefined ? undefined : privilegeOf(wire.privilege),
        sharedFrom:
          sharedFromCorpId === undefined
            ? undefined
            : { corpId: sharedFromCorpId, ...defined({ shareType: integer(wire.shared_from?.share_type) }) },
      }),
    },
  ];
};

const privilegeOf = (wire: NonNullable<WireAuthorizedAgent['privilege']>): AgentPrivilege => {
  let truncated = false;
  const list = <T>(values: unknown, keep: (value: unknown) => value is T): T[] | undefined => {
    if (!Array.isArray(values)) {
      return undefined;
    }
    const kept = values.filter(keep);
    if (kept.length > PRIVILEGE_LIST_LIMIT) {
      truncated = true;
      return kept.slice(0, PRIVILEGE_LIST_LIMIT);
    }
    return kept;
  };
  const isId = (value: unknown): value is number => integer(value) !== undefined;
  const isUser = (value: unknown): value is string => text(value) !== undefined;
  const fields = defined({
    level: integer(wire.level),
    allowParty: list(wire.allow_party, isId),
    allowUser: list(wire.allow_user, isUser),
    allowTag: list(wire.allow_tag, isId),
    extraParty: list(wire.extra_party, isId),
    extraUser: list(wire.extra_user, isUser),
    extraTag: list(wire.extra_tag, isId),
  });
  return truncated ? { ...fields, listsTruncated: true } : fields;
};

const editionOf = (wire: WireAgentEdition): AgentEdition[] => {
  const agentId = integer(wire?.agentid);
  if (agentId === undefined) {
    return [];
  }
  return [
    {
      agentId,
      ...defined({
        editionId: text(wire.edition_id),
        editionName: text(wire.edition_name),
        appStatus: integer(wire.app_status),
        userLimit: integer(wire.user_limit),
        expiredTime: integer(wire.expired_time),
        isVirtualVersion: flag(wire.is_virtual_version),
        isSharedFromOtherCorp: flag(wire.is_shared_from_other_corp),
      }),
    },
  ];
};
