/**
 * Benchmark: the monthly compliance report of a portfolio of 1,000 agreements with 3 objectives each, built
 * from the engine's figures (a calendar month evaluated by the engine for 3,000 objectives, 300 stored
 * violations) and rendered in all four formats; and one agreement's PDF. On the embedded default (SQLite).
 *
 * Data: 100 services × 3 SLIs × the month's 5-minute buckets (about 2.7 M rollup rows), each SLI shared by
 * 10 agreements. The report runs in a child process so that its peak resident memory (maxRSS) is its own.
 * Targets: portfolio in all formats ≤ 10 s, one agreement's PDF ≤ 200 ms, peak RSS < 512 MB.
 * Runnable alone: `tsx test/bench/reports.ts`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadReportFonts } from '../../shared/adapters/fonts.js';
import { MemoryCommentaryWindow, MemoryReportDelivery } from '../../shared/adapters/memory/reports.js';
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import {
  SqliteEvaluationStore,
  SqliteExceptionWindowStore,
  SqliteViolationStore,
} from '../../shared/adapters/sqlite/objectives.js';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import type { Principal } from '../../shared/domain/access/policy.js';
import { computeCredit } from '../../shared/domain/objectives/credits.js';
import { FORMATS } from '../../shared/domain/reports/model.js';
import {
  DEFAULT_BURN_WINDOWS,
  DEFAULT_FORECAST,
  DEFAULT_TIER_DEFAULTS,
} from '../../shared/policy/objectives.js';
import { loadReportsPolicy } from '../../shared/policy/reports.js';
import { BUCKET_MS, type RollupDelta } from '../../shared/ports/rollups.js';
import { renderReport } from '../../shared/render/index.js';
import type { AgreementVersion } from '../../shared/schemas/agreement.js';
import { monthSpan } from '../../shared/usecases/reports/engine.js';
import { ReportUseCases } from '../../shared/usecases/reports/index.js';
import type { BenchEntry } from './report.js';

const AGREEMENTS = 1000;
const SERVICES = 100;
const MONTH = '2026-04';
const NOW = Date.UTC(2026, 4, 5, 6, 0);
const RUNS = 3;
const ADMIN: Principal = {
  subject: 'bench',
  roles: ['admin'],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
};
const BUS = ['payments', 'retail-banking', 'group-platform', 'wealth-management'];

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

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const agreementId = (i: number) => `agr_01BENCH${pad(i, 12)}`;

async function load(file: string): Promise<void> {
  const db = openDatabase(file);
  const rand = prng(42);
  const services = new SqliteServiceStore(db);
  const at = new Date(NOW - 60 * 86_400_000).toISOString();
  for (let s = 0; s < SERVICES; s++) {
    await services.create({
      id: `svc_bench-${pad(s, 3)}`,
      name: `Bench service ${s}`,
      tier: (s % 4) + 1,
      businessUnit: BUS[s % 4]!,
      residencyRegion: s % 3 === 0 ? 'eu-central-1' : 'eu-west-1',
      owner: { name: 'Owen Bench', email: 'owen.bench@bank.example' },
      version: 1,
      createdAt: at,
      createdBy: 'bench',
      changedAt: at,
      changedBy: 'bench',
      change: 'create',
      reason: 'bench',
    } as never);
  }
  const agreements = new SqliteAgreementStore(db);
  const owner = { name: 'Olga Owner', email: 'olga.owner@bank.example' };
  for (let i = 0; i < AGREEMENTS; i++) {
    const s = i % SERVICES;
    const a: AgreementVersion = {
      id: agreementId(i),
      version: 1,
      status: 'active',
      kind: i % 10 === 0 ? 'UC' : i % 10 === 1 ? 'OLA' : 'SLA',
      title: `Bench agreement ${i} for service ${s}`,
      serviceId: `svc_bench-${pad(s, 3)}`,
      businessUnit: BUS[s % 4]!,
      parties: {
        provider:
          i % 10 === 0
            ? { type: 'vendor', vendorId: `vendor-${i % 7}`, name: `Vendor ${i % 7} Ltd` }
            : { type: 'business-unit', businessUnit: BUS[s % 4]! },
        customer: { type: 'business-unit', businessUnit: BUS[(s + 1) % 4]! },
      },
      scope: { inclusions: [], exclusions: [] },
      timeZone: i % 2 ? 'Europe/London' : 'Europe/Berlin',
      supportedHours: { kind: 'always' },
      objectives: [
        {
          id: 'availability',
          name: 'Availability',
          sli: { type: 'availability' },
          target: 99.9,
          window: { type: 'rolling', days: 28 },
          budgetingMethod: 'occurrences',
          monitoring: 'alerted',
          owner,
          customerContact: owner,
          supportedHoursOnly: false,
        },
        {
          id: 'latency',
          name: 'Requests within 300 ms',
          sli: { type: 'response-time', thresholdMs: 300 },
          target: 99,
          window: { type: 'calendar', unit: 'month' },
          budgetingMethod: 'occurrences',
          monitoring: 'alerted',
          owner,
          customerContact: owner,
          supportedHoursOnly: false,
        },
        {
          id: 'errors',
          name: 'Error-free requests',
          sli: { type: 'custom', name: 'errors' },
          target: 99.5,
          window: { type: 'calendar', unit: 'month' },
          budgetingMethod: 'occurrences',
          monitoring: 'reported',
          owner,
          customerContact: owner,
          supportedHoursOnly: false,
        },
      ],
      credits: {
        currency: 'EUR',
        monthlyCharge: 10_000 + i,
        objectiveId: 'availability',
        tiers: [
          { belowPercent: 99.9, creditPercent: 10 },
          { belowPercent: 99, creditPercent: 25 },
        ],
        capPercent: 100,
      },
      customerResponsibilities: [],
      reviewCycle: { everyMonths: 12, nextReviewDate: '2026-12-01' },
      jurisdiction: { governingLaw: 'England and Wales', country: 'GB' },
      dataResidency: { region: s % 3 === 0 ? 'eu-central-1' : 'eu-west-1', processingRegions: [] },
      complianceTags: [],
      effectiveFrom: '2026-01-01',
      underpinnedBy: i % 10 >= 2 ? [agreementId(i - (i % 10)), agreementId(i - (i % 10) + 1)] : [],
      escalation: [],
      requiredSignOffs: [],
      signOffs: [],
      createdAt: at,
      createdBy: 'bench',
      changedAt: at,
      changedBy: 'bench',
      change: 'create',
      reason: 'bench',
    };
    await agreements.create(a);
  }
  const rollups = new SqliteRollupStore(db);
  const span = monthSpan(MONTH, 'UTC');
  for (let s = 0; s < SERVICES; s++) {
    for (const sli of ['availability', 'response-time', 'errors']) {
      const deltas: RollupDelta[] = [];
      const rate = rand() * 0.002;
      for (let t = span.start - 86_400_000; t < span.end + 86_400_000; t += BUCKET_MS) {
        const total = 1000;
        const bad = Math.round(total * rate * (rand() < 0.01 ? 50 : 1));
        deltas.push({
          sliKey: `svc_bench-${pad(s, 3)}/${sli}`,
          bucketStart: t,
          good: total - bad,
          total,
          count: 0,
          sum: 0,
          min: 0,
          max: 0,
        });
      }
      await rollups.add(deltas);
    }
  }
  // 300 stored violations with credits, as the engine would have recorded them.
  const violations = new SqliteViolationStore(db);
  for (let i = 0; i < 300; i++) {
    const a = i * 3;
    const c = computeCredit(
      {
        currency: 'EUR',
        monthlyCharge: 10_000 + a,
        tiers: [{ belowPercent: 99.9, creditPercent: 10 }],
        capPercent: 100,
      },
      {
        objectiveId: 'availability',
        measured: { unit: 'events', good: Math.round((99.8 + rand() * 0.09) * 100_000), total: 10_000_000 },
        coverage: 1,
        periodStart: new Date(span.start).toISOString(),
        periodEnd: new Date(span.end).toISOString(),
        final: true,
      },
    );
    await violations.record({
      id: `vio_bench${pad(i, 6)}`,
      key: `${agreementId(a)}/availability/${MONTH}`,
      agreementId: agreementId(a),
      agreementVersion: 1,
      objectiveId: 'availability',
      serviceId: `svc_bench-${pad(a % SERVICES, 3)}`,
      businessUnit: BUS[(a % SERVICES) % 4]!,
      tier: 1,
      status: 'resolved',
      severity: 'minor',
      severityReason: 'bench',
      detectedAt: new Date(span.start + (i % 28) * 86_400_000).toISOString(),
      lastEvaluatedAt: new Date(span.end).toISOString(),
      resolvedAt: new Date(span.end).toISOString(),
      evidence: {} as never,
      escalation: [],
      credit: c,
      disputes: [],
    });
  }
  db.close();
}

interface ChildReport {
  runs: {
    buildMs: number;
    renderMs: Record<string, number>;
    totalMs: number;
    bytes: Record<string, number>;
    pages: number;
  }[];
  agreementPdfMs: number[];
  /** One agreement's report, each part on its own (same runs): build, then each format's render. */
  agreement: { buildMs: number[]; renderMs: Record<string, number[]>; pages: number };
  maxRssMb: number;
}

