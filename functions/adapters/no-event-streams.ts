/**
 * Stands in for `@smithy/core/event-streams` in the Lambda bundles (an esbuild alias set in
 * lib/constructs/service-function.ts). The SDK's protocols load that codec with a dynamic
 * `import()`, only for operations that stream events, and none of the operations our functions
 * call (DynamoDB, Secrets Manager, EventBridge) does. In a one-file bundle esbuild still includes
 * it, and so wraps every module it shares with the SDK in a lazy initialiser: 6.5 ms of
 * corp-token's import on Node.js 24 (docs/performance.md, What row 5 says about the 100 ms target).
 * Should an operation ever need it, it fails here with this message rather than without a codec.
 * esbuild fails the build if a module imports a name not exported here. Local runs and tests do
 * not use the alias.
 */

const NOT_BUNDLED =
  'AWS event-stream operations are not bundled in this function (functions/adapters/no-event-streams.ts)';

export const eventStreamSerdeProvider = (): never => {
  throw new Error(NOT_BUNDLED);
};

export class EventStreamSerde {
  constructor() {
    throw new Error(NOT_BUNDLED);
  }
}
