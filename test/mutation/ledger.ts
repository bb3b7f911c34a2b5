/**
 * The mutation ledger: per-file mutation results kept in git (`test/mutation/ledger/<source path>.json`), so that
 * results accumulate across sessions and clones instead of living in one checkout's `.accord/`.
 *
 * One entry per mutated source file holds what Stryker needs to reuse a result and nothing it can rebuild:
 * - the git blob id of the source as it was mutated (not its text: git already has it, `git cat-file blob <id>`),
 * - each mutant (mutator, replacement, location, status, whether it is static, the tests that covered and killed
 *   it, as indexes into the entry's own test list; the reason only where it says something: survivors and mutants
 *   marked equivalent),
 * - the blob id of every test file whose tests covered a mutant,
 * - when and where it was measured (date, commit, whether the tree was dirty, run time, load average).
 *
 * Before a run, {@link toIncremental} turns the ledger into Stryker's incremental report: the old source comes
 * back from git (or is the current file when unchanged); a test whose file changed since the measurement is
 * dropped from the entry's coverage (Stryker's vitest runner reports no test locations, so Stryker itself treats
 * any change in a test file as a change of every test in it): a mutant it killed is then tested again, a mutant
 * it covered and that survived is too. Stryker's own diff does the rest, mutant by mutant.
 * After a run, {@link toEntry} turns Stryker's incremental report back into an entry for each file the run
 * mutated; files outside the run's scope keep their entry and its date.
 *
 * The whole-layer score ({@link layerScores}) is the sum over entries, with the files that have no entry
 * (unscored) and those whose source changed since their entry (stale) counted apart.
 */
import { createHash } from 'node:crypto';

export type Status =
  | 'Killed'
  | 'Survived'
  | 'NoCoverage'
  | 'Timeout'
  | 'CompileError'
  | 'RuntimeError'
  | 'Ignored'
  | 'Pending';

interface Position {
  line: number;
  column: number;
}

/** A mutant as Stryker's report (mutation-testing-report-schema, version 2) holds it. */
export interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: Status;
  statusReason?: string;
  static?: boolean;
  testsCompleted?: number;
  coveredBy?: string[];
  killedBy?: string[];
  location: { start: Position; end: Position };
}

/** Stryker's incremental report (`.accord/mutation/stryker-incremental.json`): the part the ledger uses. */
export interface IncrementalReport {
  schemaVersion: string;
  thresholds?: { high: number; low: number };
  projectRoot?: string;
  files: Record<string, { language?: string; source: string; mutants: ReportMutant[] }>;
  testFiles?: Record<string, { source?: string; tests: { id: string; name: string }[] }>;
}

/** One mutant in the ledger; `location` is `[startLine, startColumn, endLine, endColumn]` (1-based, Stryker's). */
export interface LedgerMutant {
  mutatorName: string;
  replacement: string;
  location: [number, number, number, number];
  status: Status;
  /** Kept for survivors, no-coverage and ignored (the equivalence reason) mutants only. */
  statusReason?: string;
  static?: true;
  testsCompleted?: number;
  /** Indexes into {@link LedgerEntry.tests}. */
  coveredBy?: number[];
  killedBy?: number[];
}

/** What a score counts (see {@link score}). */
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
   * tested, not in the score.
   */
  staticNotRun: number;
  /** Mutants that do not compile (the TypeScript checker) or crash: not in the score. */
  invalid: number;
}

/** The per-file record committed under `test/mutation/ledger/`. */
export interface LedgerEntry {
  file: string;
  /** Git blob id (sha1) of the source that was mutated. */
  blob: string;
  /** ISO 8601 time the run that produced this entry finished. */
  measuredAt: string;
  /** HEAD when measured; `dirty` says whether this file or one of its test files differed from it. */
  commit: string;
  dirty: boolean;
  ignoreStatic: boolean;
  /** Wall-clock seconds of the Stryker run that produced the entry (shared with the other files of that run). */
  runSeconds?: number;
  /** One-minute load average when the run ended. */
  load?: number;
  score: Score;
  /** Blob id of each test file whose tests are referenced below, as it was when measured. */
  testFiles: Record<string, string>;
  /** Tests, as `<test file>\n<test name>` (Stryker's identity for a test without a location). */
  tests: string[];
  mutants: LedgerMutant[];
}

