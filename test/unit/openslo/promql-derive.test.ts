import { describe, expect, it } from 'vitest';
import { deriveMappingRules } from '../../../shared/domain/openslo/promql.js';

// The mapping rules proposed for an imported OpenSLO Prometheus SLI, or why none is (the import shows the reason as
// a note): shared/domain/openslo/promql.ts deriveMappingRules, its mutation ledger survivors. Every source is
// built inside its test.

const q = (query: string) => ({ query });
const base = { service: 'svc_payments', sli: 'requests', description: 'from the OpenSLO SLI requests' };
const derive = (src: Parameters<typeof deriveMappingRules>[2]) =>
  deriveMappingRules('svc_payments', 'requests', src);

const NOT_COUNTER = 'a query is not a counter selector such as sum(rate(x{…}[5m]))';
const TOTAL = 'sum(rate(http_requests_total{job="api"}[5m]))';
const GOOD = 'sum(rate(http_requests_total{job="api", code!~"5.."}[5m]))';
const BAD = 'sum(rate(http_requests_total{job="api", code=~"5.."}[5m]))';
const ARITHMETIC = 'sum(rate(a_total[5m])) / sum(rate(b_total[5m]))';

describe('mapping rules proposed for an OpenSLO Prometheus SLI', () => {
  it('proposes a good counter and the bad counter told apart from the total by the one matcher good adds', () => {
    expect(derive({ type: 'Prometheus', counter: true, good: q(GOOD), total: q(TOTAL) })).toEqual({
      rules: [
        {
          ...base,
          selector: 'http_requests_total{job="api", code!~"5.."}',
          measure: 'good',
          type: 'counter',
        },
        { ...base, selector: 'http_requests_total{job="api", code=~"5.."}', measure: 'bad', type: 'counter' },
      ],
    });
  });

  it('proposes the bad counter and the good counter told apart from the total by the one matcher bad adds', () => {
    expect(derive({ type: 'Prometheus', counter: true, bad: q(BAD), total: q(TOTAL) })).toEqual({
      rules: [
        {
          ...base,
          selector: 'http_requests_total{job="api", code!~"5.."}',
          measure: 'good',
          type: 'counter',
        },
        { ...base, selector: 'http_requests_total{job="api", code=~"5.."}', measure: 'bad', type: 'counter' },
      ],
    });
  });

  it('proposes a success-ratio gauge for a raw success ratio, summed or not', () => {
    for (const query of ['sum(probe_success{job="blackbox"})', 'probe_success{job="blackbox"}'])
      expect(
        derive({ type: 'Prometheus', counter: false, rawType: 'success', raw: q(query) }),
        query,
      ).toEqual({
        rules: [
          {
            ...base,
            selector: 'probe_success{job="blackbox"}',
            measure: 'ratio',
            type: 'gauge',
            unit: 'ratio',
          },
        ],
      });
  });
});

describe('no mapping rule proposed, with the reason the import notes', () => {
  it.each([
    {
      behaviour: 'a threshold metric, which needs its histogram layout',
      src: { type: 'Prometheus', threshold: q('histogram_quantile(0.99, rate(latency_bucket[5m]))') },
      problem:
        'a thresholdMetric needs its histogram and bucket layout; write the rule by hand (docs/telemetry.md)',
    },
    {
      behaviour: 'a raw ratio whose query is arithmetic, not a series selector',
      src: { type: 'Prometheus', counter: false, rawType: 'success' as const, raw: q(ARITHMETIC) },
      problem: 'the raw query is not a series selector',
    },
    {
      behaviour: 'a raw ratio whose spec has no query',
      src: {
        type: 'Prometheus',
        counter: false,
        rawType: 'success' as const,
        raw: { expr: 'probe_success' },
      },
      problem: 'the raw query is not a series selector',
    },
    {
      behaviour: 'a raw failure ratio, which cannot feed a success share',
      src: {
        type: 'Prometheus',
        counter: false,
        rawType: 'failure' as const,
        raw: q('probe_failed{job="b"}'),
      },
      problem: 'a failure ratio cannot feed an Accord ratio (a success share)',
    },
    {
      behaviour: 'a ratio of per-window values rather than counters',
      src: { type: 'Prometheus', counter: false, good: q(GOOD), total: q(TOTAL) },
      problem: 'only counters (ratioMetric.counter: true) map to good and bad events',
    },
    {
      behaviour: 'a good query that is not a counter selector',
      src: { type: 'Prometheus', counter: true, good: q(ARITHMETIC), total: q(TOTAL) },
      problem: NOT_COUNTER,
    },
    {
      behaviour: 'a good query without a query string',
      src: { type: 'Prometheus', counter: true, good: {}, total: q(TOTAL) },
      problem: NOT_COUNTER,
    },
    {
      behaviour: 'a bad query that is not a counter selector',
      src: { type: 'Prometheus', counter: true, bad: q(ARITHMETIC), total: q(TOTAL) },
      problem: NOT_COUNTER,
    },
    {
      behaviour: 'a total query that is not a counter selector, beside a good one',
      src: { type: 'Prometheus', counter: true, good: q(GOOD), total: q(ARITHMETIC) },
      problem: NOT_COUNTER,
    },
    {
      behaviour: 'a total query that is not a counter selector, beside a bad one',
      src: { type: 'Prometheus', counter: true, bad: q(BAD), total: q(ARITHMETIC) },
      problem: NOT_COUNTER,
    },
    {
      behaviour: 'a good query whose label value has an escape that cannot be read (it used to throw)',
      src: { type: 'Prometheus', counter: true, good: q('rate(x_total{path="\\x2f"}[5m])'), total: q(TOTAL) },
      problem: NOT_COUNTER,
    },
    {
      behaviour: 'a good query that differs from the total by two matchers',
      src: {
        type: 'Prometheus',
        counter: true,
        good: q('sum(rate(http_requests_total{job="api", code!~"5..", region="eu"}[5m]))'),
        total: q(TOTAL),
      },
      problem:
        'the total query is not the good query without one matcher, so bad events cannot be told apart',
    },
    {
      behaviour: 'a bad query on another metric than the total',
      src: {
        type: 'Prometheus',
        counter: true,
        bad: q('rate(http_errors_total{job="api"}[5m])'),
        total: q(TOTAL),
      },
      problem: 'the total query is not the bad query without one matcher',
    },
  ])('$behaviour', ({ src, problem }) => {
    expect(derive(src)).toEqual({ problem });
  });
});
