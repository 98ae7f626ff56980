import { describe, expect, it } from 'vitest';
import {
  EVENT_STREAMS_NOT_BUNDLED,
  EventStreamSerde,
  eventStreamSerdeProvider,
} from '../../../../functions/adapters/no-event-streams.ts';

/**
 * The bundles' stand-in for the SDK's event-stream codec (the alias is only in the bundles; the
 * bundling test checks it is there): an operation that needed the codec fails with a message
 * that names the stand-in, whichever of its two exports the SDK reaches first.
 */
describe('the event-stream stand-in', () => {
  it('fails with a message naming the file, from both of its exports', () => {
    expect(() => eventStreamSerdeProvider()).toThrow(EVENT_STREAMS_NOT_BUNDLED);
    expect(() => new EventStreamSerde()).toThrow(EVENT_STREAMS_NOT_BUNDLED);
    expect(EVENT_STREAMS_NOT_BUNDLED).toContain('functions/adapters/no-event-streams.ts');
  });
});
