import type { Reporter, TestModule, TestSpecification } from 'vitest/node';

/** The vitest project that runs the IAM contract (vitest.config.ts). */
export const CONTRACT_PROJECT = 'iam-contract';

/** The part of a vitest TestModule the check reads. */
export interface RunModule {
  readonly moduleId: string;
  readonly project: { readonly name: string };
  state(): string;
  readonly children: { allTests(): Iterable<{ result(): { readonly state: string } }> };
}

/**
 * Why a run that included the IAM contract cannot count it as passed: its files did not run, did
 * not pass or skipped tests, or other test files stopped before their end, so the recorded calls it
 * judged were incomplete. Empty when the contract ran to a pass over a complete record.
 */
export const contractProblems = (modules: readonly RunModule[], root: string): string[] => {
  const relative = (moduleId: string) => moduleId.replace(`${root}/`, '');
  const contract = modules.filter((module) => module.project.name === CONTRACT_PROJECT);
  if (contract.length === 0) {
    return ['the IAM contract was selected but none of its files is in the results'];
  }
  const problems = contract.flatMap((module) => {
    const states = [...module.children.allTests()].map((test) => test.result().state);
    const passed = states.filter((state) => state === 'passed').length;
    if (module.state() === 'queued' || states.length === 0) {
      return [`${relative(module.moduleId)} did not run (${module.state()}): vitest stopped before it`];
    }
    return module.state() === 'passed' && passed === states.length
      ? []
      : [
          `${relative(module.moduleId)} ${module.state()}: ${passed} of ${states.length} checks passed` +
            (states.length > passed
              ? `, ${states.length - passed} did not (failed, skipped or unfinished)`
              : ''),
        ];
  });
  const unfinished = modules.filter(
    (module) => module.project.name !== CONTRACT_PROJECT && ['queued', 'pending'].includes(module.state()),
  );
  if (unfinished.length > 0) {
    problems.push(
      `${unfinished.length} other test file(s) did not run to their end, so the contract judged an incomplete ` +
        `record of the AWS calls: ${unfinished.map((module) => relative(module.moduleId)).join(', ')}`,
    );
  }
  return problems;
};

/**
 * Fails the run, saying so, when it included the IAM contract and the contract did not run to a
 * pass: vitest skips a later group when an earlier one ends in worker errors, and a contract that
 * never ran would otherwise leave no red line of its own. A run that dies before its end (a worker
 * killed, the IPC channel closed) is caught on exit. Runs that select no contract file (a single
 * test file, `--project tests`) or filter tests by name (`-t`) are not its business.
 */
export default class ContractReporter implements Reporter {
  #selected = false;
  #ended = false;
  #watchingExit = false;
  #root = process.cwd();
  #filteredByName = false;

  onInit(vitest: { readonly config: { readonly root: string; readonly testNamePattern?: RegExp } }): void {
    this.#root = vitest.config.root;
    this.#filteredByName = vitest.config.testNamePattern !== undefined;
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.#selected =
      !this.#filteredByName &&
      specifications.some((specification) => specification.project.name === CONTRACT_PROJECT);
    this.#ended = false;
    if (this.#selected && !this.#watchingExit) {
      this.#watchingExit = true;
      // Before vitest's own exit listener, which exits again from inside 'exit' and so ends the
      // listeners after it.
      process.prependOnceListener('exit', () => {
        if (this.#selected && !this.#ended) {
          fail(['the run ended before the contract had a result (see the error above)']);
        }
      });
    }
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    this.#ended = true;
    if (!this.#selected) {
      return;
    }
    const problems = contractProblems(modules, this.#root);
    if (problems.length > 0) {
      fail(problems);
    }
  }
}

const fail = (problems: readonly string[]): void => {
  process.exitCode = 1;
  process.stderr.write(
    `\nIAM CONTRACT NOT PASSED: the run fails.\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n\n`,
  );
};
