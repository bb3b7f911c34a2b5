import { beforeEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../shared/domain/errors.js';
import { computeCredit } from '../../../shared/domain/objectives/credits.js';
import type { ViolationRecord } from '../../../shared/ports/objectives.js';
import { monthsEnding, previousMonth, reportsIn } from '../../../shared/usecases/reports/index.js';
import { agreementBody, principal } from '../../helpers/fixtures.js';
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
 * The month's final records archived (resolved violations, final credit statements) and the anomaly alerts of
 * ReportUseCases, on memory adapters; and the month arithmetic they rest on.
 */
const auditor = principal({ subject: 'aud@bank.example', roles: ['auditor'] });
const PAY = 'agr_01PAYMENTS000000000001';

/** A credit for a period, final or provisional. */
const credit = (start: string, end: string, final: boolean) =>
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
      final,
    },
  );
const APRIL_CREDIT = () => credit('2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', true);
const enc = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;

describe('month arithmetic', () => {
  it('lists the months ending with one, oldest first, across a year', () => {
    expect(monthsEnding('2026-02', 3)).toEqual(['2025-12', '2026-01', '2026-02']);
    expect(monthsEnding('2026-04', 1)).toEqual(['2026-04']);
    expect(monthsEnding('2026-04', 0)).toEqual([]);
  });

  it('names the calendar month before an instant, in UTC', () => {
    expect(previousMonth(Date.parse('2026-01-15T12:00:00Z'))).toBe('2025-12');
    expect(previousMonth(Date.parse('2026-05-01T00:00:00Z'))).toBe('2026-04');
    expect(previousMonth(Date.parse('2026-04-30T23:59:59.999Z'))).toBe('2026-03');
  });

  it('answers unavailable where reports are not deployed', () => {
    const e = (() => {
      try {
        reportsIn({});
      } catch (x) {
        return x;
      }
    })() as Error;
    expect(e).toBeInstanceOf(UnavailableError);
    expect(e.message).toBe('reports are not deployed here');
    const w = reportWorld();
    expect(reportsIn({ reports: w.reports })).toBe(w.reports);
  });
});

