import { describe, expect, it } from 'vitest';
import { sameBound, typeProblem, validateRules } from '../../../shared/domain/telemetry/mapping.js';
import type {
  MappingRule,
  Measure,
  SemanticType,
  TelemetryPolicy,
} from '../../../shared/schemas/telemetry.js';

// The rules of a telemetry policy, checked when it is loaded (docs/telemetry.md: "Rules are validated when loaded";
// a rule that can never match is an error): each problem with its exact path and wording.

const LIMITS: TelemetryPolicy['limits'] = {
  maxSamplesPerRequest: 10_000,
  maxBodyBytes: 5_242_880,
  maxCompressedBodyBytes: 4_194_304,
  acceptedLatenessMinutes: 60,
  maxFutureSkewSeconds: 300,
  maxLabelsPerSeries: 64,
  maxLabelNameLength: 128,
  maxLabelValueLength: 1024,
};

const rule = (over: Partial<MappingRule>): MappingRule => ({
  service: '{service}',
  sli: '{sli}',
  measure: 'good',
  type: 'counter',
  ...over,
});

const latency = (over: Partial<MappingRule>): MappingRule =>
  rule({
    selector: 'h_seconds',
    measure: 'duration',
    type: 'histogram',
    unit: 's',
    thresholdMs: 300,
    buckets: [0.1, 0.3, 1],
    ...over,
  });

/** The problems of a policy whose vendor `prom` has these rules. */
const problemsOf = (rules: MappingRule[], defaultRules: MappingRule[] = []) =>
  validateRules({
    version: 1,
    convention: '',
    limits: LIMITS,
    defaultRules,
    vendors: { prom: { rules } },
    sources: [],
  });

const P = 'vendors.prom.rules[0]';

describe('a rule that does not compile', () => {
  it('names the selector that does not parse, with the parser’s reason', () => {
    expect(problemsOf([rule({ selector: 'x{' })])).toEqual([
      { path: `${P}.selector`, problem: 'is not a PromQL selector near "x{"' },
    ]);
    expect(problemsOf([rule({ selector: 'sum(x)' })])).toEqual([
      { path: `${P}.selector`, problem: 'must be a plain series selector (found AggregateExpr)' },
    ]);
  });

  it('names the metricRegex that is not a regular expression, with the engine’s reason', () => {
    expect(problemsOf([rule({ metricRegex: 'x(' })])).toEqual([
      { path: `${P}.metricRegex`, problem: 'Invalid regular expression: /x(/: Unterminated group' },
    ]);
  });
});

describe('matchers that can never hold', () => {
  it('refuses a selector without a metric name', () => {
    expect(problemsOf([rule({ selector: '{code="500"}' })])).toEqual([
      { path: `${P}.selector`, problem: 'must name the metric (a metric name or a __name__ matcher)' },
    ]);
  });

  it('refuses matchers on one label that cannot all hold, the metric name included, naming the label', () => {
    expect(
      problemsOf([
        rule({ selector: 'x{code="200", job="a", code=~"5.."}' }),
        rule({ selector: 'x{__name__="y"}' }),
        rule({ metricRegex: 'y.*', labels: { a: '1' } }),
      ]),
    ).toEqual([
      {
        path: `${P}.selector`,
        problem: 'can never match: on code, code="200" and code=~"5.." cannot both hold',
      },
      {
        path: 'vendors.prom.rules[1].selector',
        problem: 'can never match: on __name__, __name__="x" and __name__="y" cannot both hold',
      },
    ]);
  });

  it.each(['bucket', 'count', 'sum'])('refuses a histogram rule naming its family’s _%s series', (part) => {
    expect(problemsOf([latency({ selector: `h_seconds_${part}{job="a"}` })])).toEqual([
      {
        path: `${P}.selector`,
        problem: 'can never match: a histogram rule names the family (h_seconds), not one of its series',
      },
    ]);
  });

  it('names the family without the last suffix only', () => {
    expect(problemsOf([latency({ selector: 'h_sum_x_count' })])).toEqual([
      {
        path: `${P}.selector`,
        problem: 'can never match: a histogram rule names the family (h_sum_x), not one of its series',
      },
    ]);
  });

  it('lets a rule of another type name a series ending in a part’s suffix', () => {
    expect(
      problemsOf([
        rule({ metric: 'jobs_count' }),
        rule({ selector: 'x_sum', measure: 'value', type: 'summary' }),
        rule({ selector: 'y_bucket', measure: 'duration', type: 'gauge' }),
      ]),
    ).toEqual([]);
  });

  it('accepts a histogram rule whose family is matched by a regular expression, or ends otherwise', () => {
    expect(
      problemsOf([
        latency({ selector: '{__name__=~"h_.*_bucket"}' }),
        latency({ selector: 'h_bucket_seconds' }),
        latency({ selector: 'h_summary' }),
      ]),
    ).toEqual([]);
  });
});

