import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The AWS calls the tests record, for the IAM contract: a directory of this run's own, named by the
// pid of this vitest process, so two runs in one checkout keep apart. Not random: vitest evaluates
// this file once per project, and both projects must name the same directory. Set it yourself to
// keep the recordings and judge them again (`npx vitest run --project iam-contract`).
const awsCallLog =
  process.env.AWS_CALL_LOG_DIR ??
  fileURLToPath(new URL(`./test-results/aws-calls/${process.pid}`, import.meta.url));

export default defineConfig({
  test: {
    // In CI a JSON report too, from which .ci/run prints the plain 'N passed, N failed' line. The
    // contract reporter fails the run, saying so, when the IAM contract did not run to a pass.
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: 'test-results.json' }], './test/iam/contract-reporter.ts']
      : ['default', './test/iam/contract-reporter.ts'],
    // The machine runs Node 20; Lambda runs 22+. The SDK's notice about Node 20 is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_CALL_LOG_DIR: awsCallLog },
    // Tests share one DynamoDB Local and each file makes its own table, so files can run in
    // parallel; two workers match the 2-core CI machine.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    coverage: {
      // CI enforces the thresholds below on every run; locally `npm run test:coverage`.
      enabled: Boolean(process.env.CI),
      provider: 'v8',
      // Files under 100% are listed, so a threshold miss in CI names its lines.
      reporter: ['text-summary', ['text', { skipFull: true }]],
      include: ['functions/**'],
      thresholds: { 'functions/core/**': { statements: 100, branches: 100, functions: 100, lines: 100 } },
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'tests',
          include: ['test/**/*.test.ts'],
          exclude: ['test/iam/**', 'test/e2e/**', 'node_modules/**'],
          globalSetup: ['test/support/dynamodb-local-setup.ts', 'test/support/bundle-setup.ts'],
          setupFiles: ['test/support/silence-console.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Evaluates the AWS calls every other test recorded, so it runs after all of them.
        extends: true,
        test: {
          name: 'iam-contract',
          include: ['test/iam/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
