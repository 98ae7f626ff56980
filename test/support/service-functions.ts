import type { ServiceName } from '../../functions/wiring/service-runtime.ts';

/** Each function's construct id in the service stack (the prefix of its logical id). */
export const FUNCTION_IDS: Readonly<Record<ServiceName, string>> = {
  'wecom-callback': 'CallbackFunction',
  'suite-token': 'SuiteTokenFunction',
  'corp-token': 'CorpTokenFunction',
  'auth-exchange': 'AuthExchangeFunction',
  'provider-token': 'ProviderTokenFunction',
  'customized-auth-url': 'CustomizedAuthUrlFunction',
  install: 'InstallFunction',
  'user-identity': 'UserIdentityFunction',
  'user-detail': 'UserDetailFunction',
  'jsapi-ticket': 'JsapiTicketFunction',
};