describe('a type that can never feed its measure', () => {
  const TYPES: SemanticType[] = [
    'counter',
    'delta',
    'rate',
    'gauge',
    'histogram',
    'native-histogram',
    'summary',
  ];
  const MEASURES: Measure[] = ['good', 'bad', 'ratio', 'duration', 'value'];
  const histogramOnly = (m: Measure) =>
    `a histogram feeds a latency (duration) SLI with a threshold, not a ${m} SLI`;
  const summary =
    "a summary's quantiles are computed by the client over its own sliding window and cannot be added up into events: export a histogram (or feed a value SLI with a quantile)";
  const readings = (t: string, m: Measure) => `a ${t} counts events; a ${m} SLI takes readings (use a gauge)`;
  const events = (m: Measure) =>
    `a gauge is a reading at an instant, not a count of events; a ${m} SLI needs a counter, a delta or a rate`;

  it('answers why for every type and measure that do not go together, and nothing for those that do', () => {
    const table = Object.fromEntries(
      TYPES.map((t) => [t, Object.fromEntries(MEASURES.map((m) => [m, typeProblem(t, m)]))]),
    );
    const counting = (t: string) => ({
      good: undefined,
      bad: undefined,
      ratio: readings(t, 'ratio'),
      duration: readings(t, 'duration'),
      value: readings(t, 'value'),
    });
    const histogram = {
      good: histogramOnly('good'),
      bad: histogramOnly('bad'),
      ratio: histogramOnly('ratio'),
      duration: undefined,
      value: histogramOnly('value'),
    };
    expect(table).toEqual({
      counter: counting('counter'),
      delta: counting('delta'),
      rate: counting('rate'),
      gauge: {
        good: events('good'),
        bad: events('bad'),
        ratio: undefined,
        duration: undefined,
        value: undefined,
      },
      histogram,
      'native-histogram': histogram,
      summary: { good: summary, bad: summary, ratio: summary, duration: summary, value: undefined },
    });
  });

  it('names the rule’s type, and says nothing of a rule that declares none', () => {
    expect(
      problemsOf([
        rule({ metric: 'x', type: 'gauge' }),
        rule({ metric: 'y', type: undefined, measure: 'ratio' }),
        rule({ metric: 'z', measure: 'ratio' }),
      ]),
    ).toEqual([
      { path: `${P}.type`, problem: `can never feed its SLI: ${events('good')}` },
      {
        path: 'vendors.prom.rules[2].type',
        problem: `can never feed its SLI: ${readings('counter', 'ratio')}`,
      },
    ]);
  });
});

