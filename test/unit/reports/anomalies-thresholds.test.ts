import { describe, expect, it } from 'vitest';
import { type AnomalyRules, detectAnomalies } from '../../../shared/domain/reports/anomalies.js';
import type { ObjectiveFigure } from '../../../shared/domain/reports/figures.js';

const RULES: AnomalyRules = {
  complianceDropPoints: 2,
  violationIncreaseRatio: 2.5,
  violationIncreaseMinimum: 3,
};

const fig = (agreementId: string, objectiveId: string, compliance: number | null): ObjectiveFigure => ({
  agreementId,
  objectiveId,
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

const drops = (previousFigures: ObjectiveFigure[], figures: ObjectiveFigure[]) =>
  detectAnomalies({ month: '2026-04', previous: '2026-03', figures, previousFigures, violations: [] }, RULES);

const times = (serviceId: string, month: string, n: number) =>
  Array.from({ length: n }, () => ({ serviceId, month }));

describe('compliance-drop alerts', () => {
  it('alerts on a drop of exactly the threshold (99.5 → 97.5 is 2 points), naming both months and the figures', () => {
    expect(drops([fig('agr_A', 'availability', 99.5)], [fig('agr_A', 'availability', 97.5)])).toEqual([
      {
        kind: 'compliance-drop',
        agreementId: 'agr_A',
        objectiveId: 'availability',
        title: 'Compliance of agr_A/availability fell 2 points in 2026-04',
        detail:
          'agr_A/availability: 99.5% in 2026-03, 97.5% in 2026-04 (target 99.9%); the alert threshold is a drop of 2 points.',
      },
    ]);
  });

  it('does not alert on a drop just under the threshold (99.5 → 97.51 is 1.99 points) nor on a rise (95 → 99)', () => {
    expect(
      drops(
        [fig('agr_A', 'availability', 99.5), fig('agr_A', 'latency', 95)],
        [fig('agr_A', 'availability', 97.51), fig('agr_A', 'latency', 99)],
      ),
    ).toEqual([]);
  });

  it('writes the drop and both figures to four decimals: 99.95 → 96.1234567 fell 3.8265 points, shown as 96.1235%', () => {
    // 99.95 − 96.1234567 = 3.8265433 → 3.8265; 96.1234567 to four decimals is 96.1235.
    const [a] = drops([fig('agr_A', 'availability', 99.95)], [fig('agr_A', 'availability', 96.1234567)]);
    expect(a?.title).toBe('Compliance of agr_A/availability fell 3.8265 points in 2026-04');
    expect(a?.detail).toBe(
      'agr_A/availability: 99.95% in 2026-03, 96.1235% in 2026-04 (target 99.9%); the alert threshold is a drop of 2 points.',
    );
  });

  it('compares nothing when the objective had no figure last month, or either month has no data', () => {
    expect(
      drops(
        [fig('agr_A', 'was-null', null), fig('agr_A', 'now-null', 99.9), fig('agr_B', 'availability', 99.9)],
        [fig('agr_A', 'new', 10), fig('agr_A', 'was-null', 10), fig('agr_A', 'now-null', null)],
      ),
    ).toEqual([]);
  });

  it('matches an objective to last month by agreement and objective together, not by objective alone', () => {
    // agr_B/availability fell 10 points; agr_A/availability stayed at 99.9 and agr_A had no figure for agr_B's.
    const out = drops(
      [fig('agr_A', 'availability', 99.9), fig('agr_B', 'availability', 99.9)],
      [fig('agr_A', 'availability', 99.9), fig('agr_B', 'availability', 89.9)],
    );
    expect(out.map((a) => `${a.agreementId}/${a.objectiveId}`)).toEqual(['agr_B/availability']);
  });

  it('lists drops by agreement then objective, whatever order the figures came in', () => {
    const before = [
      fig('agr_B', 'availability', 99),
      fig('agr_A', 'zeta', 99),
      fig('agr_A', 'availability', 99),
    ];
    const now = [
      fig('agr_B', 'availability', 90),
      fig('agr_A', 'zeta', 90),
      fig('agr_A', 'availability', 90),
    ];
    expect(drops(before, now).map((a) => `${a.agreementId}/${a.objectiveId}`)).toEqual([
      'agr_A/availability',
      'agr_A/zeta',
      'agr_B/availability',
    ]);
  });
});

describe('violation-jump alerts', () => {
  const jumps = (violations: { serviceId: string; month: string }[]) =>
    detectAnomalies(
      { month: '2026-04', previous: '2026-03', figures: [], previousFigures: [], violations },
      RULES,
    );

  it('alerts at exactly the ratio (2 → 5 is 2.5×) and at exactly the minimum from none (0 → 3), with the words a reader gets', () => {
    const out = jumps([
      ...times('svc-zero', '2026-04', 3),
      ...times('svc-ratio', '2026-03', 2),
      ...times('svc-ratio', '2026-04', 5),
    ]);
    expect(out).toEqual([
      {
        kind: 'violation-jump',
        serviceId: 'svc-ratio',
        title: 'Violations of svc-ratio jumped to 5 in 2026-04',
        detail:
          'svc-ratio: 2 violation(s) in 2026-03, 5 in 2026-04; the alert threshold is 2.5× the previous month and at least 3.',
      },
      {
        kind: 'violation-jump',
        serviceId: 'svc-zero',
        title: 'Violations of svc-zero jumped to 3 in 2026-04',
        detail:
          'svc-zero: 0 violation(s) in 2026-03, 3 in 2026-04; the alert threshold is 2.5× the previous month and at least 3.',
      },
    ]);
  });

  it('does not alert under the ratio (3 → 7 is 2.33×) nor under the minimum from none (0 → 2)', () => {
    expect(
      jumps([
        ...times('svc-slow', '2026-03', 3),
        ...times('svc-slow', '2026-04', 7),
        ...times('svc-few', '2026-04', 2),
      ]),
    ).toEqual([]);
  });

  it('counts only the two months compared: violations of February neither raise April nor lower the ratio against March', () => {
    // svc-a: 1 in March, 3 in April (3×); its 5 February violations count for neither month.
    const out = jumps([
      ...times('svc-a', '2026-02', 5),
      ...times('svc-a', '2026-03', 1),
      ...times('svc-a', '2026-04', 3),
      ...times('svc-b', '2026-02', 4),
    ]);
    expect(out.map((a) => a.detail)).toEqual([
      'svc-a: 1 violation(s) in 2026-03, 3 in 2026-04; the alert threshold is 2.5× the previous month and at least 3.',
    ]);
  });

  it('lists compliance drops first, then violation jumps by service id', () => {
    const out = detectAnomalies(
      {
        month: '2026-04',
        previous: '2026-03',
        figures: [fig('agr_A', 'availability', 90)],
        previousFigures: [fig('agr_A', 'availability', 99)],
        violations: [...times('svc-b', '2026-04', 4), ...times('svc-a', '2026-04', 3)],
      },
      RULES,
    );
    expect(out.map((a) => `${a.kind} ${a.serviceId ?? a.objectiveId}`)).toEqual([
      'compliance-drop availability',
      'violation-jump svc-a',
      'violation-jump svc-b',
    ]);
  });
});
