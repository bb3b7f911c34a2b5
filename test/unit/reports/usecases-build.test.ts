import { beforeEach, describe, expect, it } from 'vitest';
import { computeCredit } from '../../../shared/domain/objectives/credits.js';
import { type ReportModel, type ReportType, tablesOf } from '../../../shared/domain/reports/model.js';
import {
  DEFAULT_BURN_WINDOWS,
  DEFAULT_FORECAST,
  DEFAULT_TIER_DEFAULTS,
} from '../../../shared/policy/objectives.js';
import type { ViolationRecord } from '../../../shared/ports/objectives.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { contextsOf, evaluateMany } from '../../../shared/usecases/objectives/evaluator.js';
import { engineAgreement } from '../../../shared/usecases/reports/engine.js';
import type { ReportRequest } from '../../../shared/usecases/reports/index.js';
import { principal } from '../../helpers/fixtures.js';
import {
  approvedMaintenance,
  type ReportWorld,
  reportWorld,
  seedAgreement,
  seedMonth,
  seedSpan as seedRollupSpan,
  violationRecord,
} from '../../helpers/report-usecases.js';

/**
 * What ReportUseCases.build puts in each report type from the stores: the violations of the period (trends) or
 * whose credits overlap it (statements, audit), the budgets and their burn-down history, the audit's published
 * figures read back from the archive.
 */
const admin = principal({ subject: 'ada@bank.example', roles: ['admin'] });
const PAY = 'agr_01PAYMENTS000000000001';
const req = (type: ReportType, over: Partial<ReportRequest> = {}): ReportRequest => ({
  type,
  month: '2026-04',
  months: 1,
  audience: 'internal',
  ...over,
});

function column(m: ReportModel, table: string, key: string): unknown[] {
  const t = tablesOf(m).find((x) => x.id === table);
  if (!t) return [];
  const i = t.columns.findIndex((c) => c.key === key);
  return t.rows.map((r) => r[i]?.v);
}

const credit = (start: string, end: string) =>
  computeCredit(
    {
      currency: 'EUR',
      monthlyCharge: 1000,
      tiers: [{ belowPercent: 99.9, creditPercent: 10 }],
      capPercent: 100,
    },
    {
      objectiveId: 'availability',
      measured: { unit: 'events', good: 995, total: 1000 },
      coverage: 1,
      periodStart: start,
      periodEnd: end,
      final: true,
    },
  );

