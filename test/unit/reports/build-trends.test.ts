import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../shared/domain/reports/build.js';
import type { ViolationFigure } from '../../../shared/domain/reports/figures.js';
import { columnsOf, inputs, rowsOf, summaryOf, tableOf } from '../../helpers/report-build.js';

const v = (
  id: string,
  agreementId: string,
  objectiveId: string,
  serviceId: string,
  severity: ViolationFigure['severity'],
  detectedAt: string,
  over: Partial<ViolationFigure> = {},
): ViolationFigure => ({
  id,
  agreementId,
  objectiveId,
  serviceId,
  businessUnit: serviceId === 'svc_mob' ? 'mobile' : 'payments',
  severity,
  status: 'open',
  detectedAt,
  cause: 'availability',
  ...over,
});

const T = (day: string) => `${day}T00:00:00.000Z`;
const m = buildReport(
  inputs({
    type: 'violation-trends',
    period: {
      label: '2026-01 to 2026-04',
      start: T('2026-01-01'),
      end: T('2026-05-01'),
      months: ['2026-01', '2026-02', '2026-03', '2026-04'],
    },
    settings: { repeatOffenderThreshold: 2, auditTolerancePoints: 0.01, maxCharts: 50 },
    violations: [
      v('vio_1', 'agr_A', 'latency', 'svc_pay', 'critical', '2026-04-03T10:00:00.000Z', {
        cause: 'response-time',
      }),
      v('vio_2', 'agr_A', 'availability', 'svc_pay', 'critical', T('2026-03-15'), {
        status: 'resolved',
        resolvedAt: T('2026-03-16'),
      }),
      v('vio_3', 'agr_A', 'availability', 'svc_pay', 'major', T('2026-04-20')),
      v('vio_0', 'agr_B', 'availability', 'svc_mob', 'minor', T('2026-04-20')),
      v('vio_5', 'agr_O', 'login', 'svc_id', 'minor', T('2026-03-01'), { status: 'resolved' }),
      v('vio_6', 'agr_B', 'availability', 'svc_mob', 'major', T('2026-02-10')),
      v('vio_gone', 'agr_GONE', 'x', 'svc_gone', 'critical', T('2026-04-01')),
    ],
  }),
);

