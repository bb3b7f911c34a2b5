import { beforeEach, describe, expect, it } from 'vitest';
import { buildReport } from '../../../shared/domain/reports/build.js';
import type { AgreementInfo, ViolationFigure } from '../../../shared/domain/reports/figures.js';
import {
  AGR_A,
  AGR_B,
  AGR_O,
  AGR_U,
  AGR_U_WITHOUT_DATA,
  creditFigure,
  figure,
  inputs,
  rowsOf,
  summaryOf,
  tableOf,
  UTC_APRIL,
  violationFigure,
} from '../../helpers/report-build.js';

const MARCH = { periodStart: '2026-03-01T00:00:00.000Z', periodEnd: '2026-04-01T00:00:00.000Z' };
const feb = '2026-02';
const mar = '2026-03';
const apr = '2026-04';
/** A report period of these whole months, starting at `start` and ending with UTC April. */
const untilApril = (months: string[], start: string) => ({
  label: `${months[0]} to ${months.at(-1)}`,
  start,
  end: UTC_APRIL.periodEnd,
  months,
});
const credit = creditFigure;
/** A violation named after its credit, when it has one. */
const violation = (over: Partial<ViolationFigure>): ViolationFigure =>
  violationFigure({
    id: over.credit?.violationId ?? 'vio_1',
    agreementId: over.credit?.agreementId ?? 'agr_A',
    objectiveId: over.credit?.objectiveId ?? 'availability',
    ...over,
  });

describe('credit statement: order, disputes and counts', () => {
  // Given out of order: the OLA's credit first, then agr_A's April credit before its March one, and a credit of an
  // agreement the reader may not see (agr_X), which the statement leaves out.
  // Built in a hook, not while the file loads: Stryker switches a mutant on only around each test.
  let m: ReturnType<typeof buildReport>;
  beforeEach(() => {
    m = buildReport(
      inputs({
        type: 'credit-statement',
        violations: [
          violation({
            credit: credit({ violationId: 'vio_o', agreementId: 'agr_O', currency: 'GBP', amount: 5 }),
          }),
          violation({
            credit: credit({
              violationId: 'vio_apr',
              final: false,
              amount: 20,
              disputes: [{ status: 'open' }, { status: 'rejected', resolution: 'measured right' }],
            }),
          }),
          violation({
            credit: credit({
              violationId: 'vio_mar',
              ...MARCH,
              disputes: [{ status: 'rejected', resolution: 'no' }],
            }),
          }),
          violation({ credit: credit({ violationId: 'vio_x', agreementId: 'agr_X' }) }),
        ],
      }),
    );
  });

  /** The owed table's rows as short strings (a missing table fails the test). */
  const owed = (): string[][] => {
    const rows = rowsOf(tableOf(m, 'owed'));
    if (rows === 'no table') throw new Error('the statement has no owed table');
    return rows;
  };

  it('lists the credits by agreement, then by period start', () => {
    expect(owed().map((r) => r[0])).toEqual(['vio_mar', 'vio_apr', 'vio_o']);
  });

  it("shows a credit's disputes as their statuses separated by a comma and a space", () => {
    expect(owed().map((r) => r.at(-1))).toEqual(['rejected', 'open, rejected', 'none']);
  });

  it('totals each currency, and of it what is final only', () => {
    // EUR: 10 (final, March) + 20 (provisional, April) = 30, of which final 10; GBP: 5, all final.
    expect(rowsOf(tableOf(m, 'owed-totals'))).toEqual([
      ['EUR', '#2/0', 'EUR 30', 'EUR 10'],
      ['GBP', '#1/0', 'GBP 5', 'GBP 5'],
    ]);
  });

  it('counts final, provisional and disputed credits, a credit being disputed only while a dispute is open', () => {
    // Three visible credits: March and the OLA's final, April provisional; only April has an open dispute (March's
    // one dispute was rejected).
    expect(summaryOf(m)).toEqual(['Credits: #3/0', 'Final: #2/0', 'Provisional: #1/0', 'Disputed: #1/0']);
  });
});