describe('the violations a report is made of', () => {
  let w: ReportWorld;
  let a: AgreementVersion;
  const vio = (id: string, detectedAt: string, over: Partial<ViolationRecord> = {}) =>
    w.violations.record(violationRecord(a, { id, key: id, detectedAt, ...over }));
  beforeEach(async () => {
    w = reportWorld();
    a = await seedAgreement(w, { id: PAY });
  });

  it('counts in trends the violations detected within the period, start included, end excluded', async () => {
    await vio('vio_first', '2026-04-01T00:00:00.000Z');
    await vio('vio_last', '2026-04-30T23:59:59.999Z');
    await vio('vio_before', '2026-03-31T23:59:59.999Z');
    await vio('vio_after', '2026-05-01T00:00:00.000Z');
    const m = await w.reports.build(admin, req('violation-trends'));
    expect(column(m, 'violations', 'violation').sort()).toEqual(['vio_first', 'vio_last']);
  });

  it("leaves out the violations of agreements outside the report, and names an unknown objective's cause so", async () => {
    const other = await seedAgreement(w, { id: 'agr_01OTHER00000000000001', businessUnit: 'mobile' });
    await vio('vio_mine', '2026-04-10T00:00:00.000Z', { objectiveId: 'retired-objective' });
    await w.violations.record(
      violationRecord(other, { id: 'vio_other', key: 'o', detectedAt: '2026-04-11T00:00:00.000Z' }),
    );
    const m = await w.reports.build(admin, req('violation-trends', { agreementId: PAY }));
    expect(column(m, 'violations', 'violation')).toEqual(['vio_mine']);
    expect(column(m, 'violations', 'cause')).toEqual(['unknown']);
    const all = await w.reports.build(admin, req('violation-trends'));
    expect(column(all, 'violations', 'cause').sort()).toEqual(['availability', 'unknown']);
  });

  it('states the credits overlapping the period, of violations detected up to 31 days before it', async () => {
    const april = credit('2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z');
    await vio('vio_april', '2026-04-10T00:00:00.000Z', { credit: april });
    await vio('vio_march', '2026-03-02T00:00:00.000Z', { credit: april });
    await vio('vio_february', '2026-02-27T00:00:00.000Z', { credit: april });
    await vio('vio_nocredit', '2026-04-12T00:00:00.000Z');
    await vio('vio_prior', '2026-03-10T00:00:00.000Z', {
      credit: credit('2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'),
    });
    await vio('vio_next', '2026-04-30T00:00:00.000Z', {
      credit: credit('2026-05-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z'),
    });
    const m = await w.reports.build(admin, req('credit-statement'));
    expect(column(m, 'owed', 'violation').sort()).toEqual(['vio_april', 'vio_march']);
  });

  it("audits the stored credits of the period's violations, and none of another period", async () => {
    const CREDIT_CHECK = 'credit amount: stored vs recomputed';
    await vio('vio_prior', '2026-03-10T00:00:00.000Z', {
      credit: credit('2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'),
    });
    const none = await w.reports.build(admin, req('sla-audit'));
    expect(column(none, 'checks', 'check')).not.toContain(CREDIT_CHECK);
    await vio('vio_march', '2026-03-02T00:00:00.000Z', {
      credit: credit('2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z'),
    });
    const m = await w.reports.build(admin, req('sla-audit'));
    expect(column(m, 'checks', 'check')).toContain(CREDIT_CHECK);
  });

  it('states a credit of a month that ends inside the period, or starts before its end', async () => {
    await vio('vio_ends', '2026-03-20T00:00:00.000Z', {
      credit: credit('2026-03-15T00:00:00.000Z', '2026-04-01T00:00:00.001Z'),
    });
    await vio('vio_starts', '2026-04-29T00:00:00.000Z', {
      credit: credit('2026-04-30T23:59:59.999Z', '2026-05-30T00:00:00.000Z'),
    });
    const m = await w.reports.build(admin, req('credit-statement'));
    expect(column(m, 'owed', 'violation').sort()).toEqual(['vio_ends', 'vio_starts']);
  });

  it('lists no violations in the reports that are not about them', async () => {
    await vio('vio_april', '2026-04-10T00:00:00.000Z', {
      credit: credit('2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z'),
    });
    for (const type of ['monthly-compliance', 'error-budget', 'ola-uc-performance'] as const) {
      const m = await w.reports.build(admin, req(type));
      expect(JSON.stringify(m), type).not.toContain('vio_april');
    }
  });
});