describe('ReportUseCases.archiveFinalRecords', () => {
  let w: ReportWorld;
  let v: ViolationRecord;
  beforeEach(async () => {
    w = reportWorld();
    const a = await seedAgreement(w, { id: PAY });
    v = violationRecord(a, { id: 'vio_01APRIL00000000000001' });
  });
  const entries = async () => (await w.archive!.list(auditor, { limit: 50 }, 'req')).items;

  it('archives nothing where no archive is deployed', async () => {
    w = reportWorld({ archive: false });
    await w.violations.record(v);
    expect(await w.reports.archiveFinalRecords('2026-04')).toBe(0);
  });

  it('archives a violation resolved in the month once, as the engine recorded it', async () => {
    await w.violations.record(v);
    expect(await w.reports.archiveFinalRecords('2026-04')).toBe(1);
    const [e, ...more] = await entries();
    expect(more).toEqual([]);
    expect([e!.key, e!.type, e!.agreementId, e!.period, e!.title, e!.archivedBy, e!.contentType]).toEqual([
      'violations/agr_01payments000000000001/2026-04/vio_01april00000000000001.json',
      'violation',
      PAY,
      '2026-04',
      `Violation vio_01APRIL00000000000001 (major) of ${PAY}/availability`,
      'system:reports',
      'application/json',
    ]);
    const stored = await w.archiveStore.get(e!.key);
    expect(new TextDecoder().decode(stored!.body)).toBe(enc(v));
    // Run again (the job retries, or runs the next day): nothing archived twice, nothing refused.
    expect(await w.reports.archiveFinalRecords('2026-04')).toBe(0);
    expect(await entries()).toHaveLength(1);
  });

  it('leaves open violations and those detected in another month', async () => {
    await w.violations.record({ ...v, status: 'open', resolvedAt: undefined });
    await w.violations.record({
      ...v,
      id: 'vio_01MARCH00000000000001',
      key: 'march',
      detectedAt: '2026-03-20T10:00:00.000Z',
    });
    await w.violations.record({
      ...v,
      id: 'vio_01MAY0000000000000001',
      key: 'may',
      detectedAt: '2026-05-01T00:00:00.000Z',
    });
    expect(await w.reports.archiveFinalRecords('2026-04')).toBe(0);
    expect(await entries()).toEqual([]);
  });

  it('archives the final credit statement of the month once, with its disputes', async () => {
    const c = APRIL_CREDIT();
    const disputes = [{ status: 'open' }] as unknown as ViolationRecord['disputes'];
    await w.violations.record({ ...v, status: 'open', resolvedAt: undefined, credit: c, disputes });
    expect(await w.reports.archiveFinalRecords('2026-04')).toBe(1);
    const [e] = await entries();
    expect([e!.key, e!.type, e!.agreementId, e!.period, e!.title, e!.archivedBy]).toEqual([
      'credit-statements/agr_01payments000000000001/2026-04/vio_01april00000000000001.json',
      'credit-statement',
      PAY,
      '2026-04',
      `Credit statement for ${PAY}/availability, 2026-04`,
      'system:reports',
    ]);
    expect(new TextDecoder().decode((await w.archiveStore.get(e!.key))!.body)).toBe(
      enc({ violationId: v.id, agreementId: PAY, credit: c, disputes }),
    );
    expect(await w.reports.archiveFinalRecords('2026-04')).toBe(0);
  });

  it('archives both records of a resolved violation with a final credit', async () => {
    await w.violations.record({ ...v, credit: APRIL_CREDIT() });
    expect(await w.reports.archiveFinalRecords('2026-04')).toBe(2);
    expect((await entries()).map((e) => e.type)).toEqual(['violation', 'credit-statement']);
  });

  it('leaves a provisional credit, and a credit of a period that does not cover the month', async () => {
    await w.violations.record({
      ...v,
      status: 'open',
      credit: credit('2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', false),
    });
    await w.violations.record({
      ...v,
      id: 'vio_01MARCHCREDIT000000001',
      key: 'k2',
      status: 'open',
      detectedAt: '2026-04-02T00:00:00.000Z',
      credit: credit('2026-03-01T00:00:00.000Z', '2026-03-31T00:00:00.000Z', true),
    });
    await w.violations.record({
      ...v,
      id: 'vio_01MAYCREDIT00000000001',
      key: 'k3',
      status: 'open',
      detectedAt: '2026-04-03T00:00:00.000Z',
      credit: credit('2026-05-01T00:00:00.000Z', '2026-05-31T00:00:00.000Z', true),
    });
    expect(await w.reports.archiveFinalRecords('2026-04')).toBe(0);
  });

  it("archives a quarter's final credit in each month it covers", async () => {
    await w.violations.record({
      ...v,
      status: 'open',
      credit: credit('2026-03-01T00:00:00.000Z', '2026-05-31T00:00:00.000Z', true),
    });
    expect(await w.reports.archiveFinalRecords('2026-04')).toBe(1);
    expect(await w.reports.archiveFinalRecords('2026-03')).toBe(1);
    expect(await w.reports.archiveFinalRecords('2026-05')).toBe(1);
  });

  it('finds the records of violations detected up to a month either side', async () => {
    await w.violations.record({
      ...v,
      status: 'open',
      detectedAt: '2026-03-02T00:00:00.000Z',
      credit: credit('2026-03-01T00:00:00.000Z', '2026-05-31T00:00:00.000Z', true),
    });
    await w.violations.record({
      ...v,
      id: 'vio_01LATE000000000000001',
      key: 'late',
      status: 'open',
      detectedAt: '2026-05-31T00:00:00.000Z',
      credit: credit('2026-03-01T00:00:00.000Z', '2026-05-31T00:00:00.000Z', true),
    });
    expect(await w.reports.archiveFinalRecords('2026-04')).toBe(2);
  });
});

