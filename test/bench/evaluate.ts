/**
 * Benchmark: evaluate 10,000 objectives (compliance, budget, every burn-rate window, forecast, status,
 * violations, results saved) on the embedded default (SQLite), with 28-day and then 90-day rolling windows.
 *
 * Data: 250 SLIs × 90 days × 288 five-minute buckets (6.48 M rollup rows) in a temporary SQLite file; each
 * SLI is shared by 40 objectives with different targets (a bench with 10,000 distinct SLIs would need 259 M
 * rows, beyond what a bench can load in minutes). Sharing does not make the evaluation cheaper: every
 * objective plans and reads its own running totals; nothing is memoised across objectives.
 *
 * The evaluation runs in a child process so that its peak resident memory (maxRSS) is its own.
 * Runnable alone: `tsx test/bench/evaluate.ts`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StaticObjectivesSource } from '../../shared/adapters/agreement-objectives-source.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import {
  SqliteEvaluationStore,
  SqliteExceptionWindowStore,
  SqliteViolationStore,
} from '../../shared/adapters/sqlite/objectives.js';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import type { ObjectiveSpec } from '../../shared/domain/objectives/types.js';
import {
  DEFAULT_BURN_WINDOWS,
  DEFAULT_FORECAST,
  DEFAULT_SEVERITY_RULES,
  DEFAULT_TIER_DEFAULTS,
} from '../../shared/policy/objectives.js';
import type { ObjectiveAgreement } from '../../shared/ports/objectives.js';
import { BUCKET_MS, type RollupDelta } from '../../shared/ports/rollups.js';
import { type EvaluationRunSummary, ObjectiveUseCases } from '../../shared/usecases/objectives/index.js';

const SLIS = 250;
const OBJECTIVES_PER_SLI = 40;
const DAYS = 90;
const NOW = Date.UTC(2026, 5, 30, 12, 0);
const RUNS = 3;

export interface BenchEntry {
  name: string;
  value: number;
  unit: string;
}

/** A small deterministic PRNG (mulberry32): the bench data is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function loadBenchData(file: string): void {
  const db = openDatabase(file);
  const rollups = new SqliteRollupStore(db);
  const rand = prng(42);
  const from = NOW - DAYS * 86_400_000;
  const buckets = (DAYS * 86_400_000) / BUCKET_MS;
  for (let s = 0; s < SLIS; s++) {
    const key = `svc_bench-${s}/availability`;
    const base = 0.00002 + rand() * 0.0006;
    const deltas: RollupDelta[] = [];
    let incident = 0;
    for (let i = 0; i < buckets; i++) {
      if (incident === 0 && rand() < 0.0002) incident = 1 + Math.floor(rand() * 12);
      const rate = incident > 0 ? 0.05 + rand() * 0.2 : base;
      if (incident > 0) incident--;
      const total = 800 + Math.floor(rand() * 400);
      const bad = Math.round(total * rate * (0.5 + rand()));
      deltas.push({
        sliKey: key,
        bucketStart: from + i * BUCKET_MS,
        good: total - bad,
        total,
        count: 0,
        sum: 0,
        min: 0,
        max: 0,
      });
    }
    // The port's append path: one transaction per SLI.
    void rollups.add(deltas);
  }
  db.close();
}

function agreements(days: number, timeslices = false): ObjectiveAgreement[] {
  const targets = [99, 99.5, 99.9, 99.95];
  const contact = { name: 'Owner', email: 'owner@example.com' };
  const out: ObjectiveAgreement[] = [];
  for (let s = 0; s < SLIS; s++) {
    const objectives: ObjectiveSpec[] = [];
    for (let k = 0; k < OBJECTIVES_PER_SLI; k++) {
      objectives.push({
        id: `o-${k}`,
        name: `objective ${k}`,
        sli: { type: 'availability' },
        target: targets[k % targets.length]! - (k >> 2) * 0.01,
        window: { type: 'rolling', days },
        budgetingMethod: timeslices ? 'timeslices' : 'occurrences',
        ...(timeslices ? { timeSlice: { minutes: k % 2 ? 60 : 5, target: k % 4 < 2 ? 0.99 : 0.999 } } : {}),
        monitoring: 'alerted',
        owner: contact,
        customerContact: contact,
        supportedHoursOnly: false,
      });
    }
    out.push({
      agreementId: `agr_bench${String(s).padStart(6, '0')}`,
      version: 1,
      serviceId: `svc_bench-${s}`,
      businessUnit: 'bench',
      tier: 1 + (s % 4),
      timeZone: 'Europe/London',
      supportedHours: { kind: 'always' },
      objectives,
      escalation: [],
      credits: {
        currency: 'EUR',
        monthlyCharge: 1000,
        tiers: [{ belowPercent: 99.9, creditPercent: 10 }],
        capPercent: 100,
      },
    });
  }
  return out;
}

interface ChildReport {
  runs: { wallMs: number; summary: EvaluationRunSummary }[];
  maxRssMb: number;
}

/** In the child: evaluate everything RUNS times (first run opens the violations), report times and maxRSS. */
async function child(file: string, days: number, timeslices: boolean): Promise<void> {
  const db = openDatabase(file);
  let tick = 0;
  const uc = new ObjectiveUseCases({
    source: new StaticObjectivesSource(agreements(days, timeslices)),
    rollups: new SqliteRollupStore(db),
    exceptions: new SqliteExceptionWindowStore(db),
    violations: new SqliteViolationStore(db),
    evaluations: new SqliteEvaluationStore(db),
    clock: { now: () => new Date(NOW) },
    ids: { next: (p) => `${p}_${process.pid}_${String(++tick).padStart(12, '0')}` },
    settings: { burnWindows: DEFAULT_BURN_WINDOWS, forecast: DEFAULT_FORECAST, tiers: DEFAULT_TIER_DEFAULTS },
    severityRules: DEFAULT_SEVERITY_RULES,
  });
  const runs: ChildReport['runs'] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const t = performance.now();
    const summary = await uc.evaluateAll();
    runs.push({ wallMs: performance.now() - t, summary });
    if (process.env.BENCH_VERBOSE) {
      const m = process.memoryUsage();
      console.error(
        `run ${i}: rss ${Math.round(m.rss / 2 ** 20)} MB, heap ${Math.round(m.heapUsed / 2 ** 20)} MB, external ${Math.round(m.external / 2 ** 20)} MB`,
      );
    }
  }
  db.close();
  const report: ChildReport = { runs, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  if (process.env.BENCH_VERBOSE) console.error(JSON.stringify(runs.map((r) => r.summary.timingsMs)));
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function runChild(file: string, days: number, timeslices = false): ChildReport {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', self, '--child', file, String(days), timeslices ? 'timeslices' : 'occurrences'],
    {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  if (r.status !== 0) throw new Error(`evaluation child failed: ${r.stderr}`);
  if (r.stderr) process.stderr.write(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildReport;
}

export async function benchEvaluate(): Promise<BenchEntry[]> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-bench-eval-'));
  try {
    const t = performance.now();
    loadBenchData(join(dir, 'bench.db'));
    const loadS = (performance.now() - t) / 1000;
    const entries: BenchEntry[] = [{ name: 'evaluate.load_6.5M_buckets.s', value: round(loadS), unit: 's' }];
    let rss = 0;
    for (const days of [28, 90]) {
      // A fresh copy of the stores per window length: the evaluation and violation tables start empty.
      const file = join(dir, `eval-${days}.db`);
      spawnSync('cp', [join(dir, 'bench.db'), file]);
      const rep = runChild(file, days);
      const measured = rep.runs.slice(1);
      const s = rep.runs[0]!.summary;
      entries.push({
        name: `evaluate.10k_${days}d.s`,
        value: round(median(measured.map((r) => r.wallMs)) / 1000),
        unit: 's',
      });
      entries.push({
        name: `evaluate.10k_${days}d.compute_only.s`,
        value: round(median(measured.map((r) => r.summary.timingsMs.evaluate)) / 1000),
        unit: 's',
      });
      entries.push({
        name: `evaluate.10k_${days}d.first_run.s`,
        value: round(rep.runs[0]!.wallMs / 1000),
        unit: 's',
      });
      entries.push({
        name: `evaluate.10k_${days}d.statuses`,
        value: s.objectives,
        unit: `objectives (${s.byStatus.healthy} healthy, ${s.byStatus['at-risk']} at risk, ${s.byStatus.breached} breached, ${s.byStatus.unknown} unknown; ${s.violationsOpened} violations opened)`,
      });
      rss = Math.max(rss, rep.maxRssMb);
    }
    // The same with the timeslices method (5- and 60-minute slices, two slice targets: four running slice
    // counts per SLI). The first run builds the slice counts from the whole history; later runs only extend.
    for (const days of [28, 90]) {
      const file = join(dir, `slices-${days}.db`);
      spawnSync('cp', [join(dir, 'bench.db'), file]);
      const rep = runChild(file, days, true);
      entries.push({
        name: `evaluate.10k_timeslices_${days}d.s`,
        value: round(median(rep.runs.slice(1).map((r) => r.wallMs)) / 1000),
        unit: 's',
      });
      entries.push({
        name: `evaluate.10k_timeslices_${days}d.first_run.s`,
        value: round(rep.runs[0]!.wallMs / 1000),
        unit: 's (builds the running slice counts)',
      });
      rss = Math.max(rss, rep.maxRssMb);
    }
    const d28 = entries.find((e) => e.name === 'evaluate.10k_28d.s')!.value;
    const d90 = entries.find((e) => e.name === 'evaluate.10k_90d.s')!.value;
    entries.push({ name: 'evaluate.90d_over_28d.ratio', value: round(d90 / d28), unit: 'x' });
    entries.push({ name: 'evaluate.peak_rss_mb', value: round(rss), unit: 'MB' });
    return entries;
  } finally {
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

const argv = process.argv;
if (argv[2] === '--child') {
  await child(argv[3]!, Number(argv[4]), argv[5] === 'timeslices');
} else if (argv[1] && fileURLToPath(import.meta.url) === argv[1]) {
  const entries = await benchEvaluate();
  console.table(entries);
}
