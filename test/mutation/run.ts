/**
 * `npm run mutate [-- --force] [-- --ignoreStatic] [-- --mutate <glob,...>]`: mutation testing of shared/domain and shared/usecases with
 * Stryker (stryker.config.mjs), then a summary.
 *
 * Writes, under .accord/mutation/:
 * - `latest.json`: `{ mutation: { domain: Score, usecases: Score }, survivors, files: { <path>: Score }, run }`,
 *   where a score is Stryker's: detected (killed + timeout) / (detected + survived + no coverage), in percent;
 *   mutants that do not compile, or that a `// Stryker disable` comment marks as equivalent, are not counted;
 * - `survivors.md`: every surviving mutant (file, line, mutator, replacement), then every mutant marked
 *   equivalent with its reason;
 * - `mutation.json` / `mutation.html`: Stryker's own reports.
 *
 * Incremental: Stryker keeps its previous result in `.accord/mutation/stryker-incremental.json` and re-tests only
 * the mutants whose code or covering tests changed. That file is kept out of git on purpose: it is several
 * megabytes of machine output that every branch touching the domain would change, so it would conflict on every
 * merge, and it is only valid against the exact tree it was made from. A fresh clone pays one full run (measured
 * in README, Mutation testing); every re-run in the same checkout after that is incremental. `--force` re-tests
 * everything.
 *
 * Not a gate: the exit code is Stryker's own (0 unless Stryker itself failed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const OUT = '.accord/mutation';
const REPORT = join(OUT, 'mutation.json');
const INCREMENTAL = join(OUT, 'stryker-incremental.json');

type Status =
  | 'Killed'
  | 'Survived'
  | 'NoCoverage'
  | 'Timeout'
  | 'CompileError'
  | 'RuntimeError'
  | 'Ignored'
  | 'Pending';

interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: Status;
  statusReason?: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

interface MutationReport {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

export interface Score {
  /** Stryker's mutation score in percent (detected / (detected + undetected)); null when nothing counted. */
  score: number | null;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Marked equivalent (`// Stryker disable ... : reason`) or otherwise ignored: not in the score. */
  ignored: number;
  /**
   * Static mutants (code run while a module loads: tables, schemas, constants) left out by `--ignoreStatic`: NOT
   * tested, not in the score. Each one re-runs every test related to its file (about a minute each here), so a
   * partial run may skip them; the score is then that of the other mutants, and this count says how many.
   */
  staticNotRun: number;
  /** Mutants that do not compile (the TypeScript checker) or crash: not in the score. */
  invalid: number;
}

const STATIC_NOT_RUN = /ignoreStatic/;
const isStaticNotRun = (m: Mutant) => m.status === 'Ignored' && STATIC_NOT_RUN.test(m.statusReason ?? '');

function score(mutants: Mutant[]): Score {
  const n = (s: Status) => mutants.filter((m) => m.status === s).length;
  const staticNotRun = mutants.filter(isStaticNotRun).length;
  const s: Score = {
    score: null,
    killed: n('Killed'),
    timeout: n('Timeout'),
    survived: n('Survived'),
    noCoverage: n('NoCoverage'),
    ignored: n('Ignored') - staticNotRun,
    staticNotRun,
    invalid: n('CompileError') + n('RuntimeError'),
  };
  const detected = s.killed + s.timeout;
  const counted = detected + s.survived + s.noCoverage;
  s.score = counted === 0 ? null : Math.round((detected / counted) * 10_000) / 100;
  return s;
}

/** The text a mutant puts in place of the original code, from the report or from the source. */
function replacementOf(m: Mutant): string {
  return (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 160);
}

function originalOf(source: string, m: Mutant): string {
  const lines = source.split('\n');
  const { start, end } = m.location;
  const text =
    start.line === end.line
      ? lines[start.line - 1]!.slice(start.column - 1, end.column - 1)
      : [
          lines[start.line - 1]!.slice(start.column - 1),
          ...lines.slice(start.line, end.line - 1),
          lines[end.line - 1]!.slice(0, end.column - 1),
        ].join('\n');
  return text.replace(/\s+/g, ' ').slice(0, 160);
}