describe('the figures, budgets and burn-down of a report', () => {
  let w: ReportWorld;
  let a: AgreementVersion;
  const settings = {
    burnWindows: DEFAULT_BURN_WINDOWS,
    forecast: DEFAULT_FORECAST,
    tiers: DEFAULT_TIER_DEFAULTS,
  };
  const evaluateAt = async (at: string) =>
    w.evaluations.save(
      await evaluateMany(w.rollups, contextsOf(engineAgreement(a, 1)), new Map(), Date.parse(at), settings),
    );
  const points = (m: ReportModel) =>
    m.sections.flatMap((s) => s.charts).flatMap((c) => c.points.map((p) => p.at));
  beforeEach(async () => {
    w = reportWorld();
    a = await seedAgreement(w, { id: PAY });
    for (const month of ['2026-03', '2026-04', '2026-05']) await seedMonth(w, a.serviceId, month, 5);
    for (const at of [
      '2026-04-07T05:00:00.000Z',
      '2026-04-07T06:00:00.000Z',
      '2026-04-20T00:00:00.000Z',
      '2026-05-05T06:00:00.000Z',
    ])
      await evaluateAt(at);
  });

  it("draws the month's burn-down in monthly compliance, from the history of the month", async () => {
    const m = await w.reports.build(admin, req('monthly-compliance'));
    expect(points(m)).toEqual([
      '2026-04-07T05:00:00.000Z',
      '2026-04-07T06:00:00.000Z',
      '2026-04-20T00:00:00.000Z',
    ]);
    expect(column(m, 'objectives', 'compliance')).toEqual([99.5]);
    expect(column(m, 'budgets', 'agreement')).toEqual([]);
  });

  it('shows the latest budget of each objective and the last 28 days of its history, up to now', async () => {
    const m = await w.reports.build(admin, req('error-budget'));
    expect(column(m, 'budgets', 'agreement')).toEqual([PAY]);
    expect(column(m, 'budgets', 'window')).toEqual(['calendar, 2026-05-01 to 2026-06-01']);
    expect(points(m)).toEqual(['2026-04-07T06:00:00.000Z', '2026-04-20T00:00:00.000Z']);
    const may = await w.reports.build(admin, req('error-budget', { month: '2026-05' }));
    expect(points(may)).toEqual(['2026-05-05T06:00:00.000Z']);
  });

  it("leaves the evaluation made as the next month begins out of the month's burn-down, yet draws it in the month's error budgets", async () => {
    await evaluateAt('2026-05-01T00:00:00.000Z');
    const m = await w.reports.build(admin, req('monthly-compliance'));
    expect(points(m)).toEqual([
      '2026-04-07T05:00:00.000Z',
      '2026-04-07T06:00:00.000Z',
      '2026-04-20T00:00:00.000Z',
    ]);
    const budgets = await w.reports.build(admin, req('error-budget'));
    expect(points(budgets)).toEqual([
      '2026-04-07T06:00:00.000Z',
      '2026-04-20T00:00:00.000Z',
      '2026-05-01T00:00:00.000Z',
    ]);
  });

  it("shows each agreement's own budgets once", async () => {
    const OTHER = 'agr_01OTHER00000000000001';
    a = await seedAgreement(w, { id: OTHER });
    await evaluateAt('2026-05-05T06:00:00.000Z');
    const both = await w.reports.build(admin, req('error-budget'));
    expect(column(both, 'budgets', 'agreement').sort()).toEqual([OTHER, PAY]);
    const one = await w.reports.build(admin, req('error-budget', { agreementId: PAY }));
    expect(column(one, 'budgets', 'agreement')).toEqual([PAY]);
  });

  it('has no figures in violation trends or credit statements, and no burn-down in audits', async () => {
    for (const type of ['violation-trends', 'credit-statement', 'sla-audit'] as const) {
      const m = await w.reports.build(admin, req(type));
      expect(points(m), type).toEqual([]);
      expect(column(m, 'objectives', 'compliance'), type).toEqual([]);
    }
  });
});

describe('the agreements and services a report is made of', () => {
  let w: ReportWorld;
  beforeEach(() => {
    w = reportWorld();
  });

  it("names each service by the service's own name", async () => {
    await seedAgreement(w, { id: PAY });
    const m = await w.reports.build(admin, req('monthly-compliance'));
    expect(column(m, 'by-service', 'serviceName')).toEqual(['svc_payments-gateway name']);
  });

  it('spans the period over the months of the agreements the audience sees, not of those it does not', async () => {
    await seedAgreement(w, {
      id: PAY,
      parties: {
        provider: { type: 'business-unit', businessUnit: 'payments' },
        customer: { type: 'business-unit', businessUnit: 'wealth' },
      },
    });
    // Another customer's agreement, whose April begins eleven hours before UTC's.
    await seedAgreement(w, { id: 'agr_01AUCKLAND000000000001', timeZone: 'Pacific/Auckland' });
    const customer = await w.reports.build(
      admin,
      req('violation-trends', { audience: 'customer', party: 'wealth' }),
    );
    expect(customer.period).toEqual({
      label: '2026-04',
      start: '2026-04-01T00:00:00.000Z',
      end: '2026-05-01T00:00:00.000Z',
    });
    const internal = await w.reports.build(admin, req('violation-trends'));
    expect(internal.period.start).toBe('2026-03-31T11:00:00.000Z');
  });
});

