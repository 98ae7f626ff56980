import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventBusUnavailableError } from '../../core/errors.ts';
import { EVENT_SOURCE, type ServiceEvent } from '../../core/events/service-events.ts';
import type { EventPublisher } from '../../core/ports/event-publisher.ts';

// PutEvents takes at most 10 entries a call.
const MAX_ENTRIES = 10;

/** Publishes to the service's EventBridge bus; every entry must be accepted or it throws. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly ServiceEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += MAX_ENTRIES) {
      const batch = events.slice(start, start + MAX_ENTRIES);
      let failed: number;
      let codes: string;
      try {
        const result = await this.client.send(
          new PutEventsCommand({
            Entries: batch.map((event) => ({
              EventBusName: this.eventBusName,
              Source: EVENT_SOURCE,
              DetailType: event.detailType,
              Detail: JSON.stringify(event.detail),
            })),
          }),
        );
        failed = result.FailedEntryCount ?? 0;
        codes = [...new Set((result.Entries ?? []).flatMap((entry) => entry.ErrorCode ?? []))].join(', ');
      } catch (error) {
        throw new EventBusUnavailableError('the event bus did not answer PutEvents', { cause: error });
      }
      // A partial success is a failure: WeCom's retry publishes the whole message again, and
      // consumers dedupe on eventId.
      if (failed > 0) {
        throw new EventBusUnavailableError(
          `the event bus refused ${failed} of ${batch.length} events (${codes})`,
        );
      }
    }
  }
}
