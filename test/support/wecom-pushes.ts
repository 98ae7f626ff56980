import { parseEncodingAesKey } from '../../functions/core/crypto/aes-key.ts';
import { MessageCipher } from '../../functions/core/crypto/message-cipher.ts';
import { computeSignature } from '../../functions/core/crypto/signature.ts';

/** The secrets of one test suite, as WeCom and the provider share them. */
export interface SuiteSecrets {
  readonly suiteId: string;
  readonly token: string;
  readonly encodingAesKey: string;
}

/** A callback as WeCom would send it: the signed query string and, for POST, the XML body. */
export interface SignedCallback {
  readonly rawQueryString: string;
  readonly body: string;
  readonly encrypt: string;
  readonly msgSignature: string;
}

export interface SignOptions {
  readonly receiveId: string;
  readonly timestamp: number;
  readonly nonce?: string;
  readonly toUserName?: string;
  /** Extra raw query text appended as is (e.g. `&corpid=wx…`). */
  readonly extraQuery?: string;
}

/** Encrypts and signs `message` as WeCom does for a POST push. */
export const signPush = (suite: SuiteSecrets, message: string, options: SignOptions): SignedCallback => {
  const cipher = new MessageCipher(parseEncodingAesKey(suite.encodingAesKey));
  const encrypt = cipher.encrypt(message, options.receiveId);
  return signCiphertext(suite, encrypt, options);
};

/** Signs a given ciphertext (valid or not) and wraps it in the POST envelope. */
export const signCiphertext = (
  suite: SuiteSecrets,
  encrypt: string,
  options: SignOptions,
): SignedCallback => {
  const timestamp = String(options.timestamp);
  const nonce = options.nonce ?? '1372623149';
  const msgSignature = computeSignature({ token: suite.token, timestamp, nonce, encrypt });
  const rawQueryString = `msg_signature=${msgSignature}&timestamp=${timestamp}&nonce=${nonce}${options.extraQuery ?? ''}`;
  const body = `<xml><ToUserName><![CDATA[${options.toUserName ?? options.receiveId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`;
  return { rawQueryString, body, encrypt, msgSignature };
};

/** A GET URL verification: `echostr` is percent-encoded the way WeCom sends it. */
export const signUrlVerification = (
  suite: SuiteSecrets,
  plaintext: string,
  options: SignOptions & { readonly rawPlus?: boolean },
): SignedCallback => {
  const cipher = new MessageCipher(parseEncodingAesKey(suite.encodingAesKey));
  const echostr = cipher.encrypt(plaintext, options.receiveId);
  const timestamp = String(options.timestamp);
  const nonce = options.nonce ?? '263014780';
  const msgSignature = computeSignature({ token: suite.token, timestamp, nonce, encrypt: echostr });
  const encoded =
    options.rawPlus === true
      ? echostr.replaceAll('/', '%2F').replaceAll('=', '%3D')
      : encodeURIComponent(echostr);
  return {
    rawQueryString: `msg_signature=${msgSignature}&timestamp=${timestamp}&nonce=${nonce}&echostr=${encoded}${options.extraQuery ?? ''}`,
    body: '',
    encrypt: echostr,
    msgSignature,
  };
};

/** The decrypted XML of instruction events, as WeCom formats them. */
export const suiteEventXml = {
  suiteTicket: (suiteId: string, ticket: string, timeStamp: number) =>
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType> <![CDATA[suite_ticket]]></InfoType><TimeStamp>${timeStamp}</TimeStamp><SuiteTicket><![CDATA[${ticket}]]></SuiteTicket></xml>`,
  createAuth: (suiteId: string, authCode: string, timeStamp: number, state = 'install') =>
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><AuthCode><![CDATA[${authCode}]]></AuthCode><InfoType><![CDATA[create_auth]]></InfoType><TimeStamp>${timeStamp}</TimeStamp><State><![CDATA[${state}]]></State></xml>`,
  resetPermanentCode: (suiteId: string, authCode: string, timeStamp: number) =>
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><AuthCode><![CDATA[${authCode}]]></AuthCode><InfoType><![CDATA[reset_permanent_code]]></InfoType><TimeStamp>${timeStamp}</TimeStamp></xml>`,
  changeAuth: (suiteId: string, corpId: string, timeStamp: number) =>
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[change_auth]]></InfoType><TimeStamp>${timeStamp}</TimeStamp><AuthCorpId><![CDATA[${corpId}]]></AuthCorpId></xml>`,
  /** A paid edition changed (sic: `change_editon`; the corp is `PaidCorpId`, document/path/91932). */
  changeEdition: (suiteId: string, corpId: string, timeStamp: number) =>
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[change_editon]]></InfoType><TimeStamp>${timeStamp}</TimeStamp><PaidCorpId><![CDATA[${corpId}]]></PaidCorpId></xml>`,
  cancelAuth: (suiteId: string, corpId: string, timeStamp: number) =>
    `<xml><SuiteId><![CDATA[${suiteId}]]></SuiteId><InfoType><![CDATA[cancel_auth]]></InfoType><TimeStamp>${timeStamp}</TimeStamp><AuthCorpId><![CDATA[${corpId}]]></AuthCorpId></xml>`,
};