describe('violation trends: visibility, repeat offenders and open violations', () => {
  const at = (d: string) => `2026-04-${d}T09:00:00.000Z`;
  // svc_a: 3 violations (1st, 2nd, 3rd); svc_b: 4 (5th to 8th), two of them open; one of an agreement the reader
  // may not see (agr_X, on svc_a), left out everywhere.
  const vs: ViolationFigure[] = [
    violation({ id: 'v1', serviceId: 'svc_a', detectedAt: at('01') }),
    violation({ id: 'v2', serviceId: 'svc_a', detectedAt: at('02') }),
    violation({ id: 'v3', serviceId: 'svc_a', detectedAt: at('03') }),
    violation({ id: 'v5', serviceId: 'svc_b', detectedAt: at('05'), status: 'open' }),
    violation({ id: 'v6', serviceId: 'svc_b', detectedAt: at('06') }),
    violation({ id: 'v7', serviceId: 'svc_b', detectedAt: at('07'), status: 'open' }),
    violation({ id: 'v8', serviceId: 'svc_b', detectedAt: at('08') }),
    violation({ id: 'vx', agreementId: 'agr_X', serviceId: 'svc_a', detectedAt: at('04'), status: 'open' }),
  ];
  // Built in a hook, not while the file loads: Stryker switches a mutant on only around each test.
  let m: ReturnType<typeof buildReport>;
  beforeEach(() => {
    m = buildReport(inputs({ type: 'violation-trends', violations: vs }));
  });

  it('lists repeat offenders by their number of violations, most first, with their first and last detection', () => {
    expect(rowsOf(tableOf(m, 'repeat-offenders'))).toEqual([
      ['svc_b', '#4/0', '#1/0', `@${at('05')}`, `@${at('08')}`],
      ['svc_a', '#3/0', '#1/0', `@${at('01')}`, `@${at('03')}`],
    ]);
  });

  it('counts only the visible violations, and of them the open ones', () => {
    // 7 visible (vx is not), none critical, 2 open (v5, v7), 2 repeat offenders (threshold 3).
    expect(summaryOf(m)).toEqual([
      'Violations: #7/0',
      'Critical: #0/0',
      'Open: #2/0',
      'Repeat offenders: #2/0',
    ]);
  });
});

describe('OLA and UC performance: the last month, SLAs only, in a stable order', () => {
  // agr_O (an OLA) has two objectives and is itself underpinned by the UC agr_U (an OLA may rely on a vendor).
  // agr_C is an SLA whose one link is to an agreement the reader may not see. Given out of order.
  const O: AgreementInfo = {
    ...AGR_O,
    underpinnedBy: ['agr_U'],
    objectives: [
      AGR_O.objectives[0]!,
      {
        id: 'mfa',
        name: 'MFA',
        target: 99,
        owner: { name: 'Ida', email: 'ida@bank.example' },
        sliType: 'availability',
      },
    ],
  };
  const B: AgreementInfo = { ...AGR_B, underpinnedBy: ['agr_O'] };
  const C: AgreementInfo = { ...AGR_B, id: 'agr_C', title: 'Cards SLA', underpinnedBy: ['agr_GONE'] };
  // Built in a hook, not while the file loads: Stryker switches a mutant on only around each test.
  let m: ReturnType<typeof buildReport>;
  beforeEach(() => {
    m = buildReport(
      inputs({
        type: 'ola-uc-performance',
        period: untilApril([feb, mar, apr], '2026-02-01T00:00:00.000Z'),
        agreements: [B, AGR_U, O, AGR_A, C],
        objectives: [
          // April, the last month: mfa (met) listed before login (missed); the UC has no data; agr_A one met objective
          // and one without data; agr_B and agr_C none.
          figure('agr_O', 'mfa', apr, { target: 99, compliance: 99.5 }),
          figure('agr_O', 'login', apr, { target: 99, compliance: 98 }),
          figure('agr_U', 'auth', apr, { target: 99.95, compliance: null }),
          figure('agr_A', 'availability', apr, { target: 99.9, compliance: 99.95 }),
          figure('agr_A', 'latency', apr, { target: 99, compliance: null }),
          // March, not the last month: login met then.
          figure('agr_O', 'login', mar, { target: 99, compliance: 99.9 }),
        ],
      }),
    );
  });

  it("sets each SLA's underpinning objectives of the last month beside it, SLA by SLA and objective by objective", () => {
    // agr_A: met + unknown → unknown (not every objective is met); agr_B: no figure → unknown.
    const O_ROWS = [
      ['agr_O', 'OLA', 'Identity OLA', 'identity', 'Logins', '%99/3', '%98/3', '[missed]'],
      ['agr_O', 'OLA', 'Identity OLA', 'identity', 'MFA', '%99/3', '%99.5/3', '[met]'],
    ];
    expect(rowsOf(tableOf(m, 'against-slas'))).toEqual([
      ['agr_A', 'Payments SLA', '[unknown]', ...O_ROWS[0]!],
      ['agr_A', 'Payments SLA', '[unknown]', ...O_ROWS[1]!],
      ['agr_A', 'Payments SLA', '[unknown]', ...AGR_U_WITHOUT_DATA],
      ['agr_B', 'Mobile SLA', '[unknown]', ...O_ROWS[0]!],
      ['agr_B', 'Mobile SLA', '[unknown]', ...O_ROWS[1]!],
    ]);
  });

  it('lists the OLA and UC objectives by agreement, naming each objective and counting the SLAs (only) that rely on it', () => {
    // agr_O: relied on by agr_A and agr_B; agr_U: by agr_A only (agr_O, an OLA, relies on it too but is no SLA).
    expect(rowsOf(tableOf(m, 'commitments'))).toEqual([
      ['agr_O', 'OLA', 'Identity OLA', 'identity', 'Logins', '%99/3', '%98/3', '[missed]', '#2/0'],
      ['agr_O', 'OLA', 'Identity OLA', 'identity', 'MFA', '%99/3', '%99.5/3', '[met]', '#2/0'],
      [...AGR_U_WITHOUT_DATA, '#1/0'],
    ]);
  });

  it('counts the SLAs with at least one visible underpinning agreement', () => {
    // agr_A (agr_O and agr_U visible, agr_MISSING not) and agr_B (agr_O) count; agr_C (only agr_GONE) does not.
    // Missed: agr_O login under agr_A and under agr_B = 2. Objectives: 3 commitments.
    expect(summaryOf(m)).toEqual([
      'SLAs with underpinning commitments: #2/0',
      'Underpinning objectives missed: #2/0',
      'OLA/UC objectives: #3/0',
    ]);
  });
});