describe('units, thresholds and buckets', () => {
  it('refuses a unit Accord does not know, and accepts a known one in any case', () => {
    expect(
      problemsOf([
        rule({ metric: 'x', unit: 'fortnights' }),
        rule({ metric: 'y', unit: 'Requests' }),
        rule({ metric: 'z' }),
      ]),
    ).toEqual([{ path: `${P}.unit`, problem: '"fortnights" is not a unit Accord knows' }]);
  });

  it('wants a histogram rule’s threshold and bucket bounds', () => {
    expect(problemsOf([latency({ thresholdMs: undefined, buckets: undefined })])).toEqual([
      { path: `${P}.thresholdMs`, problem: 'a histogram rule needs the latency threshold' },
      {
        path: `${P}.buckets`,
        problem: 'a histogram rule lists the bucket bounds (le) its exporter declares',
      },
    ]);
    expect(problemsOf([latency({ thresholdMs: undefined })])).toEqual([
      { path: `${P}.thresholdMs`, problem: 'a histogram rule needs the latency threshold' },
    ]);
    expect(problemsOf([latency({ buckets: undefined })])).toEqual([
      {
        path: `${P}.buckets`,
        problem: 'a histogram rule lists the bucket bounds (le) its exporter declares',
      },
    ]);
  });

  it('refuses buckets on a rule that is not a histogram', () => {
    expect(
      problemsOf([
        rule({ metric: 'x', measure: 'duration', type: 'gauge', thresholdMs: 300, buckets: [0.3] }),
      ]),
    ).toEqual([{ path: `${P}.buckets`, problem: 'only a histogram rule (type: histogram) lists buckets' }]);
  });

  it('refuses a threshold that is not a bucket bound, naming the nearest bounds in the rule’s unit', () => {
    expect(
      problemsOf([
        latency({ buckets: [0.25, 0.1, 1, 0.5] }),
        latency({ selector: 'a', thresholdMs: 50, buckets: [0.1, 0.25] }),
        latency({ selector: 'b', thresholdMs: 2000, buckets: [1, 0.1] }),
        latency({ selector: 'c', unit: 'ms', thresholdMs: 300, buckets: [100, 250, 500] }),
        latency({ selector: 'd', unit: undefined, thresholdMs: 200, buckets: [0.1, 0.3] }),
      ]),
    ).toEqual([
      {
        path: `${P}.thresholdMs`,
        problem: '300 ms (0.3 s) is not a bucket boundary; the nearest are 0.25 s and 0.5 s',
      },
      {
        path: 'vendors.prom.rules[1].thresholdMs',
        problem: '50 ms (0.05 s) is not a bucket boundary; the nearest are (none below) and 0.1 s',
      },
      {
        path: 'vendors.prom.rules[2].thresholdMs',
        problem: '2000 ms (2 s) is not a bucket boundary; the nearest are 1 s and (none above)',
      },
      {
        path: 'vendors.prom.rules[3].thresholdMs',
        problem: '300 ms (300 ms) is not a bucket boundary; the nearest are 250 ms and 500 ms',
      },
      {
        path: 'vendors.prom.rules[4].thresholdMs',
        problem: '200 ms (0.2 s) is not a bucket boundary; the nearest are 0.1 s and 0.3 s',
      },
    ]);
  });

  it('accepts a threshold on a bound in the rule’s unit (seconds by default), however the division rounds', () => {
    expect(
      problemsOf([
        latency({}),
        latency({ selector: 'a', unit: undefined, buckets: [0.3] }),
        latency({ selector: 'b', unit: 'ms', buckets: [300] }),
        // 2.1 / 1000 is 0.0021000000000000003, 0.7 / 0.001 is 699.9999999999999.
        latency({ selector: 'c', thresholdMs: 2.1, buckets: [0.0021] }),
        latency({ selector: 'd', unit: 'us', thresholdMs: 0.7, buckets: [700] }),
      ]),
    ).toEqual([]);
  });

  it('reads the bounds of a rule whose unit is unknown as seconds, refusing only the unit', () => {
    expect(problemsOf([latency({ unit: 'fortnights', buckets: [0.3] })])).toEqual([
      { path: `${P}.unit`, problem: '"fortnights" is not a unit Accord knows' },
    ]);
  });
});

