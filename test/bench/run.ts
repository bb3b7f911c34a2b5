/**
 * `npm run bench [-- <suite> ...]`: runs the benchmark suites (all by default), prints a table per suite and
 * merges every figure into .accord/bench/latest.json as {"results": [{"name", "value", "unit"}]}.
 * Speed and memory targets are checked here, never in timed tests.
 */
import { existsSync } from 'node:fs';
import { type BenchEntry, LATEST, report } from './report.js';

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
  { name: 'workflows', module: './workflows.ts', fn: 'benchWorkflows' },
];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const suites = SUITES.filter((s) => wanted.length === 0 || wanted.includes(s.name));
const unknown = wanted.filter((w) => !SUITES.some((s) => s.name === w));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const suite of suites) {
  const url = new URL(suite.module, import.meta.url);
  if (!existsSync(url)) {
    console.log(`\n## ${suite.name}: not present (${suite.module})`);
    continue;
  }
  console.log(`\n## ${suite.name}`);
  try {
    const mod = (await import(url.href)) as Record<string, () => Promise<BenchEntry[]>>;
    const entries = await mod[suite.fn]!();
    report(entries);
  } catch (err) {
    failed++;
    console.error(`${suite.name} failed:`, err);
  }
}
console.log(`\nwritten to ${LATEST}`);
process.exit(failed ? 1 : 0);
