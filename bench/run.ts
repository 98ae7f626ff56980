/**
 * `npm run bench`: measures speed, cost and economy offline and prints a table; writes
 * bench/results.json. Ratios come from one run (both sides measured in the same process and
 * minute); absolute numbers drift between runs and machines.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { synthesizeBundles } from '../test/support/synth-bundles.ts';
import { benchCallbackColdPath } from './callback-cold-path.ts';
import {
  benchColdStart,
  type ColdStartAcrossRuns,
  type ColdStartResult,
  judgeAcrossRuns,
  SDK_FLOOR,
  versionOfNode,
} from './cold-start.ts';
import { benchCrypto } from './crypto.ts';
import { benchEventPublishing } from './event-publishing.ts';
import { benchLocalStack } from './local-stack-bench.ts';
import { benchTokenDay } from './token-day.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const HEADER = ['#', 'benchmark', 'ours', 'baseline', 'ratio / count', 'target', 'met?'];

const mark = (met: boolean) => (met ? 'met' : 'MISSED');

/** Row 5: each function's bundle as `cdk synth` writes it, its size and what importing it takes. */
const coldStartRows = (coldStart: readonly ColdStartResult[]): string[][] =>
  coldStart.map((entry) => [
    '5',
    `cold start: ${entry.functionName}${entry.runtime === undefined ? '' : ` (${[entry.runtime, ...entry.nodeOptions].join(' ')})`}`,
    `${entry.bundleKiB} KiB, init ${entry.initMs} ms (CPU ${entry.initCpuMs} ms)`,
    entry.functionName === SDK_FLOOR
      ? ''
      : `floor ${entry.aboveFloorMs < 0 ? '−' : '+'}${Math.abs(entry.aboveFloorMs)} ms`,
    `runs ${entry.initSpreadMs[0]}–${entry.initSpreadMs[1]} ms`,
    entry.target,
    mark(entry.met),
  ]);

