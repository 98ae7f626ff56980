import { parseEncodingAesKey } from '../../functions/core/crypto/aes-key.ts';
import { MessageCipher } from '../../functions/core/crypto/message-cipher.ts';
import { computeSignature } from '../../functions/core/crypto/signature.ts';
import { authorizeByQrCode, authorizeCorp, resetPermanentCode, setRevoked } from './authorization.ts';
import { grantKey, type SimulatorState } from './simulator-state.ts';
import { issueSuiteTicket } from './suite-tokens.ts';

/** The service's answer to a push. */
export interface PushAnswer {
  readonly status: number;
  readonly body: string;
}

/** The callback route of a suite: instructions (`command`) or the corp's messages (`data`). */
type CallbackRoute = 'command' | 'data';

/**
 * Encrypts `plaintext` for `receiveId` and signs it as WeCom does, with the suite's callback
 * Token and EncodingAESKey: the ciphertext and the query WeCom sends with it.
 * @throws Error when the simulator was not given what pushing needs (a mistake in the test).
 */
const sealFor = (
  state: SimulatorState,
  suiteId: string,
  route: CallbackRoute,
  plaintext: string,
  receiveId: string,
  purpose: 'pushing' | 'verifying',
): { url: string; encrypt: string } => {
  const suite = state.requireSuite(suiteId);
  const { callbackBaseUrl } = state.options;
  if (callbackBaseUrl === undefined || suite.token === undefined || suite.encodingAesKey === undefined) {
    throw new Error(`${purpose} needs callbackBaseUrl and the suite token and encodingAesKey`);
  }
  const encrypt = new MessageCipher(parseEncodingAesKey(suite.encodingAesKey)).encrypt(plaintext, receiveId);
  const timestamp = String(Math.floor(state.nowMs() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e10));
  const signature = computeSignature({ token: suite.token, timestamp, nonce, encrypt });
  return {
    url: `${callbackBaseUrl}/callback/${suiteId}/${route}?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`,
    encrypt,
  };
};

// The envelope's AgentID is empty for instruction (suite) events and the app's agent id in the
// corp for data callbacks (docs/wecom-protocol.md §1.7, §4).
const post = async (
  state: SimulatorState,
  suiteId: string,
  route: CallbackRoute,
  eventXml: string,
  receiveId: string,
  extraQuery: string,
  agentId?: number,
): Promise<PushAnswer> => {
  const { url, encrypt } = sealFor(state, suiteId, route, eventXml, receiveId, 'pushing');
  const response = await fetch(`${url}${extraQuery}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: `<xml><ToUserName><![CDATA[${receiveId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[${agentId ?? ''}]]></AgentID></xml>`,
  });
  return { status: response.status, body: await response.text() };
};

const nowSeconds = (state: SimulatorState): number => Math.floor(state.nowMs() / 1000);

/** Signs and POSTs an instruction event to the service's command URL; returns its answer. */
export const pushSuiteEvent = async (
  state: SimulatorState,
  suiteId: string,
  eventXml: string,
  receiveId = suiteId,
): Promise<PushAnswer> => post(state, suiteId, 'command', eventXml, receiveId, '');

/**
 * What WeCom does when an admin saves a callback URL: a signed GET with an encrypted `echostr`
 * (for the provider corp id, as observed for provider-level URLs); the URL passes if the answer
 * is the plaintext exactly.
 */
export const verifyCallbackUrl = async (
  state: SimulatorState,
  suiteId: string,
  route: CallbackRoute,
): Promise<{ ok: boolean; status: number }> => {
  const plaintext = String(Math.floor(Math.random() * 1e18));
  const receiveId = state.options.providerCorpId ?? suiteId;
  const { url, encrypt } = sealFor(state, suiteId, route, plaintext, receiveId, 'verifying');
  const response = await fetch(`${url}&echostr=${encodeURIComponent(encrypt)}`);
  return { ok: response.status === 200 && (await response.text()) === plaintext, status: response.status };
};

/** Issues a ticket and pushes it, as WeCom does every 10 minutes. */
export const pushSuiteTicket = async (state: SimulatorState, suiteId: string): Promise<PushAnswer> => {
  const { suiteTicket, timeStamp } = issueSuiteTicket(state, suiteId);
  return pushSuiteEvent(
    state,
    suiteId,
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType><TimeStamp>${timeStamp}</TimeStamp><SuiteTicket><![CDATA[${suiteTicket}]]></SuiteTicket></xml>`,
  );
};

/**
 * A corp installs the app and WeCom pushes create_auth, encrypted for the suite id or, as some
 * pushes are, for the provider's corp id.
 */
export const pushInstall = async (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
  corpName: string | undefined,
  receiveId: 'suite' | 'provider',
  installState = 'sandbox',
): Promise<PushAnswer> => {
  const authCode = authorizeCorp(state, suiteId, corpId, corpName, installState);
  const stateElement = installState === '' ? '' : `<State><![CDATA[${installState}]]></State>`;
  return pushSuiteEvent(
    state,
    suiteId,
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><AuthCode><![CDATA[${authCode}]]></AuthCode><InfoType><![CDATA[create_auth]]></InfoType><TimeStamp>${nowSeconds(state)}</TimeStamp>${stateElement}</xml>`,
    receiveId === 'provider' ? (state.options.providerCorpId ?? suiteId) : suiteId,
  );
};

/** The corp changes what it granted (or its admin changes the app's visibility): change_auth. */
export const pushChangeAuth = async (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
): Promise<PushAnswer> =>
  pushSuiteEvent(
    state,
    suiteId,
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[change_auth]]></InfoType><TimeStamp>${nowSeconds(state)}</TimeStamp><AuthCorpId><![CDATA[${corpId}]]></AuthCorpId></xml>`,
  );

/**
 * A user of `corpId` writes to the app: WeCom POSTs the message to the data URL registered with
 * `?corpid=$CORPID$` (WeCom fills in the corp), encrypted for that corp.
 */
export const pushDataMessage = async (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
  text: string,
  agentIdOverride?: number,
): Promise<PushAnswer> => {
  // The agent id the corp's authorization gave the app, as WeCom numbers it.
  const agentId =
    agentIdOverride ?? state.grants.get(grantKey(suiteId, corpId))?.agentId ?? state.nextAgentId;
  const xml = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[sandbox-user]]></FromUserName><CreateTime>${nowSeconds(state)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${Date.now()}</MsgId><AgentID>${agentId}</AgentID></xml>`;
  return post(state, suiteId, 'data', xml, corpId, `&corpid=${encodeURIComponent(corpId)}`, agentId);
};

/**
 * A corp's admin scans a 代开发 QR code link (service/get_customized_auth_url) and authorizes the
 * template: create_auth without State (the link's state comes back only from v2
 * get_permanent_code, document/path/100776).
 */
export const pushCustomizedQrInstall = async (
  state: SimulatorState,
  qrcodeUrl: string,
  suiteId: string,
  corpId: string,
): Promise<PushAnswer> => {
  const authCode = authorizeByQrCode(state, qrcodeUrl, suiteId, corpId);
  return pushSuiteEvent(
    state,
    suiteId,
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><AuthCode><![CDATA[${authCode}]]></AuthCode><InfoType><![CDATA[create_auth]]></InfoType><TimeStamp>${nowSeconds(state)}</TimeStamp></xml>`,
    suiteId,
  );
};

/** A paid app's edition changed in the corp: change_editon (sic) with PaidCorpId (document/path/91932). */
export const pushChangeEdition = async (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
): Promise<PushAnswer> =>
  pushSuiteEvent(
    state,
    suiteId,
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[change_editon]]></InfoType><TimeStamp>${nowSeconds(state)}</TimeStamp><PaidCorpId><![CDATA[${corpId}]]></PaidCorpId></xml>`,
    suiteId,
  );

/** 代开发: the provider resets the secret and WeCom pushes reset_permanent_code. */
export const pushResetPermanentCode = async (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
): Promise<PushAnswer> => {
  const authCode = resetPermanentCode(state, suiteId, corpId);
  return pushSuiteEvent(
    state,
    suiteId,
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><AuthCode><![CDATA[${authCode}]]></AuthCode><InfoType><![CDATA[reset_permanent_code]]></InfoType><TimeStamp>${nowSeconds(state)}</TimeStamp></xml>`,
  );
};

