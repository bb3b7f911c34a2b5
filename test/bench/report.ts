import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** How a figure is compared with its target's limit: `value op limit`. */
export type Comparator = '<' | '<=' | '>=' | '>';

/** A target a figure should meet: `value op limit` (e.g. p99 `<=` 10 ms, peak RSS `<` 512 MB, `>=` 150,000/s). */
export interface Target {
  op: Comparator;
  limit: number;
}

/**
 * One figure a suite measured: its name (`suite.what.unit`), value, unit (free text after the unit itself, e.g.
 * `s (median of 3)`) and, when it has one, its target as data. The table and the exit code of `npm run bench`
 * report a target missed; the unit text never carries the target.
 */
export interface BenchEntry {
  name: string;
  value: number;
  unit: string;
  target?: Target;
}

/** A figure as stored in latest.json: the entry, the suite that measured it, when, and whether it met its target. */
export interface StoredEntry extends BenchEntry {
  suite: string;
  measuredAt: string;
  met?: boolean;
}

/** A suite's last run: `ok` (every target met), `missed` (which), `failed` (why) or `skipped` (why). */
export interface SuiteStatus {
  status: 'ok' | 'missed' | 'failed' | 'skipped';
  at: string;
  error?: string;
  missed?: string[];
}

export interface Latest {
  results: StoredEntry[];
  suites: Record<string, SuiteStatus>;
}

export const LATEST = '.accord/bench/latest.json';

/** Whether `value` meets `t`. A value that is not a finite number (NaN from an empty run) never meets a target. */
export function meets(value: number, t: Target): boolean {
  if (!Number.isFinite(value)) return false;
  switch (t.op) {
    case '<':
      return value < t.limit;
    case '<=':
      return value <= t.limit;
    case '>=':
      return value >= t.limit;
    case '>':
      return value > t.limit;
  }
}

/** The target as printed: `<= 200`. */
export const targetText = (t: Target): string => `${t.op} ${t.limit}`;

/** One line naming a missed target: `reports.agreement_pdf.ms 210 ms, target <= 200`. */
export const missedText = (e: BenchEntry): string =>
  `${e.name} ${round(e.value)} ${e.unit.split(' ')[0]}, target ${e.target ? targetText(e.target) : '?'}`;

/**
 * Latest.json with `suite`'s figures replaced by `entries` measured at `at` (a figure the suite no longer measures
 * does not linger; figures written before suites were recorded, without a suite, go when a new one has their name)
 * and the suite's status set. Pure: returns a new object and the targets missed.
 */
export function mergeSuite(
  latest: Latest,
  suite: string,
  entries: BenchEntry[],
  at: string,
): { latest: Latest; stored: StoredEntry[]; missed: string[] } {
  const stored: StoredEntry[] = entries.map((e) => ({
    ...e,
    suite,
    measuredAt: at,
    ...(e.target ? { met: meets(e.value, e.target) } : {}),
  }));
  const missed = stored.filter((e) => e.met === false).map(missedText);
  const names = new Set(stored.map((e) => e.name));
  const results = [
    ...latest.results.filter((r) => (r.suite === undefined ? !names.has(r.name) : r.suite !== suite)),
    ...stored,
  ];
  const status: SuiteStatus = {
    status: missed.length ? 'missed' : 'ok',
    at,
    ...(missed.length ? { missed } : {}),
  };
  return { latest: { results, suites: { ...latest.suites, [suite]: status } }, stored, missed };
}

/**
 * Latest.json with `suite` marked `failed` or `skipped` with the reason, and every figure it wrote before removed
 * (also those written without a suite under its name prefix): a run that measured nothing leaves no stale number.
 */
export function withoutSuite(
  latest: Latest,
  suite: string,
  status: 'failed' | 'skipped',
  reason: unknown,
  at: string,
): Latest {
  const prefix = `${suite}.`;
  return {
    results: latest.results.filter(
      (r) => r.suite !== suite && !(r.suite === undefined && r.name.startsWith(prefix)),
    ),
    suites: {
      ...latest.suites,
      [suite]: { status, at, error: reason instanceof Error ? reason.message : String(reason) },
    },
  };
}

/**
 * The printed table of a suite's figures: name, value, target, met (`met`, `MISSED`, blank without a target) and
 * unit, one column each, aligned.
 */
export function formatTable(entries: StoredEntry[]): string {
  const rows = entries.map((e) => [
    e.name,
    String(round(e.value)),
    e.target ? targetText(e.target) : '',
    e.met === undefined ? '' : e.met ? 'met' : 'MISSED',
    e.unit,
  ]);
  const head = ['name', 'value', 'target', 'met', 'unit'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    [r[0]!.padEnd(w[0]!), r[1]!.padStart(w[1]!), r[2]!.padEnd(w[2]!), r[3]!.padEnd(w[3]!), r[4]!]
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/**
 * The exit code of `npm run bench`, decided after every suite asked for has run: 0 when every target was met,
 * 1 when a suite failed (or was asked for and skipped), 3 when a target was missed.
 */
export const exitCode = (failed: number, missed: number): 0 | 1 | 3 => (failed ? 1 : missed ? 3 : 0);

/** latest.json as stored; a missing or unreadable file is an empty record. */
export function readLatest(file = LATEST): Latest {
  if (!existsSync(file)) return { results: [], suites: {} };
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as Partial<Latest>;
    return { results: j.results ?? [], suites: j.suites ?? {} };
  } catch {
    return { results: [], suites: {} };
  }
}

function write(file: string, latest: Latest): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(latest, null, 2)}\n`);
}

/** Records a suite's figures in latest.json (see `mergeSuite`) and prints them as a table. Returns the targets missed. */
export function report(suite: string, entries: BenchEntry[], file = LATEST): string[] {
  const { latest, stored, missed } = mergeSuite(readLatest(file), suite, entries, new Date().toISOString());
  write(file, latest);
  console.log(formatTable(stored));
  return missed;
}

/** Marks a suite failed in latest.json and removes its figures: a failed run leaves no stale number behind. */
export function reportFailure(suite: string, error: unknown, file = LATEST): void {
  write(file, withoutSuite(readLatest(file), suite, 'failed', error, new Date().toISOString()));
}

/** Marks a suite skipped (with why) in latest.json and removes its figures. */
export function reportSkipped(suite: string, why: string, file = LATEST): void {
  write(file, withoutSuite(readLatest(file), suite, 'skipped', why, new Date().toISOString()));
}

export const round = (v: number): number => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100);

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** A small deterministic PRNG (mulberry32): bench data is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
