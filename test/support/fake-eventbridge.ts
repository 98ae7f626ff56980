import { createServer, type Server } from 'node:http';
import { schemaErrorsOf } from './event-schemas.ts';

/** One entry of a PutEvents call, as the bus received it. */
export interface ReceivedEvent {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
}

/**
 * An EventBridge stand-in on 127.0.0.1 that answers PutEvents like the real API. It also checks
 * every entry against the JSON Schemas in schemas/ and refuses one that does not match (as a
 * failed entry), so no test anywhere can publish an event the contract does not describe.
 */
export interface FakeEventBridge {
  readonly endpoint: string;
  /** Every entry accepted so far. */
  readonly received: ReceivedEvent[];
  /** Every entry refused by an injected failure (`fail`), which a real bus may still have delivered. */
  readonly refused: ReceivedEvent[];
  /** `all`: every call fails (HTTP 500); `partial`: the last entry of each call is refused. */
  fail(mode: 'all' | 'partial' | undefined): void;
  close(): Promise<void>;
}

export const startFakeEventBridge = async (): Promise<FakeEventBridge> => {
  const received: ReceivedEvent[] = [];
  const refused: ReceivedEvent[] = [];
  let failing: 'all' | 'partial' | undefined;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        reply(400, { __type: 'UnknownOperationException', message: 'unsupported operation' });
        return;
      }
      const { Entries: entries } = JSON.parse(body) as { Entries: ReceivedEvent[] };
      if (failing === 'all') {
        refused.push(...entries);
        reply(500, { __type: 'InternalException', message: 'injected failure' });
        return;
      }
      const results = entries.map((entry, index) => {
        if (failing === 'partial' && index === entries.length - 1) {
          refused.push(entry);
          return { ErrorCode: 'InternalFailure', ErrorMessage: 'injected partial failure' };
        }
        const errors = schemaErrorsOf(entry.DetailType, JSON.parse(entry.Detail));
        if (errors.length > 0) {
          return { ErrorCode: 'SchemaMismatch', ErrorMessage: errors.join('; ').slice(0, 500) };
        }
        received.push(entry);
        return { EventId: `fake-${received.length}` };
      });
      reply(200, {
        FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
        Entries: results,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    refused,
    fail: (mode) => {
      failing = mode;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
