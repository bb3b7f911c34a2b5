import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../shared/domain/reports/build.js';
import type { CreditFigure, ViolationFigure } from '../../../shared/domain/reports/figures.js';
import {
  columnsOf,
  creditFigure,
  inputs,
  LONDON_APRIL,
  rowsOf,
  summaryOf,
  tableOf,
  violationFigure,
} from '../../helpers/report-build.js';

const credit = (over: Partial<CreditFigure>): CreditFigure =>
  creditFigure({ objectiveId: 'latency', compliancePercent: 98.75, amount: 33.33, ...over });
const violation = (c: CreditFigure | undefined, agreementId = c?.agreementId ?? 'agr_A'): ViolationFigure =>
  violationFigure({
    id: c?.violationId ?? 'vio_none',
    agreementId,
    objectiveId: c?.objectiveId ?? 'availability',
    serviceId: 'svc',
    status: 'open',
    credit: c,
  });

const C1 = credit({
  ...LONDON_APRIL,
  steps: [
    { step: 1, what: 'Compliance', calculation: 'good / total × 100', result: 98.75 },
    { step: 2, what: 'Tier', calculation: 'below 99 → 10%', result: '10%' },
    { step: 3, what: 'Ratio', calculation: 'x', result: 0.123456789 },
    { step: 4, what: 'Amount', calculation: '1000 × 10%', result: 100 },
  ],
});
const C2 = credit({
  violationId: 'vio_2',
  objectiveId: 'availability',
  periodStart: '2026-03-01T00:00:00.000Z', // a London March: GMT, then BST from the 29th
  periodEnd: '2026-03-31T23:00:00.000Z',
  final: false,
  compliancePercent: 99.5,
  creditPercent: 5,
  amount: 66.67,
  disputes: [{ status: 'open' }, { status: 'rejected', resolution: 'measured right' }],
});
const O = {
  agreementId: 'agr_O',
  objectiveId: 'login',
  currency: 'GBP',
  charge: 200,
  creditPercent: 2,
  compliancePercent: 98.9,
};
const C4 = credit({ ...O, violationId: 'vio_4', amount: 0.1, disputes: [{ status: 'accepted' }] });
const C6 = credit({
  ...O,
  violationId: 'vio_6',
  periodStart: '2026-03-01T00:00:00.000Z',
  periodEnd: '2026-04-01T00:00:00.000Z',
  amount: 0.2,
});
const C3 = credit({
  violationId: 'vio_3',
  agreementId: 'agr_U',
  objectiveId: 'auth',
  currency: 'USD',
  charge: 500,
  compliancePercent: 99.5,
  creditPercent: 2.5,
  amount: 12.5,
  steps: [{ step: 1, what: 'Amount', calculation: '500 × 2.5%', result: 12.5 }],
});
const GONE = credit({ violationId: 'vio_gone', agreementId: 'agr_GONE', amount: 999 });

const m = buildReport(
  inputs({
    type: 'credit-statement',
    violations: [C3, C4, GONE, C1, C6, C2].map((c) => violation(c)).concat(violation(undefined)),
  }),
);