const STATIC_NOT_RUN = /ignoreStatic/;

/** A static mutant that `--ignoreStatic` left untested. */
export const isStaticNotRun = (m: { status: Status; statusReason?: string }) =>
  m.status === 'Ignored' && STATIC_NOT_RUN.test(m.statusReason ?? '');

/**
 * Stryker's mutation score over some mutants: (killed + timeout) / (killed + timeout + survived + no coverage), in
 * percent rounded to 0.01; compile errors, runtime errors and ignored mutants are not counted.
 */
export function score(mutants: { status: Status; statusReason?: string }[]): Score {
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
  return withPercent(s);
}

function withPercent(s: Score): Score {
  const detected = s.killed + s.timeout;
  const counted = detected + s.survived + s.noCoverage;
  return { ...s, score: counted === 0 ? null : Math.round((detected / counted) * 10_000) / 100 };
}

/** Sum of scores, its percent recomputed from the sums. */
export function addScores(scores: Score[]): Score {
  const zero: Score = {
    score: null,
    killed: 0,
    timeout: 0,
    survived: 0,
    noCoverage: 0,
    ignored: 0,
    staticNotRun: 0,
    invalid: 0,
  };
  const sum = { ...zero };
  for (const s of scores) {
    sum.killed += s.killed;
    sum.timeout += s.timeout;
    sum.survived += s.survived;
    sum.noCoverage += s.noCoverage;
    sum.ignored += s.ignored;
    sum.staticNotRun += s.staticNotRun;
    sum.invalid += s.invalid;
  }
  return withPercent(sum);
}

