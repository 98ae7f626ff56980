import { describe, expectTypeOf, it } from 'vitest';
import type { InvokeContract, InvokedFunction } from '../../../client/contract.ts';
import type {
  Authorization,
  FUNCTION_NAMES,
  JsapiSignature,
  UserDetail,
  UserIdentity,
} from '../../../client/credentials-client.ts';
import type {
  parseAuthorizationRequest,
  parseCorpTokenRequest,
  parseCustomizedAuthUrlRequest,
  parseProviderTokenRequest,
  parseSuiteTokenRequest,
} from '../../../functions/adapters/invoke/parse-token-request.ts';
import type {
  parseJsapiTicketRequest,
  parseUserDetailRequest,
  parseUserIdentityRequest,
} from '../../../functions/adapters/invoke/parse-user-request.ts';
import type { TokenResponse } from '../../../functions/adapters/invoke/token-response.ts';
import type { AuthorizationView } from '../../../functions/app/get-authorization.ts';
import type { JsapiSignature as ServedSignature } from '../../../functions/app/get-jsapi-ticket.ts';
import type { InvokedFunctionName } from '../../../functions/catalog.ts';
import type { CorpTokenResponse } from '../../../functions/corp-token/corp-token-handler.ts';
import type { CustomizedAuthUrlResponse } from '../../../functions/customized-auth-url/customized-auth-url-handler.ts';
import type { JsapiTicketResponse } from '../../../functions/jsapi-ticket/jsapi-ticket-handler.ts';
import type { UserDetailResponse } from '../../../functions/user-detail/user-detail-handler.ts';
import type { UserIdentityResponse } from '../../../functions/user-identity/user-identity-handler.ts';

/**
 * The client repeats the functions' response types on purpose (it depends on nothing but the
 * Lambda client); this fails to compile the day they drift apart.
 */
describe('client response types', () => {
  it('match what the functions answer', () => {
    expectTypeOf<UserDetail>().toMatchTypeOf<UserDetailResponse>();
    expectTypeOf<UserDetailResponse>().toMatchTypeOf<UserDetail>();
    expectTypeOf<JsapiSignature>().toEqualTypeOf<ServedSignature>();
    // The client turns the ISO times into Dates; everything else is the same.
    type Served = Omit<AuthorizationView, 'authorizedAt' | 'revokedAt'>;
    expectTypeOf<Omit<Authorization, 'authorizedAt' | 'revokedAt'>>().toMatchTypeOf<Served>();
    expectTypeOf<Served>().toMatchTypeOf<Omit<Authorization, 'authorizedAt' | 'revokedAt'>>();
    // The client turns the ISO expiry into a Date; every other field is the function's.
    type ServedIdentity = Omit<UserIdentity, 'userTicketExpiresAt'> & {
      readonly userTicketExpiresAt?: string;
    };
    expectTypeOf<ServedIdentity>().toEqualTypeOf<UserIdentityResponse>();
  });
});

describe('client function names', () => {
  it('are exactly the functions the catalogue lets other services invoke', () => {
    expectTypeOf<(typeof FUNCTION_NAMES)[keyof typeof FUNCTION_NAMES]>().toEqualTypeOf<InvokedFunctionName>();
  });
});

/**
 * The client's wire contract (client/contract.ts, which the JSON Schemas in schemas/invoke/ also
 * describe) is what the functions parse and answer: each type both ways, so either side drifting
 * fails to compile.
 */
