/**
 * Stands in for `@smithy/core/event-streams` in the Lambda bundles (an esbuild alias set in
 * lib/constructs/service-function.ts). The SDK's protocols load that codec with a dynamic
 * `import()`, only for operations that stream events, and none of the operations our functions
 * call (DynamoDB, Secrets Manager, EventBridge) does. In a one-file bundle esbuild still includes
 * it, and so wraps the codec and every module it shares with the rest of the bundle in a lazy
 * initialiser: 6.5 ms of corp-token's import on Node.js 24 (docs/performance.md, What row 5 says
 * about the 100 ms target). Should an operation ever need the codec, it fails here with a message
 * that names this file. A static import of a name not exported here (as the Lambda client's
 * `resolveEventStreamSerdeConfig`) fails the build; a dynamic one is not checked. Local runs and
 * tests do not use the alias.
 */

/** What an event-stream operation fails with in a bundle. */
export const EVENT_STREAMS_NOT_BUNDLED =
  'AWS event-stream operations are not bundled in this function (functions/adapters/no-event-streams.ts)';

/** The codec's marshaller factory, which the SDK's protocols call first: it throws. */
export const eventStreamSerdeProvider = (): never => {
  throw new Error(EVENT_STREAMS_NOT_BUNDLED);
};

/** The codec's serde, which the SDK's protocols build next: it throws. */
export class EventStreamSerde {
  constructor() {
    throw new Error(EVENT_STREAMS_NOT_BUNDLED);
  }
}
