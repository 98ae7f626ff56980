import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { applyFault, type FaultPlan } from './faults.ts';
import type { SimulatorState } from './simulator-state.ts';
import { type ApiHandler, type ApiRequest, type WeComAnswer, weComError } from './wecom-answer.ts';

/** A browser page the simulator serves outside `/cgi-bin/` (e.g. the install page). */
export type PageHandler = (
  state: SimulatorState,
  query: URLSearchParams,
  cookie: string,
  response: ServerResponse,
) => void;

/** What the server routes: APIs by name (the path after `/cgi-bin/`), pages by path. */
export interface SimulatorRoutes {
  readonly apis: ReadonlyMap<string, ApiHandler>;
  readonly pages: ReadonlyMap<string, PageHandler>;
}

/**
 * The simulator's HTTP server on 127.0.0.1: counts each API call, waits the configured latency,
 * lets an injected fault or the IP allow-list answer first, then routes to the API's family.
 */
export class SimulatorServer {
  readonly #state: SimulatorState;
  readonly #faults: FaultPlan;
  readonly #routes: SimulatorRoutes;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #baseUrl = '';

  constructor(state: SimulatorState, faults: FaultPlan, routes: SimulatorRoutes) {
    this.#state = state;
    this.#faults = faults;
    this.#routes = routes;
  }

  /** `http://127.0.0.1:<port>` once started; empty before. */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  async start(port: number): Promise<void> {
    const server = createServer((request, response) => {
      void this.#handle(request, response);
    });
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.#baseUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    this.#server = server;
  }

  /** Closes the server, cutting open connections (a held `timeout` fault among them). */
  async stop(): Promise<void> {
    for (const socket of this.#sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) =>
      this.#server === undefined ? resolve() : this.#server.close(() => resolve()),
    );
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const page = this.#routes.pages.get(url.pathname);
    if (page !== undefined) {
      page(this.#state, url.searchParams, String(request.headers.cookie ?? ''), response);
      return;
    }
    const api = url.pathname.replace(/^\/cgi-bin\//, '');
    this.#state.countCall(api);
    const body = await readJson(request);
    const latencyMs = this.#state.options.latencyMs;
    if (latencyMs !== undefined && latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
    }
    const fault = this.#faults.take(api);
    if (fault !== undefined && fault.kind !== 'answer-lost') {
      applyFault(fault, request, response);
      return;
    }
    const refusal = this.#faults.ipRefusal();
    if (refusal !== undefined) {
      writeJson(response, refusal);
      return;
    }
    const answer = this.#answer(api, { query: url.searchParams, body });
    if (fault?.kind === 'answer-lost') {
      request.socket.destroy();
      return;
    }
    writeJson(response, answer);
  }

  #answer(api: string, request: ApiRequest): WeComAnswer {
    const handler = this.#routes.apis.get(api);
    return handler === undefined ? weComError(404, `unknown api ${api}`) : handler(this.#state, request);
  }
}

const writeJson = (response: ServerResponse, answer: WeComAnswer): void => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(answer));
};

/** The request's JSON body; `{}` when it is empty, not JSON, or not an object (WeCom's leniency). */
const readJson = async (request: IncomingMessage): Promise<Record<string, unknown>> => {
  let text = '';
  for await (const chunk of request) {
    text += (chunk as Buffer).toString();
  }
  if (text === '') {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};
