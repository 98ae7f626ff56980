import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A file longer than this holds more than one job: split it by responsibility. */
const MAX_LINES = 400;

/** The folders of the service's own code (tests and the bench may be longer). */
const SOURCE_FOLDERS = ['functions', 'lib', 'local'] as const;

/**
 * Files allowed over the limit while their split is under way; each entry names the split and
 * goes when it lands (the test below fails once the file is back under the limit).
 */
const OVER_LIMIT_WHILE_SPLIT = new Map<string, string>([]);

const linesOf = (path: string): number => readFileSync(join(ROOT, path), 'utf8').split('\n').length - 1;

const sourceFiles = (): readonly string[] =>
  SOURCE_FOLDERS.flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('.ts'))
      .map((path) => `${folder}/${path.split('\\').join('/')}`),
  ).sort();

describe('house rules', () => {
  it(`no file in ${SOURCE_FOLDERS.join('/, ')}/ is over ${MAX_LINES} lines`, () => {
    const tooLong = sourceFiles()
      .filter((path) => !OVER_LIMIT_WHILE_SPLIT.has(path))
      .map((path) => ({ path, lines: linesOf(path) }))
      .filter(({ lines }) => lines > MAX_LINES);

    expect(tooLong).toEqual([]);
  });

  it('allows a file over the limit only while its split is under way', () => {
    const files = new Set(sourceFiles());
    const stale = [...OVER_LIMIT_WHILE_SPLIT.keys()].filter(
      (path) => !files.has(path) || linesOf(path) <= MAX_LINES,
    );

    expect(stale).toEqual([]);
  });
});
