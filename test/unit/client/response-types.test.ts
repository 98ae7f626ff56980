import { describe, expectTypeOf, it } from 'vitest';
import type {
  Authorization,
  FUNCTION_NAMES,
  JsapiSignature,
  UserDetail,
} from '../../../client/credentials-client.ts';
import type { AuthorizationView } from '../../../functions/app/get-authorization.ts';
import type { JsapiSignature as ServedSignature } from '../../../functions/app/get-jsapi-ticket.ts';
import type { InvokedFunctionName } from '../../../functions/catalog.ts';
import type { UserDetailResponse } from '../../../functions/user-detail/user-detail-handler.ts';

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
  });
});

describe('client function names', () => {
  it('are exactly the functions the catalogue lets other services invoke', () => {
    expectTypeOf<(typeof FUNCTION_NAMES)[keyof typeof FUNCTION_NAMES]>().toEqualTypeOf<InvokedFunctionName>();
  });
});