describe('SLA audit: the last month, its own credit, and what it says of a missing one', () => {
  // Built in a hook, not while the file loads: Stryker switches a mutant on only around each test.
  let m: ReturnType<typeof buildReport>;
  beforeEach(() => {
    m = buildReport(
      inputs({
        type: 'sla-audit',
        period: untilApril([mar, apr], MARCH.periodStart),
        // April's engine figure first, March's after it: the audit of the last month (April) must read April's.
        objectives: [
          figure('agr_A', 'availability', apr, { target: 99.9, compliance: 99.5, totalEvents: 1000 }),
          figure('agr_A', 'availability', mar, { target: 99.9, compliance: 97, totalEvents: 800 }),
        ],
        // Credits of February and of May: neither covers April, so no credit is stored for the audited month; a
        // violation without a credit, and an April credit of an agreement the reader may not see, change nothing.
        violations: [
          violation({ id: 'vio_no_credit' }),
          violation({ credit: credit({ violationId: 'vio_x', agreementId: 'agr_X' }) }),
          violation({
            credit: credit({
              violationId: 'vio_feb',
              periodStart: '2026-02-01T00:00:00.000Z',
              periodEnd: '2026-03-01T00:00:00.000Z',
              compliancePercent: 95,
              creditPercent: 25,
              amount: 250,
            }),
          }),
          violation({
            credit: credit({
              violationId: 'vio_may',
              periodStart: '2026-05-01T00:00:00.000Z',
              periodEnd: '2026-06-01T00:00:00.000Z',
              compliancePercent: 96,
              creditPercent: 20,
              amount: 200,
            }),
          }),
        ],
        audit: {
          recomputed: [
            {
              agreementId: 'agr_A',
              objectiveId: 'availability',
              compliance: 99.5,
              goodEvents: 995,
              totalEvents: 1000,
              creditPercent: 10,
              creditAmount: 100,
              note: 'two buckets were empty',
            },
            // An agreement the reader may not see: neither audited nor counted.
            {
              agreementId: 'agr_X',
              objectiveId: 'availability',
              compliance: 90,
              goodEvents: 9,
              totalEvents: 10,
              creditPercent: null,
              creditAmount: null,
            },
          ],
        },
      }),
    );
  });

  it("says a credit the tiers give but none was stored for the month was found as 'nothing'", () => {
    // The engine's April figures match (99.5 %, 1,000 events); the tiers give 10 % (100 EUR) but no credit of April
    // was stored: three differences, each "found nothing".
    expect(m.sections.find((s) => s.id === 'differences')!.paragraphs).toEqual([
      'Difference: agr_A/availability, credit compliance: stored vs raw evidence: recomputed 99.5, found nothing',
      'Difference: agr_A/availability, credit %: stored vs recomputed: recomputed 10, found nothing',
      'Difference: agr_A/availability, credit amount: stored vs recomputed: recomputed 100, found nothing',
    ]);
  });

  it('counts only the objectives of visible agreements as audited', () => {
    // 1 objective audited (agr_X is not visible); 5 checks: 2 match, 3 differ.
    expect(summaryOf(m)).toEqual([
      'Objectives audited: #1/0',
      'Checks: #5/0',
      'Matches: #2/0',
      'Differences: #3/0',
      'Not checked: #0/0',
    ]);
  });

  it("keeps a recomputation's note in the report's notes, named by its objective", () => {
    expect(m.notes).toContain('agr_A/availability: two buckets were empty');
  });
});