describe('client wire contract', () => {
  it('names exactly the invoked functions', () => {
    expectTypeOf<InvokedFunction>().toEqualTypeOf<InvokedFunctionName>();
  });

  it('takes what the functions parse', () => {
    type Parsed<Parse extends (payload: unknown) => unknown> = ReturnType<Parse>;
    expectTypeOf<Parsed<typeof parseSuiteTokenRequest>>().toMatchTypeOf<
      InvokeContract['suite-token']['request']
    >();
    expectTypeOf<InvokeContract['suite-token']['request']>().toMatchTypeOf<
      Parsed<typeof parseSuiteTokenRequest>
    >();
    expectTypeOf<Parsed<typeof parseCorpTokenRequest>>().toMatchTypeOf<
      InvokeContract['corp-token']['request']
    >();
    expectTypeOf<InvokeContract['corp-token']['request']>().toMatchTypeOf<
      Parsed<typeof parseCorpTokenRequest>
    >();
    expectTypeOf<Parsed<typeof parseProviderTokenRequest>>().toMatchTypeOf<
      InvokeContract['provider-token']['request']
    >();
    expectTypeOf<InvokeContract['provider-token']['request']>().toMatchTypeOf<
      Parsed<typeof parseProviderTokenRequest>
    >();
    expectTypeOf<Parsed<typeof parseCustomizedAuthUrlRequest>>().toMatchTypeOf<
      InvokeContract['customized-auth-url']['request']
    >();
    expectTypeOf<InvokeContract['customized-auth-url']['request']>().toMatchTypeOf<
      Parsed<typeof parseCustomizedAuthUrlRequest>
    >();
    expectTypeOf<Parsed<typeof parseUserIdentityRequest>>().toMatchTypeOf<
      InvokeContract['user-identity']['request']
    >();
    expectTypeOf<InvokeContract['user-identity']['request']>().toMatchTypeOf<
      Parsed<typeof parseUserIdentityRequest>
    >();
    expectTypeOf<Parsed<typeof parseUserDetailRequest>>().toMatchTypeOf<
      InvokeContract['user-detail']['request']
    >();
    expectTypeOf<InvokeContract['user-detail']['request']>().toMatchTypeOf<
      Parsed<typeof parseUserDetailRequest>
    >();
    expectTypeOf<Parsed<typeof parseJsapiTicketRequest>>().toMatchTypeOf<
      InvokeContract['jsapi-ticket']['request']
    >();
    expectTypeOf<InvokeContract['jsapi-ticket']['request']>().toMatchTypeOf<
      Parsed<typeof parseJsapiTicketRequest>
    >();
    expectTypeOf<Parsed<typeof parseAuthorizationRequest>>().toMatchTypeOf<
      InvokeContract['authorization']['request']
    >();
    expectTypeOf<InvokeContract['authorization']['request']>().toMatchTypeOf<
      Parsed<typeof parseAuthorizationRequest>
    >();
  });

  it('expects what the functions answer', () => {
    expectTypeOf<TokenResponse>().toEqualTypeOf<InvokeContract['suite-token']['response']>();
    expectTypeOf<TokenResponse>().toEqualTypeOf<InvokeContract['provider-token']['response']>();
    expectTypeOf<CorpTokenResponse>().toMatchTypeOf<InvokeContract['corp-token']['response']>();
    expectTypeOf<InvokeContract['corp-token']['response']>().toMatchTypeOf<CorpTokenResponse>();
    expectTypeOf<CustomizedAuthUrlResponse>().toMatchTypeOf<
      InvokeContract['customized-auth-url']['response']
    >();
    expectTypeOf<
      InvokeContract['customized-auth-url']['response']
    >().toMatchTypeOf<CustomizedAuthUrlResponse>();
    expectTypeOf<UserIdentityResponse>().toMatchTypeOf<InvokeContract['user-identity']['response']>();
    expectTypeOf<InvokeContract['user-identity']['response']>().toMatchTypeOf<UserIdentityResponse>();
    expectTypeOf<UserDetailResponse>().toMatchTypeOf<InvokeContract['user-detail']['response']>();
    expectTypeOf<InvokeContract['user-detail']['response']>().toMatchTypeOf<UserDetailResponse>();
    expectTypeOf<JsapiTicketResponse>().toMatchTypeOf<InvokeContract['jsapi-ticket']['response']>();
    expectTypeOf<InvokeContract['jsapi-ticket']['response']>().toMatchTypeOf<JsapiTicketResponse>();
    expectTypeOf<AuthorizationView>().toMatchTypeOf<InvokeContract['authorization']['response']>();
    expectTypeOf<InvokeContract['authorization']['response']>().toMatchTypeOf<AuthorizationView>();
  });
});
