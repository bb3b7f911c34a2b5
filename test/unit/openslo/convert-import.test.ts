import { describe, expect, it } from 'vitest';
import { type ImportContext, importOpenSlo } from '../../../shared/domain/openslo/convert.js';
import { OS_KINDS, type OsDocument } from '../../../shared/domain/openslo/model.js';

// importOpenSlo on documents built here (validated by their kind's schema, as parseOpenSlo hands them over), each
// result compared whole: the objectives, the proposed mapping rules, the notes and the problems with their paths.

const OWNER = { name: 'Pat Owner', email: 'pat@example.com' };
const CUSTOMER = { name: 'Cus Tomer', email: 'cus@example.com' };
const CTX: ImportContext = {
  serviceId: 'svc_pay',
  timeZone: 'Europe/London',
  defaultOwner: OWNER,
  defaultCustomerContact: CUSTOMER,
};

type Raw = Record<string, unknown>;

/** Documents as `importOpenSlo` receives them: each validated against its kind, indexed in stream order. */
function stream(...raw: Raw[]): { index: number; doc: OsDocument }[] {
  return raw.map((d, index) => ({
    index,
    doc: OS_KINDS[d.kind as keyof typeof OS_KINDS].parse(d) as OsDocument,
  }));
}
const run = (...raw: Raw[]) => importOpenSlo(stream(...raw), CTX);

const ms = (query: string, type?: string, ref?: string) => ({
  metricSource: { ...(ref ? { metricSourceRef: ref } : {}), ...(type ? { type } : {}), spec: { query } },
});
const RATIO = { ratioMetric: { counter: true, good: ms('good', 'Datadog'), total: ms('total', 'Datadog') } };
const SOURCE = { type: 'Datadog', counter: true, good: { query: 'good' }, total: { query: 'total' } };
const THRESHOLD = { thresholdMetric: ms('p99', 'Datadog') };

const doc = (kind: string, name: string, spec: Raw, metadata: Raw = {}): Raw => ({
  apiVersion: 'openslo/v1',
  kind,
  metadata: { name, ...metadata },
  spec,
});
const sliDoc = (name: string, spec: Raw = RATIO) => doc('SLI', name, spec);

/** An SLO of the agreement's service, with an inline SLI `reqs` (Datadog good/total), 99 % over 28 rolling days. */
function slo(name: string, spec: Raw = {}, metadata: Raw = {}): Raw {
  return doc(
    'SLO',
    name,
    {
      service: 'pay',
      indicator: { metadata: { name: 'reqs' }, spec: RATIO },
      timeWindow: [{ duration: '28d', isRolling: true }],
      budgetingMethod: 'Occurrences',
      objectives: [{ target: 0.99 }],
      ...spec,
    },
    metadata,
  );
}
/** `slo(name, …)` with its SLI named by reference instead. */
const sloRef = (name: string, ref: string, spec: Raw = {}, metadata: Raw = {}) =>
  slo(name, { indicator: undefined, indicatorRef: ref, ...spec }, metadata);

/** The objective `slo('avail')` gives, with what a test changes. */
function objective(over: Raw = {}): Raw {
  return {
    id: 'avail',
    name: 'avail',
    sli: { type: 'availability', name: 'reqs', source: SOURCE },
    target: 99,
    window: { type: 'rolling', days: 28 },
    budgetingMethod: 'occurrences',
    monitoring: 'alerted',
    owner: OWNER,
    customerContact: CUSTOMER,
    supportedHoursOnly: false,
    ...over,
  };
}

