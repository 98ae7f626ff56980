import { createServer } from 'node:http';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { authorizationChangedEvent } from '../../../functions/core/events/service-events.ts';
import { LocalEventBus } from '../../../local/local-event-bus.ts';

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
});
