/**
 * `npm run mutate [-- --force] [-- --ignoreStatic] [-- --mutate <file|glob,...>] [-- --each] [-- --score]`:
 * mutation testing of shared/domain and shared/usecases with Stryker (stryker.config.mjs), results kept in the
 * ledger (test/mutation/ledger.ts says what it holds and why), then a summary of the whole layers from it.
 *
 * - `--mutate a.ts,b.ts`: mutate those files (or globs) only; every other file keeps its ledger entry.
 * - `--each`: one Stryker process per file of the `--mutate` list, each merged into the ledger as soon as it ends,
 *   so a run stopped part-way keeps every file it finished (each process pays its own set-up, docs/mutation.md).
 * - `--ignoreStatic`: leave static mutants (module-load code) untested; the entry says so and counts them.
 * - `--force`: re-test everything in scope, reusing nothing from the ledger.
 * - `--score`: run nothing; re-summarise the ledger.
 * - `--sample <n> [--seed <s>] [--layer domain|usecases] [--ignoreStatic]`: estimate each layer's score from a
 *   random sample of its mutants (test/mutation/sample.ts); records nothing into the ledger.
 *
 * Before each Stryker process the incremental file `.accord/mutation/stryker-incremental.json` is rebuilt from
 * the ledger (old sources from git), so Stryker re-tests only mutants whose code or covering tests changed since
 * their entry; after it, the entries of the files in scope are rewritten from Stryker's new incremental file.
 *
 * Writes, under .accord/mutation/:
 * - `latest.json`: `{ mutation: { domain, usecases }, survivors, files, run }`: `mutation.*` are the layers'
 *   scores from the ledger (Stryker's: detected (killed + timeout) / (detected + survived + no coverage), in
 *   percent, summed over the files that have an entry), with the files scored, stale (entry made from an older
 *   source) and unscored (no entry: not in the score); `files` each file's entry score with its date and commit;
 *   `run` what this run did (scope, seconds, its own scores);
 * - `survivors.md`: every surviving mutant in the ledger (file, line, mutator, original, replacement), then every
 *   mutant marked equivalent with its reason, then the unscored files;
 * - `mutation.json` / `mutation.html`: Stryker's own reports of the last process.
 *
 * Not a gate: the exit code is Stryker's own (0 unless Stryker itself failed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkerNeeded, checkerTsconfig, scopedTsconfig } from './checker.js';
import {
  gitBlobId,
  type IncrementalReport,
  isStaticNotRun,
  keepCompileErrors,
  type LedgerEntry,
  type LedgerMutant,
  layerScores,
  type Score,
  score,
  toEntry,
  toIncremental,
} from './ledger.js';

/** Where the run writes (ACCORD_MUTATION_OUT, default .accord/mutation; stryker.config.mjs reads the same). */
export const OUT = process.env.ACCORD_MUTATION_OUT || '.accord/mutation';
export const LEDGER = 'test/mutation/ledger';
const INCREMENTAL = join(OUT, 'stryker-incremental.json');
const LAYERS = { domain: 'shared/domain', usecases: 'shared/usecases' } as const;

const readText = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

function git(...args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('git', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: r.stdout ?? '' };
}

function walk(dir: string, keep: (f: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name), keep) : [join(dir, d.name)]))
    .filter(keep)
    .sort();
}

/** The files Stryker mutates in a layer (stryker.config.mjs `mutate`: `<layer>/**\/*.ts`). */
export const layerFiles = (root: string) => walk(root, (f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));

/** Every ledger entry. */
export function readLedger(dir = LEDGER): LedgerEntry[] {
  return walk(dir, (f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(f, 'utf8')) as LedgerEntry);
}

/** The entry as written to git: one test and one mutant a line, so a re-run's diff shows what changed. */
export function formatEntry(entry: LedgerEntry): string {
  const { tests, mutants, ...head } = entry;
  const list = (items: string[]) =>
    items.length ? `[\n${items.map((s) => `    ${s}`).join(',\n')}\n  ]` : '[]';
  return [
    '{',
    ...Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`),
    `  "tests": ${list(tests.map((t) => JSON.stringify(t)))},`,
    `  "mutants": ${list(mutants.map((m: LedgerMutant) => JSON.stringify(m)))}`,
    '}',
    '',
  ].join('\n');
}

function writeEntry(entry: LedgerEntry) {
  const path = join(LEDGER, `${entry.file}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, formatEntry(entry));
}

