import { describe, expect, it } from 'vitest';
import { CONTRACT_PROJECT, contractProblems, type RunModule } from './contract-reporter.ts';

const ROOT = '/repo';

const moduleOf = (file: string, project: string, state: string, tests: readonly string[]): RunModule => ({
  moduleId: `${ROOT}/${file}`,
  project: { name: project },
  state: () => state,
  children: { allTests: () => tests.map((result) => ({ result: () => ({ state: result }) })) },
});

const contract = (state: string, tests: readonly string[]) =>
  moduleOf('test/iam/iam-contract.test.ts', CONTRACT_PROJECT, state, tests);
const other = (state: string) => moduleOf('test/integration/token-flow.test.ts', 'tests', state, ['passed']);

describe('contractProblems', () => {
  it('finds none when the contract passed every check after every other file ran to its end', () => {
    const problems = contractProblems(
      [other('passed'), other('failed'), contract('passed', ['passed', 'passed'])],
      ROOT,
    );

    expect(problems).toEqual([]);
  });

  it('says the contract did not run when vitest stopped before its group', () => {
    const problems = contractProblems([other('passed'), contract('queued', [])], ROOT);

    expect(problems).toEqual([
      'test/iam/iam-contract.test.ts did not run (queued): vitest stopped before it',
    ]);
  });

  it('counts a contract whose checks were skipped as not passed', () => {
    const problems = contractProblems([contract('skipped', ['skipped', 'skipped'])], ROOT);

    expect(problems).toEqual([
      'test/iam/iam-contract.test.ts skipped: 0 of 2 checks passed, 2 did not (failed, skipped or unfinished)',
    ]);
  });

  it('reports a failed contract with how many of its checks failed', () => {
    const problems = contractProblems([contract('failed', ['passed', 'failed', 'passed'])], ROOT);

    expect(problems).toEqual([
      'test/iam/iam-contract.test.ts failed: 2 of 3 checks passed, 1 did not (failed, skipped or unfinished)',
    ]);
  });

  it('says the record was incomplete when other test files never finished, even if the contract passed', () => {
    const problems = contractProblems(
      [other('queued'), other('pending'), contract('passed', ['passed'])],
      ROOT,
    );

    expect(problems).toEqual([
      '2 other test file(s) did not run to their end, so the contract judged an incomplete record of the AWS calls: test/integration/token-flow.test.ts, test/integration/token-flow.test.ts',
    ]);
  });

  it('says so when the contract was selected but is missing from the results', () => {
    const problems = contractProblems([other('passed')], ROOT);

    expect(problems).toEqual(['the IAM contract was selected but none of its files is in the results']);
  });
});
