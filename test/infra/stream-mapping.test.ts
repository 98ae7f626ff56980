import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../functions/catalog.ts';
import { synthesizeApp } from '../support/infra.ts';

describe('the stream’s event-source mapping', () => {
  it('delivers to auth-exchange with the catalogue’s settings, which the local stream poller applies too', () => {
    const mappings = Object.values(synthesizeApp().service.findResources('AWS::Lambda::EventSourceMapping'));

    expect(mappings).toHaveLength(1);
    const deployed = mappings[0]?.Properties as Record<string, unknown>;
    expect({
      batchSize: deployed.BatchSize,
      retryAttempts: deployed.MaximumRetryAttempts,
      maxRecordAgeSeconds: deployed.MaximumRecordAgeInSeconds ?? -1,
      bisectBatchOnError: deployed.BisectBatchOnFunctionError ?? false,
      reportBatchItemFailures: ((deployed.FunctionResponseTypes as string[] | undefined) ?? []).includes(
        'ReportBatchItemFailures',
      ),
    }).toEqual(FUNCTIONS['auth-exchange'].stream);
    // What the local dead-letter queue stands in for.
    expect(deployed.DestinationConfig).toMatchObject({ OnFailure: { Destination: expect.anything() } });
    // Building the CDK app takes seconds, many more on a busy machine.
  }, 120_000);
});
