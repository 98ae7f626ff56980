/**
 * Which cached credential. Every kind the service caches is a member of this union; the functions
 * that map a key to storage (memory key here, table key and entity in the DynamoDB adapter) switch
 * over `kind` without a default, so a new kind does not compile until each of them handles it.
 */
export type CredentialKey =
  | { readonly kind: 'suite_token'; readonly suiteId: string }
  | { readonly kind: 'corp_token'; readonly suiteId: string; readonly corpId: string }
  | { readonly kind: 'provider_token' }
  /** A suite's pre-auth code, shared by every install link handed out while it lasts. */
  | { readonly kind: 'pre_auth_code'; readonly suiteId: string }
  /** A corp's JS-SDK ticket for one app: `corp` (wx.config) or `agent` (wx.agentConfig). */
  | {
      readonly kind: 'jsapi_ticket';
      readonly suiteId: string;
      readonly corpId: string;
      readonly ticketType: 'corp' | 'agent';
    };

export type CredentialKind = CredentialKey['kind'];

/** The key of a credential in a container's memory. */
export const memoryKeyOf = (key: CredentialKey): string => {
  switch (key.kind) {
    case 'suite_token':
      return `suite_token|${key.suiteId}`;
    case 'corp_token':
      return `corp_token|${key.suiteId}|${key.corpId}`;
    case 'provider_token':
      return 'provider_token';
    case 'pre_auth_code':
      return `pre_auth_code|${key.suiteId}`;
    case 'jsapi_ticket':
      return `jsapi_ticket|${key.ticketType}|${key.suiteId}|${key.corpId}`;
  }
};
