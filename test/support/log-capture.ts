import { vi } from 'vitest';

/** Everything written to stdout and stderr while capturing (Powertools writes there directly). */
export interface LogCapture {
  readonly lines: () => string[];
  /** The captured lines parsed as JSON (Powertools' format); non-JSON lines are skipped. */
  readonly records: () => Record<string, unknown>[];
  readonly stop: () => void;
}

export const captureLogs = (): LogCapture => {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(record);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(record);
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '');
  return {
    lines,
    records: () =>
      lines().flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    stop: () => {
      stdout.mockRestore();
      stderr.mockRestore();
    },
  };
};