describe('the service-credit statement', () => {
  it('counts the credits of agreements in scope: 5, 4 final, 1 provisional, 1 with an open dispute', () => {
    expect(m.title).toBe('Service-credit statement');
    expect(summaryOf(m)).toEqual(['Credits: #5/0', 'Final: #4/0', 'Provisional: #1/0', 'Disputed: #1/0']);
  });

  it('lists credits owed under SLAs and OLAs by agreement then period, each period as the agreement’s own dates', () => {
    expect(m.sections[0]?.id).toBe('owed');
    expect(m.sections[0]?.title).toBe('Credits under SLAs and OLAs');
    const t = tableOf(m, 'owed');
    expect(t?.title).toBe('Credits owed');
    expect(t?.empty).toBe('no credits in the period');
    expect(columnsOf(t)).toEqual([
      'violation:Violation',
      'agreement:Agreement',
      'title:Title',
      'objective:Objective',
      'period:Period',
      'final:Final',
      'compliance:Compliance',
      'charge:Monthly charge',
      'creditPercent:Credit',
      'amount:Credit amount',
      'disputes:Disputes',
    ]);
    expect(rowsOf(t)).toEqual([
      [
        'vio_2',
        'agr_A',
        'Payments SLA',
        'availability',
        '2026-03-01 to 2026-03-31',
        'provisional',
        '%99.5/3',
        'EUR 1000',
        '%5/0',
        'EUR 66.67',
        'open, rejected',
      ],
      [
        'vio_1',
        'agr_A',
        'Payments SLA',
        'latency',
        '2026-04-01 to 2026-04-30',
        'final',
        '%98.75/3',
        'EUR 1000',
        '%10/0',
        'EUR 33.33',
        'none',
      ],
      [
        'vio_6',
        'agr_O',
        'Identity OLA',
        'login',
        '2026-03-01 to 2026-03-31',
        'final',
        '%98.9/3',
        'GBP 200',
        '%2/0',
        'GBP 0.2',
        'none',
      ],
      [
        'vio_4',
        'agr_O',
        'Identity OLA',
        'login',
        '2026-04-01 to 2026-04-30',
        'final',
        '%98.9/3',
        'GBP 200',
        '%2/0',
        'GBP 0.1',
        'accepted',
      ],
    ]);
  });

  it('totals owed credits per currency in cents (0.1 + 0.2 is 0.3, not 0.30000000000000004), and the final ones apart', () => {
    const t = tableOf(m, 'owed-totals');
    expect(t?.title).toBe('Totals');
    expect(t?.empty).toBe('no credits');
    expect(columnsOf(t)).toEqual([
      'currency:Currency',
      'credits:Credits',
      'total:Total',
      'final:Of which final',
    ]);
    expect(rowsOf(t)).toEqual([
      ['EUR', '#2/0', 'EUR 100', 'EUR 33.33'],
      ['GBP', '#2/0', 'GBP 0.3', 'GBP 0.3'],
    ]);
  });

  it('lists credits receivable under UCs apart, their charge a cost and their amounts an indemnity', () => {
    expect(m.sections[1]?.id).toBe('receivable');
    expect(m.sections[1]?.title).toBe('Credits under underpinning contracts (UCs)');
    const t = tableOf(m, 'receivable');
    expect(t?.title).toBe('Credits receivable from vendors');
    expect(columnsOf(t)).toContain('charge:Monthly charge:cost');
    expect(columnsOf(t)).toContain('amount:Credit amount:indemnity');
    expect(rowsOf(t)).toEqual([
      [
        'vio_3',
        'agr_U',
        'Card network UC',
        'auth',
        '2026-04-01 to 2026-04-30',
        'final',
        '%99.5/3',
        'USD 500',
        '%2.5/0',
        'USD 12.5',
        'none',
      ],
    ]);
    const totals = tableOf(m, 'receivable-totals');
    expect(columnsOf(totals)).toEqual([
      'currency:Currency',
      'credits:Credits',
      'total:Total:indemnity',
      'final:Of which final:indemnity',
    ]);
    expect(rowsOf(totals)).toEqual([['USD', '#1/0', 'USD 12.5', 'USD 12.5']]);
  });

  it('shows how each credit was computed, every stored step with its result to the decimals stored (at most 6)', () => {
    expect(m.sections.slice(2).map((s) => `${s.id}: ${s.title}`)).toEqual([
      'steps-vio_2: How credit vio_2 was computed',
      'steps-vio_1: How credit vio_1 was computed',
      'steps-vio_6: How credit vio_6 was computed',
      'steps-vio_4: How credit vio_4 was computed',
      'steps-vio_3: How credit vio_3 was computed',
    ]);
    expect(m.sections[2]?.paragraphs).toEqual([
      'Payments SLA, objective availability: every step as stored with the violation (provisional: the month is still running).',
    ]);
    expect(m.sections[3]?.paragraphs).toEqual([
      'Payments SLA, objective latency: every step as stored with the violation.',
    ]);
    const t = tableOf(m, 'steps-vio_1');
    expect(t?.title).toBe('Calculation steps');
    expect(t?.empty).toBe('no steps stored');
    expect(columnsOf(t)).toEqual(['step:Step', 'what:What', 'calculation:Calculation', 'result:Result']);
    expect(rowsOf(t)).toEqual([
      ['#1/0', 'Compliance', 'good / total × 100', '#98.75/2'],
      ['#2/0', 'Tier', 'below 99 → 10%', '10%'],
      ['#3/0', 'Ratio', 'x', '#0.123456789/6'],
      ['#4/0', 'Amount', '1000 × 10%', '#100/0'],
    ]);
    expect(columnsOf(tableOf(m, 'steps-vio_3'))).toEqual([
      'step:Step',
      'what:What',
      'calculation:Calculation:cost',
      'result:Result:indemnity',
    ]);
  });

  it('says how credits are shown and when a provisional one becomes final', () => {
    expect(m.notes).toEqual([
      'Each credit is shown as stored with its violation: the measured compliance of the calendar month, the tier that applies, the cap and the amount, rounded to cents.',
      'A provisional credit becomes final when its month has closed and been recomputed from the whole month.',
    ]);
  });
});
