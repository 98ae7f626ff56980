import { createServer, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { authorizationChangedEvent } from '../../../functions/core/events/service-events.ts';
import { LocalEventBus, MAX_EVENTS_BEHIND } from '../../../local/local-event-bus.ts';

describe('the local event bus', () => {
  it('POSTs each event in EventBridge’s envelope to LOCAL_EVENT_WEBHOOK, after answering the publisher', async () => {
    const received: unknown[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        received.push(JSON.parse(body));
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const bus = new LocalEventBus(new Logger({ logLevel: 'SILENT' }), `http://127.0.0.1:${port}/hook`);
    try {
      await bus.publish([
        authorizationChangedEvent(
          { suiteId: 'ww1', corpId: 'wxc', status: 'revoked', cause: 'cancel_auth' },
          0,
        ),
      ]);
      const deadline = Date.now() + 5000;
      while (received.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }

      expect(received).toEqual([
        expect.objectContaining({
          version: '0',
          source: 'wecom-credentials',
          'detail-type': 'WeCom Authorization Changed',
          detail: expect.objectContaining({ corpId: 'wxc', status: 'revoked' }),
        }),
      ]);
    } finally {
      server.close();
    }
  });

  it('still accepts events when the webhook is down (delivery never fails the publish)', async () => {
    const bus = new LocalEventBus(new Logger({ logLevel: 'SILENT' }), 'http://127.0.0.1:9/nobody');

    await expect(
      bus.publish([
        authorizationChangedEvent(
          { suiteId: 'ww1', corpId: 'wxc', status: 'active', cause: 'change_auth' },
          0,
        ),
      ]),
    ).resolves.toBeUndefined();
  });

  it(`drops a GET /events consumer that stops reading once it is ${MAX_EVENTS_BEHIND} events behind, and keeps one that reads`, async () => {
    const bus = new LocalEventBus(new Logger({ logLevel: 'SILENT' }));
    const responses: ServerResponse[] = [];
    const server = createServer((request, response) => {
      responses.push(response);
      bus.stream(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const open = async (read: boolean) => {
      const socket = connect({ host: '127.0.0.1', port });
      let received = 0;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString().split('event: ').length - 1;
      });
      socket.on('error', () => undefined);
      socket.write('GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (!read) {
        socket.pause();
      }
      return { socket, received: () => received };
    };
    const stalled = await open(false);
    const reading = await open(true);
    const [stalledResponse, readingResponse] = responses as [ServerResponse, ServerResponse];
    let published = 0;
    try {
      // Until the stalled one is dropped (the socket buffers fill first), or far past what any bound allows.
      while (!stalledResponse.destroyed && published < 100_000) {
        await bus.publish([
          authorizationChangedEvent(
            { suiteId: 'ww1', corpId: `wxc${published}`, status: 'active', cause: 'create_auth' },
            0,
          ),
        ]);
        published += 1;
        if (published % 100 === 0) {
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      const deadline = Date.now() + 10_000;
      while (reading.received() < published && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }

      expect(stalledResponse.destroyed).toBe(true);
      expect(published).toBeLessThan(100_000);
      expect(readingResponse.destroyed).toBe(false);
      expect(reading.received()).toBe(published);
      expect(bus.consumerCount).toBe(1);
    } finally {
      stalled.socket.destroy();
      reading.socket.destroy();
      bus.close();
      server.closeAllConnections();
      server.close();
    }
  }, 60_000);
});