/** Summarises Stryker's JSON report into latest.json and survivors.md; returns the summary. */
export function summarise(reportFile = REPORT, run: Record<string, unknown> = {}) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as MutationReport;
  const entries = Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b));
  const all = (prefix: string) => entries.filter(([f]) => f.startsWith(prefix)).flatMap(([, f]) => f.mutants);
  const files = Object.fromEntries(entries.map(([f, d]) => [f, score(d.mutants)]));
  const undetected = entries.flatMap(([file, d]) =>
    d.mutants
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .map((m) => ({ file, m, source: d.source })),
  );
  const ignored = entries.flatMap(([file, d]) =>
    d.mutants
      .filter((m) => m.status === 'Ignored' && !isStaticNotRun(m))
      .map((m) => ({ file, m, source: d.source })),
  );
  const summary = {
    mutation: { domain: score(all('shared/domain/')), usecases: score(all('shared/usecases/')) },
    survivors: undetected.length,
    files,
    run,
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'latest.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const row = ({ file, m, source }: (typeof undetected)[number]) =>
    `| ${file}:${m.location.start.line} | ${m.mutatorName}${m.status === 'NoCoverage' ? ' (no test runs it)' : ''} | \`${originalOf(source, m).replace(/\|/g, '\\|')}\` | \`${replacementOf(m).replace(/\|/g, '\\|')}\` |`;
  const md = [
    '# Mutation testing: surviving mutants',
    '',
    `domain ${fmt(summary.mutation.domain)}, use cases ${fmt(summary.mutation.usecases)}; ${undetected.length} survivors.`,
    '',
    '## Per file',
    '',
    `Scope of this run: ${String(run.scope ?? 'shared/domain, shared/usecases')}${run.ignoreStatic ? ' (static mutants not run: --ignoreStatic)' : ''}.`,
    '',
    '| file | score | killed | survived | no coverage | equivalent/ignored | static, not run |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...entries.map(
      ([f]) =>
        `| ${f} | ${files[f]!.score ?? '-'} | ${files[f]!.killed + files[f]!.timeout} | ${files[f]!.survived} | ${files[f]!.noCoverage} | ${files[f]!.ignored} | ${files[f]!.staticNotRun} |`,
    ),
    '',
    '## Survivors',
    '',
    '| where | mutator | original | replacement |',
    '| --- | --- | --- | --- |',
    ...undetected.map(row),
    '',
    '## Marked equivalent (not counted)',
    '',
    '| where | mutator | original | reason |',
    '| --- | --- | --- | --- |',
    ...ignored.map(
      ({ file, m, source }) =>
        `| ${file}:${m.location.start.line} | ${m.mutatorName} | \`${originalOf(source, m).replace(/\|/g, '\\|')}\` | ${(m.statusReason ?? '').replace(/\|/g, '\\|')} |`,
    ),
    '',
  ].join('\n');
  writeFileSync(join(OUT, 'survivors.md'), md);
  return summary;
}

const fmt = (s: Score) =>
  `${s.score ?? '-'} % (${s.killed + s.timeout} killed, ${s.survived} survived, ${s.noCoverage} not covered${s.staticNotRun ? `, ${s.staticNotRun} static not run` : ''})`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  if (args[0] === '--summarise-only') {
    // Re-summarises the last report, keeping the last run's description (scope, mode, time).
    const previous = existsSync(join(OUT, 'latest.json'))
      ? (JSON.parse(readFileSync(join(OUT, 'latest.json'), 'utf8')).run ?? {})
      : {};
    const s = summarise(REPORT, previous);
    console.log(`domain ${fmt(s.mutation.domain)}\nuse cases ${fmt(s.mutation.usecases)}`);
    process.exit(0);
  }
  mkdirSync(OUT, { recursive: true });
  const incremental = existsSync(INCREMENTAL) && !args.includes('--force');
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', ...args],
    {
      stdio: 'inherit',
    },
  );
  const seconds = Math.round((performance.now() - t0) / 1000);
  if (r.status !== 0 || !existsSync(REPORT)) {
    console.error(`stryker failed (exit ${r.status}); no summary written`);
    process.exit(r.status || 1);
  }
  const only = args.indexOf('--mutate');
  const s = summarise(REPORT, {
    mode: incremental ? 'incremental' : 'full',
    // `--mutate <globs>` tests a part only: the scores are then those of that part, not of the whole layer.
    scope: only >= 0 ? args[only + 1] : 'shared/domain, shared/usecases',
    ignoreStatic: args.includes('--ignoreStatic'),
    // Partial: `mutation.domain` / `mutation.usecases` are then the scores of the scope only, not of the layers.
    partial: only >= 0 || args.includes('--ignoreStatic'),
    seconds,
    finishedAt: new Date().toISOString(),
  });
  console.log(
    `\nmutation score: domain ${fmt(s.mutation.domain)}\n                use cases ${fmt(s.mutation.usecases)}\n${s.survivors} survivors listed in ${join(OUT, 'survivors.md')} (${incremental ? 'incremental' : 'full'} run, ${seconds} s)`,
  );
}
