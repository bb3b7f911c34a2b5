/**
 * `npm run mutate -- --sample <n> [--seed <s>] [--layer domain|usecases] [--mutate <files>]`: an estimate of a whole layer's mutation
 * score from a uniform random sample of its mutants, for when the layer is too large to run whole in a session
 * (shared/domain has about 13,500 mutants, shared/usecases about 9,200; this machine tests 20–30 a minute).
 *
 * How: Stryker's own instrumenter lists every mutant of the layer as it is now (mutants a `Stryker disable`
 * comment marks equivalent are left out, as they are of the score); `n` of them are drawn per layer with a seeded
 * generator (mulberry32, the benches' `prng`, so a sample can be re-drawn); Stryker runs with `mutate` set to
 * the exact location of each drawn mutant (a location can hold smaller mutants too: they run but are not counted); the drawn mutants are
 * found back in Stryker's JSON report by file, mutator, replacement and position.
 *
 * The estimate is Stryker's score over the drawn mutants that were tested (killed + timeout over killed + timeout +
 * survived + no coverage; compile errors and static mutants left untested by `--ignoreStatic` count in neither),
 * with its Wilson 95 % interval (Wilson, "Probable inference…", JASA 22, 1927). It is a measurement of the layer,
 * not a replacement for the ledger: it names survivors but does not record anything into test/mutation/ledger/.
 *
 * Writes `.accord/mutation/sample.json` (`{ seed, files, layers: { domain: { population, drawn, tested, detected, score,
 * ci95: [lo, hi], survivors } }, seconds, load }`) and prints the figures. Exits 0 unless Stryker itself failed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import { prng } from '../bench/report.js';
import { checkerTsconfig } from './checker.js';

/** One mutant as Stryker's instrumenter lists it: 0-based lines, 0-based columns. */
export interface ListedMutant {
  file: string;
  mutatorName: string;
  replacement: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

/** `k` distinct items of `items` drawn uniformly (a partial Fisher–Yates shuffle); all of them when k ≥ length. */
export function draw<T>(items: readonly T[], k: number, random: () => number): T[] {
  const a = [...items];
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, n);
}

/**
 * Wilson score interval for a proportion: `x` successes out of `n`, at z = 1.96 (95 %). Returns [lo, hi] in
 * percent, [0, 100] when n = 0. Source: E. B. Wilson (1927), JASA 22(158): 209–212.
 */
export function wilson(x: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 100];
  const p = x / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, (centre - half) * 100), Math.min(100, (centre + half) * 100)];
}

/** Stryker's `mutate` entry selecting exactly one location: `file:line:col-line:col`, 1-based lines, 0-based columns. */
export function rangeOf(m: ListedMutant): string {
  const { start, end } = m.location;
  return `${m.file}:${start.line + 1}:${start.column}-${end.line + 1}:${end.column}`;
}

const quietLogger = new Proxy({} as Record<string, unknown>, {
  get: (_t, k) => (String(k).startsWith('is') ? () => false : () => undefined),
});

/** Every mutant of `files` that Stryker would test (those marked equivalent by a disable comment left out). */
export async function listMutants(files: string[]): Promise<ListedMutant[]> {
  const instrumenter = new Instrumenter(
    quietLogger as unknown as ConstructorParameters<typeof Instrumenter>[0],
  );
  const result = await instrumenter.instrument(
    files.map((name) => ({ name, content: readFileSync(name, 'utf8'), mutate: true })),
    { plugins: null, excludedMutations: [], ignorers: [] },
  );
  return result.mutants
    .filter((m) => m.status !== 'Ignored')
    .map((m) => ({
      file: m.fileName,
      mutatorName: m.mutatorName,
      replacement: m.replacement,
      location: m.location,
    }));
}

interface ReportMutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/**
 * Reads Stryker's JSON report (mutation-testing-report-schema: 1-based lines and columns) and returns, per drawn
 * mutant, its status, or 'Missing' when the report has no such mutant.
 */
export function statusesOf(
  drawn: ListedMutant[],
  report: { files: Record<string, { mutants: ReportMutant[] }> },
) {
  const key = (file: string, mutator: string, replacement: string, line: number, column: number) =>
    `${file}|${mutator}|${replacement}|${line}|${column}`;
  const byKey = new Map<string, string>();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      const rel = file.startsWith('/') ? file.slice(process.cwd().length + 1) : file;
      byKey.set(
        key(rel, m.mutatorName, m.replacement ?? '', m.location.start.line, m.location.start.column),
        m.status,
      );
    }
  }
  return drawn.map((m) => ({
    mutant: m,
    status:
      byKey.get(
        key(m.file, m.mutatorName, m.replacement, m.location.start.line + 1, m.location.start.column + 1),
      ) ?? 'Missing',
  }));
}

