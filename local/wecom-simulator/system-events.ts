import { randomBytes } from 'node:crypto';

/**
 * The shapes of what WeCom pushes to the provider's system-event URL and, for paid apps, to a
 * suite's command URL, element for element as WeCom's pages show them (test/fixtures/wecom-samples
 * holds the pages' samples, and a test holds these to their element names). Values are made up
 * fresh for each push.
 */

/** What the shapes are filled with: who, when, and for the paid-app events which suite. */
export interface PushContext {
  readonly providerCorpId: string;
  readonly corpId: string;
  readonly timeStamp: number;
  readonly suiteId?: string;
}

const id = (prefix: string): string => `${prefix}${randomBytes(8).toString('hex')}`;
const cdata = (name: string, value: string): string => `<${name}><![CDATA[${value}]]></${name}>`;
const system = (infoType: string, context: PushContext, body: string): string =>
  `<xml>${cdata('ServiceCorpId', context.providerCorpId)}${cdata('InfoType', infoType)}${cdata('AuthCorpId', context.corpId)}${body}<TimeStamp>${context.timeStamp}</TimeStamp></xml>`;

/** The system-event URL's InfoTypes (接口许可, 注册, 高级接口), by name. */
export const SYSTEM_EVENT_SHAPES: Readonly<Record<string, (context: PushContext) => string>> = {
  license_pay_success: (context) =>
    system(
      'license_pay_success',
      context,
      `${cdata('OrderId', id('OI'))}${cdata('BuyerUserId', 'sandbox-buyer')}`,
    ),
  license_refund: (context) =>
    system('license_refund', context, `${cdata('OrderId', id('OI'))}<OrderStatus>1</OrderStatus>`),
  auto_activate: (context) =>
    system(
      'auto_activate',
      context,
      `<Scene>1</Scene><AccountList>${cdata('ActiveCode', id('AC'))}<Type>1</Type><ExpireTime>${context.timeStamp + 31 * 86_400}</ExpireTime>${cdata('UserId', 'sandbox-user')}<PreviousStatus>1</PreviousStatus></AccountList>`,
    ),
  register_corp: (context) =>
    `<xml>${cdata('ServiceCorpId', context.providerCorpId)}${cdata('InfoType', 'register_corp')}<TimeStamp>${context.timeStamp}</TimeStamp>${cdata('RegisterCode', id('register-code-'))}${cdata('AuthCorpId', context.corpId)}<ContactSync>${cdata('AccessToken', id('contact-sync-token-'))}<ExpiresIn>1800</ExpiresIn></ContactSync><AuthUserInfo>${cdata('UserId', 'sandbox-admin')}</AuthUserInfo>${cdata('State', 'sandbox')}${cdata('TemplateId', 'tplsandbox')}</xml>`,
  advanced_api_pay_success: (context) =>
    system(
      'advanced_api_pay_success',
      context,
      `${cdata('AdvanceApiType', '1')}${cdata('OrderId', id('OI'))}${cdata('BuyerUserId', 'sandbox-buyer')}`,
    ),
  advanced_api_refund: (context) =>
    system(
      'advanced_api_refund',
      context,
      `${cdata('AdvanceApiType', '1')}${cdata('OrderId', id('OI'))}<OrderStatus>1</OrderStatus>`,
    ),
  advanced_api_cancel: (context) =>
    system('advanced_api_cancel', context, `${cdata('AdvanceApiType', '1')}${cdata('OrderId', id('OI'))}`),
};

const paid = (infoType: string, context: PushContext, body: string): string =>
  `<xml>${cdata('SuiteId', context.suiteId ?? '')}${cdata('PaidCorpId', context.corpId)}${cdata('InfoType', infoType)}<TimeStamp>${context.timeStamp}</TimeStamp>${body}</xml>`;

/** The paid-app (收银台) events WeCom pushes to a suite's command URL, by InfoType (`change_editon` sic). */
export const PAID_APP_EVENT_SHAPES: Readonly<Record<string, (context: PushContext) => string>> = {
  open_order: (context) =>
    paid('open_order', context, `${cdata('OrderId', id('OI'))}${cdata('OperatorId', 'sandbox-admin')}`),
  change_order: (context) =>
    paid('change_order', context, `${cdata('OldOrderId', id('OI'))}${cdata('NewOrderId', id('OI'))}`),
  pay_for_app_success: (context) => paid('pay_for_app_success', context, cdata('OrderId', id('OI'))),
  refund: (context) => paid('refund', context, cdata('OrderId', id('OI'))),
  change_editon: (context) => paid('change_editon', context, ''),
  cancel_order: (context) => paid('cancel_order', context, cdata('OrderId', id('OI'))),
};

/**
 * A system event of an InfoType WeCom may add later: the envelope every system event shares, so
 * the sandbox can show that an unknown InfoType is published too.
 */
export const unknownSystemEvent = (infoType: string, context: PushContext): string =>
  system(infoType, context, '');
