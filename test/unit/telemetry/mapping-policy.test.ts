import { describe, expect, it } from 'vitest';
import {
  CompiledPolicy,
  keyPart,
  labelsKey,
  type SeriesRef,
  seriesKey,
} from '../../../shared/domain/telemetry/mapping.js';
import type { MappingRule, TelemetryPolicy } from '../../../shared/schemas/telemetry.js';

// How CompiledPolicy maps a vendor series to its SLI (docs/telemetry.md, "Mapping: vendor series → SLI"): the
// vendor's rules, then the default rules; PromQL matchers; templates from labels and named groups; histogram and
// summary families; the memo a series reference carries.

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
  ...over,
});

const policyOf = (
  vendors: TelemetryPolicy['vendors'],
  defaultRules: MappingRule[] = [],
  sources: TelemetryPolicy['sources'] = [],
): TelemetryPolicy => ({ version: 1, convention: '', limits: LIMITS, defaultRules, vendors, sources });

const ref = (metric: string, labels: Record<string, string> = {}): SeriesRef => ({ metric, labels });

describe('a vendor series maps through the first rule that matches it', () => {
  it('tries the vendor’s own rules before the default rules, and names the rule that mapped', () => {
    const p = new CompiledPolicy(
      policyOf(
        { prom: { rules: [rule({ metric: 'x_total', service: 'svc_own', sli: 'mine', type: 'counter' })] } },
        [
          rule({ metric: 'x_total', unit: 'count', type: 'counter' }),
          rule({ metric: 'y_total', measure: 'bad', unit: 'count', type: 'counter' }),
        ],
      ),
    );
    expect(p.map('prom', ref('x_total', { service: 'svc_aa', sli: 'b' }))).toStrictEqual({
      ok: true,
      series: 'prom|x_total|service=svc_aa|sli=b',
      target: {
        serviceId: 'svc_own',
        sli: 'mine',
        sliKey: 'svc_own/mine',
        measure: 'good',
        unit: undefined,
        thresholdMs: undefined,
        type: 'counter',
        part: undefined,
        buckets: undefined,
        rule: 'vendors.prom.rules[0]',
      },
    });
    expect(p.map('prom', ref('y_total', { service: 'svc_aa', sli: 'b' }))).toStrictEqual({
      ok: true,
      series: 'prom|y_total|service=svc_aa|sli=b',
      target: {
        serviceId: 'svc_aa',
        sli: 'b',
        sliKey: 'svc_aa/b',
        measure: 'bad',
        unit: 'count',
        thresholdMs: undefined,
        type: 'counter',
        part: undefined,
        buckets: undefined,
        rule: 'defaultRules[1]',
      },
    });
  });

  it('maps a vendor the policy does not list through the default rules alone', () => {
    const p = new CompiledPolicy(
      policyOf({ prom: { rules: [rule({ metric: 'x', service: 'svc_own', sli: 'mine' })] } }, [
        rule({ metric: 'x', measure: 'duration', unit: 's', thresholdMs: 300 }),
      ]),
    );
    expect(p.map('other', ref('x', { service: 'svc_aa', sli: 'lat' }))).toStrictEqual({
      ok: true,
      series: 'other|x|service=svc_aa|sli=lat',
      target: {
        serviceId: 'svc_aa',
        sli: 'lat',
        sliKey: 'svc_aa/lat',
        measure: 'duration',
        unit: 's',
        thresholdMs: 300,
        type: undefined,
        part: undefined,
        buckets: undefined,
        rule: 'defaultRules[0]',
      },
    });
  });

  it('leaves a series no rule matches unmapped, with its series key', () => {
    const p = new CompiledPolicy(policyOf({ prom: { rules: [rule({ metric: 'x' })] } }));
    expect(p.map('prom', ref('y', { service: 'svc_aa', sli: 'b' }))).toStrictEqual({
      ok: false,
      series: 'prom|y|service=svc_aa|sli=b',
    });
  });

  it('fills {__name__} in a template with the metric name, as validation reads it from the rule', () => {
    const p = new CompiledPolicy(
      policyOf({
        v: { rules: [rule({ metric: 'availability', service: 'svc_checkout', sli: '{__name__}' })] },
      }),
    );
    expect(p.map('v', ref('availability'))).toMatchObject({
      ok: true,
      target: { serviceId: 'svc_checkout', sli: 'availability', sliKey: 'svc_checkout/availability' },
    });
  });

  it('passes over a rule whose template reads a missing or empty label, or gives an invalid id, to the next', () => {
    const p = new CompiledPolicy(
      policyOf({
        prom: {
          rules: [
            rule({ metric: 'x', service: 'svc_{team}', sli: 'a' }),
            rule({ metric: 'x', service: 'svc_tt', sli: 'b-{tier}' }),
            rule({ metric: 'x', service: '{host}', sli: 'c' }),
            rule({ metric: 'x', service: 'svc_tt', sli: '{host}' }),
            rule({ metric: 'x', service: 'svc_tt', sli: 'last' }),
          ],
        },
      }),
    );
    const sliOf = (labels: Record<string, string>) => {
      const r = p.map('prom', ref('x', labels));
      return r.ok ? `${r.target.sliKey} by ${r.target.rule}` : 'unmapped';
    };
    expect(sliOf({ team: 'pay' })).toBe('svc_pay/a by vendors.prom.rules[0]');
    expect(sliOf({ team: '', tier: '1' })).toBe('svc_tt/b-1 by vendors.prom.rules[1]');
    expect(sliOf({})).toBe('svc_tt/last by vendors.prom.rules[4]');
    // "b-" would be an SLI name: an empty label is a missing one.
    expect(sliOf({ tier: '' })).toBe('svc_tt/last by vendors.prom.rules[4]');
    // "Host_1" is neither a service id nor an SLI name.
    expect(sliOf({ host: 'Host_1' })).toBe('svc_tt/last by vendors.prom.rules[4]');
    // "svc_h1" is a service id but not an SLI name ("_"); "h1" an SLI name but not a service id.
    expect(sliOf({ host: 'svc_h1' })).toBe('svc_h1/c by vendors.prom.rules[2]');
    expect(sliOf({ host: 'h1' })).toBe('svc_tt/h1 by vendors.prom.rules[3]');
  });

  it('gives exactly the ids a service id (svc_<slug>) and an SLI name (a lower-case slug) may be', () => {
    const p = new CompiledPolicy(
      policyOf({ prom: { rules: [rule({ metric: 'x', service: '{s}', sli: '{n}' })] } }),
    );
    const ok = (s: string, n: string) => p.map('prom', ref('x', { s, n })).ok;
    const slug = (k: number) => 'a'.repeat(k);
    expect(ok('svc_ab', 'a')).toBe(true);
    expect(ok('svc_0-', 'a0-')).toBe(true);
    expect(ok(`svc_${slug(63)}`, slug(63))).toBe(true);
    expect(ok(`svc_${slug(64)}`, 'a')).toBe(false);
    expect(ok('svc_ab', slug(64))).toBe(false);
    expect(ok('svc_a', 'a')).toBe(false);
    expect(ok('svc_-a', 'a')).toBe(false);
    expect(ok('svc_Ab', 'a')).toBe(false);
    expect(ok('svc_aB', 'a')).toBe(false);
    expect(ok('xsvc_ab', 'a')).toBe(false);
    expect(ok('svc_ab_', 'a')).toBe(false);
    expect(ok('svc_ab', '1a')).toBe(false);
    expect(ok('svc_ab', '-a')).toBe(false);
    expect(ok('svc_ab', 'aB')).toBe(false);
    expect(ok('svc_ab', 'a_')).toBe(false);
    expect(ok('svc_ab', '_a')).toBe(false);
  });

  it('fills every placeholder of a template, names with dots included (OpenTelemetry attributes)', () => {
    const p = new CompiledPolicy(
      policyOf({
        prom: { rules: [rule({ metric: 'x', service: 'svc_{service.name}', sli: '{kind}-{_tier2}' })] },
      }),
    );
    const r = p.map('prom', ref('x', { 'service.name': 'pay', kind: 'api', _tier2: 'gold' }));
    expect(r.ok && r.target.sliKey).toBe('svc_pay/api-gold');
  });

  it('fills templates from named groups of regular expressions, a group winning over a label of its name', () => {
    const p = new CompiledPolicy(
      policyOf({
        prom: {
          rules: [
            rule({
              selector: '{__name__=~"(?<sli>[a-z]+)_seconds", job=~"(?<svc>[a-z-]+)", svc!="x"}',
              service: 'svc_{svc}',
            }),
          ],
        },
      }),
    );
    const r = p.map('prom', ref('latency_seconds', { job: 'pay-api', svc: 'other' }));
    expect(r.ok && r.target.sliKey).toBe('svc_pay-api/latency');
  });

  it('matches a selector’s four operators as PromQL does', () => {
    const p = new CompiledPolicy(
      policyOf({
        prom: {
          rules: [rule({ selector: 'r_total{code=~"5..", job!="test", path!~"/health.*", env="prod"}' })],
        },
      }),
    );
    const ok = (labels: Record<string, string>) =>
      p.map('prom', ref('r_total', { service: 'svc_aa', sli: 'b', ...labels })).ok;
    expect(ok({ code: '503', env: 'prod' })).toBe(true);
    expect(ok({ code: '503', env: 'prod', job: 'web', path: '/pay' })).toBe(true);
    expect(ok({ code: '200', env: 'prod' })).toBe(false);
    expect(ok({ code: '503', env: 'dev' })).toBe(false);
    expect(ok({ code: '503', env: 'prod', job: 'test' })).toBe(false);
    expect(ok({ code: '503', env: 'prod', path: '/healthz' })).toBe(false);
  });

  it('reads the older forms: metric and labels exactly, metricRegex over the whole name with its own anchors', () => {
    const p = new CompiledPolicy(
      policyOf({
        prom: {
          rules: [
            rule({ metric: 'probe_success', labels: { job: 'pay' }, service: 'svc_pay', sli: 'avail' }),
            rule({ metricRegex: '^(?<sli>f[a-z]+)_[^au]+$', service: 'svc_rx' }),
            rule({ metricRegex: 'req_(?<sli>[^_0-9]+)', service: 'svc_req' }),
            rule({ metricRegex: '(?<sli>[a-z]+)(?:\\$|_x$)', service: 'svc_usd' }),
          ],
        },
      }),
    );
    const sliOf = (metric: string, labels: Record<string, string> = {}) => {
      const r = p.map('prom', ref(metric, labels));
      return r.ok ? r.target.sliKey : 'unmapped';
    };
    expect(sliOf('probe_success', { job: 'pay' })).toBe('svc_pay/avail');
    expect(sliOf('probe_success', { job: 'other' })).toBe('unmapped');
    expect(sliOf('probe_success')).toBe('unmapped');
    expect(sliOf('foo_bc')).toBe('svc_rx/foo');
    expect(sliOf('foo_ba')).toBe('unmapped');
    expect(sliOf('req_errors')).toBe('svc_req/errors');
    // Only a last unescaped $ is its own anchor: an escaped one is a dollar sign.
    expect(sliOf('usd$')).toBe('svc_usd/usd');
    expect(sliOf('eur_x')).toBe('svc_usd/eur');
    // Anchored at both ends, as PromQL's =~.
    expect(sliOf('xreq_errors')).toBe('unmapped');
    expect(sliOf('req_errors2')).toBe('unmapped');
  });
});