/** The corp uninstalls and WeCom pushes cancel_auth. */
export const pushCancel = async (
  state: SimulatorState,
  suiteId: string,
  corpId: string,
): Promise<PushAnswer> => {
  setRevoked(state, suiteId, corpId, true);
  return pushSuiteEvent(
    state,
    suiteId,
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[cancel_auth]]></InfoType><TimeStamp>${nowSeconds(state)}</TimeStamp><AuthCorpId><![CDATA[${corpId}]]></AuthCorpId></xml>`,
  );
};

/**
 * Encrypts `plaintext` for the provider's corp id with the system-event URL's Token and key, as
 * WeCom does for the 系统事件接收URL; returns the URL with its signed query and the ciphertext.
 * @throws Error when the simulator was not given the provider's system-event keys (a mistake in the caller).
 */
const sealForProvider = (state: SimulatorState, plaintext: string): { url: string; encrypt: string } => {
  const { callbackBaseUrl, providerCorpId, providerCallback } = state.options;
  if (callbackBaseUrl === undefined || providerCorpId === undefined || providerCallback === undefined) {
    throw new Error('system events need callbackBaseUrl, providerCorpId and providerCallback');
  }
  const encrypt = new MessageCipher(parseEncodingAesKey(providerCallback.encodingAesKey)).encrypt(
    plaintext,
    providerCorpId,
  );
  const timestamp = String(nowSeconds(state));
  const nonce = String(Math.floor(Math.random() * 1e10));
  const signature = computeSignature({ token: providerCallback.token, timestamp, nonce, encrypt });
  return {
    url: `${callbackBaseUrl}/callback/provider/system?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`,
    encrypt,
  };
};

/** Signs and POSTs a system event (its decrypted XML) to the service's system-event URL. */
export const pushSystemEvent = async (state: SimulatorState, eventXml: string): Promise<PushAnswer> => {
  const { url, encrypt } = sealForProvider(state, eventXml);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: `<xml><ToUserName><![CDATA[${state.options.providerCorpId ?? ''}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`,
  });
  return { status: response.status, body: await response.text() };
};

/** What WeCom does when the provider saves the system-event URL: a signed GET with an encrypted `echostr`. */
export const verifySystemEventUrl = async (
  state: SimulatorState,
): Promise<{ ok: boolean; status: number }> => {
  const plaintext = String(Math.floor(Math.random() * 1e18));
  const { url, encrypt } = sealForProvider(state, plaintext);
  const response = await fetch(`${url}&echostr=${encodeURIComponent(encrypt)}`);
  return { ok: response.status === 200 && (await response.text()) === plaintext, status: response.status };
};
