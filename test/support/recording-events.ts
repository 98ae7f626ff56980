import type { ServiceEvent } from '../../functions/core/events/service-events.ts';
import type { EventPublisher } from '../../functions/core/ports/event-publisher.ts';

/** An in-memory bus for tests that only need to see what was published. */
export class RecordingEventPublisher implements EventPublisher {
  readonly published: ServiceEvent[] = [];

  async publish(events: readonly ServiceEvent[]): Promise<void> {
    this.published.push(...events);
  }
}
