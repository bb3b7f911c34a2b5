/**
 * Benchmark: evaluate 10,000 objectives on 10,000 distinct SLIs (compliance, budget, every burn-rate window,
 * forecast, status, violations, results saved) through the public use case (ObjectiveUseCases.evaluateAll) on the
 * embedded default (SQLite).
 *
 * The population mixes what agreements really hold: rolling windows of 7, 28 and 30 days and calendar weeks,
 * months and quarters; the three budgeting methods (occurrences, timeslices, ratio-timeslices, with 5- and
 * 60-minute slices); a quarter of the agreements with business hours (weekdays 08:00-18:00 and holidays) whose
 * objectives count supported hours only; a tenth with an approved maintenance window in the last ten days.
 *
 * Data: 31 days of 5-minute rollups per SLI written through the RollupStore port. 200 busy SLIs have a bucket every
 * 5 minutes; the other 9,800 are quiet services with traffic in one bucket of 24 on average (about 5.4 M rollup
 * rows in all; 10,000 SLIs at full density would be 89 M rows, hours to load on this machine). The loaded database
 * is kept in .accord/bench/cache/ under a key of this file, the population size and the rollup adapter's source,
 * so later runs skip the load.
 *
 * Headline: the first (cold) run in a fresh process on empty evaluation tables, beside the median of the warm
 * runs that follow. The evaluation runs in a child process so that its peak resident memory is its own.
 * Runnable alone: `tsx test/bench/evaluate.ts`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
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
import type { ObjectiveSpec, SupportedHoursSpec } from '../../shared/domain/objectives/types.js';
import {
  DEFAULT_BURN_WINDOWS,
  DEFAULT_FORECAST,
  DEFAULT_SEVERITY_RULES,
  DEFAULT_TIER_DEFAULTS,
} from '../../shared/policy/objectives.js';
import type { ObjectiveAgreement } from '../../shared/ports/objectives.js';
import { BUCKET_MS, type RollupDelta } from '../../shared/ports/rollups.js';
import { type EvaluationRunSummary, ObjectiveUseCases } from '../../shared/usecases/objectives/index.js';
import { type BenchEntry, prng, round } from './report.js';

const OBJECTIVES = Number(process.env.BENCH_OBJECTIVES ?? 10_000);
const PER_AGREEMENT = 4;
const AGREEMENTS = Math.ceil(OBJECTIVES / PER_AGREEMENT);
const BUSY = Math.round(OBJECTIVES * 0.02);
/** A quiet SLI has traffic in one 5-minute bucket of QUIET on average (every two hours). */
const QUIET = 24;
const DAYS = 31;
const NOW = Date.UTC(2026, 5, 30, 12, 0);
const WARM_RUNS = 3;
export const TARGET = { coldS: 1, warmS: 1, peakRssMb: 512 } as const;

const sliOf = (i: number) => ({
  serviceId: `svc_bench-${Math.floor(i / PER_AGREEMENT)}`,
  name: `sli-${i % PER_AGREEMENT}`,
});

/** Writes DAYS of rollups for every SLI through the port (one transaction per SLI). */
function loadRollups(file: string): void {
  const db = openDatabase(file);
  const rollups = new SqliteRollupStore(db);
  const rand = prng(42);
  const from = NOW - DAYS * 86_400_000;
  const buckets = (DAYS * 86_400_000) / BUCKET_MS;
  for (let i = 0; i < OBJECTIVES; i++) {
    const { serviceId, name } = sliOf(i);
    const busy = i % Math.round(OBJECTIVES / BUSY) === 0;
    const base = 0.00002 + rand() * 0.0006;
    const deltas: RollupDelta[] = [];
    let incident = 0;
    for (let b = 0; b < buckets; b++) {
      if (!busy && rand() >= 1 / QUIET) continue;
      if (incident === 0 && rand() < 0.0004) incident = 1 + Math.floor(rand() * 12);
      const rate = incident > 0 ? 0.05 + rand() * 0.2 : base;
      if (incident > 0) incident--;
      const total = busy ? 800 + Math.floor(rand() * 400) : 5 + Math.floor(rand() * 40);
      const bad = Math.min(total, Math.round(total * rate * (0.5 + rand())));
      deltas.push({
        sliKey: `${serviceId}/${name}`,
        bucketStart: from + b * BUCKET_MS,
        good: total - bad,
        total,
        count: 0,
        sum: 0,
        min: 0,
        max: 0,
      });
    }
    void rollups.add(deltas);
  }
  db.close();
}

