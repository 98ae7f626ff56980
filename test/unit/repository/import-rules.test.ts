import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The import rules live in biome.json, which takes no comments, so their reading is here:
 * - no import cycle anywhere (`suspicious/noImportCycles`; an `import type` is erased, so it closes
 *   no cycle at run time and is not counted, the rule's default);
 * - core/ imports only core/, node:crypto, node:buffer and the XML parser; app/ only core/;
 *   adapters/ only core/, other adapters and SDKs; wiring/ no function folder; a function's folder
 *   builds on the layers and imports no other function nor the catalogue;
 * - lib/ reads functions/ only for the catalogue, core/, and the table, stream and metric definitions;
 * - nothing in functions/ or lib/ imports local/; client/ imports nothing of the service.
 * Biome matches the import's text, not where it resolves, so "stays inside core/" is written per
 * depth (functions/core/*.ts may not climb `../`, functions/core/x/*.ts may not climb `../../`).
 *
 * Each case below is a file holding one import, linted with the repository's biome.json in a
 * scratch copy of the layout, so a rule loosened by mistake fails here, not in a review.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');

interface ImportCase {
  /** The folder of the importing file. */
  readonly in: string;
  readonly imports: string;
  readonly refused: boolean;
}

const refused = (folder: string, imports: string): ImportCase => ({ in: folder, imports, refused: true });
const allowed = (folder: string, imports: string): ImportCase => ({ in: folder, imports, refused: false });

const CASES: readonly ImportCase[] = [
  // core/: pure, at either depth.
  refused('functions/core', '../app/obtain-token.ts'),
  refused('functions/core', '../wiring/service-runtime.ts'),
  refused('functions/core', '../suite-token/function.ts'),
  refused('functions/core', '../catalog.ts'),
  refused('functions/core/crypto', '../../adapters/metrics.ts'),
  refused('functions/core/crypto', '../../wiring/service-runtime.ts'),
  refused('functions/core/crypto', '../../../lib/stage-config.ts'),
  refused('functions/core/crypto', '../../../local/start.ts'),
  refused('functions/core/crypto', '#app/obtain-token.ts'),
  refused('functions/core/crypto', '@aws-sdk/client-dynamodb'),
  refused('functions/core/crypto', 'node:fs'),
  allowed('functions/core', './crypto/aes-key.ts'),
  allowed('functions/core/crypto', '../errors.ts'),
  allowed('functions/core/crypto', '../callback/callback-request.ts'),
  allowed('functions/core/crypto', '#core/errors.ts'),
  allowed('functions/core/crypto', 'node:crypto'),
  allowed('functions/core/callback', 'fast-xml-parser'),
  // app/: only core/.
  refused('functions/app', '../adapters/metrics.ts'),
  refused('functions/app', '../wiring/token-deps.ts'),
  refused('functions/app', '../corp-token/function.ts'),
  refused('functions/app', '../../lib/stage-config.ts'),
  refused('functions/app', '../../local/start.ts'),
  refused('functions/app', '#adapters/metrics.ts'),
  refused('functions/app', '@aws-sdk/client-lambda'),
  allowed('functions/app', './with-renewed-token.ts'),
  allowed('functions/app', '../core/ports.ts'),
  // adapters/: core/ and each other, never up or sideways.
  refused('functions/adapters', '../app/get-suite-token.ts'),
  refused('functions/adapters', '../wiring/service-runtime.ts'),
  refused('functions/adapters', '../suite-token/function.ts'),
  refused('functions/adapters', '../catalog.ts'),
  refused('functions/adapters', '../../lib/stage-config.ts'),
  refused('functions/adapters', '../../local/start.ts'),
  refused('functions/adapters', 'aws-cdk-lib'),
  refused('functions/adapters/wecom', '../../app/get-suite-token.ts'),
  refused('functions/adapters/wecom', '../../wiring/service-runtime.ts'),
  refused('functions/adapters/wecom', '../../corp-token/function.ts'),
  refused('functions/adapters/wecom', '../../../lib/stage-config.ts'),
  refused('functions/adapters/wecom', '../../../local/start.ts'),
  refused('functions/adapters/wecom', '#app/get-suite-token.ts'),
  allowed('functions/adapters/wecom', '../deadline/request-budget.ts'),
  allowed('functions/adapters/wecom', '../metrics.ts'),
  allowed('functions/adapters/wecom', '../../core/ports.ts'),
  allowed('functions/adapters/dynamodb', '@aws-sdk/lib-dynamodb'),
  // wiring/ and the function folders.
  refused('functions/wiring', '../suite-token/function.ts'),
  refused('functions/wiring', '../../local/start.ts'),
  allowed('functions/wiring', '../app/get-suite-token.ts'),
  allowed('functions/wiring', '../catalog.ts'),
  refused('functions/suite-token', '../corp-token/function.ts'),
  refused('functions/suite-token', '../catalog.ts'),
  refused('functions/suite-token', '../../lib/stage-config.ts'),
  refused('functions/suite-token', 'aws-cdk-lib'),
  allowed('functions/suite-token', '../wiring/token-deps.ts'),
  allowed('functions/suite-token', '../adapters/invoke/invoke-handler.ts'),
  refused('functions', '../local/start.ts'),
  refused('functions', 'aws-cdk-lib'),
  // lib/: the catalogue and shared definitions, never runtime code.
  refused('lib/constructs', '../../functions/wiring/service-runtime.ts'),
  refused('lib/constructs', '../../functions/app/get-suite-token.ts'),
  refused('lib/constructs', '../../functions/suite-token/function.ts'),
  refused('lib/constructs', '../../functions/adapters/wecom/wecom-api-client.ts'),
  refused('lib/constructs', '../../local/start.ts'),
  refused('lib/constructs', '../../client/credentials-client.ts'),
  refused('lib/constructs', '#adapters/metrics.ts'),
  allowed('lib/constructs', '../../functions/catalog.ts'),
  allowed('lib/constructs', '../../functions/core/events/service-events.ts'),
  allowed('lib/constructs', '../../functions/adapters/dynamodb/table-keys.ts'),
  allowed('lib/constructs', '../../functions/adapters/metric-names.ts'),
  // The metric names, not the Powertools Metrics that emits them.
  refused('lib/constructs', '../../functions/adapters/metrics.ts'),
  // client/: the callers' package.
  refused('client', '../functions/catalog.ts'),
  refused('client', '../functions/core/errors.ts'),
  refused('client', '../lib/stage-config.ts'),
  refused('client', '../local/start.ts'),
  refused('client', '#core/errors.ts'),
  allowed('client', '@aws-sdk/client-lambda'),
];

const caseFile = (index: number): string => join(CASES[index]?.in ?? '', `import-case-${index}.ts`);

// Two modules that need each other at run time, and two that only name each other's types.
const CYCLE_FILES = {
  'local/cycle-a.ts': "import { b } from './cycle-b.ts';\nexport const a = (): unknown => b;\n",
  'local/cycle-b.ts': "import { a } from './cycle-a.ts';\nexport const b = (): unknown => a;\n",
  'local/types-a.ts': "import type { B } from './types-b.ts';\nexport interface A {\n  readonly b?: B;\n}\n",
  'local/types-b.ts': "import type { A } from './types-a.ts';\nexport interface B {\n  readonly a?: A;\n}\n",
};

interface Diagnostic {
  readonly category: string;
  readonly location: { readonly path: string };
}

let scratch: string;
let diagnostics: readonly Diagnostic[];

const findingsOf = (path: string, category: string): readonly Diagnostic[] =>
  diagnostics.filter((diagnostic) => diagnostic.location.path === path && diagnostic.category === category);

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'import-rules-'));
  copyFileSync(join(ROOT, 'biome.json'), join(scratch, 'biome.json'));
  const files: Record<string, string> = { ...CYCLE_FILES };
  CASES.forEach((importCase, index) => {
    files[caseFile(index)] = `import '${importCase.imports}';\n`;
  });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    writeFileSync(join(scratch, path), text);
  }
  // The scratch folder is no git checkout, so the config's VCS setting is turned off for this run.
  const run = spawnSync(
    BIOME,
    ['lint', '--reporter=json', '--vcs-enabled=false', '--max-diagnostics=none', '--colors=off', '.'],
    { cwd: scratch, encoding: 'utf8' },
  );
  const report = JSON.parse(run.stdout) as { diagnostics: readonly Diagnostic[] };
  diagnostics = report.diagnostics;
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('import rules (biome.json)', () => {
  it('lint the scratch layout without a configuration or parse error', () => {
    expect(diagnostics.filter((diagnostic) => !diagnostic.category.startsWith('lint/'))).toEqual([]);
  });

  it.each(
    CASES.map((importCase, index) => [importCase.in, importCase.imports, importCase.refused, index] as const),
  )('in %s, importing %s: refused = %s', (_folder, _imports, isRefused, index) => {
    const found = findingsOf(caseFile(index), 'lint/style/noRestrictedImports');

    expect(found.length > 0).toBe(isRefused);
  });

  it('refuse an import cycle, wherever it is', () => {
    expect(findingsOf('local/cycle-a.ts', 'lint/suspicious/noImportCycles')).toHaveLength(1);
    expect(findingsOf('local/cycle-b.ts', 'lint/suspicious/noImportCycles')).toHaveLength(1);
  });

  it('let type-only imports name each other, since nothing of them is left at run time', () => {
    expect(findingsOf('local/types-a.ts', 'lint/suspicious/noImportCycles')).toEqual([]);
    expect(findingsOf('local/types-b.ts', 'lint/suspicious/noImportCycles')).toEqual([]);
  });
});
