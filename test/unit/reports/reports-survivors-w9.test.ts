import { describe, expect, it } from 'vitest';
import { detectAnomalies } from '../../../shared/domain/reports/anomalies.js';
import { creditFor } from '../../../shared/domain/reports/audit.js';
import type { ObjectiveFigure } from '../../../shared/domain/reports/figures.js';

const fig = (agreementId: string, compliance: number): ObjectiveFigure => ({
  agreementId,
  objectiveId: 'availability',
  periodStart: '2026-04-01T00:00:00.000Z',
  periodEnd: '2026-05-01T00:00:00.000Z',
  partial: false,
  method: 'occurrences',
  target: 99.9,
  compliance,
  goodEvents: 0,
  totalEvents: 0,
  coverage: 1,
  budgetRemainingRatio: null,
  budgetRemainingMinutes: null,
  budgetTotalMinutes: null,
  status: 'unknown',
});

describe('compliance-drop alerts come in a stable order', () => {
  it.each([
    ['in order', ['agr_A', 'agr_B', 'agr_C']],
    ['reversed', ['agr_C', 'agr_B', 'agr_A']],
    ['shuffled', ['agr_B', 'agr_C', 'agr_A']],
  ])('orders the alerts by agreement and objective whatever the order of the figures (%s)', (_, ids) => {
    // Each agreement falls 99.5 → 96.5, 3 points, at or over the threshold of 2: three alerts, A, B, C.
    const out = detectAnomalies(
      {
        month: '2026-04',
        previous: '2026-03',
        figures: ids.map((id) => fig(id, 96.5)),
        previousFigures: ids.map((id) => fig(id, 99.5)),
        violations: [],
      },
      { complianceDropPoints: 2, violationIncreaseRatio: 2.5, violationIncreaseMinimum: 3 },
    );
    expect(out.map((a) => a.agreementId)).toEqual(['agr_A', 'agr_B', 'agr_C']);
  });
});

describe('creditFor with two tiers at the same threshold', () => {
  it('gives the credit of the first tier listed', () => {
    // 98 % is below both 99 % tiers; the first (10 %) is taken: 10 % of 1,000 = 100.
    const terms = {
      monthlyCharge: 1000,
      capPercent: 100,
      tiers: [
        { belowPercent: 99, creditPercent: 10 },
        { belowPercent: 99, creditPercent: 25 },
      ],
    };
    expect(creditFor(terms, 98)).toEqual({ percent: 10, amount: 100 });
  });
});
