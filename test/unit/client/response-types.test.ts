import { describe, expectTypeOf, it } from 'vitest';
import type {
  FUNCTION_NAMES,
  JsapiSignature,
  UserDetail,
  UserIdentity,
} from '../../../client/credentials-client.ts';
import type { JsapiSignature as ServedSignature } from '../../../functions/app/get-jsapi-ticket.ts';
import type { InvokedFunctionName } from '../../../functions/catalog.ts';
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