describe('the violation trends report', () => {
  it('counts the violations of agreements in scope: 6, 2 critical, 4 open, 2 repeat offenders', () => {
    expect(m.title).toBe('Violation trends');
    expect(summaryOf(m)).toEqual([
      'Violations: #6/0',
      'Critical: #2/0',
      'Open: #4/0',
      'Repeat offenders: #2/0',
    ]);
    expect(m.notes).toEqual(['Violations are counted in the month they were detected (UTC).']);
  });

  it('counts each month of the period by severity, a month without violations as zeros', () => {
    expect(m.sections.map((s) => `${s.id}: ${s.title}`)).toEqual([
      'by-month: By month and severity',
      'by-service: By service',
      'by-cause: By cause',
      'repeat-offenders: Repeat offenders',
      'violations: Violations',
    ]);
    const t = tableOf(m, 'by-month');
    expect(t?.title).toBe('Violations detected per month');
    expect(t?.empty).toBe('no months');
    expect(columnsOf(t)).toEqual([
      'month:Month',
      'critical:Critical',
      'major:Major',
      'minor:Minor',
      'total:Total',
    ]);
    expect(rowsOf(t)).toEqual([
      ['2026-01', '#0/0', '#0/0', '#0/0', '#0/0'],
      ['2026-02', '#0/0', '#1/0', '#0/0', '#1/0'],
      ['2026-03', '#1/0', '#0/0', '#1/0', '#2/0'],
      ['2026-04', '#1/0', '#1/0', '#1/0', '#3/0'],
    ]);
  });

  it('counts by service (with its business unit) and by cause, sorted by name', () => {
    const s = tableOf(m, 'by-service');
    expect(s?.title).toBe('Violations per service');
    expect(s?.empty).toBe('no violations in the period');
    expect(columnsOf(s).slice(0, 2)).toEqual(['service:Service', 'businessUnit:Business unit:business-unit']);
    expect(rowsOf(s)).toEqual([
      ['svc_id', 'payments', '#0/0', '#0/0', '#1/0', '#1/0'],
      ['svc_mob', 'mobile', '#0/0', '#1/0', '#1/0', '#2/0'],
      ['svc_pay', 'payments', '#2/0', '#1/0', '#0/0', '#3/0'],
    ]);
    expect(m.sections[2]?.paragraphs).toEqual([
      'The cause is what failed: the SLI of the objective that was breached.',
    ]);
    const c = tableOf(m, 'by-cause');
    expect(c?.title).toBe('Violations per cause');
    expect(columnsOf(c)[0]).toBe('cause:Cause');
    expect(rowsOf(c)).toEqual([
      ['availability', '#1/0', '#2/0', '#2/0', '#5/0'],
      ['response-time', '#1/0', '#0/0', '#0/0', '#1/0'],
    ]);
  });

  it('names services with at least the threshold of violations, most first, with the objectives affected and the first and last', () => {
    expect(m.sections[3]?.paragraphs).toEqual(['Services with 2 or more violations in the period.']);
    const t = tableOf(m, 'repeat-offenders');
    expect(t?.title).toBe('Repeat offenders');
    expect(t?.empty).toBe('no repeat offenders');
    expect(columnsOf(t)).toEqual([
      'service:Service',
      'violations:Violations',
      'objectives:Objectives affected',
      'first:First',
      'last:Last',
    ]);
    // svc_pay: 3 on agr_A/availability and agr_A/latency; svc_mob: exactly 2 (the threshold) on one objective.
    expect(rowsOf(t)).toEqual([
      ['svc_pay', '#3/0', '#2/0', '@2026-03-15T00:00:00.000Z', '@2026-04-20T00:00:00.000Z'],
      ['svc_mob', '#2/0', '#1/0', '@2026-02-10T00:00:00.000Z', '@2026-04-20T00:00:00.000Z'],
    ]);
  });

  it('lists every violation by detection time, then id, with no resolution date while open', () => {
    const t = tableOf(m, 'violations');
    expect(t?.title).toBe('Every violation of the period');
    expect(columnsOf(t)).toEqual([
      'violation:Violation',
      'agreement:Agreement',
      'objective:Objective',
      'service:Service',
      'severity:Severity',
      'cause:Cause',
      'detected:Detected',
      'resolved:Resolved',
    ]);
    expect(rowsOf(t)).toEqual([
      [
        'vio_6',
        'agr_B',
        'availability',
        'svc_mob',
        'major',
        'availability',
        '@2026-02-10T00:00:00.000Z',
        '@null',
      ],
      ['vio_5', 'agr_O', 'login', 'svc_id', 'minor', 'availability', '@2026-03-01T00:00:00.000Z', '@null'],
      [
        'vio_2',
        'agr_A',
        'availability',
        'svc_pay',
        'critical',
        'availability',
        '@2026-03-15T00:00:00.000Z',
        '@2026-03-16T00:00:00.000Z',
      ],
      [
        'vio_1',
        'agr_A',
        'latency',
        'svc_pay',
        'critical',
        'response-time',
        '@2026-04-03T10:00:00.000Z',
        '@null',
      ],
      [
        'vio_0',
        'agr_B',
        'availability',
        'svc_mob',
        'minor',
        'availability',
        '@2026-04-20T00:00:00.000Z',
        '@null',
      ],
      [
        'vio_3',
        'agr_A',
        'availability',
        'svc_pay',
        'major',
        'availability',
        '@2026-04-20T00:00:00.000Z',
        '@null',
      ],
    ]);
  });
});
