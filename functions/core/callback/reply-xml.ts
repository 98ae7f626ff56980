/** The parts of an encrypted passive reply to a data callback. */
export interface EncryptedReply {
  readonly encrypt: string;
  readonly msgSignature: string;
  readonly timestamp: string;
  readonly nonce: string;
}

/**
 * Renders an encrypted passive reply in the layout of WeCom's reference libraries
 * (docs/wecom-protocol.md §1.8): every value but `TimeStamp` in CDATA, one element per line. A template
 * rather than an XML builder keeps the callback bundle small; the values are base64, hex and digits,
 * so none can close a CDATA section.
 */
export const renderEncryptedReply = ({ encrypt, msgSignature, timestamp, nonce }: EncryptedReply): string =>
  `<xml>\n<Encrypt><![CDATA[${encrypt}]]></Encrypt>\n<MsgSignature><![CDATA[${msgSignature}]]></MsgSignature>\n<TimeStamp>${timestamp}</TimeStamp>\n<Nonce><![CDATA[${nonce}]]></Nonce>\n</xml>`;