describe('OpenSLO import: the objective of an SLO', () => {
  it('takes an SLO with an inline SLI as one objective, with the context’s owner and customer contact', () => {
    expect(run(slo('avail'))).toStrictEqual({
      objectives: [objective()],
      mappingRules: [],
      notes: [],
      problems: [],
    });
  });

  it('takes the SLO that names the agreement’s service by its slug, not by a look-alike of its id', () => {
    expect(run(slo('avail', { service: 'svc-pay' })).problems).toEqual([
      {
        path: 'documents[0].spec.service',
        problem: "names service svc-pay; this agreement's service is svc_pay (pay)",
      },
    ]);
    const ctx = { ...CTX, serviceId: 'pay' };
    expect(importOpenSlo(stream(slo('avail', { service: 'pay' })), ctx).problems).toEqual([]);
  });

  it('refuses an SLO of another service, naming both', () => {
    const r = run(slo('avail', { service: 'other' }));
    expect(r.problems).toEqual([
      {
        path: 'documents[0].spec.service',
        problem: "names service other; this agreement's service is svc_pay (pay)",
      },
    ]);
  });

  it('names the objectives of a many-objective SLO <name>-1, <name>-2 and takes each display name in turn', () => {
    const r = run(
      slo(
        'avail',
        { objectives: [{ displayName: 'Mostly', target: 0.9 }, { target: 0.95 }] },
        { displayName: 'Availability' },
      ),
      slo('plain'),
    );
    expect(r.problems).toEqual([]);
    expect(r.objectives).toStrictEqual([
      objective({ id: 'avail-1', name: 'Mostly', target: 90 }),
      objective({ id: 'avail-2', name: 'Availability', target: 95 }),
      objective({ id: 'plain', name: 'plain' }),
    ]);
  });

  it('reads a target ratio as the percent it was written as, and takes a targetPercent as it is', () => {
    const r = run(
      slo('a', { objectives: [{ target: 0.999 }] }),
      slo('b', { objectives: [{ targetPercent: 99.95 }] }),
    );
    expect(r.objectives.map((o) => o.target)).toEqual([99.9, 99.95]);
  });

  it('maps each budgeting method, and takes the slices of the two timeslice methods', () => {
    const r = run(
      slo('occ'),
      slo('ts', {
        budgetingMethod: 'Timeslices',
        objectives: [{ target: 0.99, timeSliceTarget: 0.95, timeSliceWindow: '5m' }],
      }),
      slo('rts', {
        budgetingMethod: 'RatioTimeslices',
        objectives: [{ target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: '1h' }],
      }),
    );
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.objectives).toStrictEqual([
      objective({ id: 'occ', name: 'occ' }),
      objective({
        id: 'ts',
        name: 'ts',
        budgetingMethod: 'timeslices',
        timeSlice: { minutes: 5, target: 0.95 },
      }),
      objective({
        id: 'rts',
        name: 'rts',
        budgetingMethod: 'ratio-timeslices',
        timeSlice: { minutes: 60, target: 0.9 },
      }),
    ]);
  });

  it('reads the annotations Accord writes: owner, customer contact, monitoring, supported hours, empty slices', () => {
    const r = run(
      slo(
        'avail',
        {
          budgetingMethod: 'Timeslices',
          objectives: [{ target: 0.99, timeSliceTarget: 1, timeSliceWindow: '1d' }],
        },
        {
          annotations: {
            'accord.dev/owner': '  Ann Example   <ann@example.com>  ',
            'accord.dev/customer-contact': 'Bob <bob@example.org>',
            'accord.dev/monitoring': 'reported',
            'accord.dev/supported-hours-only': 'true',
            'accord.dev/empty-slices': 'good',
          },
        },
      ),
    );
    expect(r.problems).toEqual([]);
    expect(r.objectives).toStrictEqual([
      objective({
        budgetingMethod: 'timeslices',
        timeSlice: { minutes: 1440, target: 1, emptySlices: 'good' },
        monitoring: 'reported',
        owner: { name: 'Ann Example', email: 'ann@example.com' },
        customerContact: { name: 'Bob', email: 'bob@example.org' },
        supportedHoursOnly: true,
      }),
    ]);
  });

  it('reads any other monitoring as alerted and any other supported-hours value as false', () => {
    const r = run(
      slo(
        'avail',
        {},
        { annotations: { 'accord.dev/monitoring': 'paged', 'accord.dev/supported-hours-only': 'yes' } },
      ),
    );
    expect(r.objectives).toStrictEqual([objective()]);
  });

  it('refuses an owner or customer contact that is not "Name <email>", and takes no objective from that SLO', () => {
    for (const bad of [
      'Ann ann@example.com',
      'Ann <ann>',
      '<ann@example.com>',
      'Ann <a nn@example.com>',
      'Ann <a@b.c> x',
      'X\nAnn <ann@example.com>',
    ]) {
      const r = run(
        slo('avail', {}, { annotations: { 'accord.dev/owner': bad, 'accord.dev/customer-contact': bad } }),
      );
      expect(r, bad).toStrictEqual({
        objectives: [],
        mappingRules: [],
        notes: [],
        problems: [
          { path: 'documents[0].metadata.annotations.accord.dev/owner', problem: 'must be "Name <email>"' },
          {
            path: 'documents[0].metadata.annotations.accord.dev/customer-contact',
            problem: 'must be "Name <email>"',
          },
        ],
      });
    }
  });

  it('refuses the owner alone, or the customer contact alone, and takes no objective either way', () => {
    const owner = run(slo('avail', {}, { annotations: { 'accord.dev/owner': 'nobody' } }));
    expect(owner.objectives).toEqual([]);
    expect(owner.problems.map((p) => p.path)).toEqual(['documents[0].metadata.annotations.accord.dev/owner']);
    const customer = run(slo('avail', {}, { annotations: { 'accord.dev/customer-contact': 'nobody' } }));
    expect(customer.objectives).toEqual([]);
    expect(customer.problems.map((p) => p.path)).toEqual([
      'documents[0].metadata.annotations.accord.dev/customer-contact',
    ]);
  });

  it('leaves the SLI name out when Accord wrote that the name is the type, and only then', () => {
    const asType = { 'accord.dev/sli-name-is-type': 'true' };
    const inline = (name: string) => ({ indicator: { metadata: { name }, spec: RATIO } });
    const r = run(
      slo('a', inline('availability'), { annotations: asType }),
      slo('b', inline('reqs'), { annotations: asType }),
      slo('c', inline('availability')),
      slo('d', inline('availability'), { annotations: { 'accord.dev/sli-name-is-type': 'yes' } }),
    );
    expect(r.objectives.map((o) => o.sli)).toStrictEqual([
      { type: 'availability', source: SOURCE },
      { type: 'availability', name: 'reqs', source: SOURCE },
      { type: 'availability', name: 'availability', source: SOURCE },
      { type: 'availability', name: 'availability', source: SOURCE },
    ]);
  });

  it('keeps the SLI type Accord annotated on a ratio SLI, and its threshold annotation', () => {
    const r = run(
      slo('a', {}, { annotations: { 'accord.dev/sli-type': 'custom' } }),
      slo(
        'b',
        {},
        { annotations: { 'accord.dev/sli-type': 'response-time', 'accord.dev/threshold-ms': '250' } },
      ),
      slo(
        'c',
        {},
        { annotations: { 'accord.dev/sli-type': 'resolution-time', 'accord.dev/threshold-ms': '0.5' } },
      ),
    );
    expect(r.problems).toEqual([]);
    expect(r.objectives.map((o) => o.sli)).toStrictEqual([
      { type: 'custom', name: 'reqs', source: SOURCE },
      { type: 'response-time', name: 'reqs', thresholdMs: 250, source: SOURCE },
      { type: 'resolution-time', name: 'reqs', thresholdMs: 0.5, source: SOURCE },
    ]);
  });

  it('refuses a threshold annotation that is not a positive number of milliseconds', () => {
    for (const t of ['0', '-5', 'soon']) {
      const r = run(slo('a', {}, { annotations: { 'accord.dev/threshold-ms': t } }));
      expect(r.problems, t).toEqual([
        {
          path: 'documents[0].metadata.annotations.accord.dev/threshold-ms',
          problem: 'must be a positive number of milliseconds',
        },
      ]);
    }
  });

  it('refuses op and value on a ratio SLI', () => {
    const r = run(slo('a', { objectives: [{ target: 0.99, op: 'lte', value: 5 }] }));
    expect(r.problems).toEqual([
      {
        path: 'documents[0].spec.objectives[0].op',
        problem: 'op and value apply to a thresholdMetric SLI only',
      },
    ]);
  });
});