describe('the exception windows of a month', () => {
  it('leaves the time of an exception window in the month out of its compliance', async () => {
    const w = reportWorld();
    const a = await seedAgreement(w, { id: PAY });
    await seedMonth(w, a.serviceId, '2026-04', 0);
    // An hour of failures on the 10th, during planned maintenance.
    const start = Date.parse('2026-04-10T00:00:00.000Z');
    const deltas = [];
    for (let t = start; t < start + 3_600_000; t += 300_000)
      deltas.push({
        sliKey: `${a.serviceId}/availability`,
        bucketStart: t,
        good: 0,
        total: 1000,
        count: 0,
        sum: 0,
        min: 0,
        max: 0,
      });
    await w.rollups.add(deltas);
    const before = await w.reports.build(admin, req('monthly-compliance'));
    expect(column(before, 'objectives', 'compliance')[0]).toBeLessThan(99.9);
    await w.exceptions.create(
      approvedMaintenance({
        agreementId: a.id,
        start: '2026-04-10T00:00:00.000Z',
        end: '2026-04-10T01:00:00.000Z',
        changeReason: 'the upgrade needs an hour offline',
      }),
    );
    const after = await w.reports.build(admin, req('monthly-compliance'));
    expect(column(after, 'objectives', 'compliance')).toEqual([100]);
  });
});

describe('the exception windows before a month in progress', () => {
  it("judges the month's status on the burn of the hours before it, without their exception windows", async () => {
    const w = reportWorld({ now: '2026-05-01T04:00:00.000Z' });
    const a = await seedAgreement(w, { id: PAY });
    // Good telemetry from 28 April, but for an outage late on 30 April, in planned maintenance.
    const [outage, outageEnd] = [
      Date.parse('2026-04-30T22:00:00.000Z'),
      Date.parse('2026-04-30T23:55:00.000Z'),
    ];
    await seedRollupSpan(
      w,
      a.serviceId,
      Date.parse('2026-04-28T00:00:00.000Z'),
      Date.parse('2026-05-01T04:00:00.000Z'),
      (t) => (t >= outage && t < outageEnd ? 1000 : 0),
    );
    const may = req('monthly-compliance', { month: '2026-05' });
    expect(column(await w.reports.build(admin, may), 'objectives', 'status')).toEqual(['at-risk']);
    await w.exceptions.create(
      approvedMaintenance({
        agreementId: a.id,
        start: '2026-04-30T22:00:00.000Z',
        end: '2026-04-30T23:55:00.000Z',
        changeReason: 'the upgrade needs two hours offline',
      }),
    );
    expect(column(await w.reports.build(admin, may), 'objectives', 'status')).toEqual(['healthy']);
  });
});