describe('a histogram or summary rule names the family and maps its parts', () => {
  const histogram = () =>
    new CompiledPolicy(
      policyOf({
        prom: {
          rules: [
            rule({
              selector: 'h_seconds{job="a", le="0.3"}',
              service: 'svc_aa',
              sli: 'lat',
              measure: 'duration',
              type: 'histogram',
              unit: 's',
              thresholdMs: 300,
              buckets: [0.1, 0.3],
            }),
          ],
        },
      }),
    );
  const partOf = (p: CompiledPolicy, metric: string, labels: Record<string, string>) => {
    const r = p.map('prom', ref(metric, labels));
    return r.ok ? [r.target.part, r.target.le] : 'unmapped';
  };

  it('maps a bucket with its bound, the count, the sum and the family’s own name (a native histogram)', () => {
    const p = histogram();
    expect(p.map('prom', ref('h_seconds_bucket', { job: 'a', le: '0.1' }))).toStrictEqual({
      ok: true,
      series: 'prom|h_seconds_bucket|job=a|le=0.1',
      target: {
        serviceId: 'svc_aa',
        sli: 'lat',
        sliKey: 'svc_aa/lat',
        measure: 'duration',
        unit: 's',
        thresholdMs: 300,
        type: 'histogram',
        part: 'bucket',
        le: 0.1,
        buckets: [0.1, 0.3],
        rule: 'vendors.prom.rules[0]',
      },
    });
    // The rule's le matcher applies to the count, the sum and the native series, never to a bucket's bound.
    expect(partOf(p, 'h_seconds_count', { job: 'a', le: '0.3' })).toEqual(['count', undefined]);
    expect(partOf(p, 'h_seconds_sum', { job: 'a', le: '0.3' })).toEqual(['sum', undefined]);
    expect(partOf(p, 'h_seconds', { job: 'a', le: '0.3' })).toEqual(['native', undefined]);
    expect(partOf(p, 'h_seconds_count', { job: 'a' })).toBe('unmapped');
    expect(partOf(p, 'h_seconds_bucket', { job: 'b', le: '0.1' })).toBe('unmapped');
    expect(partOf(p, 'other_bucket', { job: 'a', le: '0.1' })).toBe('unmapped');
  });

  it.each([
    ['+Inf', Number.POSITIVE_INFINITY],
    ['Inf', Number.POSITIVE_INFINITY],
    ['+inf', Number.POSITIVE_INFINITY],
    ['0.25', 0.25],
    ['1e-1', 0.1],
  ])('reads the bound le="%s" as %s', (le, bound) => {
    expect(partOf(histogram(), 'h_seconds_bucket', { job: 'a', le })).toEqual(['bucket', bound]);
  });

  it('leaves a bucket without a bound, or with one that is not a number, unmapped', () => {
    const p = histogram();
    expect(partOf(p, 'h_seconds_bucket', { job: 'a' })).toBe('unmapped');
    expect(partOf(p, 'h_seconds_bucket', { job: 'a', le: 'inf' })).toBe('unmapped');
    expect(partOf(p, 'h_seconds_bucket', { job: 'a', le: 'x' })).toBe('unmapped');
  });

  it('maps a summary’s quantiles, count and sum; a _bucket series is not a part of a summary', () => {
    const p = new CompiledPolicy(
      policyOf({
        prom: {
          rules: [
            rule({
              selector: 's{quantile="0.99"}',
              service: 'svc_aa',
              sli: 'p',
              measure: 'value',
              type: 'summary',
            }),
            rule({ metric: 'q_bucket', service: 'svc_aa', sli: 'qb', measure: 'value', type: 'summary' }),
          ],
        },
      }),
    );
    // The rule's quantile matcher applies to the count and the sum, never to a quantile series.
    expect(partOf(p, 's', { quantile: '0.5' })).toEqual(['quantile', undefined]);
    expect(partOf(p, 's_count', { quantile: '0.99' })).toEqual(['count', undefined]);
    expect(partOf(p, 's_sum', { quantile: '0.99' })).toEqual(['sum', undefined]);
    expect(partOf(p, 's_sum', {})).toBe('unmapped');
    // The family's own name without a quantile is no part of a summary.
    expect(partOf(p, 's', {})).toBe('unmapped');
    // A summary named q_bucket: its quantiles are q_bucket{quantile=...}.
    expect(partOf(p, 'q_bucket', { quantile: '0.5' })).toEqual(['quantile', undefined]);
    expect(partOf(p, 's_bucket', { quantile: '0.5', le: '1' })).toBe('unmapped');
  });

  it('reads a family whose name holds a part’s suffix before its end as the native series', () => {
    const p = new CompiledPolicy(
      policyOf({
        prom: {
          rules: [
            rule({
              selector: 'h_sum_seconds',
              measure: 'duration',
              type: 'histogram',
              service: 'svc_aa',
              sli: 'l',
            }),
          ],
        },
      }),
    );
    expect(partOf(p, 'h_sum_seconds', {})).toEqual(['native', undefined]);
    expect(partOf(p, 'h_sum_seconds_sum', {})).toEqual(['sum', undefined]);
  });

  it('maps a series named like a part whole when the rule is of another type', () => {
    const p = new CompiledPolicy(
      policyOf({
        prom: { rules: [rule({ metric: 'h_count', service: 'svc_aa', sli: 'n', type: 'counter' })] },
      }),
    );
    expect(partOf(p, 'h_count', {})).toEqual([undefined, undefined]);
    expect(partOf(p, 'h', {})).toBe('unmapped');
  });
});