const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*\//g, '\0')
      .replace(/\*\*/g, '.*')
      .replace(/\*/g, '[^/]*')
      .replace(/\0/g, '(?:.*/)?')}$`,
  );

/** The layer files a `--mutate` list names (plain paths or globs; a `:line` range suffix is ignored). */
export function scopeFiles(mutate: string | undefined, all: string[]): string[] {
  if (!mutate) return all;
  const patterns = mutate.split(',').map((p) => globToRegExp(p.trim().replace(/:[\d:-]+$/, '')));
  return all.filter((f) => patterns.some((re) => re.test(f)));
}

function originalOf(source: string, [sl, sc, el, ec]: LedgerMutant['location']): string {
  const lines = source.split('\n');
  const text =
    sl === el
      ? (lines[sl - 1] ?? '').slice(sc - 1, ec - 1)
      : [
          (lines[sl - 1] ?? '').slice(sc - 1),
          ...lines.slice(sl, el - 1),
          (lines[el - 1] ?? '').slice(0, ec - 1),
        ].join('\n');
  return text.replace(/\s+/g, ' ').slice(0, 160);
}

const fmt = (s: Score) =>
  `${s.score ?? '-'} % (${s.killed + s.timeout} killed, ${s.survived} survived, ${s.noCoverage} not covered${s.staticNotRun ? `, ${s.staticNotRun} static not run` : ''})`;

/**
 * Summarises the ledger into latest.json and survivors.md; returns the summary. `run` describes the run that just
 * ended (or is empty for `--score`).
 */
export function summarise(run: Record<string, unknown> = {}) {
  const entries = readLedger().sort((a, b) => a.file.localeCompare(b.file));
  const current = (f: string) => {
    const t = readText(f);
    return t === undefined ? undefined : gitBlobId(t);
  };
  const layers = layerScores(
    entries,
    { domain: layerFiles(LAYERS.domain), usecases: layerFiles(LAYERS.usecases) },
    current,
  );
  const files = Object.fromEntries(
    entries.map((e) => [
      e.file,
      { ...e.score, measuredAt: e.measuredAt, commit: e.commit, stale: current(e.file) !== e.blob },
    ]),
  );
  const rows = (pick: (m: LedgerMutant) => boolean) =>
    entries.flatMap((e) => {
      const source = current(e.file) === e.blob ? readText(e.file) : undefined;
      return e.mutants
        .filter(pick)
        .map((m) => ({ e, m, original: source ? originalOf(source, m.location) : '(stale)' }));
    });
  const undetected = rows((m) => m.status === 'Survived' || m.status === 'NoCoverage');
  const ignored = rows((m) => m.status === 'Ignored' && !isStaticNotRun(m));
  const summary = { mutation: layers, survivors: undetected.length, files, run };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'latest.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const md = [
    '# Mutation testing: the ledger',
    '',
    `domain ${fmt(layers.domain!)} over ${layers.domain!.scored + layers.domain!.stale.length} of ${layers.domain!.files} files; use cases ${fmt(layers.usecases!)} over ${layers.usecases!.scored + layers.usecases!.stale.length} of ${layers.usecases!.files} files; ${undetected.length} survivors.`,
    '',
    '## Per file',
    '',
    '| file | score | killed | survived | no coverage | equivalent | static, not run | measured | commit |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...entries.map(
      (e) =>
        `| ${e.file}${files[e.file]!.stale ? ' (stale)' : ''} | ${e.score.score ?? '-'} | ${e.score.killed + e.score.timeout} | ${e.score.survived} | ${e.score.noCoverage} | ${e.score.ignored} | ${e.score.staticNotRun} | ${e.measuredAt} | ${e.commit.slice(0, 7)}${e.dirty ? '+' : ''} |`,
    ),
    '',
    '## Survivors',
    '',
    '| where | mutator | original | replacement |',
    '| --- | --- | --- | --- |',
    ...undetected.map(
      ({ e, m, original }) =>
        `| ${e.file}:${m.location[0]} | ${m.mutatorName}${m.status === 'NoCoverage' ? ' (no test runs it)' : ''} | \`${cell(original)}\` | \`${cell(m.replacement.replace(/\s+/g, ' ').slice(0, 160))}\` |`,
    ),
    '',
    '## Marked equivalent (not counted)',
    '',
    '| where | mutator | original | reason |',
    '| --- | --- | --- | --- |',
    ...ignored.map(
      ({ e, m, original }) =>
        `| ${e.file}:${m.location[0]} | ${m.mutatorName} | \`${cell(original)}\` | ${cell(m.statusReason ?? '')} |`,
    ),
    '',
    '## Unscored (no entry in the ledger)',
    '',
    ...[...layers.domain!.unscored, ...layers.usecases!.unscored].map((f) => `- ${f}`),
    '',
  ].join('\n');
  writeFileSync(join(OUT, 'survivors.md'), md);
  return summary;
}

