import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../shared/domain/reports/build.js';
import type { BudgetStatusFigure } from '../../../shared/domain/reports/figures.js';
import {
  AGR_A,
  AGR_B,
  AGR_O,
  AGR_U,
  columnsOf,
  inputs,
  rowsOf,
  summaryOf,
  tableOf,
} from '../../helpers/report-build.js';

const budget = (
  agreementId: string,
  objectiveId: string,
  over: Partial<BudgetStatusFigure>,
): BudgetStatusFigure => ({
  agreementId,
  objectiveId,
  evaluatedAt: '2026-04-30T12:00:00.000Z',
  windowLabel: '30-day rolling to 2026-04-30',
  status: 'unknown',
  compliance: null,
  target: 99.5,
  budgetRemainingRatio: null,
  budgetRemainingMinutes: null,
  maxBurnRate: null,
  timeToExhaustionMinutes: null,
  breachAt: null,
  ...over,
});

// agr_A0 shares agr_A's business unit and service: the two sort by agreement id (agr_A first, a prefix),
// before objective id (agr_A0/availability after agr_A/latency).
const AGR_A0 = { ...AGR_A, id: 'agr_A0' };
const A_AVAILABILITY = budget('agr_A', 'availability', {
  status: 'healthy',
  compliance: 99.95,
  target: 99.9,
  budgetRemainingRatio: 0.5,
  budgetRemainingMinutes: 21.6,
  maxBurnRate: 0.75,
  timeToExhaustionMinutes: 3000,
});
const BUDGETS = [
  budget('agr_A', 'latency', {
    status: 'at-risk',
    compliance: 99.1,
    target: 99,
    budgetRemainingRatio: 0.1,
    budgetRemainingMinutes: 43.2,
    maxBurnRate: 2.5,
    timeToExhaustionMinutes: 90,
    breachAt: '2026-05-03T12:00:00.000Z',
  }),
  A_AVAILABILITY,
  budget('agr_GONE', 'x', { status: 'breached' }),
  budget('agr_A0', 'availability', {
    status: 'breached',
    compliance: 99.5,
    target: 99.9,
    budgetRemainingRatio: -0.25,
    budgetRemainingMinutes: -10.8,
    maxBurnRate: 4,
  }),
  budget('agr_U', 'auth', {
    status: 'healthy',
    compliance: 99.99,
    target: 99.95,
    budgetRemainingRatio: 0.8,
    budgetRemainingMinutes: 7,
    maxBurnRate: 0.25,
  }),
  budget('agr_B', 'availability', { status: 'at-risk' }),
  budget('agr_O', 'login', { status: 'healthy' }),
];
const report = (maxCharts = 50, budgets = BUDGETS) =>
  buildReport(
    inputs({
      type: 'error-budget',
      agreements: [AGR_A, AGR_A0, AGR_B, AGR_O, AGR_U],
      budgets,
      burn: new Map([
        [
          'agr_A/availability',
          [
            { at: '2026-04-01T00:00:00.000Z', remaining: 0.9 },
            { at: '2026-03-31T23:30:00.000Z', remaining: 0.95 }, // before the report's (UTC) period
          ],
        ],
      ]),
      settings: { repeatOffenderThreshold: 3, auditTolerancePoints: 0.01, maxCharts },
    }),
  );