describe("the audit's published figures, read back from the archive", () => {
  let w: ReportWorld;
  beforeEach(async () => {
    w = reportWorld();
    await seedAgreement(w, { id: PAY });
    // Months in order: the memory rollups insert before later buckets slowly.
    await seedMonth(w, 'svc_payments-gateway', '2026-03', 5);
    await seedMonth(w, 'svc_payments-gateway', '2026-04', 5);
  });
  const checks = (m: ReportModel) => column(m, 'checks', 'check');
  const PUBLISHED = 'compliance: published report vs raw evidence';
  const publish = (over: { period?: string; businessUnit?: string; formats?: ('json' | 'csv')[] } = {}) =>
    w.reports.publish(admin, 'monthly-compliance', {
      period: '2026-04',
      months: 1,
      audience: 'internal',
      formats: ['json'],
      ...over,
    });
  /** Archives a hand-altered copy of a published JSON report (as an older release may have written it). */
  async function archiveAltered(change: (doc: Record<string, unknown>) => unknown) {
    const r = await publish();
    const doc = JSON.parse(new TextDecoder().decode((await w.archiveStore.get(r.archived[0]!.key))!.body));
    await w.archive!.archive({
      type: 'report',
      reportType: 'monthly-compliance',
      period: '2026-04',
      scope: 'portfolio-internal',
      id: 'rpt_altered',
      extension: 'json',
      contentType: 'application/json',
      body: new TextEncoder().encode(JSON.stringify(change(doc))),
      title: 'altered',
      archivedBy: 'test',
    });
  }

  it('compares nothing published where no archive is deployed', async () => {
    w = reportWorld({ archive: false });
    await seedAgreement(w, { id: PAY });
    const m = await w.reports.build(admin, req('sla-audit'));
    expect(checks(m)).not.toContain(PUBLISHED);
    expect(m.notes).toContain(
      'No published monthly report for 2026-04 was found in the archive: published figures were not compared.',
    );
  });

  it("compares the portfolio's published monthly report of the month, the latest one", async () => {
    await publish();
    const second = await publish();
    const m = await w.reports.build(admin, req('sla-audit'));
    expect(column(m, 'checks', 'check').filter((c) => c === PUBLISHED)).toHaveLength(1);
    const i = checks(m).indexOf(PUBLISHED);
    expect([column(m, 'checks', 'expected')[i], column(m, 'checks', 'found')[i]]).toEqual([99.5, 99.5]);
    expect(m.notes).toContain(`Published figures read from ${second.archived[0]!.key}.`);
  });

  it('finds no published figures in a CSV, a business unit report, or another month', async () => {
    await publish({ formats: ['csv'] });
    await publish({ businessUnit: 'payments' });
    await publish({ period: '2026-03' });
    const m = await w.reports.build(admin, req('sla-audit'));
    expect(checks(m)).not.toContain(PUBLISHED);
  });

  it('maps a published objective named by its id back to the objective', async () => {
    await archiveAltered((doc) => {
      const s = doc.sections as {
        tables: { id: string; columns: { key: string }[]; rows: { v: unknown }[][] }[];
      }[];
      const t = s.flatMap((x) => x.tables).find((x) => x.id === 'objectives')!;
      const io = t.columns.findIndex((c) => c.key === 'objective');
      for (const r of t.rows) r[io]!.v = 'availability';
      return doc;
    });
    const m = await w.reports.build(admin, req('sla-audit'));
    const i = checks(m).indexOf(PUBLISHED);
    expect([column(m, 'checks', 'found')[i], column(m, 'checks', 'result')[i]]).toEqual([99.5, 'match']);
    expect(m.notes).toContain(
      'Published figures read from reports/monthly-compliance/2026-04/portfolio-internal/rpt_altered.json.',
    );
  });

  it('compares nothing from a published objective no agreement has any more', async () => {
    await archiveAltered((doc) => {
      const s = doc.sections as {
        tables: { id: string; columns: { key: string }[]; rows: { v: unknown }[][] }[];
      }[];
      const t = s.flatMap((x) => x.tables).find((x) => x.id === 'objectives')!;
      const io = t.columns.findIndex((c) => c.key === 'objective');
      for (const r of t.rows) r[io]!.v = 'Retired objective';
      return doc;
    });
    const m = await w.reports.build(admin, req('sla-audit'));
    const i = checks(m).indexOf(PUBLISHED);
    expect([column(m, 'checks', 'found')[i], column(m, 'checks', 'result')[i]]).toEqual(['—', 'not-checked']);
  });

  it('ignores a published document that is not a report, or has no objectives table', async () => {
    await archiveAltered(() => ({ not: 'a report' }));
    const m = await w.reports.build(admin, req('sla-audit'));
    expect(checks(m)).not.toContain(PUBLISHED);
    expect(m.notes.some((n) => n.startsWith('No published monthly report for 2026-04'))).toBe(true);
    w = reportWorld();
    await seedAgreement(w, { id: PAY });
    await archiveAltered((doc) => ({ ...doc, sections: [] }));
    const empty = await w.reports.build(admin, req('sla-audit'));
    expect(empty.notes.some((n) => n.startsWith('No published monthly report for 2026-04'))).toBe(true);
  });
});