/** Rebuilds Stryker's incremental file from the ledger; logs what cannot be reused. */
function restoreIncremental() {
  const { report, notes } = toIncremental(readLedger(), {
    current: readText,
    blob: (id) => {
      const r = git('cat-file', 'blob', id);
      return r.ok ? r.out : undefined;
    },
  });
  writeFileSync(INCREMENTAL, JSON.stringify(report));
  const n = Object.keys(report.files).length;
  console.log(
    `ledger: ${n} file(s) restored for reuse${notes.lost.length ? `; source no longer in git, re-tested from scratch: ${notes.lost.join(', ')}` : ''}${notes.changedTestFiles.length ? `; test files changed since measured (their tests' results not reused): ${notes.changedTestFiles.length}` : ''}`,
  );
}

/** One Stryker process over `scope` (undefined: the whole layers); merges its files into the ledger. */
/** The options `npm run mutate` accepts (node:util parseArgs); anything else is refused with exit 2. */
const CLI_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  force: { type: 'boolean' },
  ignoreStatic: { type: 'boolean' },
  each: { type: 'boolean' },
  mutate: { type: 'string' },
  score: { type: 'boolean' },
  'summarise-only': { type: 'boolean' },
  import: { type: 'boolean' },
  sample: { type: 'string' },
  seed: { type: 'string' },
  layer: { type: 'string' },
} as const;

function runStryker(args: string[], scope: string[] | undefined, all: string[]) {
  const force = args.includes('--force');
  mkdirSync(OUT, { recursive: true });
  if (force) rmSync(INCREMENTAL, { force: true });
  else restoreIncremental();
  const strykerArgs = args.filter((a) => a !== '--each');
  if (scope) {
    const at = strykerArgs.indexOf('--mutate');
    if (at >= 0) strykerArgs.splice(at, 2);
    strykerArgs.push('--mutate', scope.join(','));
  }
  // A re-run of files whose source is the one measured (tests changed, not code) needs no checker (checker.ts).
  const files = scope ?? all;
  const previous = new Map(readLedger().map((e) => [e.file, e]));
  const check =
    force ||
    checkerNeeded(
      files,
      (f) => previous.get(f)?.blob,
      (f) => {
        const t = readText(f);
        return t === undefined ? undefined : gitBlobId(t);
      },
    );
  if (!check)
    console.log(
      `ledger: sources unchanged since measured: no type checker, their compile errors kept from the ledger`,
    );
  // A run over a few files checks them in a program of their own (checker.ts says why).
  const scoped = scope ? scopedTsconfig(scope, basename(OUT)) : undefined;
  if (scoped) {
    mkdirSync(dirname(scoped.path), { recursive: true });
    writeFileSync(scoped.path, scoped.json);
  }
  const t0 = performance.now();
  const before = existsSync(INCREMENTAL) ? statSync(INCREMENTAL).mtimeMs : 0;
  const r = spawnSync(
    process.execPath,
    ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', ...strykerArgs],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        ACCORD_MUTATION_TSCONFIG: scoped?.path ?? checkerTsconfig(files),
        ...(check ? {} : { ACCORD_MUTATION_CHECKER: 'off' }),
      },
    },
  );
  const seconds = Math.round((performance.now() - t0) / 1000);
  if (r.status !== 0 || !existsSync(INCREMENTAL) || statSync(INCREMENTAL).mtimeMs <= before) {
    console.error(`stryker failed or tested nothing (exit ${r.status}); the ledger is unchanged`);
    return { ok: false as const, status: r.status || 1 };
  }
  const report = JSON.parse(readFileSync(INCREMENTAL, 'utf8')) as IncrementalReport;
  const head = git('rev-parse', 'HEAD').out.trim();
  const measuredAt = new Date().toISOString();
  const load = Math.round(loadavg()[0]! * 10) / 10;
  const scores: Record<string, Score> = {};
  const recorded: LedgerEntry[] = [];
  for (const file of files) {
    const data = report.files[file];
    const testFiles = Object.keys(report.testFiles ?? {});
    const dirty = git('status', '--porcelain', '--', file, ...testFiles).out.trim() !== '';
    const meta = {
      measuredAt,
      commit: head,
      dirty,
      ignoreStatic: args.includes('--ignoreStatic'),
      runSeconds: seconds,
      load,
    };
    // A file in scope that Stryker reports nothing for has no mutant (types only): an empty entry scores it.
    const entry = data
      ? toEntry(report, file, meta)
      : toEntry({ ...report, files: { [file]: { source: readText(file) ?? '', mutants: [] } } }, file, meta);
    const kept = check ? entry : keepCompileErrors(entry, previous.get(file));
    writeEntry(kept);
    recorded.push(kept);
    scores[file] = kept.score;
  }
  const runScore = score(recorded.flatMap((e) => e.mutants));
  return { ok: true as const, seconds, scores, runScore };
}