describe('the error-budget status report', () => {
  it('counts the objectives in scope by status: 6, 3 healthy, 2 at risk, 1 breached, none unknown', () => {
    const m = report();
    expect(m.title).toBe('Error-budget status');
    expect(summaryOf(m)).toEqual([
      'Objectives: #6/0',
      'Healthy: #3/0',
      'At risk: #2/0',
      'Breached: #1/0',
      'Unknown: #0/0',
    ]);
  });

  it('lists each objective’s latest evaluation by unit, service, agreement and objective: budget in percent, hours to exhaustion', () => {
    const m = report();
    expect(m.sections.map((s) => `${s.id}: ${s.title}`)).toEqual([
      'budgets: Error budgets now',
      'burn-down: Error budget burn-down',
    ]);
    const t = tableOf(m, 'budgets');
    expect(t?.title).toBe('Latest evaluation of each objective');
    expect(t?.empty).toBe('no objective in scope has been evaluated');
    expect(columnsOf(t)).toEqual([
      'agreement:Agreement',
      'title:Title',
      'objective:Objective',
      'owner:Owner:internal-contact',
      'window:Window',
      'status:Status',
      'compliance:Compliance',
      'target:Target',
      'budgetLeft:Budget left',
      'budgetLeftMinutes:Minutes left',
      'burnRate:Burn rate',
      'exhaustionHours:Hours to exhaustion',
      'breachAt:Forecast breach',
    ]);
    const W = '30-day rolling to 2026-04-30';
    // 3000 minutes is 50 hours, 90 minutes 1.5 hours; a ratio of −0.25 is −25%.
    expect(rowsOf(t)).toEqual([
      [
        'agr_B',
        'Mobile SLA',
        'availability',
        '',
        W,
        '[at-risk]',
        '%null/3',
        '%99.5/3',
        '%null/1',
        '#null/1',
        '#null/2',
        '#null/1',
        '@null',
      ],
      [
        'agr_U',
        'Card network UC',
        'Authorisations',
        'Uma <uma@bank.example>',
        W,
        '[healthy]',
        '%99.99/3',
        '%99.95/3',
        '%80/1',
        '#7/1',
        '#0.25/2',
        '#null/1',
        '@null',
      ],
      [
        'agr_O',
        'Identity OLA',
        'Logins',
        'Ida <ida@bank.example>',
        W,
        '[healthy]',
        '%null/3',
        '%99.5/3',
        '%null/1',
        '#null/1',
        '#null/2',
        '#null/1',
        '@null',
      ],
      [
        'agr_A',
        'Payments SLA',
        'Availability',
        'Owen <owen@bank.example>',
        W,
        '[healthy]',
        '%99.95/3',
        '%99.9/3',
        '%50/1',
        '#21.6/1',
        '#0.75/2',
        '#50/1',
        '@null',
      ],
      [
        'agr_A',
        'Payments SLA',
        'Fast enough',
        'Lia <lia@bank.example>',
        W,
        '[at-risk]',
        '%99.1/3',
        '%99/3',
        '%10/1',
        '#43.2/1',
        '#2.5/2',
        '#1.5/1',
        '@2026-05-03T12:00:00.000Z',
      ],
      [
        'agr_A0',
        'Payments SLA',
        'Availability',
        'Owen <owen@bank.example>',
        W,
        '[breached]',
        '%99.5/3',
        '%99.9/3',
        '%-25/1',
        '#-10.8/1',
        '#4/2',
        '#null/1',
        '@null',
      ],
    ]);
  });

  it('draws burn-downs over the report’s period (the objectives’ own windows differ), without a time zone of their own', () => {
    const s = report().sections[1]!;
    expect(s.paragraphs).toEqual(['Budget left through the period from the engine’s stored evaluations.']);
    expect(s.charts.map((c) => c.id)).toEqual([
      'burn-agr_B/availability',
      'burn-agr_U/auth',
      'burn-agr_O/login',
      'burn-agr_A/availability',
      'burn-agr_A/latency',
      'burn-agr_A0/availability',
    ]);
    expect(s.charts[3]).toEqual({
      id: 'burn-agr_A/availability',
      title: 'Payments SLA: Availability',
      periodStart: '2026-04-01T00:00:00.000Z',
      periodEnd: '2026-05-01T00:00:00.000Z',
      points: [{ at: '2026-04-01T00:00:00.000Z', remaining: 0.9 }],
      empty: 'no budget history kept for this period',
    });
  });

  it('notes the charts left out only when there are more objectives than the chart limit', () => {
    const NOTE =
      'Each objective over its own window (rolling or calendar) at its latest evaluation; burn rate 1 spends the budget exactly over the window.';
    expect(report(6).notes).toEqual([NOTE]);
    expect(report(5).notes).toEqual([
      NOTE,
      'Burn-down charts are drawn for the 5 objectives with the least budget left (of 6); a business-unit or agreement report draws the rest.',
    ]);
    expect(report(5).sections[1]?.charts).toHaveLength(5);
  });

  it('draws one chart per objective even when its evaluation is listed twice', () => {
    expect(report(50, [A_AVAILABILITY, A_AVAILABILITY]).sections[1]?.charts).toHaveLength(1);
  });
});