describe("SLA audit: the stored credit of the audited month is the one of that calendar month in the agreement's zone", () => {
  // April 2026 audited; the tiers give no credit for April (met). Credits of neighbouring months overlap the UTC
  // April by hours: Los Angeles' March runs to 2026-04-01T07:00Z (PDT, UTC−7), Tokyo's May starts at
  // 2026-04-30T15:00Z (UTC+9). Neither is April's credit, so no credit check is made: 2 checks, both matching.
  const LA: AgreementInfo = { ...AGR_B, id: 'agr_LA', timeZone: 'America/Los_Angeles' };
  const TYO: AgreementInfo = { ...AGR_B, id: 'agr_TYO', timeZone: 'Asia/Tokyo' };
  const rec = (agreementId: string) => ({
    agreementId,
    objectiveId: 'availability',
    compliance: 99.95,
    goodEvents: 1999,
    totalEvents: 2000,
    creditPercent: null,
    creditAmount: null,
  });
  const build = (violations: ViolationFigure[]) =>
    buildReport(
      inputs({
        type: 'sla-audit',
        agreements: [LA, TYO],
        objectives: [
          figure('agr_LA', 'availability', '2026-04', { target: 99.9, compliance: 99.95, totalEvents: 2000 }),
          figure('agr_TYO', 'availability', '2026-04', {
            target: 99.9,
            compliance: 99.95,
            totalEvents: 2000,
          }),
        ],
        violations,
        audit: { recomputed: [rec('agr_LA'), rec('agr_TYO')] },
      }),
    );

  /** The audit with one stored credit, of 98 % compliance, of `agreementId` from `periodStart` to `periodEnd`. */
  const withCredit = (agreementId: string, violationId: string, periodStart: string, periodEnd: string) =>
    build([
      violation({
        credit: credit({ agreementId, violationId, periodStart, periodEnd, compliancePercent: 98 }),
      }),
    ]);

  for (const [name, agreementId, violationId, periodStart, periodEnd] of [
    [
      "does not take Los Angeles' March credit, which ends at 07:00 UTC on 1 April, for April's",
      'agr_LA',
      'vio_la_mar',
      '2026-03-01T08:00:00.000Z',
      '2026-04-01T07:00:00.000Z',
    ],
    [
      "does not take Tokyo's May credit, which starts at 15:00 UTC on 30 April, for April's",
      'agr_TYO',
      'vio_tyo_may',
      '2026-04-30T15:00:00.000Z',
      '2026-05-31T15:00:00.000Z',
    ],
  ] as const) {
    it(name, () => {
      expect(summaryOf(withCredit(agreementId, violationId, periodStart, periodEnd))).toEqual([
        'Objectives audited: #2/0',
        'Checks: #4/0',
        'Matches: #4/0',
        'Differences: #0/0',
        'Not checked: #0/0',
      ]);
    });
  }

  it("compares Los Angeles' own April credit, which starts at 07:00 UTC on 1 April", () => {
    // Stored: 98 % compliance, 10 %, 10 EUR; recomputed: 99.95 %, no credit. Compliance differs; credit % and amount
    // have no recomputed figure, so they are not checked.
    const m = withCredit('agr_LA', 'vio_la_apr', '2026-04-01T07:00:00.000Z', '2026-05-01T07:00:00.000Z');
    expect(m.sections.find((s) => s.id === 'differences')!.paragraphs).toEqual([
      'Difference: agr_LA/availability, credit compliance: stored vs raw evidence: recomputed 99.95, found 98',
    ]);
  });
});