describe('OpenSLO import: a threshold SLI', () => {
  const thresholdSlo = (objectives: Raw[], annotations?: Record<string, string>) =>
    slo(
      'lat',
      { indicator: { metadata: { name: 'lat' }, spec: THRESHOLD }, objectives },
      annotations ? { annotations } : {},
    );
  const latency = (over: Raw = {}) =>
    objective({
      id: 'lat',
      name: 'lat',
      sli: {
        type: 'response-time',
        name: 'lat',
        thresholdMs: 300,
        source: { type: 'Datadog', threshold: { query: 'p99' } },
      },
      target: 95,
      ...over,
    });

  it('takes op lte and its value as a response-time threshold in milliseconds', () => {
    expect(run(thresholdSlo([{ op: 'lte', value: 300, target: 0.95 }]))).toStrictEqual({
      objectives: [latency()],
      mappingRules: [],
      notes: [],
      problems: [],
    });
  });

  it('keeps resolution-time when Accord annotated it, and reads any other annotated type as response-time', () => {
    const resolution = run(
      thresholdSlo([{ op: 'lte', value: 300, target: 0.95 }], { 'accord.dev/sli-type': 'resolution-time' }),
    );
    expect(resolution.objectives.map((o) => o.sli.type)).toEqual(['resolution-time']);
    const other = run(
      thresholdSlo([{ op: 'lte', value: 300, target: 0.95 }], { 'accord.dev/sli-type': 'availability' }),
    );
    expect(other.objectives.map((o) => o.sli.type)).toEqual(['response-time']);
  });

  it('takes lt as lte, saying so', () => {
    const r = run(thresholdSlo([{ op: 'lt', value: 300, target: 0.95 }]));
    expect(r.objectives).toStrictEqual([latency()]);
    expect(r.notes).toEqual([
      {
        path: 'documents[0].spec.objectives[0].op',
        problem: 'taken as lte: Accord counts an event good when it completes within the threshold (≤)',
      },
    ]);
    expect(r.problems).toEqual([]);
  });

  it('refuses a lower bound (gt, gte)', () => {
    for (const op of ['gt', 'gte']) {
      const r = run(thresholdSlo([{ op, value: 300, target: 0.95 }]));
      expect(r.problems, op).toEqual([
        {
          path: 'documents[0].spec.objectives[0].op',
          problem:
            'Accord counts an event good when it completes within a threshold (lte); a lower bound cannot be taken',
        },
      ]);
      expect(r.objectives.map((o) => o.sli.thresholdMs)).toEqual([undefined]);
    }
  });

  it('refuses a threshold objective without op and value', () => {
    const r = run(thresholdSlo([{ target: 0.95 }]));
    expect(r.problems).toEqual([
      { path: 'documents[0].spec.objectives[0]', problem: 'a threshold SLI needs op and value' },
    ]);
  });

  it('refuses a threshold that is not a positive number of milliseconds', () => {
    for (const value of [0, -1]) {
      const r = run(thresholdSlo([{ op: 'lte', value, target: 0.95 }]));
      expect(r.problems, String(value)).toEqual([
        {
          path: 'documents[0].spec.objectives[0].value',
          problem: 'must be a positive number of milliseconds',
        },
      ]);
    }
    expect(run(thresholdSlo([{ op: 'lte', value: 0.5, target: 0.95 }])).problems).toEqual([]);
  });
});

describe('OpenSLO import: objective ids', () => {
  it('refuses an id that does not start with a letter, still reading the rest of the SLO', () => {
    const r = run(slo('9lives'));
    expect(r.problems).toEqual([
      { path: 'documents[0].metadata.name', problem: 'an Accord objective id must start with a letter' },
    ]);
    expect(r.objectives).toStrictEqual([objective({ id: '9lives', name: '9lives' })]);
  });

  it('names an id of 64 characters or more, and how a many-objective SLO names its objectives', () => {
    const name = `a${'b'.repeat(61)}`; // 62 characters: `<name>-1` has 64
    const r = run(slo(name, { objectives: [{ target: 0.9 }, { target: 0.95 }] }));
    expect(r.problems).toEqual(
      [1, 2].map((k) => ({
        path: 'documents[0].metadata.name',
        problem: `gives the Accord objective id ${name}-${k}, 64 characters: an id holds at most 63 (the SLO's 2 objectives are named <name>-1 … <name>-2: shorten the name)`,
      })),
    );
  });

  it('names the length alone when an SLO of one objective gives a 64-character id', () => {
    const name = 'a'.repeat(64);
    // OpenSLO names hold at most 63 characters: the document is validated under another name, then renamed
    const valid = OS_KINDS.SLO.parse(slo('x'));
    const direct = importOpenSlo([{ index: 0, doc: { ...valid, metadata: { name } } }], CTX);
    expect(direct.problems).toEqual([
      {
        path: 'documents[0].metadata.name',
        problem: `gives the Accord objective id ${name}, 64 characters: an id holds at most 63`,
      },
    ]);
  });

  it('takes an id of exactly 63 characters by its first letter', () => {
    const name = `9${'b'.repeat(60)}`; // `<name>-1` has 63 characters
    const r = run(slo(name, { objectives: [{ target: 0.9 }, { target: 0.95 }] }));
    expect(r.problems).toEqual([
      { path: 'documents[0].metadata.name', problem: 'an Accord objective id must start with a letter' },
      { path: 'documents[0].metadata.name', problem: 'an Accord objective id must start with a letter' },
    ]);
    expect(
      run(slo(`a${'b'.repeat(60)}`, { objectives: [{ target: 0.9 }, { target: 0.95 }] })).problems,
    ).toEqual([]);
  });

  it('refuses a second objective with an id already taken', () => {
    const r = run(slo('avail'), slo('avail'));
    expect(r.problems).toEqual([
      { path: 'documents[1].metadata.name', problem: 'a second objective with id avail' },
    ]);
  });

  it('refuses a composite objective, by its indicatorRef or its weight', () => {
    const r = run(
      slo('a', { objectives: [{ target: 0.99, indicatorRef: 'other' }] }),
      slo('b', { objectives: [{ target: 0.99, compositeWeight: 1 }] }),
    );
    expect(r.problems).toEqual([
      {
        path: 'documents[0].spec.objectives[0].indicatorRef',
        problem: 'composite SLOs are not taken: an Accord objective has one SLI',
      },
      {
        path: 'documents[1].spec.objectives[0].compositeWeight',
        problem: 'composite SLOs are not taken: an Accord objective has one SLI',
      },
    ]);
  });
});

