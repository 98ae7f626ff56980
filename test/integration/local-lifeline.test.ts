import { describe, expect, it } from 'vitest';
import { findFreePort } from '../../local/free-port.ts';
import {
  descendantsOf,
  isAlive,
  isListening,
  killProcessGroup,
  spawnNpmStart,
  waitForReady,
} from '../support/local-process.ts';

/**
 * `npm start` killed outright: SIGKILL runs no code in the process it kills, so whatever it
 * started must notice on its own. Nothing may keep serving a port or keep running.
 */

const distinctFreePorts = async (): Promise<{ port: number; lambdaPort: number }> => {
  const port = await findFreePort();
  let lambdaPort = await findFreePort();
  while (lambdaPort === port) {
    lambdaPort = await findFreePort();
  }
  return { port, lambdaPort };
};

const dynamoPortOf = (report: string): number =>
  Number(/DynamoDB Local\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(report)?.[1]);

/** Polls until no port accepts a connection and no pid is alive, or the deadline passes. */
const settle = async (ports: readonly number[], pids: readonly number[], timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  const state = async () => ({
    listening: (await Promise.all(ports.map(async (port) => ((await isListening(port)) ? port : 0)))).filter(
      (port) => port !== 0,
    ),
    alive: pids.filter(isAlive),
  });
  let current = await state();
  while (Date.now() < deadline && (current.listening.length > 0 || current.alive.length > 0)) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    current = await state();
  }
  return current;
};

describe('npm start killed outright (SIGKILL)', () => {
  it.each(['the npm process', 'the node process under npm'] as const)(
    'frees both ports and leaves no process behind when %s is killed',
    async (target) => {
      const { port, lambdaPort } = await distinctFreePorts();
      const npm = spawnNpmStart({ PORT: String(port), LAMBDA_PORT: String(lambdaPort) });
      try {
        const report = await waitForReady(npm);
        const npmPid = npm.child.pid ?? 0;
        const tree = descendantsOf(npmPid);
        const node = tree.find((entry) => /^\S*node\s.*local\/start\.ts/.test(entry.args));
        const victim = target === 'the npm process' ? npmPid : (node?.pid ?? 0);

        process.kill(victim, 'SIGKILL');
        const left = await settle(
          [port, lambdaPort, dynamoPortOf(report)],
          [npmPid, ...tree.map((entry) => entry.pid)],
          20_000,
        );

        // The tree held what must go: node, the guard and Java (else this test would prove nothing).
        expect(tree.map((entry) => entry.args).join('\n')).toMatch(/dynamodb-local-guard[\s\S]*\n\S*java /);
        expect(node).toBeDefined();
        expect(left.listening).toEqual([]);
        expect(
          tree.filter((entry) => left.alive.includes(entry.pid)).map((entry) => entry.args.slice(0, 80)),
        ).toEqual([]);
      } finally {
        killProcessGroup(npm.child.pid);
      }
    },
    120_000,
  );
});