describe('the memo a series reference carries', () => {
  it('is kept per vendor and per policy: a reference moved to another vendor or policy is mapped again', () => {
    const vendors = {
      a: { rules: [rule({ metric: 'x', service: 'svc_aa', sli: 'one' })] },
      b: { rules: [rule({ metric: 'x', service: 'svc_bb', sli: 'one' })] },
    };
    const p = new CompiledPolicy(policyOf(vendors));
    const q = new CompiledPolicy(
      policyOf({ ...vendors, a: { rules: [rule({ metric: 'x', service: 'svc_qq', sli: 'one' })] } }),
    );
    const r = ref('x');
    const keyOf = (m: ReturnType<CompiledPolicy['map']>) => (m.ok ? m.target.sliKey : 'unmapped');
    const first = p.map('a', r);
    expect(keyOf(first)).toBe('svc_aa/one');
    expect(r.mapped).toBe(first);
    expect(r.mappedFor).toEqual({ vendorId: 'a', policy: p });
    expect(p.map('a', r)).toBe(first);
    expect(keyOf(p.map('b', r))).toBe('svc_bb/one');
    expect(r.mappedFor).toEqual({ vendorId: 'b', policy: p });
    expect(keyOf(p.map('a', r))).toBe('svc_aa/one');
    expect(keyOf(q.map('a', r))).toBe('svc_qq/one');
    expect(r.mappedFor?.policy).toBe(q);
    expect(keyOf(p.map('a', r))).toBe('svc_aa/one');
    // Another reference to the same series gets the policy's memo of it.
    expect(p.map('a', ref('x'))).toBe(first);
  });
});