describe('two bucket bounds are the same number', () => {
  it('when equal, or within a relative billionth of the larger, both finite', () => {
    expect(sameBound(0.3, 0.3)).toBe(true);
    expect(sameBound(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toBe(true);
    expect(sameBound(Number.POSITIVE_INFINITY, Number.MAX_VALUE)).toBe(false);
    expect(sameBound(Number.MAX_VALUE, Number.POSITIVE_INFINITY)).toBe(false);
    expect(sameBound(Number.NaN, Number.NaN)).toBe(false);
    expect(sameBound(2.1 / 1000, 0.0021)).toBe(true);
    // On the bound: 1 apart at a billion.
    expect(sameBound(1e9, 1e9 - 1)).toBe(true);
    expect(sameBound(1e9 - 1, 1e9)).toBe(true);
    expect(sameBound(-1e9, -1e9 + 1)).toBe(true);
    expect(sameBound(1e9, 1e9 - 2)).toBe(false);
    expect(sameBound(0.3, 0.30001)).toBe(false);
  });
});

describe('templates that always give the same id', () => {
  it('refuses a constant id that is not valid, naming the template', () => {
    expect(
      problemsOf([
        rule({ metric: 'x', service: 'checkout' }),
        rule({ metric: 'y', service: 'svc_aa', sli: 'Avail' }),
      ]),
    ).toEqual([
      {
        path: `${P}.service`,
        problem: 'can never match: "checkout" is not a valid service id (svc_<slug>)',
      },
      {
        path: 'vendors.prom.rules[1].sli',
        problem: 'can never match: "Avail" is not a valid SLI name (a lower-case slug)',
      },
    ]);
  });

  it('fills placeholders from the selector’s = matchers only, and checks what they give', () => {
    expect(
      problemsOf([
        rule({ selector: 'x{team="pay", tier="Gold"}', service: 'svc_{team}', sli: 'avail-{tier}' }),
        rule({ selector: 'y{team=~"P.*", tier!="X"}', service: 'svc_{team}', sli: '{tier}' }),
        rule({ selector: 'z{team="pay"}', service: 'svc_{team}', sli: '{tier}' }),
        rule({ metric: 'w', labels: { team: 'Pay' }, service: 'svc_{team}', sli: 'a' }),
      ]),
    ).toEqual([
      {
        path: `${P}.sli`,
        problem: 'can never match: "avail-Gold" is not a valid SLI name (a lower-case slug)',
      },
      {
        path: 'vendors.prom.rules[3].service',
        problem: 'can never match: "svc_Pay" is not a valid service id (svc_<slug>)',
      },
    ]);
  });

  it('refuses a placeholder reading a label the selector requires to be empty', () => {
    const why = 'can never match: a placeholder reads a label the selector requires to be empty';
    expect(
      problemsOf([
        rule({ selector: 'x{team=""}', service: 'svc_{team}' }),
        rule({ selector: 'y{tier=""}', sli: '{tier}-{other}' }),
      ]),
    ).toEqual([
      { path: `${P}.service`, problem: why },
      { path: 'vendors.prom.rules[1].sli', problem: why },
    ]);
  });
});

describe('a rule shadowed by an earlier one of its list', () => {
  const shadowed = (i: number, by: number, list = 'vendors.prom.rules') => ({
    path: `${list}[${i}]`,
    problem: `can never match: ${list}[${by}] matches every series it matches and always maps them first`,
  });

  it('is refused when the earlier rule has the same matchers and templates', () => {
    expect(
      problemsOf([
        rule({ selector: 'x{job=~"(?<s>.+)", code="5"}', service: 'svc_{s}' }),
        rule({ selector: 'x{code="5", job=~"(?<s>.+)"}', service: 'svc_{s}', measure: 'bad' }),
      ]),
    ).toEqual([shadowed(1, 0)]);
  });

  it('is refused when the earlier rule has fewer matchers, all shared, and constant valid ids', () => {
    expect(
      problemsOf([
        rule({ metric: 'y' }),
        rule({ metric: 'x', service: 'svc_aa', sli: 'reqs' }),
        rule({ selector: 'x{code="500"}', measure: 'bad' }),
        rule({ metric: 'x', labels: { code: '500' }, measure: 'bad' }),
      ]),
    ).toEqual([shadowed(2, 1), shadowed(3, 1)]);
  });

  it('reads the older forms as the matchers a selector writes: metric, labels and metricRegex', () => {
    expect(
      problemsOf([
        rule({ metricRegex: 'y.*', service: 'svc_aa', sli: 'a' }),
        rule({ selector: '{__name__=~"y.*", code="5"}', measure: 'bad' }),
        rule({ metric: 'x', labels: { job: 'a' }, service: 'svc_aa', sli: 'a' }),
        rule({ selector: 'x{code="5", job="a"}', measure: 'bad' }),
      ]),
    ).toEqual([shadowed(1, 0), shadowed(3, 2)]);
  });

  it('is kept when the earlier rule may pass a series over (a template reads the series) or matches less', () => {
    expect(
      problemsOf([
        // Same templates, but the later rule's regex fills {svc} from a group the earlier one lacks.
        rule({ metric: 'x', service: 'svc_{svc}', sli: 'a' }),
        rule({ selector: 'x{job=~"(?<svc>.+)"}', service: 'svc_{svc}', sli: 'a' }),
        // A constant service, a series' SLI.
        rule({ metric: 'y', service: 'svc_aa', sli: '{sli}' }),
        rule({ selector: 'y{code="500"}', service: 'svc_aa', sli: 'b' }),
        // A constant SLI, a series' service.
        rule({ metric: 'z', service: '{service}', sli: 'b' }),
        rule({ selector: 'z{code="500"}', service: 'svc_aa', sli: 'b' }),
        // The same matchers, another template read from the series.
        rule({ metric: 'v', service: '{service}', sli: 'a' }),
        rule({ metric: 'v', service: '{service}', sli: 'b' }),
        rule({ metric: 'u', service: '{service}', sli: '{sli}' }),
        rule({ metric: 'u', service: 'svc_{team}', sli: '{sli}' }),
        // A matcher the later rule does not have.
        rule({ selector: 'w{code="500"}', service: 'svc_aa', sli: 'b' }),
        rule({ selector: 'w{code="400"}', service: 'svc_aa', sli: 'b' }),
        rule({ selector: 'w{job="a"}', service: 'svc_aa', sli: 'b' }),
      ]),
    ).toEqual([]);
  });

  it('is kept when the two rules are of different families (a histogram family against a plain series)', () => {
    expect(
      problemsOf([
        rule({ metric: 'h_seconds', measure: 'duration', type: 'gauge', service: 'svc_aa', sli: 'lat' }),
        latency({ selector: 'h_seconds', service: 'svc_aa', sli: 'lat' }),
      ]),
    ).toEqual([]);
  });

  it('names the first rule that shadows it; a rule with a problem of its own shadows nothing', () => {
    expect(
      problemsOf([
        rule({ metric: 'x', service: 'svc_aa', sli: 'a', unit: 'fortnights' }),
        rule({ metric: 'x', service: 'svc_aa', sli: 'b' }),
        rule({ metric: 'x', service: 'svc_aa', sli: 'c' }),
        rule({ metric: 'x', service: 'svc_aa', sli: 'd', type: 'gauge' }),
      ]),
    ).toEqual([
      { path: `${P}.unit`, problem: '"fortnights" is not a unit Accord knows' },
      shadowed(2, 1),
      {
        path: 'vendors.prom.rules[3].type',
        problem:
          'can never feed its SLI: a gauge is a reading at an instant, not a count of events; a good SLI needs a counter, a delta or a rate',
      },
    ]);
  });

  it('is looked for within each list: the default rules apart from a vendor’s', () => {
    expect(
      problemsOf(
        [rule({ metric: 'x', service: 'svc_aa', sli: 'a' })],
        [rule({ metric: 'x', service: 'svc_bb', sli: 'a' }), rule({ metric: 'x' })],
      ),
    ).toEqual([shadowed(1, 0, 'defaultRules')]);
  });
});

describe('every problem of every list at once', () => {
  it('lists the default rules’ problems, then each vendor’s, each rule’s in the order checked', () => {
    expect(
      validateRules({
        version: 1,
        convention: '',
        limits: LIMITS,
        defaultRules: [rule({ metric: 'd', unit: 'x' })],
        vendors: {
          a: { rules: [rule({ metric: 'x', type: 'gauge' })] },
          b: {
            rules: [
              rule({ metric: 'y' }),
              rule({
                selector: 'h_bucket{a="1", a="2"}',
                service: 'nope',
                sli: 'Nope',
                measure: 'ratio',
                type: 'histogram',
                unit: 'parsecs',
                buckets: [1],
              }),
            ],
          },
        },
        sources: [],
      }),
    ).toEqual([
      { path: 'defaultRules[0].unit', problem: '"x" is not a unit Accord knows' },
      {
        path: 'vendors.a.rules[0].type',
        problem:
          'can never feed its SLI: a gauge is a reading at an instant, not a count of events; a good SLI needs a counter, a delta or a rate',
      },
      {
        path: 'vendors.b.rules[1].selector',
        problem: 'can never match: on a, a="1" and a="2" cannot both hold',
      },
      {
        path: 'vendors.b.rules[1].selector',
        problem: 'can never match: a histogram rule names the family (h), not one of its series',
      },
      {
        path: 'vendors.b.rules[1].type',
        problem:
          'can never feed its SLI: a histogram feeds a latency (duration) SLI with a threshold, not a ratio SLI',
      },
      { path: 'vendors.b.rules[1].unit', problem: '"parsecs" is not a unit Accord knows' },
      { path: 'vendors.b.rules[1].thresholdMs', problem: 'a histogram rule needs the latency threshold' },
      {
        path: 'vendors.b.rules[1].service',
        problem: 'can never match: "nope" is not a valid service id (svc_<slug>)',
      },
      {
        path: 'vendors.b.rules[1].sli',
        problem: 'can never match: "Nope" is not a valid SLI name (a lower-case slug)',
      },
    ]);
  });
});
