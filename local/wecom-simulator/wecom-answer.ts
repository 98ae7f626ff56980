import type { SimulatorState } from './simulator-state.ts';

/** A JSON answer of the simulated WeCom, as sent on the wire (snake_case). */
export type WeComAnswer = Record<string, unknown>;

/** WeCom's answer when it refuses a call: a non-zero errcode. */
// A type, not an interface, so that it is a WeComAnswer (interfaces have no implicit index signature).
export type WeComError = {
  readonly errcode: number;
  readonly errmsg: string;
};

/** What one call to a `cgi-bin` API brings: its query and its JSON body (`{}` when none or not JSON). */
export interface ApiRequest {
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
}

/** Answers one API (e.g. `service/get_suite_token`) from the shared state. */
export type ApiHandler = (state: SimulatorState, request: ApiRequest) => WeComAnswer;

/** The APIs of one family, by name (the path after `/cgi-bin/`). */
export type ApiFamily = readonly (readonly [api: string, handler: ApiHandler])[];

/** WeCom's refusal with `errcode`; the hint marks it as the simulator's, as WeCom appends its own. */
export const weComError = (errcode: number, errmsg: string): WeComError => ({
  errcode,
  errmsg: `${errmsg}, hint: [simulated]`,
});

/** Whether a lookup ended in WeCom's refusal rather than the thing looked up. */
export const isWeComError = (value: object): value is WeComError => 'errcode' in value;
