import { Buffer } from 'node:buffer';
import { decrypt as officialDecrypt, getSignature as officialSignature } from '@wecom/crypto';
import { parseEncodingAesKey } from '../functions/core/crypto/aes-key.ts';
import { MessageCipher } from '../functions/core/crypto/message-cipher.ts';
import { computeSignature, verifySignature } from '../functions/core/crypto/signature.ts';
import { median, round, seededRandom } from './stats.ts';

const TOKEN = 'TestToken123';
const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const SUITE_ID = 'wwtestsuite0000001';

interface Payload {
  readonly name: string;
  readonly encrypt: string;
  readonly signature: string;
  readonly message: string;
}

const payloads = (): Payload[] => {
  const random = seededRandom(20261122);
  const cipher = new MessageCipher(parseEncodingAesKey(KEY));
  const prefix = () => Buffer.from(Array.from({ length: 16 }, () => Math.floor(random() * 256)));
  const ticket = `<xml><SuiteId><![CDATA[${SUITE_ID}]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType><TimeStamp>1700000600</TimeStamp><SuiteTicket><![CDATA[${'T'.repeat(64)}]]></SuiteTicket></xml>`;
  const content = Array.from(
    { length: 1900 },
    () => 'abcdefghijklmnopqrstuvwxyz企业微信'[Math.floor(random() * 30)],
  ).join('');
  const dataMessage = `<xml><ToUserName><![CDATA[wxcorp]]></ToUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content></xml>`;
  return [
    { name: 'suite_ticket push', message: ticket },
    { name: '2 KiB data message', message: dataMessage.slice(0, 2048 - 0) },
  ].map(({ name, message }) => {
    const encrypt = cipher.encrypt(message, SUITE_ID, prefix());
    return {
      name,
      message,
      encrypt,
      signature: computeSignature({ token: TOKEN, timestamp: '1700000600', nonce: '42', encrypt }),
    };
  });
};

const opsPerSecond = (action: () => void, operations: number): number => {
  const started = performance.now();
  for (let index = 0; index < operations; index += 1) {
    action();
  }
  return operations / ((performance.now() - started) / 1000);
};

export interface CryptoResult {
  readonly payload: string;
  readonly oursOpsPerSecond: number;
  readonly officialOpsPerSecond: number;
  readonly ratio: number;
  readonly ratioSpread: readonly [number, number];
  readonly target: string;
  readonly met: boolean;
}

/**
 * Verify + decrypt, ours (strict: constant-time compare, full padding and layout checks, cipher
 * built once per suite as the registry does) against Tencent's @wecom/crypto, same process,
 * alternating order, 11 runs; the ratio is the median of per-run ratios.
 */
export const benchCrypto = (): CryptoResult[] => {
  const ours = new MessageCipher(parseEncodingAesKey(KEY));
  return payloads().map((payload) => {
    const parts = { token: TOKEN, timestamp: '1700000600', nonce: '42', encrypt: payload.encrypt };
    const runOurs = () => {
      verifySignature(parts, payload.signature);
      return ours.decrypt(payload.encrypt).message;
    };
    const runOfficial = () => {
      if (officialSignature(TOKEN, '1700000600', '42', payload.encrypt) !== payload.signature) {
        throw new Error('official signature mismatch');
      }
      return officialDecrypt(KEY, payload.encrypt).message;
    };
    // A speed-up only counts if the outputs are the reference's.
    if (runOurs() !== payload.message || runOfficial() !== payload.message) {
      throw new Error(`outputs differ for ${payload.name}`);
    }
    const operations = 30_000;
    opsPerSecond(runOurs, operations);
    opsPerSecond(runOfficial, operations);
    const oursRuns: number[] = [];
    const officialRuns: number[] = [];
    const ratios: number[] = [];
    for (let run = 0; run < 11; run += 1) {
      const [first, second] = run % 2 === 0 ? [runOurs, runOfficial] : [runOfficial, runOurs];
      const a = opsPerSecond(first, operations);
      const b = opsPerSecond(second, operations);
      const [oursOps, officialOps] = run % 2 === 0 ? [a, b] : [b, a];
      oursRuns.push(oursOps);
      officialRuns.push(officialOps);
      ratios.push(oursOps / officialOps);
    }
    const ratio = median(ratios);
    return {
      payload: payload.name,
      oursOpsPerSecond: Math.round(median(oursRuns)),
      officialOpsPerSecond: Math.round(median(officialRuns)),
      ratio: round(ratio),
      ratioSpread: [round(Math.min(...ratios)), round(Math.max(...ratios))],
      target: '≥ 1.2× @wecom/crypto',
      met: ratio >= 1.2,
    };
  });
};
