import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import { EventBusUnavailableError } from '../functions/core/errors.ts';
import { EVENT_SOURCE, type ServiceEvent } from '../functions/core/events/service-events.ts';
import type { EventPublisher } from '../functions/core/ports/event-publisher.ts';

/**
 * How many events a `GET /events` consumer may fall behind before it is dropped. Events come at a
 * person's pace locally (installs, a ticket every 10 minutes, bursts of a few hundred in a load
 * test), so a consumer that reads at all never gets near it; an envelope is 0.5–2 KB, so a stalled
 * one costs at most about 2 MB, beyond what the socket's own buffers hold.
 */
export const MAX_EVENTS_BEHIND = 1000;

interface EventConsumer {
  /** Frames written since the consumer last caught up; 0 while it keeps up. */
  behind: number;
}

/** An event as EventBridge delivers it to a rule's target. */
export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/**
 * `npm start`'s stand-in for the EventBridge bus: each event is logged in one line, streamed to
 * every `GET /events` client (server-sent events, in EventBridge's envelope) and, with
 * LOCAL_EVENT_WEBHOOK, POSTed to that URL. A stream consumer that stops reading is dropped once
 * it is MAX_EVENTS_BEHIND events behind. Like EventBridge, delivery to those targets happens
 * after the publisher is answered and never fails the publish; `setFailing` makes the bus itself
 * refuse, to see WeCom's retry path.
 */
export class LocalEventBus implements EventPublisher {
  readonly #clients = new Map<ServerResponse, EventConsumer>();
  #failing = false;

  constructor(
    private readonly logger: Logger,
    private readonly webhook?: string,
  ) {}

  /** How many `GET /events` streams are open. */
  get consumerCount(): number {
    return this.#clients.size;
  }

  setFailing(failing: boolean): void {
    this.#failing = failing;
  }

  async publish(events: readonly ServiceEvent[]): Promise<void> {
    if (this.#failing) {
      throw new EventBusUnavailableError(
        'the local event bus is switched to refuse events (/sandbox/event-bus)',
      );
    }
    for (const event of events) {
      const envelope: EventEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': event.detailType,
        source: EVENT_SOURCE,
        account: '000000000000',
        time: new Date().toISOString(),
        region: 'local',
        resources: [],
        detail: event.detail,
      };
      this.logger.info('event published', {
        detailType: event.detailType,
        ...('suiteId' in event.detail ? { suiteId: event.detail.suiteId } : {}),
        ...('eventId' in event.detail ? { eventId: event.detail.eventId } : {}),
      });
      const frame = `id: ${envelope.id}\nevent: ${event.detailType}\ndata: ${JSON.stringify(envelope)}\n\n`;
      for (const [client, consumer] of this.#clients) {
        this.#send(client, consumer, frame);
      }
      if (this.webhook !== undefined) {
        void this.#deliver(this.webhook, envelope);
      }
    }
  }

  /** Serves `GET /events`: a server-sent event stream of everything published from now on. */
  stream(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.write(': connected to the local event bus\n\n');
    const consumer: EventConsumer = { behind: 0 };
    this.#clients.set(response, consumer);
    response.on('drain', () => {
      consumer.behind = 0;
    });
    const keepAlive = setInterval(() => {
      if (consumer.behind === 0) {
        response.write(': keep-alive\n\n');
      }
    }, 15_000);
    request.on('close', () => {
      clearInterval(keepAlive);
      this.#clients.delete(response);
    });
  }

  /** Ends every open stream (the stack is stopping). */
  close(): void {
    for (const client of this.#clients.keys()) {
      client.end();
    }
    this.#clients.clear();
  }

  /**
   * Writes one frame, counting the frames held in this process since the consumer last caught up
   * (the socket's 'drain'). One that falls MAX_EVENTS_BEHIND behind has stopped reading: it is
   * disconnected rather than buffered for without end.
   */
  #send(client: ServerResponse, consumer: EventConsumer, frame: string): void {
    if (consumer.behind >= MAX_EVENTS_BEHIND) {
      this.#clients.delete(client);
      client.destroy();
      this.logger.warn('dropped a GET /events consumer that stopped reading', {
        eventsBehind: consumer.behind,
      });
      return;
    }
    const flushed = client.write(frame);
    if (!flushed || consumer.behind > 0) {
      consumer.behind += 1;
    }
  }

  async #deliver(url: string, envelope: EventEnvelope): Promise<void> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(envelope),
        signal: AbortSignal.timeout(5000),
      });
      await response.body?.cancel();
      if (!response.ok) {
        this.logger.warn('LOCAL_EVENT_WEBHOOK refused an event', {
          status: response.status,
          eventId: envelope.id,
        });
      }
    } catch (error) {
      this.logger.warn('LOCAL_EVENT_WEBHOOK is unreachable', {
        reason: (error as Error).message.slice(0, 200),
      });
    }
  }
}
