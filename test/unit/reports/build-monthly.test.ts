import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../shared/domain/reports/build.js';
import {
  columnsOf,
  figure,
  inputs,
  LONDON_APRIL,
  rowsOf,
  summaryOf,
  tableOf,
} from '../../helpers/report-build.js';

// April 2026: agr_A/availability exactly at its target (met), agr_A/latency under it (missed, still running),
// agr_B without data, agr_O and agr_U met; a figure of an agreement out of scope and a March figure.
const A1 = figure('agr_A', 'availability', '2026-04', {
  ...LONDON_APRIL,
  target: 99.9,
  compliance: 99.9,
  budgetRemainingRatio: 0.25,
  coverage: 0.875,
  status: 'healthy',
});
const A2 = figure('agr_A', 'latency', '2026-04', {
  ...LONDON_APRIL,
  target: 99,
  compliance: 98.75,
  budgetRemainingRatio: -0.125,
  status: 'breached',
  partial: true,
});
const B1 = figure('agr_B', 'availability', '2026-04', { target: 99.5, compliance: null, coverage: 0 });
const O1 = figure('agr_O', 'login', '2026-04', {
  target: 99,
  compliance: 99.5,
  budgetRemainingRatio: 0.5,
  status: 'healthy',
});
const U1 = figure('agr_U', 'auth', '2026-04', {
  target: 99.95,
  compliance: 99.99,
  budgetRemainingRatio: 0.8,
  status: 'healthy',
});
const GONE = figure('agr_GONE', 'x', '2026-04', { compliance: 50 });
const A1_MARCH = figure('agr_A', 'availability', '2026-03', { target: 99.9, compliance: 99.8 });
const OBJECTIVES = [A2, GONE, U1, A1, O1, A1_MARCH, B1];

const burn = new Map([
  [
    'agr_A/availability',
    [
      { at: '2026-03-31T23:30:00.000Z', remaining: 0.9 }, // inside the London April, before the UTC one
      { at: '2026-04-20T00:00:00.000Z', remaining: 0.4 },
      { at: '2026-04-30T23:00:00.000Z', remaining: null }, // at the period's end: kept
      { at: '2026-04-30T23:00:00.001Z', remaining: 0.1 }, // after it: left out
    ],
  ],
  ['agr_A/latency', [{ at: '2026-04-10T00:00:00.000Z', remaining: -0.2 }]],
  [
    'agr_O/login',
    [
      { at: '2026-03-31T23:59:59.999Z', remaining: 0.1 }, // before the UTC April: left out
      { at: '2026-04-01T00:00:00.000Z', remaining: 0.7 }, // at its start: kept
      { at: '2026-04-15T00:00:00.000Z', remaining: -0.5 },
    ],
  ],
  ['agr_B/availability', [{ at: '2026-05-01T00:00:00.000Z', remaining: 0.4 }]],
]);

const april = (maxCharts = 50) =>
  buildReport(
    inputs({
      objectives: OBJECTIVES,
      burn,
      settings: { repeatOffenderThreshold: 3, auditTolerancePoints: 0.01, maxCharts },
    }),
  );