describe('OpenSLO import: time slices', () => {
  const sliced = (method: string, objective: Raw, annotations?: Record<string, string>) =>
    slo(
      'avail',
      { budgetingMethod: method, objectives: [{ target: 0.99, ...objective }] },
      annotations ? { annotations } : {},
    );

  it('reads a slice window given in seconds, minutes, hours or a day', () => {
    const r = run(
      slo('a', {
        budgetingMethod: 'Timeslices',
        objectives: [{ target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: 600 }],
      }),
      slo('b', {
        budgetingMethod: 'Timeslices',
        objectives: [{ target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: '15m' }],
      }),
      slo('c', {
        budgetingMethod: 'Timeslices',
        objectives: [{ target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: '2h' }],
      }),
      slo('d', {
        budgetingMethod: 'Timeslices',
        objectives: [{ target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: '1d' }],
      }),
      slo('e', {
        budgetingMethod: 'Timeslices',
        objectives: [{ target: 0.99, timeSliceTarget: 0.9, timeSliceWindow: '300s' }],
      }),
    );
    expect(r.problems).toEqual([]);
    expect(r.objectives.map((o) => o.timeSlice?.minutes)).toEqual([10, 15, 120, 1440, 5]);
  });

  it('refuses a timeslice objective without its window or its slice target, naming the method', () => {
    const r = run(sliced('Timeslices', {}));
    expect(r.problems).toEqual([
      {
        path: 'documents[0].spec.objectives[0].timeSliceWindow',
        problem: 'is required for a timeslices method, in minutes, hours or a day',
      },
      { path: 'documents[0].spec.objectives[0].timeSliceTarget', problem: 'is required for Timeslices' },
    ]);
    expect(r.objectives.map((o) => o.timeSlice)).toStrictEqual([{ minutes: 0, target: 1 }]);
    expect(run(sliced('RatioTimeslices', { timeSliceWindow: '5m' })).problems).toEqual([
      { path: 'documents[0].spec.objectives[0].timeSliceTarget', problem: 'is required for RatioTimeslices' },
    ]);
  });

  it('refuses a calendar slice window, and one Accord cannot count', () => {
    expect(run(sliced('Timeslices', { timeSliceTarget: 0.9, timeSliceWindow: '1M' })).problems).toEqual([
      {
        path: 'documents[0].spec.objectives[0].timeSliceWindow',
        problem: 'is required for a timeslices method, in minutes, hours or a day',
      },
    ]);
    expect(run(sliced('Timeslices', { timeSliceTarget: 0.9, timeSliceWindow: '7m' })).problems).toEqual([
      {
        path: 'documents[0].spec.objectives[0].timeSliceWindow',
        problem:
          '7-minute slices are finer than the 5-minute rollups: they cannot be counted (use a multiple of 5 minutes)',
      },
    ]);
  });

  it('takes the empty-slices annotation excluded, good or bad, and refuses any other', () => {
    for (const empty of ['excluded', 'good', 'bad']) {
      const r = run(
        sliced(
          'Timeslices',
          { timeSliceTarget: 0.9, timeSliceWindow: '5m' },
          { 'accord.dev/empty-slices': empty },
        ),
      );
      expect(r.problems, empty).toEqual([]);
      expect(r.objectives.map((o) => o.timeSlice)).toStrictEqual([
        { minutes: 5, target: 0.9, emptySlices: empty },
      ]);
    }
    const r = run(
      sliced(
        'Timeslices',
        { timeSliceTarget: 0.9, timeSliceWindow: '5m' },
        { 'accord.dev/empty-slices': 'none' },
      ),
    );
    expect(r.problems).toEqual([
      {
        path: 'documents[0].metadata.annotations.accord.dev/empty-slices',
        problem: 'must be excluded, good or bad',
      },
    ]);
  });

  it('notes a slice target or a slice window on an Occurrences SLO, which it does not take', () => {
    const note = {
      path: 'documents[0].spec.objectives[0]',
      problem: 'timeSliceTarget and timeSliceWindow are not taken: the budgeting method is Occurrences',
    };
    const target = run(sliced('Occurrences', { timeSliceTarget: 0.9 }));
    expect(target.notes).toEqual([note]);
    expect(target.objectives).toStrictEqual([objective()]);
    expect(run(sliced('Occurrences', { timeSliceWindow: '5m' })).notes).toEqual([note]);
  });
});