describe('ReportUseCases.alertAnomalies', () => {
  async function world(notify: ('objective-owners' | 'governance-board')[]) {
    const w = reportWorld();
    w.policy.anomalies = { ...w.policy.anomalies, notify };
    const a = await seedAgreement(w, { id: PAY });
    // 100 % in March, 99 % in April: a drop of one point (the threshold is half a point).
    await seedMonth(w, 'svc_payments-gateway', '2026-03', 0);
    await seedMonth(w, 'svc_payments-gateway', '2026-04', 10);
    return { w, a };
  }

  it('alerts the objective owner and the governance board to a drop in compliance', async () => {
    const { w } = await world(['objective-owners', 'governance-board']);
    expect(await w.reports.alertAnomalies('2026-04')).toBe(1);
    expect(w.delivery.sent).toEqual([
      {
        id: expect.stringMatching(/^dlv_\d{4}$/),
        kind: 'anomaly-alert',
        recipients: {
          roles: ['approver'],
          capacities: ['governance-board'],
          audience: 'internal',
          people: [{ name: 'Owen Service', email: 'owen@example.com' }],
        },
        subject: `Compliance of ${PAY}/availability fell 1 points in 2026-04`,
        text: `${PAY}/availability: 100% in 2026-03, 99% in 2026-04 (target 99.9%); the alert threshold is a drop of 0.5 points.`,
        attachments: [],
        archiveKeys: [],
      },
    ]);
  });

  it('alerts only the board, or only the owner, as the policy says', async () => {
    const board = await world(['governance-board']);
    await board.w.reports.alertAnomalies('2026-04');
    expect(board.w.delivery.sent[0]!.recipients).toEqual({
      roles: ['approver'],
      capacities: ['governance-board'],
      audience: 'internal',
      people: [],
    });
    const owners = await world(['objective-owners']);
    await owners.w.reports.alertAnomalies('2026-04');
    expect(owners.w.delivery.sent[0]!.recipients).toEqual({
      roles: [],
      capacities: [],
      audience: 'internal',
      people: [{ name: 'Owen Service', email: 'owen@example.com' }],
    });
  });

  it('alerts nobody when the month held steady', async () => {
    const w = reportWorld();
    await seedAgreement(w, { id: PAY });
    await seedMonth(w, 'svc_payments-gateway', '2026-03', 10);
    await seedMonth(w, 'svc_payments-gateway', '2026-04', 10);
    expect(await w.reports.alertAnomalies('2026-04')).toBe(0);
    expect(w.delivery.sent).toEqual([]);
  });

  it("alerts the board to a service's violations jumping, counted by the month they were detected", async () => {
    const w = reportWorld();
    const a = await seedAgreement(w, { id: PAY });
    const at = ['2026-03-31T23:59:59.000Z', '2026-04-01T00:00:00.000Z', '2026-04-10T00:00:00.000Z'];
    for (const [i, detectedAt] of [...at, '2026-04-30T23:59:00.000Z'].entries())
      await w.violations.record(violationRecord(a, { id: `vio_${i}`, key: `k${i}`, detectedAt }));
    // Before March: not counted.
    await w.violations.record(
      violationRecord(a, { id: 'vio_feb', key: 'feb', detectedAt: '2026-02-27T00:00:00.000Z' }),
    );
    expect(await w.reports.alertAnomalies('2026-04')).toBe(1);
    const d = w.delivery.sent[0]!;
    expect([d.kind, d.subject, d.text, d.recipients]).toEqual([
      'anomaly-alert',
      'Violations of svc_payments-gateway jumped to 3 in 2026-04',
      'svc_payments-gateway: 1 violation(s) in 2026-03, 3 in 2026-04; the alert threshold is 2× the previous month and at least 3.',
      { roles: ['approver'], capacities: ['governance-board'], audience: 'internal', people: [] },
    ]);
  });

  /** Availability telemetry from one instant to another: `bad` of every 1000 events failed in every bucket. */
  async function seedSpan(w: ReportWorld, from: string, to: string, bad: number) {
    await seedRollupSpan(w, 'svc_payments-gateway', Date.parse(from), Date.parse(to), () => bad);
  }

  it("measures the previous month without its exception windows' time, so a drop after an outage in one is alerted", async () => {
    const w = reportWorld();
    await seedAgreement(w, { id: PAY });
    // March: five days of outage during approved maintenance, every other bucket good; April: 99 %.
    await seedSpan(w, '2026-03-01T00:00:00.000Z', '2026-03-10T00:00:00.000Z', 0);
    await seedSpan(w, '2026-03-10T00:00:00.000Z', '2026-03-15T00:00:00.000Z', 1000);
    await seedSpan(w, '2026-03-15T00:00:00.000Z', '2026-04-01T00:00:00.000Z', 0);
    await seedMonth(w, 'svc_payments-gateway', '2026-04', 10);
    await w.exceptions.create(
      approvedMaintenance({
        agreementId: PAY,
        id: 'exc_march',
        start: '2026-03-10T00:00:00.000Z',
        end: '2026-03-15T00:00:00.000Z',
      }),
    );
    expect(await w.reports.alertAnomalies('2026-04')).toBe(1);
    expect(w.delivery.sent.map((d) => d.text)).toEqual([
      `${PAY}/availability: 100% in 2026-03, 99% in 2026-04 (target 99.9%); the alert threshold is a drop of 0.5 points.`,
    ]);
  });

  it('counts an exception window at the start of a month east of UTC, before the UTC month begins', async () => {
    const w = reportWorld();
    await seedAgreement(w, { id: PAY, timeZone: 'Asia/Tokyo' });
    // Tokyo's March begins at 15:00 UTC on 28 February: eight hours of outage in maintenance, then all good.
    await seedSpan(w, '2026-02-28T15:00:00.000Z', '2026-02-28T23:00:00.000Z', 1000);
    await seedSpan(w, '2026-02-28T23:00:00.000Z', '2026-04-01T00:00:00.000Z', 0);
    await seedSpan(w, '2026-04-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', 10);
    await w.exceptions.create(
      approvedMaintenance({
        agreementId: PAY,
        id: 'exc_tokyo',
        start: '2026-02-28T15:00:00.000Z',
        end: '2026-02-28T23:00:00.000Z',
      }),
    );
    expect(await w.reports.alertAnomalies('2026-04')).toBe(1);
    expect(w.delivery.sent.map((d) => d.text)).toEqual([
      `${PAY}/availability: 100% in 2026-03, 99.0125% in 2026-04 (target 99.9%); the alert threshold is a drop of 0.5 points.`,
    ]);
  });

  it("names each objective's own owner", async () => {
    const w = reportWorld();
    const base = agreementBody().objectives[0]!;
    await seedAgreement(w, {
      id: PAY,
      objectives: [
        { ...base, owner: { name: 'Owen Service', email: 'owen@example.com' } },
        {
          ...base,
          id: 'avail-strict',
          name: 'Strict',
          owner: { name: 'Sue Strict', email: 'sue@example.com' },
        },
      ],
    });
    await seedMonth(w, 'svc_payments-gateway', '2026-03', 0);
    await seedMonth(w, 'svc_payments-gateway', '2026-04', 10);
    expect(await w.reports.alertAnomalies('2026-04')).toBe(2);
    expect(w.delivery.sent.map((d) => [d.subject, d.recipients.people])).toEqual([
      [
        `Compliance of ${PAY}/avail-strict fell 1 points in 2026-04`,
        [{ name: 'Sue Strict', email: 'sue@example.com' }],
      ],
      [
        `Compliance of ${PAY}/availability fell 1 points in 2026-04`,
        [{ name: 'Owen Service', email: 'owen@example.com' }],
      ],
    ]);
  });
});