const LAYERS = { domain: 'shared/domain', usecases: 'shared/usecases' } as const;

function layerFiles(dir: string): string[] {
  const out = spawnSync('git', ['ls-files', `${dir}/**.ts`, `${dir}/*.ts`], { encoding: 'utf8' }).stdout;
  return [...new Set(out.split('\n').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')))].sort();
}

/** Runs the sample: see the module's docstring. */
export async function sample(args: string[]): Promise<number> {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const n = Number(opt('--sample') ?? '300');
  const seed = Number(opt('--seed') ?? '20261201');
  const only = opt('--layer');
  // `--mutate a.ts,b.ts`: the population is those files of each layer only (a stratum: for example the files the
  // ledger has no entry for, to be combined with the ledger's exact figures for the rest, weighted by population).
  const within = opt('--mutate')?.split(',').filter(Boolean);
  const layers = (Object.keys(LAYERS) as (keyof typeof LAYERS)[]).filter((l) => !only || l === only);
  const random = prng(seed);
  const drawn: Record<string, { population: number; mutants: ListedMutant[] }> = {};
  for (const layer of layers) {
    const files = layerFiles(LAYERS[layer]).filter((f) => !within || within.includes(f));
    if (files.length === 0) continue;
    const all = await listMutants(files);
    drawn[layer] = { population: all.length, mutants: draw(all, n, random) };
    console.log(
      `sample: ${layer}: drew ${drawn[layer].mutants.length} of ${all.length} mutants (seed ${seed})`,
    );
  }
  const out = process.env.ACCORD_MUTATION_OUT || '.accord/mutation';
  const dir = join(out, 'sample');
  mkdirSync(dir, { recursive: true });
  const config = resolve(dir, 'stryker.sample.config.mjs');
  const ranges = Object.values(drawn).flatMap((d) => d.mutants.map(rangeOf));
  writeFileSync(
    config,
    `import base from ${JSON.stringify(resolve('stryker.config.mjs'))};\nexport default { ...base, incremental: false, mutate: ${JSON.stringify(ranges)}, reporters: ['json', 'progress'], jsonReporter: { fileName: ${JSON.stringify(join(dir, 'mutation.json'))} }, tempDirName: ${JSON.stringify(join(dir, 'stryker-tmp'))} };\n`,
  );
  const t0 = performance.now();
  const ignoreStatic = args.includes('--ignoreStatic') ? ['--ignoreStatic'] : [];
  const run = spawnSync('npx', ['stryker', 'run', config, ...ignoreStatic], {
    stdio: 'inherit',
    env: {
      ...process.env,
      ACCORD_MUTATION_TSCONFIG: checkerTsconfig(
        Object.values(drawn).flatMap((d) => d.mutants.map((m) => m.file)),
      ),
    },
  });
  const seconds = Math.round((performance.now() - t0) / 1000);
  if (run.status !== 0) return run.status ?? 1;
  const report = JSON.parse(readFileSync(join(dir, 'mutation.json'), 'utf8'));
  const result: Record<string, unknown> = {};
  for (const [layer, d] of Object.entries(drawn)) {
    const st = statusesOf(d.mutants, report);
    const detected = st.filter((s) => DETECTED.has(s.status)).length;
    const tested = st.filter((s) => DETECTED.has(s.status) || UNDETECTED.has(s.status)).length;
    const counts: Record<string, number> = {};
    for (const s of st) counts[s.status] = (counts[s.status] ?? 0) + 1;
    const score = tested ? Math.round((detected / tested) * 10000) / 100 : null;
    const [lo, hi] = wilson(detected, tested);
    result[layer] = {
      population: d.population,
      drawn: d.mutants.length,
      tested,
      detected,
      statuses: counts,
      score,
      ci95: [Math.round(lo * 100) / 100, Math.round(hi * 100) / 100],
      survivors: st
        .filter((s) => UNDETECTED.has(s.status))
        .map(
          (s) =>
            `${s.mutant.file}:${s.mutant.location.start.line + 1} ${s.mutant.mutatorName} → ${s.mutant.replacement.replace(/\s+/g, ' ').slice(0, 80)} (${s.status})`,
        ),
    };
    console.log(
      `sample: ${layer}: ${score} % (95 % interval ${lo.toFixed(1)}–${hi.toFixed(1)} %) from ${detected} detected of ${tested} tested; ${JSON.stringify(counts)}`,
    );
  }
  const summary = {
    seed,
    files: within ?? 'every file of each layer',
    finishedAt: new Date().toISOString(),
    seconds,
    load: loadavg().map((l) => Math.round(l * 10) / 10),
    layers: result,
  };
  writeFileSync(join(out, 'sample.json'), `${JSON.stringify(summary, null, 2)}\n`);
  rmSync(join(dir, 'stryker-tmp'), { recursive: true, force: true });
  return 0;
}
