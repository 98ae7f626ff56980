import type { IncomingMessage, ServerResponse } from 'node:http';
import { type WeComError, weComError } from './wecom-answer.ts';

/** A fault the next matching call suffers instead of a normal answer. */
export type SimulatedFault =
  | { readonly kind: 'timeout'; readonly holdMs?: number }
  | { readonly kind: 'reset' }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'errcode'; readonly errcode: number; readonly errmsg?: string }
  /** WeCom acts on the request (a code is spent, a token issued), but the answer never arrives. */
  | { readonly kind: 'answer-lost' };

/** A fault that replaces the answer (unlike `answer-lost`, which lets WeCom act first). */
export type AnswerFault = Exclude<SimulatedFault, { kind: 'answer-lost' }>;

/** What a test makes WeCom suffer: faults queued per API, and whether the caller's IP is allowed. */
export class FaultPlan {
  readonly #faults = new Map<string, SimulatedFault[]>();
  #ipAllowListed = true;

  /** The next calls to `api` suffer these faults, in order. */
  inject(api: string, faults: readonly SimulatedFault[]): void {
    this.#faults.set(api, [...(this.#faults.get(api) ?? []), ...faults]);
  }

  clear(): void {
    this.#faults.clear();
  }

  /** The fault this call to `api` suffers, taken off the queue, if any. */
  take(api: string): SimulatedFault | undefined {
    return this.#faults.get(api)?.shift();
  }

  /** Off, every API answers 60020 (the egress IP is not on the provider's allow-list). */
  setIpAllowListed(allowed: boolean): void {
    this.#ipAllowListed = allowed;
  }

  /** WeCom's refusal of a caller whose IP is not allowed, or undefined while it is. */
  ipRefusal(): WeComError | undefined {
    return this.#ipAllowListed ? undefined : weComError(60020, 'not allow to access from your ip');
  }
}

/** Answers (or fails to answer) the request as the fault says. */
export const applyFault = (fault: AnswerFault, request: IncomingMessage, response: ServerResponse): void => {
  switch (fault.kind) {
    case 'timeout':
      setTimeout(() => request.socket.destroy(), fault.holdMs ?? 10_000).unref();
      return;
    case 'reset':
      request.socket.destroy();
      return;
    case 'http':
      response.writeHead(fault.status, { 'content-type': 'text/html' });
      response.end('<html><body>Bad Gateway</body></html>');
      return;
    case 'errcode':
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          errcode: fault.errcode,
          errmsg: fault.errmsg ?? `injected errcode ${fault.errcode}`,
        }),
      );
      return;
  }
};
