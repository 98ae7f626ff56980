import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DeadlineHttpHandler } from '../adapters/deadline/deadline-http-handler.ts';
import { EventBridgePublisher } from '../adapters/events/eventbridge-publisher.ts';
import { ConfigurationError } from '../core/errors.ts';
import type { EventPublisher } from '../core/ports/event-publisher.ts';
import type { ServiceName, ServiceRuntime } from './service-runtime.ts';

// PutEvents answers in tens of milliseconds in-region; the callback's 1000 ms must also hold the write.
const EVENTBRIDGE_CALL_LIMITS = { connectionTimeoutMs: 300, requestTimeoutMs: 600 } as const;

const made = new WeakMap<ServiceRuntime, Map<ServiceName, EventPublisher>>();

/**
 * Where a function publishes its events: one publisher per function and runtime (container),
 * made on first use. Kept out of service-runtime.ts so that only the functions that publish
 * carry the EventBridge client in their bundle.
 *
 * @throws ConfigurationError when EVENT_BUS_NAME is not set and no other bus is given.
 */
export const eventBusOf = (runtime: ServiceRuntime, service: ServiceName): EventPublisher => {
  const seam = runtime.eventBus.seam;
  if (seam !== undefined) {
    return seam(service);
  }
  const publishers = made.get(runtime) ?? new Map<ServiceName, EventPublisher>();
  made.set(runtime, publishers);
  const known = publishers.get(service);
  if (known !== undefined) {
    return known;
  }
  const busName = runtime.eventBus.name;
  if (busName === undefined) {
    throw new ConfigurationError('EVENT_BUS_NAME is not set');
  }
  const client = new EventBridgeClient({
    // A second attempt only when the request's deadline leaves room for it: a slow bus is a 503
    // to WeCom, which retries the push, and the retry publishes the same eventId.
    maxAttempts: 2,
    requestHandler: new DeadlineHttpHandler(EVENTBRIDGE_CALL_LIMITS, runtime.deadlines),
    ...runtime.eventBus.clientConfig,
  });
  runtime.observeAwsClient?.(client, service);
  const publisher = new EventBridgePublisher(client, busName);
  publishers.set(service, publisher);
  return publisher;
};
