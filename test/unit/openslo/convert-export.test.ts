import { describe, expect, it } from 'vitest';
import {
  type ExportContext,
  exportOpenSlo,
  minutesShorthand,
  type ObjectiveOut,
  ratioToPercent,
  shorthandMinutes,
} from '../../../shared/domain/openslo/convert.js';
import { BurnWindowPolicy, DEFAULT_BURN_WINDOWS } from '../../../shared/policy/objectives.js';
import { Objective } from '../../../shared/schemas/agreement.js';

// exportOpenSlo compared whole: every document it writes and every field it says it cannot carry.

const OWNER = { name: 'Pat Owner', email: 'pat@example.com' };
const CUSTOMER = { name: 'Cus Tomer', email: 'cus@example.com' };
const V1 = 'openslo/v1';

type Raw = Record<string, unknown>;

/** An availability objective without a source, 99.9 % over 28 rolling days, with what a test changes. */
const objective = (over: Raw = {}) =>
  Objective.parse({
    id: 'avail',
    name: 'Availability',
    sli: { type: 'availability' },
    target: 99.9,
    window: { type: 'rolling', days: 28 },
    owner: OWNER,
    customerContact: CUSTOMER,
    ...over,
  });

const exportOf = (objectives: ObjectiveOut[], over: Partial<ExportContext> = {}) =>
  exportOpenSlo({
    agreementId: 'agr_01TESTTESTTEST',
    serviceId: 'svc_pay',
    timeZone: 'Europe/London',
    objectives,
    burnWindows: DEFAULT_BURN_WINDOWS,
    agreementOnly: [],
    ...over,
  });
type Doc = ReturnType<typeof exportOf>['docs'][number];
const ofKind = (docs: Doc[], kind: string) => docs.filter((d) => d.kind === kind);

const SERVICE = { apiVersion: V1, kind: 'Service', metadata: { name: 'pay' }, spec: {} };
const condition = (
  name: string,
  budget: number,
  long: string,
  short: string,
  action: string,
  threshold: number,
) => ({
  apiVersion: V1,
  kind: 'AlertCondition',
  metadata: { name: `accord-${name}` },
  spec: {
    description: `burn rate above ${budget}% of a 30d budget within ${long}, over both ${long} and ${short} (Accord's short window is written as alertAfter)`,
    severity: action,
    condition: { kind: 'burnrate', op: 'gt', threshold, lookbackWindow: long, alertAfter: short },
  },
});
const ALERTS = [
  condition('page-fast', 2, '1h', '5m', 'page', 14.4),
  condition('page-slow', 5, '6h', '30m', 'page', 6),
  condition('ticket', 10, '3d', '6h', 'ticket', 1),
  {
    apiVersion: V1,
    kind: 'AlertPolicy',
    metadata: { name: 'accord-burn-rate', displayName: 'Accord multi-window, multi-burn-rate alerts' },
    spec: {
      description: 'Accord alerts on every objective by this table; windows scale with the objective period',
      alertWhenBreaching: true,
      conditions: [
        { conditionRef: 'accord-page-fast' },
        { conditionRef: 'accord-page-slow' },
        { conditionRef: 'accord-ticket' },
      ],
      notificationTargets: [],
    },
  },
];
const accordSli = (name: string, key = `svc_pay/${name}`) => {
  const ms = { metricSource: { type: 'Accord', spec: { sliKey: key } } };
  return { ratioMetric: { counter: true, good: ms, total: ms } };
};
const ANNOTATIONS = {
  'accord.dev/sli-type': 'availability',
  'accord.dev/sli-name-is-type': 'true',
  'accord.dev/owner': 'Pat Owner <pat@example.com>',
  'accord.dev/customer-contact': 'Cus Tomer <cus@example.com>',
  'accord.dev/monitoring': 'alerted',
  'accord.dev/supported-hours-only': 'false',
};
const NO_SOURCE = (i: number, name: string) => ({
  path: `objectives[${i}].sli`,
  problem: `the SLI has no source query in Accord (its telemetry arrives through mapping rules); exported with a metricSource of type Accord naming the SLI key svc_pay/${name}`,
});