/** Git's blob id of a text: sha1 over `blob <byte length>\0<bytes>` (what `git hash-object` prints). */
export function gitBlobId(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

const testKey = (file: string, name: string) => `${file}\n${name}`;
const KEEP_REASON = new Set<Status>(['Survived', 'NoCoverage', 'Ignored']);

/**
 * The ledger entry for `file` from Stryker's incremental report of a run that mutated it.
 * @throws Error when the report has no such file.
 */
export function toEntry(
  report: IncrementalReport,
  file: string,
  meta: Pick<LedgerEntry, 'measuredAt' | 'commit' | 'dirty' | 'ignoreStatic' | 'runSeconds' | 'load'>,
): LedgerEntry {
  const data = report.files[file];
  if (!data) throw new Error(`the report has no results for ${file}`);
  const byId = new Map<string, { file: string; name: string }>();
  for (const [testFile, t] of Object.entries(report.testFiles ?? {})) {
    for (const test of t.tests) byId.set(test.id, { file: testFile, name: test.name });
  }
  const tests: string[] = [];
  const index = new Map<string, number>();
  const testFiles: Record<string, string> = {};
  const ref = (id: string): number | undefined => {
    const t = byId.get(id);
    if (!t) return undefined;
    const key = testKey(t.file, t.name);
    let i = index.get(key);
    if (i === undefined) {
      i = tests.push(key) - 1;
      index.set(key, i);
      const source = report.testFiles?.[t.file]?.source;
      if (source !== undefined) testFiles[t.file] = gitBlobId(source);
    }
    return i;
  };
  const refs = (ids: string[] | undefined) => {
    const out = (ids ?? []).map(ref).filter((i): i is number => i !== undefined);
    return out.length ? [...new Set(out)].sort((a, b) => a - b) : undefined;
  };
  const mutants = [...data.mutants]
    .sort(
      (a, b) =>
        a.location.start.line - b.location.start.line ||
        a.location.start.column - b.location.start.column ||
        a.mutatorName.localeCompare(b.mutatorName) ||
        (a.replacement ?? '').localeCompare(b.replacement ?? ''),
    )
    .map((m): LedgerMutant => {
      const out: LedgerMutant = {
        mutatorName: m.mutatorName,
        replacement: m.replacement ?? m.mutatorName,
        location: [
          m.location.start.line,
          m.location.start.column,
          m.location.end.line,
          m.location.end.column,
        ],
        status: m.status,
      };
      if (KEEP_REASON.has(m.status) && m.statusReason) out.statusReason = m.statusReason;
      if (m.static) out.static = true;
      if (m.testsCompleted !== undefined) out.testsCompleted = m.testsCompleted;
      const coveredBy = refs(m.coveredBy);
      const killedBy = refs(m.killedBy);
      if (coveredBy) out.coveredBy = coveredBy;
      if (killedBy) out.killedBy = killedBy;
      return out;
    });
  return {
    file,
    blob: gitBlobId(data.source),
    ...meta,
    score: score(data.mutants),
    testFiles: Object.fromEntries(Object.entries(testFiles).sort(([a], [b]) => a.localeCompare(b))),
    tests,
    mutants,
  };
}

/** What {@link toIncremental} reads from the working tree and from git. */
export interface SourceAccess {
  /** The current text of a file, or undefined when it does not exist. */
  current(path: string): string | undefined;
  /** The text of a git blob, or undefined when the repository does not have it. */
  blob(id: string): string | undefined;
}

/** What {@link toIncremental} could not reuse, for the run's log. */
export interface RestoreNotes {
  /** Entries whose source blob is in neither the tree nor git: their file is mutated from scratch. */
  lost: string[];
  /** Entries whose file no longer exists. */
  gone: string[];
  /** Test files changed since some entry measured them (their tests' results are not reused). */
  changedTestFiles: string[];
}

/**
 * Stryker's incremental report rebuilt from ledger entries, against the current tree: each entry's source as it
 * was mutated (from git), its mutants with their coverage and killing tests, minus the tests whose file changed
 * since (Stryker then re-tests what they killed or covered). Test files are given with their current text, so
 * Stryker sees them unchanged; the change was accounted for by dropping those references.
 */
export function toIncremental(
  entries: LedgerEntry[],
  access: SourceAccess,
): { report: IncrementalReport; notes: RestoreNotes } {
  const notes: RestoreNotes = { lost: [], gone: [], changedTestFiles: [] };
  const files: IncrementalReport['files'] = {};
  const testIds = new Map<string, string>();
  const testFiles: NonNullable<IncrementalReport['testFiles']> = {};
  const currentBlob = new Map<string, string | undefined>();
  const blobOfCurrent = (path: string) => {
    if (!currentBlob.has(path)) {
      const text = access.current(path);
      currentBlob.set(path, text === undefined ? undefined : gitBlobId(text));
    }
    return currentBlob.get(path);
  };
  const changed = new Set<string>();
  for (const entry of entries) {
    const now = access.current(entry.file);
    if (now === undefined) {
      notes.gone.push(entry.file);
      continue;
    }
    const source = gitBlobId(now) === entry.blob ? now : access.blob(entry.blob);
    if (source === undefined) {
      notes.lost.push(entry.file);
      continue;
    }
    const idOf = (i: number): string | undefined => {
      const key = entry.tests[i];
      if (key === undefined) return undefined;
      const file = key.slice(0, key.indexOf('\n'));
      const recorded = entry.testFiles[file];
      if (recorded === undefined || blobOfCurrent(file) !== recorded) {
        changed.add(file);
        return undefined;
      }
      let id = testIds.get(key);
      if (id === undefined) {
        id = String(testIds.size);
        testIds.set(key, id);
        const name = key.slice(file.length + 1);
        const tf = testFiles[file] ?? { source: access.current(file) ?? '', tests: [] };
        tf.tests.push({ id, name });
        testFiles[file] = tf;
      }
      return id;
    };
    const ids = (is: number[] | undefined) =>
      (is ?? []).map(idOf).filter((x): x is string => x !== undefined);
    files[entry.file] = {
      language: 'typescript',
      source,
      mutants: entry.mutants.map((m, i) => {
        const [sl, sc, el, ec] = m.location;
        const out: ReportMutant = {
          id: String(i),
          mutatorName: m.mutatorName,
          replacement: m.replacement,
          status: m.status,
          location: { start: { line: sl, column: sc }, end: { line: el, column: ec } },
          coveredBy: ids(m.coveredBy),
          killedBy: ids(m.killedBy),
        };
        if (m.statusReason !== undefined) out.statusReason = m.statusReason;
        if (m.static) out.static = true;
        if (m.testsCompleted !== undefined) out.testsCompleted = m.testsCompleted;
        return out;
      }),
    };
  }
  notes.changedTestFiles = [...changed].sort();
  return {
    report: { schemaVersion: '2', thresholds: { high: 90, low: 80 }, files, testFiles },
    notes,
  };
}

/** A layer's figure from the ledger. */
export interface LayerScore extends Score {
  /** Files of the layer (the `.ts` files Stryker mutates there). */
  files: number;
  /** Files with an entry whose source is the current one. */
  scored: number;
  /** Files with an entry made from an older version of the source (counted in the score, flagged here). */
  stale: string[];
  /** Files with no entry: not in the score at all. */
  unscored: string[];
  /** Oldest and newest measurement among the entries counted. */
  oldest?: string;
  newest?: string;
}

/**
 * The score of each layer (by path prefix) from the ledger: the sum of its files' entries. A file's entry counts
 * even when its source changed since (it is then listed as stale); a file with no entry is listed as unscored.
 */
export function layerScores(
  entries: LedgerEntry[],
  layers: Record<string, string[]>,
  currentBlob: (path: string) => string | undefined,
): Record<string, LayerScore> {
  const byFile = new Map(entries.map((e) => [e.file, e]));
  return Object.fromEntries(
    Object.entries(layers).map(([name, files]) => {
      const counted = files.map((f) => byFile.get(f)).filter((e): e is LedgerEntry => e !== undefined);
      const stale = counted.filter((e) => currentBlob(e.file) !== e.blob).map((e) => e.file);
      const dates = counted.map((e) => e.measuredAt).sort();
      const layer: LayerScore = {
        ...addScores(counted.map((e) => e.score)),
        files: files.length,
        scored: counted.length - stale.length,
        stale,
        unscored: files.filter((f) => !byFile.has(f)),
      };
      if (dates.length) {
        layer.oldest = dates[0];
        layer.newest = dates[dates.length - 1];
      }
      return [name, layer];
    }),
  );
}

/**
 * `entry` with every mutant that was a compile error in `previous` a compile error again (its coverage, kills and
 * reason dropped) and its score recomputed, when both entries measured the same source (same blob; otherwise
 * `entry` as it is). A mutant is the same one when its mutator, replacement and location are. Used after a run
 * without the type checker (test/mutation/checker.ts): Stryker then runs a former compile error as tests (its
 * incremental diff re-tests a mutant that gained covering tests, and without a checker a compile error gains them),
 * where the ledger keeps what the compiler said of that source.
 */
export function keepCompileErrors(entry: LedgerEntry, previous: LedgerEntry | undefined): LedgerEntry {
  if (!previous || previous.blob !== entry.blob) return entry;
  const key = (m: LedgerMutant) => `${m.mutatorName}\n${m.replacement}\n${m.location.join(',')}`;
  const compileErrors = new Set(previous.mutants.filter((m) => m.status === 'CompileError').map(key));
  if (compileErrors.size === 0) return entry;
  const mutants = entry.mutants.map((m): LedgerMutant => {
    if (!compileErrors.has(key(m)) || m.status === 'CompileError') return m;
    const { mutatorName, replacement, location } = m;
    return {
      mutatorName,
      replacement,
      location,
      status: 'CompileError',
      ...(m.static ? { static: true } : {}),
    };
  });
  return { ...entry, mutants, score: score(mutants) };
}
