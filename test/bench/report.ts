import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A target a figure should meet: `value op limit` (e.g. p99 `<=` 10 ms, throughput `>=` 150,000/s). */
export interface Target {
  op: '<=' | '>=';
  limit: number;
}

export interface BenchEntry {
  name: string;
  value: number;
  unit: string;
  /** The figure's target, when it has one; the table and the exit code of `npm run bench` report a miss. */
  target?: Target;
}

/** A figure as stored in latest.json: the entry, the suite that measured it, when, and whether it met its target. */
export interface StoredEntry extends BenchEntry {
  suite: string;
  measuredAt: string;
  met?: boolean;
}

export interface SuiteStatus {
  status: 'ok' | 'missed' | 'failed';
  at: string;
  error?: string;
  missed?: string[];
}

export interface Latest {
  results: StoredEntry[];
  suites: Record<string, SuiteStatus>;
}

export const LATEST = '.accord/bench/latest.json';

export const meets = (value: number, t: Target): boolean =>
  t.op === '<=' ? value <= t.limit : value >= t.limit;

function read(file: string): Latest {
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

/**
 * Records a suite's figures in latest.json, replacing every figure that suite wrote before (a figure it no longer
 * measures does not linger), and prints them as a table with their targets. Returns the targets missed.
 */
export function report(suite: string, entries: BenchEntry[], file = LATEST): string[] {
  const at = new Date().toISOString();
  const stored: StoredEntry[] = entries.map((e) => ({
    ...e,
    suite,
    measuredAt: at,
    ...(e.target ? { met: meets(e.value, e.target) } : {}),
  }));
  const missed = stored
    .filter((e) => e.met === false)
    .map((e) => `${e.name} ${round(e.value)} ${e.unit}, target ${e.target!.op} ${e.target!.limit}`);
  const latest = read(file);
  latest.results = [...latest.results.filter((r) => r.suite !== suite && r.suite !== undefined), ...stored];
  // Figures written before suites were recorded carry no suite: drop those of the same name.
  const names = new Set(stored.map((e) => e.name));
  latest.results = latest.results.filter((r) => r.suite !== undefined || !names.has(r.name));
  latest.suites[suite] = {
    status: missed.length ? 'missed' : 'ok',
    at,
    ...(missed.length ? { missed } : {}),
  };
  write(file, latest);
  printTable(stored);
  return missed;
}

/** Marks a suite failed in latest.json and removes its figures: a failed run leaves no stale number behind. */
export function reportFailure(suite: string, error: unknown, file = LATEST): void {
  const latest = read(file);
  const prefix = `${suite}.`;
  latest.results = latest.results.filter(
    (r) => r.suite !== suite && !(r.suite === undefined && r.name.startsWith(prefix)),
  );
  latest.suites[suite] = {
    status: 'failed',
    at: new Date().toISOString(),
    error: error instanceof Error ? error.message : String(error),
  };
  write(file, latest);
}

function printTable(entries: StoredEntry[]): void {
  const w = Math.max(...entries.map((e) => e.name.length), 10);
  console.log(`${'name'.padEnd(w)}  ${'value'.padStart(12)}  ${'target'.padEnd(14)}  unit`);
  for (const e of entries) {
    const target = e.target ? `${e.target.op} ${e.target.limit}${e.met ? '' : ' MISSED'}` : '';
    console.log(
      `${e.name.padEnd(w)}  ${String(round(e.value)).padStart(12)}  ${target.padEnd(14)}  ${e.unit}`,
    );
  }
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
