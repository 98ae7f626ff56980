import { describe, expect, it } from 'vitest';
import { readServiceEnvironment } from '../../../../functions/adapters/config/environment.ts';
import { ConfigurationError } from '../../../../functions/core/errors.ts';

describe('readServiceEnvironment', () => {
  it('takes the stage from STAGE, and none when it is not set (functions run locally)', () => {
    expect(readServiceEnvironment({ TABLE_NAME: 'table', STAGE: 'WeComStaging' }).stage).toBe('WeComStaging');
    expect(readServiceEnvironment({ TABLE_NAME: 'table' })).not.toHaveProperty('stage');
  });

  it('rejects a STAGE that is not a stack prefix, since it becomes a metric dimension the alarms select', () => {
    for (const stage of ['1stage', 'we com', 'stage"x', `a${'b'.repeat(128)}`]) {
      expect(() => readServiceEnvironment({ TABLE_NAME: 'table', STAGE: stage })).toThrow(ConfigurationError);
    }
  });

  it('reads whether the stage wants the system-event URL from WECOM_SYSTEM_EVENTS, optional by default', () => {
    expect(readServiceEnvironment({ TABLE_NAME: 'table' }).systemEvents).toBe('optional');
    expect(
      readServiceEnvironment({ TABLE_NAME: 'table', WECOM_SYSTEM_EVENTS: 'required' }).systemEvents,
    ).toBe('required');
    expect(() => readServiceEnvironment({ TABLE_NAME: 'table', WECOM_SYSTEM_EVENTS: 'yes' })).toThrow(
      'WECOM_SYSTEM_EVENTS must be required or optional',
    );
  });
});