async function child(file: string): Promise<void> {
  const db = openDatabase(file);
  const clock = { now: () => new Date(NOW) };
  let n = 0;
  const reports = new ReportUseCases({
    agreements: new SqliteAgreementStore(db),
    services: new SqliteServiceStore(db),
    evaluations: new SqliteEvaluationStore(db),
    violations: new SqliteViolationStore(db),
    exceptions: new SqliteExceptionWindowStore(db),
    rollups: new SqliteRollupStore(db),
    settings: { burnWindows: DEFAULT_BURN_WINDOWS, forecast: DEFAULT_FORECAST, tiers: DEFAULT_TIER_DEFAULTS },
    policy: loadReportsPolicy(),
    clock,
    newId: (p) => `${p}_bench${n++}`,
    fonts: loadReportFonts(),
    delivery: new MemoryReportDelivery(),
    commentary: new MemoryCommentaryWindow(),
  });
  const fonts = loadReportFonts();
  const out: ChildReport = {
    runs: [],
    agreementPdfMs: [],
    agreement: { buildMs: [], renderMs: Object.fromEntries(FORMATS.map((f) => [f, []])), pages: 0 },
    maxRssMb: 0,
  };
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const model = await reports.build(ADMIN, {
      type: 'monthly-compliance',
      month: MONTH,
      months: 1,
      audience: 'internal',
    });
    const t1 = performance.now();
    const renderMs: Record<string, number> = {};
    const bytes: Record<string, number> = {};
    let pages = 0;
    for (const f of FORMATS) {
      const s = performance.now();
      const rendered = await renderReport(model, f, { fonts });
      renderMs[f] = performance.now() - s;
      bytes[f] = rendered.body.byteLength;
      if (f === 'pdf')
        pages = (new TextDecoder('latin1').decode(rendered.body).match(/\/Type \/Page\b/g) ?? []).length;
    }
    out.runs.push({ buildMs: t1 - t0, renderMs, totalMs: performance.now() - t0, bytes, pages });
  }
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    const m = await reports.build(ADMIN, {
      type: 'monthly-compliance',
      month: MONTH,
      months: 1,
      audience: 'internal',
      agreementId: agreementId(500 + r),
    });
    const t1 = performance.now();
    const pdf = await renderReport(m, 'pdf', { fonts });
    const t2 = performance.now();
    out.agreementPdfMs.push(t2 - t0);
    out.agreement.buildMs.push(t1 - t0);
    out.agreement.renderMs.pdf!.push(t2 - t1);
    out.agreement.pages = (new TextDecoder('latin1').decode(pdf.body).match(/\/Type \/Page\b/g) ?? []).length;
    // The peers: the same model in the other formats, in the same run.
    for (const f of FORMATS.filter((x) => x !== 'pdf')) {
      const s = performance.now();
      await renderReport(m, f, { fonts });
      out.agreement.renderMs[f]!.push(performance.now() - s);
    }
  }
  out.maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 1000) / 1000;

