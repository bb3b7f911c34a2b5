import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface BenchEntry {
  name: string;
  value: number;
  unit: string;
}

export const LATEST = '.accord/bench/latest.json';

/** Merges entries into .accord/bench/latest.json (later runs replace entries of the same name) and prints a table. */
export function report(entries: BenchEntry[], file = LATEST): void {
  mkdirSync(dirname(file), { recursive: true });
  let results: BenchEntry[] = [];
  if (existsSync(file)) {
    try {
      results = (JSON.parse(readFileSync(file, 'utf8')) as { results: BenchEntry[] }).results ?? [];
    } catch {
      results = [];
    }
  }
  const names = new Set(entries.map((e) => e.name));
  results = [...results.filter((r) => !names.has(r.name)), ...entries];
  writeFileSync(file, `${JSON.stringify({ results }, null, 2)}\n`);
  const w = Math.max(...entries.map((e) => e.name.length), 10);
  console.log(`${'name'.padEnd(w)}  ${'value'.padStart(12)}  unit`);
  for (const e of entries)
    console.log(`${e.name.padEnd(w)}  ${String(round(e.value)).padStart(12)}  ${e.unit}`);
}

export const round = (v: number): number => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100);

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