describe('the monthly compliance report', () => {
  it('counts the last month’s objectives of agreements in scope: 4 agreements, 2 meeting every objective, 3 of 4 measured met (75%)', () => {
    const m = april();
    expect(m.title).toBe('Monthly SLA compliance');
    expect(summaryOf(m)).toEqual([
      'Agreements: #4/0',
      'Agreements meeting every objective: #2/0',
      'Objectives: #5/0',
      'Objectives met: #3/0',
      'Objectives missed: #1/0',
      'Objectives without data: #1/0',
      'Met (% of measured): %75/1',
    ]);
  });

  it('tallies by business unit, by service and by region, sorted by name, with no met share where nothing was measured', () => {
    const m = april();
    expect(m.sections.map((s) => `${s.id}: ${s.title}`)).toEqual([
      'by-business-unit: By business unit',
      'by-service: By service',
      'by-region: By region (data residency)',
      'objectives: Agreements and objectives',
      'burn-down: Error budget burn-down',
    ]);
    const unit = tableOf(m, 'by-business-unit');
    expect(unit?.title).toBe('By business unit');
    expect(unit?.empty).toBe('no objectives in scope');
    expect(columnsOf(unit)).toEqual([
      'group:Business unit:business-unit',
      'objectives:Objectives',
      'met:Met',
      'missed:Missed',
      'unknown:No data',
      'shareMet:Met (% of measured)',
    ]);
    expect(rowsOf(unit)).toEqual([
      ['mobile', '#1/0', '#0/0', '#0/0', '#1/0', '%null/1'],
      ['payments', '#4/0', '#3/0', '#1/0', '#0/0', '%75/1'],
    ]);
    const service = tableOf(m, 'by-service');
    expect(service?.title).toBe('By service');
    expect(columnsOf(service).slice(0, 4)).toEqual([
      'service:Service',
      'serviceName:Name',
      'businessUnit:Business unit:business-unit',
      'region:Region',
    ]);
    expect(rowsOf(service)).toEqual([
      ['svc_card', 'Card network', 'payments', 'eu-west-1', '#1/0', '#1/0', '#0/0', '#0/0', '%100/1'],
      ['svc_id', 'Identity', 'payments', 'eu-west-1', '#1/0', '#1/0', '#0/0', '#0/0', '%100/1'],
      ['svc_mob', 'Mobile', 'mobile', 'eu-central-1', '#1/0', '#0/0', '#0/0', '#1/0', '%null/1'],
      ['svc_pay', 'Payments', 'payments', 'eu-west-1', '#2/0', '#1/0', '#1/0', '#0/0', '%50/1'],
    ]);
    const region = tableOf(m, 'by-region');
    expect(region?.title).toBe('By region (data residency)');
    expect(columnsOf(region)[0]).toBe('group:Region');
    expect(rowsOf(region)).toEqual([
      ['eu-central-1', '#1/0', '#0/0', '#0/0', '#1/0', '%null/1'],
      ['eu-west-1', '#4/0', '#3/0', '#1/0', '#0/0', '%75/1'],
    ]);
  });

  it('lists each objective by unit, service, agreement and objective: met at exactly the target, budget and coverage in percent', () => {
    const t = tableOf(april(), 'objectives');
    expect(t?.title).toBe('Agreements and objectives, 2026-04');
    expect(columnsOf(t)).toEqual([
      'agreement:Agreement',
      'title:Title',
      'kind:Kind',
      'customer:Customer:customer-name',
      'service:Service',
      'objective:Objective',
      'owner:Owner:internal-contact',
      'target:Target',
      'compliance:Compliance',
      'budgetLeft:Budget left',
      'coverage:Coverage',
      'status:Status',
      'met:Met',
    ]);
    expect(rowsOf(t)).toEqual([
      [
        'agr_B',
        'Mobile SLA',
        'SLA',
        'Wealth',
        'svc_mob',
        'availability',
        '',
        '%99.5/3',
        '%null/3',
        '%null/1',
        '%0/1',
        '[unknown]',
        '[unknown]',
      ],
      [
        'agr_U',
        'Card network UC',
        'UC',
        'payments',
        'svc_card',
        'Authorisations',
        'Uma <uma@bank.example>',
        '%99.95/3',
        '%99.99/3',
        '%80/1',
        '%100/1',
        '[healthy]',
        '[met]',
      ],
      [
        'agr_O',
        'Identity OLA',
        'OLA',
        'payments',
        'svc_id',
        'Logins',
        'Ida <ida@bank.example>',
        '%99/3',
        '%99.5/3',
        '%50/1',
        '%100/1',
        '[healthy]',
        '[met]',
      ],
      [
        'agr_A',
        'Payments SLA',
        'SLA',
        'retail',
        'svc_pay',
        'Availability',
        'Owen <owen@bank.example>',
        '%99.9/3',
        '%99.9/3',
        '%25/1',
        '%87.5/1',
        '[healthy]',
        '[met]',
      ],
      [
        'agr_A',
        'Payments SLA',
        'SLA',
        'retail',
        'svc_pay',
        'Fast enough',
        'Lia <lia@bank.example>',
        '%99/3',
        '%98.75/3',
        '%-12.5/1',
        '%100/1',
        '[breached]',
        '[missed]',
      ],
    ]);
  });

  it('says the last month is still running when a figure is partial, after what the figures are', () => {
    expect(april().notes).toEqual([
      'Compliance per objective is computed by the objectives engine over each calendar month in the agreement’s own time zone, by the objective’s budgeting method; exception windows are excluded.',
      'No data is not 100%: an objective without data in the month is counted apart, never as met.',
      '2026-04 is still running: its figures cover the elapsed part.',
    ]);
  });

  it('draws a burn-down per objective over its own month, in its agreement’s time zone, with the points inside that month', () => {
    const s = april().sections.at(-1)!;
    expect(s.paragraphs).toEqual([
      'Budget left through the period from the engine’s stored evaluations; the dashed line spends the budget evenly.',
    ]);
    expect(s.charts).toEqual([
      {
        id: 'burn-agr_B/availability',
        title: 'Mobile SLA: availability',
        periodStart: '2026-04-01T00:00:00.000Z',
        periodEnd: '2026-05-01T00:00:00.000Z',
        timeZone: 'UTC',
        points: [{ at: '2026-05-01T00:00:00.000Z', remaining: 0.4 }],
        empty: 'no budget history kept for this period',
      },
      {
        id: 'burn-agr_U/auth',
        title: 'Card network UC: Authorisations',
        periodStart: '2026-04-01T00:00:00.000Z',
        periodEnd: '2026-05-01T00:00:00.000Z',
        timeZone: 'UTC',
        points: [],
        empty: 'no budget history kept for this period',
      },
      {
        id: 'burn-agr_O/login',
        title: 'Identity OLA: Logins',
        periodStart: '2026-04-01T00:00:00.000Z',
        periodEnd: '2026-05-01T00:00:00.000Z',
        timeZone: 'UTC',
        points: [
          { at: '2026-04-01T00:00:00.000Z', remaining: 0.7 },
          { at: '2026-04-15T00:00:00.000Z', remaining: -0.5 },
        ],
        empty: 'no budget history kept for this period',
      },
      {
        id: 'burn-agr_A/availability',
        title: 'Payments SLA: Availability',
        ...LONDON_APRIL,
        timeZone: 'Europe/London',
        points: [
          { at: '2026-03-31T23:30:00.000Z', remaining: 0.9 },
          { at: '2026-04-20T00:00:00.000Z', remaining: 0.4 },
          { at: '2026-04-30T23:00:00.000Z', remaining: null },
        ],
        empty: 'no budget history kept for this period',
      },
      {
        id: 'burn-agr_A/latency',
        title: 'Payments SLA: Fast enough',
        ...LONDON_APRIL,
        timeZone: 'Europe/London',
        points: [{ at: '2026-04-10T00:00:00.000Z', remaining: -0.2 }],
        empty: 'no budget history kept for this period',
      },
    ]);
  });

  it('keeps, above the chart limit, those with the least budget left at the end (no history counts as untouched), ties by id, in their order', () => {
    // Last known budget left: B 0.4, U none (counts as 2), O −0.5, A/availability 0.4 (its last point is null),
    // A/latency −0.2. Least first: O, A/latency, then A/availability before B (a tie, by id), U last.
    const ids = (n: number) =>
      april(n)
        .sections.at(-1)!
        .charts.map((c) => c.id);
    expect(ids(2)).toEqual(['burn-agr_O/login', 'burn-agr_A/latency']);
    expect(ids(3)).toEqual(['burn-agr_O/login', 'burn-agr_A/availability', 'burn-agr_A/latency']);
    expect(ids(4)).toEqual([
      'burn-agr_B/availability',
      'burn-agr_O/login',
      'burn-agr_A/availability',
      'burn-agr_A/latency',
    ]);
    expect(ids(5)).toHaveLength(5);
  });

  it('adds each month of a several-month period, oldest first per objective, before the burn-down', () => {
    const m = buildReport(
      inputs({
        period: {
          label: '2026-03 to 2026-04',
          start: '2026-03-01T00:00:00.000Z',
          end: UTC_END,
          months: ['2026-03', '2026-04'],
        },
        objectives: OBJECTIVES.map((f) => ({ ...f, partial: false })),
      }),
    );
    expect(m.sections.map((s) => s.id)).toEqual([
      'by-business-unit',
      'by-service',
      'by-region',
      'objectives',
      'by-period',
      'burn-down',
    ]);
    const t = tableOf(m, 'by-period');
    expect(m.sections[4]?.title).toBe('By period');
    expect(t?.title).toBe('Each month of the period');
    expect(t?.empty).toBe('no objectives in scope');
    expect(columnsOf(t)).toEqual([
      'month:Month',
      'agreement:Agreement',
      'objective:Objective',
      'target:Target',
      'compliance:Compliance',
      'met:Met',
    ]);
    expect(rowsOf(t)).toEqual([
      ['2026-04', 'agr_B', 'availability', '%99.5/3', '%null/3', '[unknown]'],
      ['2026-04', 'agr_U', 'Authorisations', '%99.95/3', '%99.99/3', '[met]'],
      ['2026-04', 'agr_O', 'Logins', '%99/3', '%99.5/3', '[met]'],
      ['2026-03', 'agr_A', 'Availability', '%99.9/3', '%99.8/3', '[missed]'],
      ['2026-04', 'agr_A', 'Availability', '%99.9/3', '%99.9/3', '[met]'],
      ['2026-04', 'agr_A', 'Fast enough', '%99/3', '%98.75/3', '[missed]'],
    ]);
    // Nothing partial: no "still running" note.
    expect(m.notes).toHaveLength(2);
  });
});

