import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsCallLogDirectory, type IamRequest } from '../support/aws-call-recorder.ts';

/** What this run recorded: where, in how many files, and the calls, one per distinct shape. */
export interface RecordedCalls {
  /** This run's directory (AWS_CALL_LOG_DIR), if the run has one. */
  readonly directory: string | undefined;
  /** Files in it: one per process that made a call (each test file, each token worker). */
  readonly files: number;
  readonly calls: readonly IamRequest[];
}

const keySpace = (key: string): string => `${key.match(/^([A-Z]+#)+/)?.[0] ?? key}…`;

/** A call as IAM sees it, by key space rather than key value; also the line of the contract's report. */
export const shapeOf = (request: Omit<IamRequest, 'command'>): string => {
  const context = Object.entries(request.context)
    .map(([name, value]) =>
      name === 'dynamodb:LeadingKeys'
        ? `${name}=${(value as string[]).map(keySpace).join(',')}`
        : `${name}=${Array.isArray(value) ? value.join(',') : String(value)}`,
    )
    .join(' ');
  return `${request.service.padEnd(15)} ${request.action.padEnd(30)} ${request.resource.padEnd(14)} ${context}`;
};

/**
 * The calls recorded during this run's other tests (test/support/aws-call-recorder.ts), one per
 * distinct shape. A run without a directory, or with none written, has recorded nothing.
 */
export const readRecordedCalls = (): RecordedCalls => {
  const directory = awsCallLogDirectory();
  let files: string[] = [];
  try {
    files = directory === undefined ? [] : readdirSync(directory).filter((file) => file.endsWith('.jsonl'));
  } catch {
    files = [];
  }
  const distinct = new Map<string, IamRequest>();
  for (const file of files) {
    for (const line of readFileSync(join(directory ?? '', file), 'utf8').split('\n')) {
      if (line.trim() === '') {
        continue;
      }
      const request = JSON.parse(line) as IamRequest;
      distinct.set(shapeOf(request), request);
    }
  }
  return {
    directory,
    files: files.length,
    calls: [...distinct.values()].sort((a, b) => shapeOf(a).localeCompare(shapeOf(b))),
  };
};