/**
 * `--import <stryker-incremental.json> [--mutate <files>]`: records, from a report of an earlier run (made before
 * the ledger existed, or in another checkout), the entries of the files whose source in it is the current one;
 * dated by the report file's modification time. A file whose source differs is skipped: its results are not
 * this code's.
 */
function importReport(path: string, files: string[]) {
  const report = JSON.parse(readFileSync(path, 'utf8')) as IncrementalReport;
  const measuredAt = statSync(path).mtime.toISOString();
  const head = git('rev-parse', 'HEAD').out.trim();
  for (const file of files) {
    const data = report.files[file];
    if (!data) continue;
    const now = readText(file);
    if (now === undefined || gitBlobId(now) !== gitBlobId(data.source)) {
      console.log(`import: ${file} skipped: its source changed since that report`);
      continue;
    }
    const dirty = git('status', '--porcelain', '--', file).out.trim() !== '';
    const entry = toEntry(report, file, {
      measuredAt,
      commit: head,
      dirty,
      ignoreStatic: data.mutants.some(isStaticNotRun),
    });
    writeEntry(entry);
    console.log(`import: ${file} recorded (${fmt(entry.score)})`);
  }
  summarise({ mode: 'import', from: path });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const usage = readFileSync(new URL(import.meta.url), 'utf8')
    .split('*/')[0]!
    .replace(/^\/\*\*\n| \* ?/gm, '');
  try {
    // Refuse what the run does not know before anything runs: an unknown option (even `--help`) once reached
    // Stryker, which printed its help and exited 0, and the ledger was rewritten from the unchanged incremental file.
    const { values } = parseArgs({ args, options: CLI_OPTIONS, allowPositionals: true, strict: true });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if (args.includes('--sample')) {
    const { sample } = await import('./sample.js');
    process.exit(await sample(args));
  }
  if (args[0] === '--summarise-only' || args[0] === '--score') {
    const s = summarise({ mode: 'ledger only' });
    console.log(`domain ${fmt(s.mutation.domain!)}\nuse cases ${fmt(s.mutation.usecases!)}`);
    process.exit(0);
  }
  const all = [...layerFiles(LAYERS.domain), ...layerFiles(LAYERS.usecases)];
  const only = args.indexOf('--mutate');
  const scope = only >= 0 ? scopeFiles(args[only + 1], all) : undefined;
  if (args[0] === '--import') {
    importReport(args[1] ?? INCREMENTAL, scope ?? all);
    process.exit(0);
  }
  if (scope && scope.length === 0) {
    console.error(`--mutate ${args[only + 1]} names no file of shared/domain or shared/usecases`);
    process.exit(2);
  }
  const batches = args.includes('--each') ? (scope ?? all).map((f) => [f]) : [scope];
  const t0 = performance.now();
  const done: Record<string, Score> = {};
  let status = 0;
  for (const batch of batches) {
    const r = runStryker(args, batch, all);
    if (!r.ok) {
      status = r.status;
      break;
    }
    Object.assign(done, r.scores);
    console.log(`ledger: ${Object.keys(r.scores).length} file(s) recorded in ${r.seconds} s`);
  }
  const seconds = Math.round((performance.now() - t0) / 1000);
  const s = summarise({
    scope: scope ? scope.join(',') : 'shared/domain, shared/usecases',
    each: args.includes('--each'),
    ignoreStatic: args.includes('--ignoreStatic'),
    force: args.includes('--force'),
    seconds,
    load: loadavg().map((l) => Math.round(l * 10) / 10),
    finishedAt: new Date().toISOString(),
    files: done,
  });
  console.log(
    `\nledger: domain ${fmt(s.mutation.domain!)}, ${s.mutation.domain!.unscored.length} of ${s.mutation.domain!.files} files unscored\n        use cases ${fmt(s.mutation.usecases!)}, ${s.mutation.usecases!.unscored.length} of ${s.mutation.usecases!.files} files unscored\n${s.survivors} survivors listed in ${join(OUT, 'survivors.md')} (${seconds} s)`,
  );
  process.exit(status);
}