describe('OpenSLO import: time windows', () => {
  const windowOf = (tw: Raw, ctx = CTX) => {
    const r = importOpenSlo(stream(slo('avail', { timeWindow: [tw] })), ctx);
    return { window: r.objectives[0]?.window ?? null, problems: r.problems };
  };
  const ROLLING = {
    path: 'documents[0].spec.timeWindow[0].duration',
    problem:
      'Accord rolling windows are whole days, 1 to 366 (1d … 52w); months, quarters and years are calendar windows',
  };

  it('takes rolling windows of whole days, 1 to 366', () => {
    const days = (duration: string) => windowOf({ duration, isRolling: true });
    expect(days('1d')).toEqual({ window: { type: 'rolling', days: 1 }, problems: [] });
    expect(days('366d')).toEqual({ window: { type: 'rolling', days: 366 }, problems: [] });
    expect(days('52w')).toEqual({ window: { type: 'rolling', days: 364 }, problems: [] });
    expect(days('48h')).toEqual({ window: { type: 'rolling', days: 2 }, problems: [] });
    expect(days('1440m')).toEqual({ window: { type: 'rolling', days: 1 }, problems: [] });
    expect(days('86400s')).toEqual({ window: { type: 'rolling', days: 1 }, problems: [] });
  });

  it('refuses a rolling window longer than 366 days, of part of a day, or of calendar units', () => {
    for (const duration of ['367d', '53w', '36h', '90m', '1M', '1Q', '1Y']) {
      expect(windowOf({ duration, isRolling: true }), duration).toEqual({
        window: null,
        problems: [ROLLING],
      });
    }
  });

  it('refuses a calendar on a rolling window, still taking its days', () => {
    expect(
      windowOf({
        duration: '7d',
        isRolling: true,
        calendar: { startTime: '2024-01-01 00:00:00', timeZone: 'Europe/London' },
      }),
    ).toEqual({
      window: { type: 'rolling', days: 7 },
      problems: [
        { path: 'documents[0].spec.timeWindow[0].calendar', problem: 'a rolling window has no calendar' },
      ],
    });
  });

  it('takes a calendar week, month or quarter, with or without its calendar', () => {
    const at = (duration: string, startTime: string) =>
      windowOf({ duration, isRolling: false, calendar: { startTime, timeZone: 'Europe/London' } });
    expect(at('1w', '2024-01-01 00:00:00')).toEqual({
      window: { type: 'calendar', unit: 'week' },
      problems: [],
    });
    expect(at('1M', '2024-02-01 00:00:00')).toEqual({
      window: { type: 'calendar', unit: 'month' },
      problems: [],
    });
    for (const start of ['2024-01-01', '2024-04-01', '2024-07-01', '2024-10-01'])
      expect(at('1Q', `${start} 00:00:00`), start).toEqual({
        window: { type: 'calendar', unit: 'quarter' },
        problems: [],
      });
    expect(windowOf({ duration: '1M', isRolling: false })).toEqual({
      window: { type: 'calendar', unit: 'month' },
      problems: [],
    });
  });

  it('refuses calendar windows other than 1w, 1M and 1Q', () => {
    for (const duration of ['2w', '7d', '2M', '1Y']) {
      expect(windowOf({ duration, isRolling: false }), duration).toEqual({
        window: null,
        problems: [
          {
            path: 'documents[0].spec.timeWindow[0].duration',
            problem: 'Accord calendar windows are 1w (ISO week), 1M (month) or 1Q (quarter)',
          },
        ],
      });
    }
  });

  it('refuses a calendar in another time zone than the agreement’s', () => {
    expect(
      windowOf({
        duration: '1M',
        isRolling: false,
        calendar: { startTime: '2024-01-01 00:00:00', timeZone: 'UTC' },
      }),
    ).toEqual({
      window: { type: 'calendar', unit: 'month' },
      problems: [
        {
          path: 'documents[0].spec.timeWindow[0].calendar.timeZone',
          problem:
            'every objective of this agreement is evaluated in its time zone, Europe/London; UTC cannot be taken',
        },
      ],
    });
  });

  it('refuses a calendar start that is not where Accord’s periods start, saying why', () => {
    const problem = (duration: string, startTime: string) =>
      windowOf({ duration, isRolling: false, calendar: { startTime, timeZone: 'Europe/London' } }).problems;
    const at = (text: string) => [
      { path: 'documents[0].spec.timeWindow[0].calendar.startTime', problem: text },
    ];
    expect(problem('1M', '2024-01-01 00:00:01')).toEqual(
      at("Accord's calendar periods start at local midnight; 2024-01-01 00:00:01 is not"),
    );
    expect(problem('1w', '2024-01-01 12:00:00')).toEqual(
      at("Accord's calendar periods start at local midnight; 2024-01-01 12:00:00 is not"),
    );
    for (const date of ['2024-01-02', '2024-01-07', '2024-02-05', '2024-12-30'])
      expect(problem('1w', `${date} 00:00:00`), date).toEqual(
        date === '2024-02-05' || date === '2024-12-30'
          ? []
          : at(`Accord's calendar weeks are ISO weeks starting on Monday; ${date} is not a Monday`),
      );
    expect(problem('1M', '2024-03-02 00:00:00')).toEqual(
      at("Accord's calendar months start on the 1st; 2024-03-02 does not"),
    );
    for (const date of ['2024-02-01', '2024-03-01', '2024-05-01', '2024-04-02', '2024-12-01'])
      expect(problem('1Q', `${date} 00:00:00`), date).toEqual(
        at(`Accord's calendar quarters start on 1 January, April, July or October; ${date} does not`),
      );
  });
});