const UTC_END = '2026-05-01T00:00:00.000Z';

describe('every report’s envelope', () => {
  it('gives a section without paragraphs, tables or charts empty lists of them, never something to draw', () => {
    const m = april();
    expect(m.sections[0]?.paragraphs).toEqual([]);
    expect(m.sections[0]?.charts).toEqual([]);
    expect(m.sections.at(-1)?.tables).toEqual([]);
  });

  it('carries the inputs’ identity, the period without its months, no party unless one is named, commentary by objective and an empty hash', () => {
    const c = (agreementId: string, objectiveId: string) => ({
      agreementId,
      objectiveId,
      author: 'x',
      at: 'y',
      text: 'z',
    });
    const m = buildReport(
      inputs({ commentary: [c('agr_B', 'a'), c('agr_A', 'latency'), c('agr_A', 'availability')] }),
    );
    expect({ ...m, summary: [], sections: [], notes: [] }).toEqual({
      schema: 'accord.report/v1',
      id: 'rep_1',
      type: 'monthly-compliance',
      title: 'Monthly SLA compliance',
      scopeLabel: 'Portfolio',
      audience: 'internal',
      period: { label: '2026-04', start: '2026-04-01T00:00:00.000Z', end: UTC_END },
      generatedAt: '2026-05-02T06:00:00.000Z',
      generatedBy: 'system',
      summary: [],
      sections: [],
      commentary: [c('agr_A', 'availability'), c('agr_A', 'latency'), c('agr_B', 'a')],
      notes: [],
      hash: '',
    });
    expect('party' in m).toBe(false);
    expect(buildReport(inputs({ audience: 'customer', party: 'retail' })).party).toBe('retail');
  });
});
