/**
 * `npm run bench [-- <suite> ... [--samples N]]`: runs the benchmark suites (all by default), prints a table per suite with
 * each figure's target, and records every figure in .accord/bench/latest.json as
 * `{"results": [{"name", "value", "unit", "suite", "measuredAt", "target"?, "met"?}], "suites": {...}}`.
 * A suite that fails or is skipped leaves none of its figures behind (its status says `failed` or `skipped` and why).
 * Targets are data on each entry (`target: {op, limit}`); the table prints value, target and met/MISSED apart.
 * Speed and memory targets are checked here, never in timed tests. Not a gate (`npm test` does not run it), but
 * the exit code tells, after every suite asked for has run: 0 all met, 1 a suite failed, 3 a target was missed.
 * With more than one suite, each runs in a process of its own (this script again, one suite), so a suite's peak RSS
 * is its own: run in one process, the ingest suite's buffers raised the workflows suite's peak from 298 to 708 MB.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchEntry, exitCode, LATEST, report, reportFailure, reportSkipped } from './report.js';

interface Suite {
  name: string;
  module: string;
  fn: string;
}

const SUITES: Suite[] = [
  { name: 'api', module: './api.ts', fn: 'benchApi' },
  { name: 'coldstart', module: './coldstart.ts', fn: 'benchColdStart' },
  { name: 'ingest', module: './ingest.ts', fn: 'benchIngest' },
  { name: 'evaluate', module: './evaluate.ts', fn: 'benchEvaluate' },
  { name: 'reports', module: './reports.ts', fn: 'benchReports' },
  { name: 'workflows', module: './workflows.ts', fn: 'benchWorkflows' },
  { name: 'console', module: './console.ts', fn: 'benchConsole' },
  { name: 'chain', module: './chain.ts', fn: 'benchChain' },
  { name: 'ecosystem', module: './ecosystem.ts', fn: 'benchEcosystem' },
  { name: 'ingest-path', module: './ingest-path.ts', fn: 'benchIngestPath' },
];

// Suite names; an option's value (`--samples 200000`) is the suite's to read, not a suite name.
const args = process.argv.slice(2);
const wanted = args.filter((a, i) => !a.startsWith('-') && !(i > 0 && /^--[^=]+$/.test(args[i - 1]!)));
const suites = SUITES.filter((s) => wanted.length === 0 || wanted.includes(s.name));
const unknown = wanted.filter((w) => !SUITES.some((s) => s.name === w));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

if (suites.length > 1) {
  const options = args.filter((a) => !wanted.includes(a));
  const codes = suites.map(
    (suite) =>
      spawnSync(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), suite.name, ...options],
        {
          stdio: 'inherit',
        },
      ).status ?? 1,
  );
  const failedSuites = suites.filter((_, i) => codes[i] !== 0 && codes[i] !== 3).map((s) => s.name);
  const missedSuites = suites.filter((_, i) => codes[i] === 3).map((s) => s.name);
  console.log(`\n${suites.length} suites, each in its own process; figures in ${LATEST}`);
  if (missedSuites.length) console.log(`suites with a target missed: ${missedSuites.join(', ')}`);
  if (failedSuites.length) console.log(`suites failed: ${failedSuites.join(', ')}`);
  process.exit(exitCode(failedSuites.length, missedSuites.length));
}

const failed: string[] = [];
const missed: string[] = [];
for (const suite of suites) {
  const url = new URL(suite.module, import.meta.url);
  if (!existsSync(url)) {
    console.log(`\n## ${suite.name}: skipped, not present (${suite.module})`);
    reportSkipped(suite.name, `not present (${suite.module})`);
    failed.push(`${suite.name} (skipped)`);
    continue;
  }
  console.log(`\n## ${suite.name}`);
  try {
    const mod = (await import(url.href)) as Record<string, () => Promise<BenchEntry[]>>;
    const entries = await mod[suite.fn]!();
    missed.push(...report(suite.name, entries));
  } catch (err) {
    failed.push(suite.name);
    reportFailure(suite.name, err);
    console.error(`${suite.name} failed (its figures are removed from ${LATEST}):`, err);
  }
}
console.log(`\nwritten to ${LATEST}`);
if (missed.length) console.log(`targets missed:\n  ${missed.join('\n  ')}`);
if (failed.length) console.log(`suites failed: ${failed.join(', ')}`);
process.exit(exitCode(failed.length, missed.length));
