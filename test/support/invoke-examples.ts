import type { InvokeContract, InvokedFunction } from '../../client/contract.ts';

/**
 * Examples of each invoked function's payloads and answers. The valid ones are typed with the
 * client's contract types (a compile-time check that a caller of the client could send them); the
 * invalid ones are what strangers may send. test/unit/contract/invoke-schemas.test.ts checks each
 * against the JSON Schema and the function's own parser, both ways.
 */
export interface InvokeExamples<Name extends InvokedFunction> {
  readonly valid: readonly InvokeContract[Name]['request'][];
  readonly invalid: readonly unknown[];
  readonly responses: readonly InvokeContract[Name]['response'][];
  readonly invalidResponses: readonly unknown[];
}

const examples = <Name extends InvokedFunction>(name: Name, value: InvokeExamples<Name>) =>
  [name, value] as const;

const ISO = '2026-12-05T10:00:00.000Z';
const SIGNATURE = 'a'.repeat(40);

/** By function name; looked up by the catalogue's names, so a function without examples fails. */
export const INVOKE_EXAMPLES: ReadonlyMap<string, InvokeExamples<InvokedFunction>> = new Map<
  string,
  InvokeExamples<InvokedFunction>
>([
  examples('suite-token', {
    valid: [{}, { suiteId: 'wwsuite1' }, { suiteId: 'dk-template_1', staleToken: 'x'.repeat(512) }],
    invalid: [null, [], 'suite', { suiteId: '' }, { suiteId: 'a b' }, { staleToken: '' }, { corpId: 'ww1' }],
    responses: [{ accessToken: 'suite-token-1', expiresAt: ISO }],
    invalidResponses: [{ accessToken: 'suite-token-1' }, { accessToken: 't', expiresAt: 'tomorrow' }],
  }),
  examples('corp-token', {
    valid: [{ corpId: 'wwcorp' }, { corpId: 'wwcorp', suiteId: 'dk1', staleToken: 'old' }],
    invalid: [
      {},
      { corpId: 'x'.repeat(65) },
      { corpId: 'ww1', staleToken: 'x'.repeat(513) },
      { corpId: 'ww1', staleToken: '代码' },
      { corpId: 1 },
    ],
    responses: [
      { accessToken: 'corp-token-1', expiresAt: ISO },
      { accessToken: 'corp-token-1', expiresAt: ISO, agentId: 1000002 },
    ],
    invalidResponses: [
      { accessToken: 't', expiresAt: ISO, agentId: '1000002' },
      { accessToken: '', expiresAt: ISO },
    ],
  }),
  examples('provider-token', {
    valid: [{}, { staleToken: 'provider-token-1' }],
    invalid: [{ suiteId: 'ww1' }, { staleToken: 42 }],
    responses: [{ accessToken: 'provider-token-1', expiresAt: ISO }],
    invalidResponses: [{ accessToken: 'p', expiresAt: ISO, agentId: 1 }],
  }),
  examples('customized-auth-url', {
    valid: [
      { templateIds: ['dk1'] },
      { templateIds: Array.from({ length: 9 }, (_, i) => `dk${i}`), state: 'A1' },
    ],
    invalid: [
      {},
      { templateIds: [] },
      { templateIds: Array.from({ length: 10 }, (_, i) => `dk${i}`) },
      { templateIds: 'dk1' },
      { templateIds: ['dk1'], state: 'with-dash' },
      { templateIds: ['dk1'], state: 'x'.repeat(33) },
    ],
    responses: [{ qrcodeUrl: 'https://open.work.weixin.qq.com/qr', expiresAt: ISO }],
    invalidResponses: [{ qrcodeUrl: 'https://x' }],
  }),
  examples('user-identity', {
    valid: [{ code: 'CODE' }, { code: '!~'.repeat(256), suiteId: 'ww1', corpId: 'ww2' }],
    invalid: [{}, { code: '' }, { code: 'has space' }, { code: 'x'.repeat(513) }, { code: '代码' }],
    responses: [
      { member: true, corpId: 'wwcorp', userId: 'zhaoliu', userTicket: 'ticket', userTicketExpiresAt: ISO },
      { member: false, openId: 'oOpen' },
      { member: false, corpId: 'wwcorp', openId: 'oOpen', externalUserId: 'wmExternal' },
    ],
    invalidResponses: [
      { userId: 'zhaoliu' },
      { member: 'yes', userId: 'zhaoliu' },
      { member: true, corpId: 'c', userTicketExpiresAt: 1_800_000_000 },
    ],
  }),
  examples('user-detail', {
    valid: [{ userTicket: 'ticket' }, { userTicket: 'ticket', corpId: 'ww1' }],
    invalid: [{ userTicket: '' }, { userTicket: 'ticket', code: 'CODE' }],
    responses: [{ corpId: 'wwcorp', userId: 'zhaoliu', name: '赵六', avatar: 'https://x/a.png' }],
    invalidResponses: [{ corpId: 'wwcorp' }, { corpId: 'wwcorp', userId: 'u', password: 'p' }],
  }),
  examples('jsapi-ticket', {
    valid: [
      { corpId: 'ww1', type: 'corp' },
      { corpId: 'ww1', type: 'agent', suiteId: 'ww2', url: 'https://app.example.com/p?x=1#h' },
      { corpId: 'ww1', type: 'corp', staleTicket: 'ticket-1' },
      {
        corpId: 'ww1',
        type: 'agent',
        url: 'https://app.example.com/',
        rejectedSignature: { nonceStr: 'abc', timestamp: 1_800_000_000, signature: SIGNATURE },
      },
    ],
    invalid: [
      { corpId: 'ww1' },
      { corpId: 'ww1', type: 'app' },
      { corpId: 'ww1', type: 'corp', url: 42 },
      { corpId: 'ww1', type: 'corp', url: 'https://a/', staleTicket: 't' },
      {
        corpId: 'ww1',
        type: 'corp',
        rejectedSignature: { nonceStr: 'a', timestamp: 1, signature: SIGNATURE },
      },
      {
        corpId: 'ww1',
        type: 'corp',
        url: 'https://a/',
        rejectedSignature: { nonceStr: 'a', timestamp: 1.5, signature: SIGNATURE },
      },
      {
        corpId: 'ww1',
        type: 'corp',
        url: 'https://a/',
        rejectedSignature: { nonceStr: 'a', timestamp: 1, signature: SIGNATURE.toUpperCase() },
      },
    ],
    responses: [
      { appId: 'ww1', agentId: 1000002, timestamp: 1_800_000_000, nonceStr: 'n0nce', signature: SIGNATURE },
      { appId: 'ww1', timestamp: 1_800_000_000, nonceStr: 'n0nce', signature: SIGNATURE },
      { ticket: 'jsapi-ticket-1', expiresAt: ISO },
    ],
    invalidResponses: [
      { ticket: 'jsapi-ticket-1', expiresAt: ISO, signature: SIGNATURE },
      { appId: 'ww1', timestamp: '1800000000', nonceStr: 'n', signature: SIGNATURE },
    ],
  }),
  examples('authorization', {
    valid: [{ corpId: 'wwcorp' }, { corpId: 'wwcorp', suiteId: 'dk-template_1' }],
    invalid: [
      {},
      { corpId: '' },
      { corpId: 'a b' },
      { corpId: 'ww1', permanentCode: 'p' },
      { suiteId: 'ww1' },
    ],
    responses: [
      { suiteId: 'ww1', corpId: 'wwcorp', status: 'active' },
      {
        suiteId: 'dk1',
        corpId: 'wwcorp',
        status: 'revoked',
        corpName: '示例公司',
        agentId: 1000002,
        installRef: 'campaign-7',
        installer: { userId: 'zhaoliu', name: 'zhaoliu' },
        agents: [{ agentId: 1000002, authMode: 0, privilege: { level: 1, allowUser: ['zhaoliu'] } }],
        editions: [
          { agentId: 1000002, editionId: 'e1', appStatus: 2, userLimit: 200, expiredTime: 1_800_000_000 },
        ],
        dealer: { corpId: 'wwdealer' },
        authMode: 0,
        authorizedAt: ISO,
        revokedAt: ISO,
      },
    ],
    invalidResponses: [
      { suiteId: 'ww1', corpId: 'wwcorp' },
      { suiteId: 'ww1', corpId: 'wwcorp', status: 'broken' },
      { suiteId: 'ww1', corpId: 'wwcorp', status: 'active', permanentCode: 'secret' },
      { suiteId: 'ww1', corpId: 'wwcorp', status: 'active', authorizedAt: 1_800_000_000 },
    ],
  }),
]);