describe('the policy’s other answers', () => {
  it('gives the limits, the sources by SLI key, and each vendor’s accepted lateness in ms', () => {
    const source = {
      sliKey: 'svc_aa/avail',
      primary: 'prom',
      secondary: 'dd',
      authoritative: 'primary' as const,
      tolerance: 0.01,
    };
    const p = new CompiledPolicy(
      policyOf({ prom: { rules: [] }, dd: { rules: [], acceptedLatenessMinutes: 4320 } }, [], [source]),
    );
    expect(p.limits).toEqual(LIMITS);
    expect([...p.sources]).toEqual([['svc_aa/avail', source]]);
    expect(p.latenessMs('dd')).toBe(259_200_000);
    expect(p.latenessMs('prom')).toBe(3_600_000);
    expect(p.latenessMs('unknown')).toBe(3_600_000);
  });

  it('remembers the types a vendor’s metadata declared, per vendor, for a family and its suffixed series', () => {
    const p = new CompiledPolicy(policyOf({}));
    expect(p.rememberedType('prom', 'x')).toBeUndefined();
    p.rememberTypes(
      'prom',
      new Map([
        ['x', 'counter'],
        ['h', 'histogram'],
        ['h_count', 'gauge'],
      ]),
    );
    p.rememberTypes('dd', new Map([['x', 'delta']]));
    expect(
      ['x', 'x_total', 'h', 'h_bucket', 'h_sum', 'h_count', 'h_total', 'x_max', 'x_total_max', 'y'].map((m) =>
        p.rememberedType('prom', m),
      ),
    ).toEqual([
      'counter',
      'counter',
      'histogram',
      'histogram',
      'histogram',
      'gauge',
      'histogram',
      undefined,
      undefined,
      undefined,
    ]);
    expect(p.rememberedType('dd', 'x_total')).toBe('delta');
    expect(p.rememberedType('other', 'x')).toBeUndefined();
  });

  it('forgets every remembered type once it holds 100,000, then remembers anew', () => {
    const p = new CompiledPolicy(policyOf({}));
    const many = new Map<string, 'gauge'>();
    for (let i = 0; i < 100_000; i++) many.set(`m${i}`, 'gauge');
    p.rememberTypes('prom', many);
    expect(p.rememberedType('prom', 'm0')).toBe('gauge');
    expect(p.rememberedType('prom', 'm99999')).toBe('gauge');
    p.rememberTypes('dd', new Map([['late', 'counter']]));
    expect(p.rememberedType('prom', 'm0')).toBeUndefined();
    expect(p.rememberedType('prom', 'm99999')).toBeUndefined();
    expect(p.rememberedType('dd', 'late')).toBe('counter');
  });
});

describe('the key of a series', () => {
  it('is the vendor, the metric and the labels in name order, \\, | and = escaped wherever they are', () => {
    expect(seriesKey('prom', 'up', {})).toBe('prom|up');
    expect(seriesKey('prom', 'up', { b: '2', a: '1' })).toBe('prom|up|a=1|b=2');
    expect(seriesKey('p|q', 'm=1', { 'x\\': '|' })).toBe('p\\|q|m\\=1|x\\\\=\\|');
    expect(keyPart('a|b=c\\d')).toBe('a\\|b\\=c\\\\d');
    expect(keyPart('===')).toBe('\\=\\=\\=');
    expect(keyPart('plain')).toBe('plain');
    expect(labelsKey({})).toBe('');
    expect(labelsKey({ z: '', y: '=' })).toBe('|y=\\=|z=');
  });
});