describe('OpenSLO export', () => {
  it('writes an objective without a source as the Service, an SLI of type Accord, the burn-rate policy and its SLO', () => {
    expect(exportOf([objective()])).toStrictEqual({
      docs: [
        SERVICE,
        { apiVersion: V1, kind: 'SLI', metadata: { name: 'availability' }, spec: accordSli('availability') },
        ...ALERTS,
        {
          apiVersion: V1,
          kind: 'SLO',
          metadata: { name: 'avail', displayName: 'Availability', annotations: ANNOTATIONS },
          spec: {
            service: 'pay',
            indicatorRef: 'availability',
            timeWindow: [{ duration: '28d', isRolling: true }],
            budgetingMethod: 'Occurrences',
            objectives: [{ displayName: 'Availability', targetPercent: 99.9 }],
            alertPolicies: [{ alertPolicyRef: 'accord-burn-rate' }],
          },
        },
      ],
      notExpressed: [NO_SOURCE(0, 'availability')],
    });
  });

  it('writes only the Service, with its display name, when there is no objective; and says what it cannot carry', () => {
    expect(exportOf([], { serviceName: 'Payments', agreementOnly: ['credits', 'signOffs'] })).toStrictEqual({
      docs: [{ ...SERVICE, metadata: { name: 'pay', displayName: 'Payments' } }],
      notExpressed: [
        { path: 'credits', problem: 'OpenSLO has no field for it: not exported' },
        { path: 'signOffs', problem: 'OpenSLO has no field for it: not exported' },
      ],
    });
  });

  it('names the SLI by its own name when it has one, keyed by that name', () => {
    const out = exportOf([objective({ sli: { type: 'availability', name: 'reqs' } })]);
    expect(ofKind(out.docs, 'SLI')).toStrictEqual([
      { apiVersion: V1, kind: 'SLI', metadata: { name: 'reqs' }, spec: accordSli('reqs') },
    ]);
    const { 'accord.dev/sli-name-is-type': _, ...annotations } = ANNOTATIONS;
    expect(ofKind(out.docs, 'SLO')[0]!.metadata.annotations).toStrictEqual(annotations);
    expect(out.notExpressed).toStrictEqual([NO_SOURCE(0, 'reqs')]);
  });

  it('writes the annotations OpenSLO has no field for: monitoring, supported hours, empty slices, threshold', () => {
    const out = exportOf([
      objective({
        sli: { type: 'response-time', name: 'lat', thresholdMs: 250 },
        budgetingMethod: 'timeslices',
        timeSlice: { minutes: 1440, target: 0.9, emptySlices: 'excluded' },
        monitoring: 'reported',
        supportedHoursOnly: true,
      }),
    ]);
    const slo = ofKind(out.docs, 'SLO')[0]!;
    expect(slo.metadata.annotations).toStrictEqual({
      'accord.dev/sli-type': 'response-time',
      'accord.dev/owner': 'Pat Owner <pat@example.com>',
      'accord.dev/customer-contact': 'Cus Tomer <cus@example.com>',
      'accord.dev/monitoring': 'reported',
      'accord.dev/supported-hours-only': 'true',
      'accord.dev/empty-slices': 'excluded',
      'accord.dev/threshold-ms': '250',
    });
    expect((slo.spec as { objectives: unknown }).objectives).toStrictEqual([
      { displayName: 'Availability', targetPercent: 99.9, timeSliceTarget: 0.9, timeSliceWindow: '1d' },
    ]);
  });

  it('writes each budgeting method, slice window and window kind as OpenSLO names them', () => {
    const out = exportOf([
      objective({ id: 'a', window: { type: 'calendar', unit: 'week' } }),
      objective({
        id: 'b',
        window: { type: 'calendar', unit: 'month' },
        budgetingMethod: 'timeslices',
        timeSlice: { minutes: 120, target: 0.95 },
      }),
      objective({
        id: 'c',
        window: { type: 'calendar', unit: 'quarter' },
        budgetingMethod: 'ratio-timeslices',
        timeSlice: { minutes: 45, target: 1 },
      }),
      objective({ id: 'd', window: { type: 'rolling', days: 7 } }),
    ]);
    const specs = ofKind(out.docs, 'SLO').map((d) => {
      const s = d.spec as Raw;
      return [s.timeWindow, s.budgetingMethod, s.objectives];
    });
    const calendar = (duration: string) => [
      {
        duration,
        isRolling: false,
        calendar: { startTime: '2024-01-01 00:00:00', timeZone: 'Europe/London' },
      },
    ];
    expect(specs).toStrictEqual([
      [calendar('1w'), 'Occurrences', [{ displayName: 'Availability', targetPercent: 99.9 }]],
      [
        calendar('1M'),
        'Timeslices',
        [{ displayName: 'Availability', targetPercent: 99.9, timeSliceTarget: 0.95, timeSliceWindow: '2h' }],
      ],
      [
        calendar('1Q'),
        'RatioTimeslices',
        [{ displayName: 'Availability', targetPercent: 99.9, timeSliceTarget: 1, timeSliceWindow: '45m' }],
      ],
      [
        [{ duration: '7d', isRolling: true }],
        'Occurrences',
        [{ displayName: 'Availability', targetPercent: 99.9 }],
      ],
    ]);
    expect(ofKind(out.docs, 'SLO').map((d) => d.metadata.annotations)).toStrictEqual(
      [1, 2, 3, 4].map(() => ANNOTATIONS),
    );
    // one SLI, read by all four
    expect(ofKind(out.docs, 'SLI')).toHaveLength(1);
    expect(out.notExpressed).toStrictEqual(['a', 'b', 'c', 'd'].map((_, i) => NO_SOURCE(i, 'availability')));
  });

  it('writes a source’s metrics with its DataSource, once, whose connection details it says it does not hold', () => {
    const prom = { type: 'Prometheus', dataSource: 'prom-main' };
    const out = exportOf(
      [
        objective({
          id: 'a',
          sli: {
            type: 'availability',
            name: 'reqs',
            source: { ...prom, counter: true, good: { q: 'g' }, total: { q: 't' } },
          },
        }),
        objective({
          id: 'b',
          sli: {
            type: 'availability',
            name: 'logins',
            source: { ...prom, bad: { q: 'b' }, total: { q: 't' } },
          },
        }),
        objective({
          id: 'c',
          sli: {
            type: 'availability',
            name: 'probe',
            source: { ...prom, counter: false, rawType: 'success', raw: { q: 'r' } },
          },
        }),
        objective({
          id: 'd',
          sli: {
            type: 'availability',
            name: 'dd',
            source: { type: 'Datadog', counter: false, good: { q: 'g' }, total: { q: 't' } },
          },
        }),
      ],
      { agreementOnly: ['credits'] },
    );
    const ms = (spec: Raw) => ({ metricSource: { metricSourceRef: 'prom-main', type: 'Prometheus', spec } });
    const sli = (name: string, spec: Raw) => ({ apiVersion: V1, kind: 'SLI', metadata: { name }, spec });
    expect(out.docs.slice(0, 6)).toStrictEqual([
      SERVICE,
      {
        apiVersion: V1,
        kind: 'DataSource',
        metadata: { name: 'prom-main' },
        spec: { type: 'Prometheus', connectionDetails: {} },
      },
      sli('reqs', { ratioMetric: { counter: true, good: ms({ q: 'g' }), total: ms({ q: 't' }) } }),
      sli('logins', { ratioMetric: { counter: true, bad: ms({ q: 'b' }), total: ms({ q: 't' }) } }),
      sli('probe', { ratioMetric: { counter: false, rawType: 'success', raw: ms({ q: 'r' }) } }),
      sli('dd', {
        ratioMetric: {
          counter: false,
          good: { metricSource: { type: 'Datadog', spec: { q: 'g' } } },
          total: { metricSource: { type: 'Datadog', spec: { q: 't' } } },
        },
      }),
    ]);
    expect(out.notExpressed).toStrictEqual([
      { path: 'credits', problem: 'OpenSLO has no field for it: not exported' },
      {
        path: '(data sources)',
        problem: 'connectionDetails are empty: Accord stores no data-source connections',
      },
    ]);
  });

  it('writes the threshold of a thresholdMetric source as op lte and its value, with no threshold annotation', () => {
    const out = exportOf([
      objective({
        sli: {
          type: 'response-time',
          name: 'lat',
          thresholdMs: 300,
          source: { type: 'Datadog', threshold: { q: 'p99' } },
        },
      }),
    ]);
    expect(ofKind(out.docs, 'SLI')).toStrictEqual([
      {
        apiVersion: V1,
        kind: 'SLI',
        metadata: { name: 'lat' },
        spec: { thresholdMetric: { metricSource: { type: 'Datadog', spec: { q: 'p99' } } } },
      },
    ]);
    const slo = ofKind(out.docs, 'SLO')[0]!;
    expect((slo.spec as Raw).objectives).toStrictEqual([
      { displayName: 'Availability', targetPercent: 99.9, op: 'lte', value: 300 },
    ]);
    expect(slo.metadata.annotations).not.toHaveProperty(['accord.dev/threshold-ms']);
    expect(out.notExpressed).toStrictEqual([]);
  });

  it('writes no op and value, and no annotation, for a thresholdMetric source of an objective without a threshold', () => {
    const out = exportOf([
      objective({ sli: { type: 'availability', source: { type: 'Datadog', threshold: { q: 'up' } } } }),
    ]);
    const slo = ofKind(out.docs, 'SLO')[0]!;
    expect((slo.spec as Raw).objectives).toStrictEqual([
      { displayName: 'Availability', targetPercent: 99.9 },
    ]);
    expect(slo.metadata.annotations).toStrictEqual(ANNOTATIONS);
  });

  it('keeps a threshold of a ratio source as an annotation', () => {
    const out = exportOf([
      objective({
        sli: {
          type: 'response-time',
          name: 'lat',
          thresholdMs: 300,
          source: { type: 'Datadog', good: { q: 'g' }, total: { q: 't' } },
        },
      }),
    ]);
    const slo = ofKind(out.docs, 'SLO')[0]!;
    expect(slo.metadata.annotations?.['accord.dev/threshold-ms']).toBe('300');
    expect((slo.spec as Raw).objectives).toStrictEqual([
      { displayName: 'Availability', targetPercent: 99.9 },
    ]);
  });

  it('writes a second objective reading one SLI name with another definition with its SLI inline', () => {
    const source = (q: string) => ({ type: 'Datadog', counter: true, good: { q }, total: { q: 't' } });
    const out = exportOf([
      objective({ id: 'a', sli: { type: 'availability', name: 'reqs', source: source('g') } }),
      objective({ id: 'b', sli: { type: 'availability', name: 'reqs', source: source('g') } }),
      objective({ id: 'c', sli: { type: 'availability', name: 'reqs', source: source('other') } }),
    ]);
    const ms = (q: string) => ({ metricSource: { type: 'Datadog', spec: { q } } });
    expect(ofKind(out.docs, 'SLI')).toStrictEqual([
      {
        apiVersion: V1,
        kind: 'SLI',
        metadata: { name: 'reqs' },
        spec: { ratioMetric: { counter: true, good: ms('g'), total: ms('t') } },
      },
    ]);
    const refs = ofKind(out.docs, 'SLO').map((d) => {
      const { indicatorRef, indicator } = d.spec as Raw;
      return { indicatorRef, indicator };
    });
    expect(refs).toStrictEqual([
      { indicatorRef: 'reqs', indicator: undefined },
      { indicatorRef: 'reqs', indicator: undefined },
      {
        indicatorRef: undefined,
        indicator: {
          metadata: { name: 'reqs' },
          spec: { ratioMetric: { counter: true, good: ms('other'), total: ms('t') } },
        },
      },
    ]);
    expect(ofKind(out.docs, 'SLO').map((d) => Object.keys(d.spec))).toEqual([
      expect.arrayContaining(['indicatorRef']),
      expect.arrayContaining(['indicatorRef']),
      expect.not.arrayContaining(['indicatorRef']),
    ]);
  });

  it('leaves out, and names, an objective whose id or SLI name is not an OpenSLO name', () => {
    const out = exportOf([
      objective({ id: 'avail-' }),
      objective({ id: 'ok', sli: { type: 'availability', name: 'reqs-' } }),
    ]);
    expect(out).toStrictEqual({
      docs: [SERVICE],
      notExpressed: [
        {
          path: 'objectives[0].id',
          problem:
            '"avail-" is not an OpenSLO name (a DNS label: a-z, 0-9 and inner hyphens): objective avail- is not exported',
        },
        {
          path: 'objectives[1].sli.name',
          problem:
            '"reqs-" is not an OpenSLO name (a DNS label: a-z, 0-9 and inner hyphens): objective ok is not exported',
        },
      ],
    });
  });

  it('takes an OpenSLO name of 63 characters, inner hyphens and digits', () => {
    const id = `a-${'9'.repeat(60)}b`;
    const out = exportOf([objective({ id, sli: { type: 'availability', name: 'r-2' } })]);
    expect(ofKind(out.docs, 'SLO').map((d) => [d.metadata.name, (d.spec as Raw).indicatorRef])).toEqual([
      [id, 'r-2'],
    ]);
  });

  it('writes each burn-rate window as a condition whose threshold is the budget share over the long window', () => {
    const policy = BurnWindowPolicy.parse({
      referencePeriod: '28d',
      scaleToPeriod: true,
      minEvents: 1,
      windows: [{ name: 'slow', long: '2d', short: '2h', budgetPercent: 25, action: 'ticket' }],
    });
    const out = exportOf([objective()], { burnWindows: policy });
    expect(ofKind(out.docs, 'AlertCondition')).toStrictEqual([
      {
        apiVersion: V1,
        kind: 'AlertCondition',
        metadata: { name: 'accord-slow' },
        spec: {
          description:
            "burn rate above 25% of a 28d budget within 2d, over both 2d and 2h (Accord's short window is written as alertAfter)",
          severity: 'ticket',
          condition: { kind: 'burnrate', op: 'gt', threshold: 3.5, lookbackWindow: '2d', alertAfter: '2h' },
        },
      },
    ]);
    expect(ofKind(out.docs, 'AlertPolicy').map((d) => (d.spec as Raw).conditions)).toEqual([
      [{ conditionRef: 'accord-slow' }],
    ]);
  });

  it('cuts a threshold that does not end within six decimals, so the stream stays a number', () => {
    const policy = BurnWindowPolicy.parse({
      referencePeriod: '30d',
      scaleToPeriod: true,
      minEvents: 1,
      windows: [{ name: 'odd', long: '7h', short: '1h', budgetPercent: 1, action: 'page' }],
    });
    const out = exportOf([objective()], { burnWindows: policy });
    // 1 % of 43,200 minutes within 420 minutes: 1.0285714…
    expect(
      ofKind(out.docs, 'AlertCondition').map((d) => (d.spec as { condition: Raw }).condition.threshold),
    ).toEqual([1.028571]);
  });
});

describe('OpenSLO durations and percentages', () => {
  it('reads a duration shorthand in minutes, and none for calendar units', () => {
    expect(['30s', '5m', '2h', '1d', '2w', '1M', '1Q', '1Y'].map(shorthandMinutes)).toEqual([
      0.5,
      5,
      120,
      1440,
      20160,
      null,
      null,
      null,
    ]);
  });

  it('writes minutes in the largest unit that divides them', () => {
    expect([2880, 1440, 120, 60, 90, 5].map(minutesShorthand)).toEqual(['2d', '1d', '2h', '1h', '90m', '5m']);
  });

  it('reads a ratio as the percent its decimal writes', () => {
    expect([0.999, 0.95, 0.12345, 0.9995].map(ratioToPercent)).toEqual([99.9, 95, 12.345, 99.95]);
  });

  it('keeps every digit of a ratio written with more than fifteen decimals or a small exponent', () => {
    expect([0.12345678901234568, 1e-20, 0.3333333333333333, 5e-324].map(ratioToPercent)).toEqual([
      12.345678901234567, 1e-18, 33.33333333333333, 5e-322,
    ]);
  });
});