describe('OpenSLO import: the SLI and its source', () => {
  it('reads an SLI by reference, and notes one that no SLO uses', () => {
    const r = run(sliDoc('reqs'), sliDoc('spare'), sloRef('avail', 'reqs'));
    expect(r.objectives).toStrictEqual([objective()]);
    expect(r.notes).toEqual([
      { path: 'documents[1]', problem: 'SLI spare is not used by any SLO in the stream: not taken' },
    ]);
    expect(r.problems).toEqual([]);
  });

  it('notes an SLI document that only an inline SLI of the same name resembles', () => {
    const r = run(sliDoc('reqs'), slo('avail'));
    expect(r.notes).toEqual([
      { path: 'documents[0]', problem: 'SLI reqs is not used by any SLO in the stream: not taken' },
    ]);
  });

  it('refuses a reference to an SLI the stream does not hold, and takes no objective', () => {
    expect(run(sloRef('avail', 'nowhere'))).toStrictEqual({
      objectives: [],
      mappingRules: [],
      notes: [],
      problems: [{ path: 'documents[0].spec.indicatorRef', problem: 'no SLI named nowhere in the stream' }],
    });
  });

  it('refuses an SLI name that does not start with a letter, at the SLI’s own path', () => {
    const byRef = run(sliDoc('9s'), sloRef('avail', '9s'));
    expect(byRef.problems).toEqual([
      { path: 'documents[0].metadata.name', problem: 'an Accord SLI name must start with a letter' },
    ]);
    const inline = run(slo('x'), slo('avail', { indicator: { metadata: { name: '9s' }, spec: RATIO } }));
    expect(inline.problems).toEqual([
      {
        path: 'documents[1].spec.indicator.metadata.name',
        problem: 'an Accord SLI name must start with a letter',
      },
    ]);
  });

  it('takes the type and the name of a DataSource a metric names, and the parts of each ratio shape', () => {
    const ds = doc('DataSource', 'dd-main', { type: 'Datadog', connectionDetails: {} });
    const r = run(
      ds,
      sliDoc('bad-total', {
        ratioMetric: {
          counter: true,
          bad: ms('b', undefined, 'dd-main'),
          total: ms('t', undefined, 'dd-main'),
        },
      }),
      sliDoc('raw', {
        ratioMetric: { counter: false, rawType: 'failure', raw: ms('r', 'Datadog', 'dd-main') },
      }),
      sliDoc('gauges', {
        ratioMetric: { counter: false, good: ms('g', 'Datadog'), total: ms('t', 'Datadog') },
      }),
      sloRef('a', 'bad-total'),
      sloRef('b', 'raw'),
      sloRef('c', 'gauges'),
    );
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.objectives.map((o) => o.sli.source)).toStrictEqual([
      { type: 'Datadog', dataSource: 'dd-main', counter: true, bad: { query: 'b' }, total: { query: 't' } },
      { type: 'Datadog', dataSource: 'dd-main', counter: false, rawType: 'failure', raw: { query: 'r' } },
      { type: 'Datadog', counter: false, good: { query: 'g' }, total: { query: 't' } },
    ]);
  });

  it('prefers the type a metric names over its DataSource’s', () => {
    const ds = doc('DataSource', 'dd-main', { type: 'Datadog', connectionDetails: {} });
    const r = run(
      ds,
      slo('a', {
        indicator: { metadata: { name: 'lat' }, spec: { thresholdMetric: ms('q', 'Dynatrace', 'dd-main') } },
        objectives: [{ op: 'lte', value: 9, target: 0.9 }],
      }),
    );
    expect(r.objectives.map((o) => o.sli.source)).toStrictEqual([
      { type: 'Dynatrace', dataSource: 'dd-main', threshold: { query: 'q' } },
    ]);
  });

  it('reads an SLI of type Accord (exported without a source query) as one without a source', () => {
    const accord = { ratioMetric: { counter: true, good: ms('k', 'Accord'), total: ms('k', 'Accord') } };
    const r = run(slo('avail', { indicator: { metadata: { name: 'reqs' }, spec: accord } }));
    expect(r.problems).toEqual([]);
    expect(r.objectives.map((o) => o.sli)).toStrictEqual([{ type: 'availability', name: 'reqs' }]);
  });

  it('refuses a metric naming a DataSource the stream does not hold, or neither a type nor a DataSource', () => {
    const spec = { ratioMetric: { counter: true, good: ms('g', undefined, 'gone'), total: ms('t') } };
    const r = run(slo('avail', { indicator: { metadata: { name: 'reqs' }, spec } }));
    const at = 'documents[0].spec.indicator.spec.ratioMetric';
    expect(r.problems).toEqual([
      { path: `${at}.good.metricSource.metricSourceRef`, problem: 'no DataSource named gone in the stream' },
      { path: `${at}.good.metricSource`, problem: 'names neither a type nor a DataSource' },
      { path: `${at}.total.metricSource`, problem: 'names neither a type nor a DataSource' },
      {
        path: `${at}.total.metricSource.metricSourceRef`,
        problem: 'Accord keeps one data source per SLI; this metric names another',
      },
    ]);
    expect(r.objectives.map((o) => o.sli)).toStrictEqual([{ type: 'availability', name: 'reqs' }]);
  });

  it('names a threshold metric’s source problems at its own path', () => {
    const spec = { thresholdMetric: ms('p99', undefined, 'gone') };
    const r = run(
      sliDoc('lat', spec),
      sloRef('lat', 'lat', { objectives: [{ op: 'lte', value: 300, target: 0.9 }] }),
    );
    expect(r.problems).toEqual([
      {
        path: 'documents[0].spec.thresholdMetric.metricSource.metricSourceRef',
        problem: 'no DataSource named gone in the stream',
      },
      {
        path: 'documents[0].spec.thresholdMetric.metricSource',
        problem: 'names neither a type nor a DataSource',
      },
    ]);
  });

  it('refuses an SLI whose metrics name two sources, by type or by DataSource', () => {
    const dss = [
      doc('DataSource', 'ds-a', { type: 'Prometheus', connectionDetails: {} }),
      doc('DataSource', 'ds-b', { type: 'Prometheus', connectionDetails: {} }),
    ];
    const types = { ratioMetric: { counter: true, good: ms('g', 'Prometheus'), total: ms('t', 'Datadog') } };
    const refs = {
      ratioMetric: { counter: true, good: ms('g', undefined, 'ds-a'), total: ms('t', undefined, 'ds-b') },
    };
    const threshold = { thresholdMetric: ms('g', 'Prometheus') };
    const r = run(
      ...dss,
      sliDoc('types', types),
      sliDoc('refs', refs),
      sliDoc('lat', threshold),
      sloRef('a', 'types'),
      sloRef('b', 'refs'),
      sloRef('c', 'lat', { objectives: [{ op: 'lte', value: 5, target: 0.9 }] }),
    );
    const another = 'Accord keeps one data source per SLI; this metric names another';
    expect(r.problems).toEqual([
      { path: 'documents[2].spec.ratioMetric.total.metricSource.type', problem: another },
      { path: 'documents[3].spec.ratioMetric.total.metricSource.metricSourceRef', problem: another },
    ]);
    expect(r.objectives.map((o) => o.sli.source)).toStrictEqual([
      { type: 'Prometheus', counter: true, good: { query: 'g' }, total: { query: 't' } },
      { type: 'Prometheus', dataSource: 'ds-a', counter: true, good: { query: 'g' }, total: { query: 't' } },
      { type: 'Prometheus', threshold: { query: 'g' } },
    ]);
  });

  it('refuses a metric without the DataSource its sibling names', () => {
    const ds = doc('DataSource', 'ds-a', { type: 'Datadog', connectionDetails: {} });
    const spec = {
      ratioMetric: { counter: true, good: ms('g', undefined, 'ds-a'), total: ms('t', 'Datadog') },
    };
    const r = run(ds, slo('avail', { indicator: { metadata: { name: 'reqs' }, spec } }));
    expect(r.problems).toEqual([
      {
        path: 'documents[1].spec.indicator.spec.ratioMetric.total.metricSource.metricSourceRef',
        problem: 'Accord keeps one data source per SLI; this metric names another',
      },
    ]);
  });
});