const BUSINESS_HOURS: SupportedHoursSpec = {
  kind: 'calendar',
  windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }],
  holidays: ['2026-05-25', '2026-06-15'],
} as SupportedHoursSpec;

const WINDOWS: ObjectiveSpec['window'][] = [
  { type: 'rolling', days: 28 },
  { type: 'calendar', unit: 'month' },
  { type: 'rolling', days: 7 },
  { type: 'rolling', days: 30 },
  { type: 'calendar', unit: 'week' },
  { type: 'calendar', unit: 'quarter' },
];

/** The 10,000 objectives, four per agreement, each on its own SLI. */
export function agreements(): ObjectiveAgreement[] {
  const contact = { name: 'Owner', email: 'owner@example.com' };
  const targets = [99, 99.5, 99.9, 99.95];
  const zones = ['Europe/London', 'America/New_York', 'Asia/Tokyo', 'UTC'];
  const out: ObjectiveAgreement[] = [];
  for (let a = 0; a < AGREEMENTS; a++) {
    const businessHours = a % 4 === 1;
    const objectives: ObjectiveSpec[] = [];
    for (let k = 0; k < PER_AGREEMENT && a * PER_AGREEMENT + k < OBJECTIVES; k++) {
      const i = a * PER_AGREEMENT + k;
      const method = (['occurrences', 'occurrences', 'timeslices', 'ratio-timeslices'] as const)[
        (a + k) % 4
      ]!;
      objectives.push({
        id: `o-${k}`,
        name: `objective ${k}`,
        sli: { type: 'availability', name: sliOf(i).name },
        target: targets[(a + 2 * k) % targets.length]!,
        window: WINDOWS[(a * 7 + k) % WINDOWS.length]!,
        budgetingMethod: method,
        ...(method === 'occurrences'
          ? {}
          : { timeSlice: { minutes: (a + k) % 3 ? 5 : 60, target: (a + k) % 2 ? 0.99 : 0.95 } }),
        monitoring: 'alerted',
        owner: contact,
        customerContact: contact,
        supportedHoursOnly: businessHours && k % 2 === 0,
      } as ObjectiveSpec);
    }
    out.push({
      agreementId: `agr_bench${String(a).padStart(6, '0')}`,
      version: 1,
      serviceId: sliOf(a * PER_AGREEMENT).serviceId,
      businessUnit: 'bench',
      tier: 1 + (a % 4),
      timeZone: zones[a % zones.length]!,
      supportedHours: businessHours ? BUSINESS_HOURS : { kind: 'always' },
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

/** A tenth of the agreements have an approved two-hour maintenance window in the last ten days. */
async function exceptionWindows(store: SqliteExceptionWindowStore): Promise<number> {
  let n = 0;
  for (let a = 0; a < AGREEMENTS; a += 10) {
    const start = NOW - (1 + (a % 10)) * 86_400_000 - 3 * 3_600_000;
    await store.create({
      id: `exc_bench${String(a).padStart(6, '0')}`,
      agreementId: `agr_bench${String(a).padStart(6, '0')}`,
      kind: 'planned-maintenance',
      start: new Date(start).toISOString(),
      end: new Date(start + 2 * 3_600_000).toISOString(),
      status: 'approved',
      version: 2,
      requestedBy: 'bench-requester',
      approver: 'bench-approver',
      decidedBy: 'bench-approver',
      decidedAt: new Date(start - 86_400_000).toISOString(),
      decisionReason: 'approved for the bench',
      reason: 'planned database upgrade',
      createdBy: 'bench-requester',
      createdAt: new Date(start - 2 * 86_400_000).toISOString(),
      changedBy: 'bench-approver',
      changedAt: new Date(start - 86_400_000).toISOString(),
      change: 'approve',
      changeReason: 'approved for the bench',
    });
    n++;
  }
  return n;
}

interface ChildReport {
  runs: { wallMs: number; summary: EvaluationRunSummary }[];
  maxRssMb: number;
  exceptionWindows: number;
}

/** In the child: a cold run on empty evaluation tables, then WARM_RUNS more; times, summaries and maxRSS. */
async function child(file: string): Promise<void> {
  const db = openDatabase(file);
  let tick = 0;
  const exceptions = new SqliteExceptionWindowStore(db);
  const windows = await exceptionWindows(exceptions);
  const uc = new ObjectiveUseCases({
    source: new StaticObjectivesSource(agreements()),
    rollups: new SqliteRollupStore(db),
    exceptions,
    violations: new SqliteViolationStore(db),
    evaluations: new SqliteEvaluationStore(db),
    clock: { now: () => new Date(NOW) },
    ids: { next: (p) => `${p}_${process.pid}_${String(++tick).padStart(12, '0')}` },
    settings: { burnWindows: DEFAULT_BURN_WINDOWS, forecast: DEFAULT_FORECAST, tiers: DEFAULT_TIER_DEFAULTS },
    severityRules: DEFAULT_SEVERITY_RULES,
  });
  const runs: ChildReport['runs'] = [];
  for (let i = 0; i < WARM_RUNS + 1; i++) {
    const t = performance.now();
    const summary = await uc.evaluateAll();
    runs.push({ wallMs: performance.now() - t, summary });
  }
  db.close();
  const report: ChildReport = {
    runs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    exceptionWindows: windows,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function runChild(file: string): ChildReport {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', file], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`evaluation child failed: ${r.stderr}`);
  if (r.stderr) process.stderr.write(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildReport;
}

/** The cached rollup database for this data set and this rollup adapter, loaded when missing. */
function rollupDatabase(): { file: string; loadS: number | null } {
  const here = fileURLToPath(import.meta.url);
  const adapter = fileURLToPath(new URL('../../shared/adapters/sqlite/rollups.ts', import.meta.url));
  const key = createHash('sha256')
    .update(readFileSync(here))
    .update(readFileSync(adapter))
    .update(String(OBJECTIVES))
    .digest('hex')
    .slice(0, 16);
  const dir = '.accord/bench/cache';
  const file = join(dir, `evaluate-${key}.db`);
  if (existsSync(file)) return { file, loadS: null };
  mkdirSync(dir, { recursive: true });
  const t = performance.now();
  const tmp = `${file}.loading`;
  rmSync(tmp, { force: true });
  loadRollups(tmp);
  renameSync(tmp, file);
  return { file, loadS: (performance.now() - t) / 1000 };
}

export async function benchEvaluate(): Promise<BenchEntry[]> {
  const { file, loadS } = rollupDatabase();
  console.log(
    loadS === null ? `rollups from ${file}` : `rollups loaded in ${loadS.toFixed(0)} s into ${file}`,
  );
  const work = join(tmpdir(), `accord-bench-eval-${process.pid}.db`);
  try {
    // A fresh copy: the evaluation, violation and exception tables start empty; the first run is cold.
    copyFileSync(file, work);
    const rep = runChild(work);
    const cold = rep.runs[0]!;
    const warm = rep.runs.slice(1);
    const s = cold.summary;
    const per = (method: string) =>
      agreements()
        .flatMap((a) => a.objectives)
        .filter((o) => o.budgetingMethod === method).length;
    const entries: BenchEntry[] = [
      {
        name: 'evaluate.10k.cold_first_run.s',
        value: round(cold.wallMs / 1000),
        unit: 's (fresh process, empty result tables)',
        target: { op: '<=', limit: TARGET.coldS },
      },
      {
        name: 'evaluate.10k.warm_median.s',
        value: round(median(warm.map((r) => r.wallMs)) / 1000),
        unit: `s (median of ${WARM_RUNS})`,
        target: { op: '<=', limit: TARGET.warmS },
      },
      {
        name: 'evaluate.10k.warm_compute_only.s',
        value: round(median(warm.map((r) => r.summary.timingsMs.evaluate)) / 1000),
        unit: 's',
      },
      {
        name: 'evaluate.10k.statuses',
        value: s.objectives,
        unit: `objectives (${s.byStatus.healthy} healthy, ${s.byStatus['at-risk']} at risk, ${s.byStatus.breached} breached, ${s.byStatus.unknown} unknown; ${s.violationsOpened} violations opened)`,
      },
      {
        name: 'evaluate.10k.mix',
        value: new Set(agreements().flatMap((a) => a.objectives.map((o) => `${a.serviceId}/${o.sli.name}`)))
          .size,
        unit: `distinct SLIs (${per('occurrences')} occurrences, ${per('timeslices')} timeslices, ${per('ratio-timeslices')} ratio-timeslices; ${rep.exceptionWindows} exception windows)`,
      },
      {
        name: 'evaluate.peak_rss_mb',
        value: round(rep.maxRssMb),
        unit: 'MB',
        target: { op: '<=', limit: TARGET.peakRssMb },
      },
    ];
    if (loadS !== null) entries.push({ name: 'evaluate.load_rollups.s', value: round(loadS), unit: 's' });
    return entries;
  } finally {
    for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });
  }
}

const argv = process.argv;
if (argv[2] === '--child') {
  await child(argv[3]!);
} else if (argv[1] && fileURLToPath(import.meta.url) === argv[1]) {
  const { report } = await import('./report.js');
  report('evaluate', await benchEvaluate());
}