const printTable = (rows: string[][]) => {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  console.log(
    [
      line(rows[0] ?? []),
      `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
      // In row order (the rows are gathered in the order the benchmarks run).
      ...rows
        .slice(1)
        .sort((a, b) => Number(a[0]) - Number(b[0]))
        .map(line),
    ].join('\n'),
  );
};

const describeMachine = () => ({
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}/${process.arch}`,
});

const ACROSS_RUNS_HEADER = ['#', 'benchmark', 'ours', 'run medians', 'runs met', 'target', 'met?'];

/** Row 5 judged over several runs: each function's run medians and how many runs met their target. */
const acrossRunsRows = (judged: readonly ColdStartAcrossRuns[]): string[][] =>
  judged.map((entry) => [
    '5',
    `cold start over ${entry.runMediansMs.length} runs: ${entry.functionName}`,
    `${entry.bundleKiB} KiB, init ${entry.initMs} ms (median of the runs)`,
    `${entry.runMediansMs.join(', ')} ms`,
    entry.functionName === SDK_FLOOR
      ? ''
      : `${entry.runsMet}/${entry.runMediansMs.length} met their run's target`,
    entry.target,
    mark(entry.met),
  ]);

const utcMinute = () => new Date().toISOString().slice(11, 16);

/**
 * `npm run bench -- --only cold-start`: row 5 alone (a fresh synth with bundling, then each bundle's
 * import timed), for checking what a change does to the bundles; bench/results.json is left as it is.
 * With `--repeat N`, N runs of it `--pause` seconds apart, then each function judged over them.
 */
const coldStartOnly = async () => {
  const bundleDirectory = mkdtempSync(join(tmpdir(), 'wecom-bench-bundles-'));
  const runs: ColdStartResult[][] = [];
  try {
    const bundles = synthesizeBundles(bundleDirectory, synthContext);
    for (let run = 1; run <= coldStartRepeat; run += 1) {
      if (run > 1) {
        await sleep(coldStartPauseSeconds * 1000);
      }
      const startedAt = utcMinute();
      const coldStart = benchColdStart(bundles, bundleNode);
      runs.push(coldStart);
      if (coldStartRepeat > 1) {
        console.log(`\nRun ${run} of ${coldStartRepeat}, ${startedAt}–${utcMinute()} UTC:`);
      }
      printTable([HEADER, ...coldStartRows(coldStart)]);
    }
  } finally {
    rmSync(bundleDirectory, { recursive: true, force: true });
  }
  if (coldStartRepeat > 1) {
    console.log(`\nOver the ${coldStartRepeat} runs:`);
    printTable([ACROSS_RUNS_HEADER, ...acrossRunsRows(judgeAcrossRuns(runs))]);
  }
  const machine = describeMachine();
  console.log(
    `\nMachine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}. ${bundleNodeLine(runs[0] ?? [])}`,
  );
};

/** `npm run bench -- --only cold-path`: row 12 alone (100 samples, or --samples); bench/results.json is left as it is. */
const coldPathOnly = async () => {
  const bundleDirectory = mkdtempSync(join(tmpdir(), 'wecom-bench-bundles-'));
  try {
    const bundles = synthesizeBundles(bundleDirectory, synthContext);
    console.log(JSON.stringify(await benchCallbackColdPath(bundles, coldPathSamples, bundleNode), null, 2));
    console.log(bundleNodeLine([bundles.functions['wecom-callback']]));
  } finally {
    rmSync(bundleDirectory, { recursive: true, force: true });
  }
};

const main = async () => {
  const startedAt = Date.now();
  const log = (text: string) => process.stderr.write(`${text}\n`);
  log('1/5 message crypto (ours vs @wecom/crypto)…');
  const crypto = benchCrypto();
  log('2/5 cold start (bundles as cdk synth writes them); the callback cold path at stated AWS latencies…');
  const bundleDirectory = mkdtempSync(join(tmpdir(), 'wecom-bench-bundles-'));
  let coldStart: ColdStartResult[];
  let coldPath: Awaited<ReturnType<typeof benchCallbackColdPath>>;
  try {
    const bundles = synthesizeBundles(bundleDirectory, synthContext);
    coldStart = benchColdStart(bundles, bundleNode);
    coldPath = await benchCallbackColdPath(bundles, 100, bundleNode);
  } finally {
    rmSync(bundleDirectory, { recursive: true, force: true });
  }
  log('3/5 local stack: callback cost, cache hits, auth latency, mint economy…');
  const local = await benchLocalStack();
  log('4/5 a simulated day of token traffic; what publishing adds to a data callback…');
  const tokenDay = await benchTokenDay();
  const publishing = await benchEventPublishing();
  const machine = describeMachine();
  const results = {
    date: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    machine,
    bundleNode: versionOfNode(bundleNode.node ?? process.execPath),
    crypto,
    coldStart,
    coldPath,
    ...local,
    tokenDay,
    publishing,
  };
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);

  const rows: string[][] = [HEADER];
  for (const entry of crypto) {
    rows.push([
      '1',
      `crypto: ${entry.payload}`,
      `${entry.oursOpsPerSecond} ops/s`,
      `${entry.officialOpsPerSecond} ops/s (@wecom/crypto)`,
      `${entry.ratio}× (runs ${entry.ratioSpread[0]}–${entry.ratioSpread[1]})`,
      entry.target,
      mark(entry.met),
    ]);
  }
  for (const [row, entry] of [
    ['2', local.callbackCost],
    ['3', local.tokenCacheHit],
    ['9', local.providerTokenHit],
    ['9', local.installStart],
    ['10', local.jsapiSignature],
  ] as const) {
    rows.push([
      row,
      entry.name,
      `p50 ${entry.ours.p50} ms, p99 ${entry.ours.p99} ms`,
      `${entry.baseline.name}: p50 ${entry.baseline.p50} ms, p99 ${entry.baseline.p99} ms`,
      `${entry.ratioP50}×${entry.note === undefined ? '' : `; ${entry.note}`}`,
      entry.target,
      mark(entry.met),
    ]);
  }
  const economy = local.mintEconomy;
  rows.push([
    '4',
    `mint economy: ${economy.requests} concurrent, ${economy.processes} processes, cold cache`,
    `${economy.oursUpstreamMints} upstream mint(s), ${economy.oursErrors} errors`,
    `naive cache-aside: ${economy.naiveUpstreamMints} mints`,
    `${economy.naiveUpstreamMints - economy.oursUpstreamMints} mints saved`,
    economy.target,
    mark(economy.met),
  ]);
  rows.push(...coldStartRows(coldStart));
  const auth = local.authLatency;
  rows.push([
    '6',
    `auth latency: create_auth → corp token (${auth.installs} installs)`,
    `p50 ${auth.p50Ms} ms, max ${auth.maxMs} ms`,
    '',
    '',
    auth.target,
    mark(auth.met),
  ]);
  rows.push([
    '7',
    `a simulated day (${tokenDay.simulatedHours} h, ${tokenDay.requests} requests, same-token WeCom)`,
    `${tokenDay.failedRequests} failed; at a lifetime boundary p50 ${tokenDay.boundary.p50} ms, p99 ${tokenDay.boundary.p99} ms (${tokenDay.boundary.samples})`,
    `warm hit: p50 ${tokenDay.warm.p50} ms, p99 ${tokenDay.warm.p99} ms`,
    `upstream calls per lifetime: ${Object.entries(tokenDay.upstreamCallsPerLifetime)
      .map(([api, calls]) => `${api} ${calls}`)
      .join(', ')}`,
    tokenDay.target,
    mark(tokenDay.met),
  ]);
  rows.push([
    '11',
    `JS-SDK tickets over a simulated day (${tokenDay.simulatedHours} h, one corp, a page load every 30 s)`,
    `${tokenDay.ticketFetchesPerDay.corp} corp + ${tokenDay.ticketFetchesPerDay.agent} app ticket fetches a day`,
    'WeCom allows 400 (corp) and 100 (app) an hour',
    '',
    '≤ 13 a day each (one per 2-hour ticket)',
    mark(tokenDay.ticketFetchesPerDay.corp <= 13 && tokenDay.ticketFetchesPerDay.agent <= 13),
  ]);
  rows.push([
    '12',
    `${coldPath.name} (${coldPath.samples}, ${coldPath.memoryMb} MB; CPU: ${coldPath.cpuModel === 'cgroup' ? 'cgroup at Lambda’s share' : 'CPU time scaled to Lambda’s share'})`,
    `p50 ${coldPath.p50Ms} ms, p95 ${coldPath.p95Ms} ms, p99 ${coldPath.p99Ms} ms, max ${coldPath.maxMs} ms`,
    `measured here: node start + import ${coldPath.medianInitMs} ms, handler ${coldPath.medianInvokeMs} ms (medians)`,
    `${coldPath.withinWaitCount}/${coldPath.samples} within 1000 ms; ${coldPath.answeredSuccess} answered success`,
    coldPath.target,
    mark(coldPath.met),
  ]);
  rows.push([
    '8',
    `data callback with event publishing (${publishing.samples} paired)`,
    `p50 ${publishing.withPublishing.p50} ms, p99 ${publishing.withPublishing.p99} ms`,
    `same callback, bus that does nothing: p50 ${publishing.withoutPublishing.p50} ms, p99 ${publishing.withoutPublishing.p99} ms`,
    `+${publishing.addedP50Ms} ms at p50`,
    'measured (no target)',
    '',
  ]);
  printTable(rows);
  console.log(
    `\nMachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}. ${bundleNodeLine(coldStart)} ${results.durationSeconds} s. Full figures: bench/results.json`,
  );
  log('5/5 done.');
};