describe('OpenSLO import: proposed mapping rules', () => {
  const GOOD = 'sum(rate(http_requests_total{job="pay", code!~"5.."}[5m]))';
  const TOTAL = 'sum(rate(http_requests_total{job="pay"}[5m]))';
  const rule = (sli: string, measure: string, selector: string) => ({
    service: 'svc_pay',
    sli,
    description: `from the OpenSLO SLI ${sli}`,
    selector,
    measure,
    type: 'counter',
  });

  it('proposes good and bad counters for a Prometheus SLI, once however many objectives read it', () => {
    const ds = doc('DataSource', 'prom-main', { type: 'Prometheus', connectionDetails: {} });
    const spec = {
      ratioMetric: {
        counter: true,
        good: ms(GOOD, undefined, 'prom-main'),
        total: ms(TOTAL, undefined, 'prom-main'),
      },
    };
    const r = run(
      ds,
      sliDoc('reqs', spec),
      sloRef('a', 'reqs', { objectives: [{ target: 0.9 }, { target: 0.99 }] }),
      sloRef('b', 'reqs'),
    );
    expect(r.problems).toEqual([]);
    expect(r.notes).toEqual([]);
    expect(r.mappingRules).toStrictEqual([
      {
        vendor: 'prom-main',
        sliName: 'reqs',
        rule: rule('reqs', 'good', 'http_requests_total{job="pay", code!~"5.."}'),
      },
      {
        vendor: 'prom-main',
        sliName: 'reqs',
        rule: rule('reqs', 'bad', 'http_requests_total{job="pay", code=~"5.."}'),
      },
    ]);
  });

  it('names the vendor prometheus when the SLI names no DataSource, whatever the type’s case', () => {
    const spec = {
      ratioMetric: { counter: true, good: ms(GOOD, 'PROMETHEUS'), total: ms(TOTAL, 'PROMETHEUS') },
    };
    const r = run(slo('avail', { indicator: { metadata: { name: 'reqs' }, spec } }));
    expect(r.mappingRules.map((m) => [m.vendor, m.sliName, m.rule.measure])).toEqual([
      ['prometheus', 'reqs', 'good'],
      ['prometheus', 'reqs', 'bad'],
    ]);
  });

  it('notes why it proposes no rule for a Prometheus SLI it cannot read, at the SLI’s spec', () => {
    const r = run(
      sliDoc('lat', { thresholdMetric: ms('histogram_quantile(0.99, x)', 'Prometheus') }),
      sloRef('avail', 'lat', { objectives: [{ op: 'lte', value: 300, target: 0.99 }] }),
      slo('inl', {
        indicator: {
          metadata: { name: 'inl' },
          spec: {
            ratioMetric: { counter: false, good: ms(GOOD, 'Prometheus'), total: ms(TOTAL, 'Prometheus') },
          },
        },
      }),
    );
    expect(r.mappingRules).toEqual([]);
    expect(r.notes).toEqual([
      {
        path: 'documents[0].spec',
        problem:
          'no mapping rule proposed: a thresholdMetric needs its histogram and bucket layout; write the rule by hand (docs/telemetry.md)',
      },
      {
        path: 'documents[2].spec.indicator.spec',
        problem:
          'no mapping rule proposed: only counters (ratioMetric.counter: true) map to good and bad events',
      },
    ]);
  });

  it('proposes no rule for another vendor’s SLI, nor for an objective it does not take', () => {
    const spec = {
      ratioMetric: { counter: true, good: ms(GOOD, 'Prometheus'), total: ms(TOTAL, 'Prometheus') },
    };
    expect(run(slo('avail')).mappingRules).toEqual([]);
    const refused = run(
      slo('avail', {
        indicator: { metadata: { name: 'reqs' }, spec },
        timeWindow: [{ duration: '1Y', isRolling: true }],
      }),
    );
    expect(refused.mappingRules).toEqual([]);
  });
});

