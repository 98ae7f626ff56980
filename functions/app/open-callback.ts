import { assertWithinReplayWindow, type SignedCallbackInput } from '../core/callback/callback-request.ts';
import { parseCallbackEnvelope } from '../core/callback/envelope-xml.ts';
import type { CallbackReceiver, SuiteRegistry } from '../core/config/suite-registry.ts';
import { verifySignature } from '../core/crypto/signature.ts';
import { CallbackAuthError, ConfigurationError } from '../core/errors.ts';
import { acceptedReceiveIds, type ReceiveIdCheck } from './accepted-receive-ids.ts';
import type { CallbackDeps } from './callback-deps.ts';

/** A callback's decrypted message and what it was encrypted for. */
export interface OpenedCallback {
  /** The plaintext `echostr` to echo (GET), or the inner XML (POST). */
  readonly message: string;
  readonly receiveId: string;
  readonly providerCorpId: string;
}

/**
 * Authenticates one callback and returns its decrypted message: for a GET (URL verification) that
 * is the plaintext `echostr` to echo; for a POST, the inner XML. The same steps for every URL; only
 * the receiver (Token, key, accepted receiveIds) differs: a suite's, or the provider's system-event
 * URL's.
 *
 * 1. Look up the receiver (UnknownSuiteError or SystemEventsNotConfiguredError, 404, before the
 *    body is judged).
 * 2. POST only: parse the envelope, refuse a timestamp outside the replay window. A GET is not
 *    windowed: an echo reveals nothing and admins click rarely.
 * 3. Verify msg_signature over (token, timestamp, nonce, ciphertext) before decrypting anything.
 * 4. Decrypt with the receiver's key and check the receiveId against what the route accepts.
 *
 * @throws CallbackAuthError for a bad signature, timestamp or receiveId; InvalidRequestError for a
 *   malformed envelope or ciphertext; ConfigurationError for a system-event URL the stage wants
 *   (`WECOM_SYSTEM_EVENTS=required`) whose keys the configuration lacks.
 */
export const openCallback = async (
  deps: CallbackDeps,
  input: SignedCallbackInput,
): Promise<OpenedCallback> => {
  const registry = await deps.registry.current();
  const receiver = receiverOf(deps, registry, input);
  let encrypt: string;
  if ('body' in input) {
    encrypt = parseCallbackEnvelope(input.body).encrypt;
    assertWithinReplayWindow(input.query.timestamp, deps.clock.nowMs(), deps.maxSkewSeconds);
  } else {
    encrypt = input.echostr;
  }
  const { query } = input;
  verifySignature(
    { token: receiver.token, timestamp: query.timestamp, nonce: query.nonce, encrypt },
    query.msgSignature,
  );
  const { message, receiveId } = receiver.cipher.decrypt(encrypt);
  if (!(await receiver.accepts(receiveId))) {
    throw new CallbackAuthError('RECEIVE_ID_MISMATCH', 'receiveId is not one this route accepts', receiveId);
  }
  return { message, receiveId, providerCorpId: registry.providerCorpId };
};

type Receiver = CallbackReceiver & { readonly accepts: ReceiveIdCheck };

const receiverOf = (deps: CallbackDeps, registry: SuiteRegistry, input: SignedCallbackInput): Receiver => {
  if (input.route === 'system') {
    if (deps.systemEvents === 'required' && registry.missingSystemEventKeys.length > 0) {
      throw new ConfigurationError(
        `the system-event URL is wanted (WECOM_SYSTEM_EVENTS=required) but the configuration lacks ${registry.missingSystemEventKeys.join(' and ')}`,
      );
    }
    // WeCom encrypts the provider-level URL's pushes (and its URL check) for the provider's corp id.
    return { ...registry.systemEvents(), accepts: (receiveId) => receiveId === registry.providerCorpId };
  }
  const suite = registry.get(input.suiteId);
  return {
    token: suite.token,
    cipher: suite.cipher,
    accepts: acceptedReceiveIds({
      route: input.route,
      suiteId: suite.suiteId,
      providerCorpId: registry.providerCorpId,
      authorizations: deps.authorizations,
      ...(input.corpIdHint === undefined ? {} : { corpIdHint: input.corpIdHint }),
    }),
  };
};