export async function benchReports(): Promise<BenchEntry[]> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-bench-reports-'));
  try {
    // ACCORD_BENCH_REPORTS_DB names a database to keep: loaded when it does not exist, reused when it does (profiling).
    const keep = process.env.ACCORD_BENCH_REPORTS_DB;
    const file = keep ?? join(dir, 'bench.db');
    const t0 = performance.now();
    const reused = keep !== undefined && existsSync(keep);
    if (!reused) await load(file);
    const loadS = (performance.now() - t0) / 1000;
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', file],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      },
    );
    if (r.status !== 0) throw new Error(`reports child failed: ${r.stderr}`);
    const rep = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ChildReport;
    const warm = rep.runs.slice(1);
    const last = rep.runs.at(-1)!;
    return [
      {
        name: 'reports.portfolio_1k.s',
        value: round(median(warm.map((x) => x.totalMs)) / 1000),
        unit: 's (build + html + pdf + csv + json)',
        target: { op: '<=', limit: 10 },
      },
      {
        name: 'reports.portfolio_1k.first_run.s',
        value: round(rep.runs[0]!.totalMs / 1000),
        unit: 's (cold: fonts, first queries)',
      },
      {
        name: 'reports.portfolio_1k.build.s',
        value: round(median(warm.map((x) => x.buildMs)) / 1000),
        unit: 's (engine figures for 3,000 objectives, violations, model)',
      },
      ...FORMATS.map((f) => ({
        name: `reports.portfolio_1k.${f}.s`,
        value: round(median(warm.map((x) => x.renderMs[f]!)) / 1000),
        unit: `s (${Math.round(last.bytes[f]! / 1024)} KB${f === 'pdf' ? `, ${last.pages} pages` : ''})`,
      })),
      {
        // A peer measured in the same run: the CSV of the same model (plain string building, no PDF library),
        // so the ratio holds still however loaded the machine is (main: 20.2 s / 2.2 s = 9.2).
        name: 'reports.portfolio_1k.pdf_to_csv_ratio',
        value: round(median(warm.map((x) => x.renderMs.pdf! / x.renderMs.csv!))),
        unit: '× the CSV render of the same model, same run',
      },
      {
        name: 'reports.agreement_pdf.ms',
        value: round(median(rep.agreementPdfMs)),
        unit: 'ms (one agreement: build + PDF)',
        target: { op: '<=', limit: 200 },
      },
      {
        name: 'reports.agreement_pdf.first_run.ms',
        value: round(rep.agreementPdfMs[0]!),
        unit: 'ms (the first agreement after the portfolio runs)',
      },
      {
        name: 'reports.agreement.build.ms',
        value: round(median(rep.agreement.buildMs)),
        unit: 'ms (engine figures for 3 objectives, model)',
      },
      ...FORMATS.map((f) => ({
        name: `reports.agreement.${f}.ms`,
        value: round(median(rep.agreement.renderMs[f]!)),
        unit: `ms (render alone${f === 'pdf' ? `, ${rep.agreement.pages} pages` : ''})`,
      })),
      {
        name: 'reports.agreement.pdf_to_csv_ratio',
        value: round(median(rep.agreement.renderMs.pdf!.map((p, i) => p / rep.agreement.renderMs.csv![i]!))),
        unit: '× the CSV render of the same model, same run',
      },
      {
        name: 'reports.agreement.pdf_to_html_ratio',
        value: round(median(rep.agreement.renderMs.pdf!.map((p, i) => p / rep.agreement.renderMs.html![i]!))),
        unit: '× the HTML render of the same model, same run',
      },
      {
        name: 'reports.peak_rss_mb',
        value: round(rep.maxRssMb),
        unit: 'MB',
        target: { op: '<', limit: 512 },
      },
      {
        name: 'reports.load.s',
        value: round(loadS),
        unit: `s (loading the bench data, not measured${reused ? `: reused ${keep}` : ''})`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv;
if (argv[2] === '--child') {
  await child(argv[3]!);
} else if (argv[1] && fileURLToPath(import.meta.url) === argv[1]) {
  console.table(await benchReports());
}