describe('OpenSLO import: the other kinds', () => {
  it('refuses a Service that is not the agreement’s, and notes the display name and description it does not take', () => {
    const r = run(
      doc('Service', 'other', {}),
      doc('Service', 'pay', { description: 'Payments' }),
      doc('Service', 'pay', {}, { displayName: 'Payments' }),
      doc('Service', 'pay', {}),
    );
    const note =
      "the Service's display name and description are not taken: the service record is Accord's own";
    expect(r).toStrictEqual({
      objectives: [],
      mappingRules: [],
      notes: [
        { path: 'documents[1]', problem: note },
        { path: 'documents[2]', problem: note },
      ],
      problems: [
        {
          path: 'documents[0].metadata.name',
          problem:
            "this agreement's service is svc_pay (pay); services are registered through POST /v1/services, not imported",
        },
      ],
    });
  });

  it('notes the connection details of a DataSource, which it does not keep', () => {
    const r = run(
      doc('DataSource', 'prom-main', {
        type: 'Prometheus',
        connectionDetails: { url: 'http://prometheus:9090' },
      }),
      doc('DataSource', 'prom-b', { type: 'Prometheus', connectionDetails: {} }),
    );
    expect(r.notes).toEqual([
      {
        path: 'documents[0].spec.connectionDetails',
        problem:
          'not taken: Accord stores no data-source connections (they may hold secrets); the name prom-main and type Prometheus are kept on each SLI that uses it',
      },
    ]);
    expect(r.problems).toEqual([]);
  });

  it('notes each alert policy, condition and notification target, which it does not take', () => {
    const r = run(
      doc('AlertPolicy', 'pol', { conditions: [{ conditionRef: 'cond' }] }),
      doc('AlertCondition', 'cond', {
        severity: 'page',
        condition: { kind: 'burnrate', op: 'gt', threshold: 2, lookbackWindow: '1h', alertAfter: '5m' },
      }),
      doc('AlertNotificationTarget', 'pager', { target: 'pagerduty' }),
    );
    expect(r.notes).toEqual([
      {
        path: 'documents[0]',
        problem:
          'AlertPolicy pol is not taken: Accord alerts on every objective by its multi-window, multi-burn-rate table (shared/policy/objectives.ts), the same for all; its own policy is exported as accord-burn-rate',
      },
      { path: 'documents[1]', problem: 'AlertCondition cond is not taken: see the burn-rate table' },
      {
        path: 'documents[2]',
        problem:
          "AlertNotificationTarget pager (pagerduty) is not taken: Accord notifies the agreement's escalation matrix and the objective's owner",
      },
    ]);
    expect(r.problems).toEqual([]);
  });

  it('refuses a second document of a kind under a name already used', () => {
    const r = run(
      sliDoc('reqs'),
      sliDoc('reqs', THRESHOLD),
      doc('DataSource', 'ds', { type: 'P', connectionDetails: {} }),
      doc('DataSource', 'ds', { type: 'Q', connectionDetails: {} }),
      doc('AlertPolicy', 'pol', { conditions: [{ conditionRef: 'c' }] }),
      doc('AlertPolicy', 'pol', { conditions: [{ conditionRef: 'c' }] }),
      doc('AlertCondition', 'c', {
        severity: 's',
        condition: { kind: 'burnrate', op: 'gt', threshold: 1, lookbackWindow: '1h', alertAfter: '5m' },
      }),
      doc('AlertCondition', 'c', {
        severity: 's',
        condition: { kind: 'burnrate', op: 'gt', threshold: 1, lookbackWindow: '1h', alertAfter: '5m' },
      }),
      doc('AlertNotificationTarget', 't', { target: 'x' }),
      doc('AlertNotificationTarget', 't', { target: 'x' }),
      sloRef('avail', 'reqs'),
    );
    expect(r.problems).toEqual([
      { path: 'documents[1].metadata.name', problem: 'a second SLI named reqs' },
      { path: 'documents[3].metadata.name', problem: 'a second DataSource named ds' },
      { path: 'documents[5].metadata.name', problem: 'a second AlertPolicy named pol' },
      { path: 'documents[7].metadata.name', problem: 'a second AlertCondition named c' },
      { path: 'documents[9].metadata.name', problem: 'a second AlertNotificationTarget named t' },
    ]);
    // the first of each name is the one read
    expect(r.objectives).toStrictEqual([objective()]);
    expect(r.notes.map((n) => n.path)).toEqual(['documents[4]', 'documents[6]', 'documents[8]']);
  });

  it('checks an SLO’s alert policy references, and notes an inline policy', () => {
    const r = run(
      doc('AlertPolicy', 'pol', { conditions: [{ conditionRef: 'c' }] }),
      slo('avail', {
        alertPolicies: [
          { alertPolicyRef: 'pol' },
          { alertPolicyRef: 'missing' },
          { kind: 'AlertPolicy', metadata: { name: 'inl' }, spec: { conditions: [{ conditionRef: 'c' }] } },
        ],
      }),
    );
    expect(r.problems).toEqual([
      {
        path: 'documents[1].spec.alertPolicies[1].alertPolicyRef',
        problem: 'no AlertPolicy named missing in the stream',
      },
    ]);
    expect(r.notes).toEqual([
      expect.objectContaining({ path: 'documents[0]' }),
      {
        path: 'documents[1].spec.alertPolicies[2]',
        problem: 'an inline AlertPolicy is not taken: Accord alerts by its burn-rate table',
      },
    ]);
  });

  it('notes an SLO description, which an Accord objective has no place for', () => {
    const r = run(slo('avail', { description: 'Requests succeed' }));
    expect(r.notes).toEqual([
      { path: 'documents[0].spec.description', problem: 'not taken: an Accord objective has no description' },
    ]);
    expect(r.objectives).toStrictEqual([objective()]);
  });
});
