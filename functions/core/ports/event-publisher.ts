import type { ServiceEvent } from '../events/service-events.ts';

/**
 * Where the service's events go (EventBridge in AWS, the local bus under `npm start`).
 *
 * @throws EventBusUnavailableError unless every event was accepted.
 */
export interface EventPublisher {
  publish(events: readonly ServiceEvent[]): Promise<void>;
}