const {
  only,
  node,
  runtime,
  samples: samplesOption,
  repeat: repeatOption,
  pause: pauseOption,
} = parseArgs({
  options: {
    only: { type: 'string' },
    node: { type: 'string' },
    runtime: { type: 'string' },
    // Row 12 alone (--only cold-path): how many cold callbacks.
    samples: { type: 'string' },
    // Row 5 alone (--only cold-start): how many runs, and the seconds between them.
    repeat: { type: 'string' },
    pause: { type: 'string' },
  },
}).values;

/** `--runtime nodejs22.x`: synthesizes the bundles for another runtime, as `-c lambdaRuntime` does. */
const synthContext = runtime === undefined ? {} : { lambdaRuntime: runtime };

/**
 * `--node <path>`: the node that runs the bundles in rows 5 and 12, so they can be timed on the
 * Node.js major of the functions' runtime (nodejs24.x by default) when this machine's node is
 * another; docs/performance.md says how to get one from the npm registry.
 */
const bundleNode = node === undefined ? {} : { node };
if (node !== undefined) {
  // A wrong path fails here, naming it, rather than in the middle of a row.
  versionOfNode(node);
}

/** `--samples N` (row 12 alone): how many cold callbacks, a positive whole number. */
const coldPathSamples = (() => {
  if (samplesOption === undefined) {
    return 100;
  }
  const samples = Number(samplesOption);
  if (only !== 'cold-path' || !Number.isInteger(samples) || samples < 1) {
    throw new Error(`--samples takes a positive whole number, with --only cold-path; got ${samplesOption}`);
  }
  return samples;
})();

/** `--repeat N` (row 5 alone): how many runs of it, a positive whole number. */
const coldStartRepeat = (() => {
  if (repeatOption === undefined) {
    return 1;
  }
  if (only !== 'cold-start') {
    throw new Error(`--repeat goes with --only cold-start (row 5 alone); got --only ${only ?? '(none)'}`);
  }
  if (!/^[1-9]\d*$/.test(repeatOption)) {
    throw new Error(`--repeat takes a positive whole number; got ${repeatOption}`);
  }
  return Number(repeatOption);
})();

/**
 * `--pause S` (with --repeat): the seconds between runs, 120 unless given, so that the runs fall
 * in different minutes of the machine.
 */
const coldStartPauseSeconds = (() => {
  if (pauseOption === undefined) {
    return 120;
  }
  if (coldStartRepeat < 2) {
    throw new Error('--pause goes with --repeat 2 or more: it is the time between runs');
  }
  if (!/^\d+(\.\d+)?$/.test(pauseOption)) {
    throw new Error(`--pause takes seconds, 0 or more; got ${pauseOption}`);
  }
  return Number(pauseOption);
})();

/** Which node ran the bundles, and a warning when its major is not the functions' runtime's. */
const bundleNodeLine = (measured: readonly { readonly runtime?: string }[]) => {
  const version = versionOfNode(node ?? process.execPath);
  const runtimes = new Set(measured.flatMap((entry) => (entry.runtime === undefined ? [] : [entry.runtime])));
  const others = [...runtimes].filter((name) => name !== `nodejs${/^v(\d+)\./.exec(version)?.[1]}.x`);
  const warning =
    others.length === 0
      ? ''
      : ` The functions run on ${others.join(', ')}, another Node.js major: give --node <path> for a figure of theirs (docs/performance.md).`;
  return `Bundles (rows 5 and 12) ran on Node ${version}.${warning}`;
};

const run = async () => {
  if (only === undefined) {
    await main();
  } else if (only === 'cold-start') {
    await coldStartOnly();
  } else if (only === 'cold-path') {
    await coldPathOnly();
  } else {
    throw new Error(`--only takes cold-start (row 5) or cold-path (row 12); got ${only}`);
  }
};

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
