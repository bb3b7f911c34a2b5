import { describe, expect, it } from 'vitest';
import { pulledBatch, pullPlan, pullRange } from '../../../shared/domain/telemetry/pull.js';
import { Objective } from '../../../shared/schemas/agreement.js';

const objective = (source: Record<string, unknown> | undefined) =>
  Objective.parse({
    id: 'o',
    name: 'Checkout availability',
    sli: { type: 'availability', name: 'checkout', ...(source ? { source } : {}) },
    target: 99.9,
    window: { type: 'rolling', days: 28 },
    owner: { name: 'O', email: 'o@example.com' },
    customerContact: { name: 'C', email: 'c@example.com' },
  });
const q = (query: string) => ({ query });

describe('the pull plan of an SLI', () => {
  it('reads a good/total SLI as its good counter and the bad counter with the extra matcher negated', () => {
    const p = pullPlan(
      'svc_a',
      objective({
        type: 'Prometheus',
        dataSource: 'prom',
        counter: true,
        good: q('sum(rate(http_requests_total{job="a", code!~"5.."}[5m]))'),
        total: q('sum(rate(http_requests_total{job="a"}[5m]))'),
      }),
    );
    expect(p).toEqual({
      ok: true,
      dataSource: 'prom',
      sliKey: 'svc_a/checkout',
      serviceId: 'svc_a',
      sli: 'checkout',
      queries: [
        { measure: 'good', selector: 'http_requests_total{job="a", code!~"5.."}' },
        { measure: 'bad', selector: 'http_requests_total{job="a", code=~"5.."}' },
      ],
    });
  });

  it('reads a bad/total SLI as the good counter derived the same way and its bad counter', () => {
    const p = pullPlan(
      'svc_a',
      objective({
        type: 'Prometheus',
        dataSource: 'prom',
        counter: true,
        bad: q('http_requests_total{job="a", code=~"5.."}'),
        total: q('http_requests_total{job="a"}'),
      }),
    );
    expect(p.ok && p.queries.map((x) => `${x.measure} ${x.selector}`)).toEqual([
      'good http_requests_total{job="a", code!~"5.."}',
      'bad http_requests_total{job="a", code=~"5.."}',
    ]);
  });

  it('says why an SLI cannot be pulled: no data source, another source type, a threshold, a non-selector query', () => {
    const reason = (src: Record<string, unknown> | undefined) => {
      const p = pullPlan('svc_a', objective(src));
      return p.ok ? 'pulled' : p.reason;
    };
    expect(reason(undefined)).toBe('the SLI names no data source');
    expect(reason({ type: 'Datadog', dataSource: 'dd', counter: true })).toBe(
      'the SLI comes from Datadog, not Prometheus',
    );
    expect(reason({ type: 'Prometheus', dataSource: 'p', threshold: q('x') })).toMatch(/thresholdMetric/);
    expect(
      reason({
        type: 'Prometheus',
        dataSource: 'p',
        counter: true,
        good: q('sum(rate(a[5m])) / sum(rate(b[5m]))'),
        total: q('b'),
      }),
    ).toMatch(/not a counter selector/);
    expect(
      reason({
        type: 'Prometheus',
        dataSource: 'p',
        counter: true,
        good: q('a{x="1", y="2"}'),
        total: q('a'),
      }),
    ).toMatch(/one more matcher/);
  });
});

describe('the range of a scheduled pull', () => {
  it('ends on a multiple of the step and reaches back the lookback, so overlapping pulls read the same instants', () => {
    const now = Date.UTC(2026, 10, 30, 12, 7, 31, 500);
    expect(pullRange(now, 15, 60)).toEqual({
      startMs: Date.UTC(2026, 10, 30, 11, 52),
      endMs: Date.UTC(2026, 10, 30, 12, 7),
      stepS: 60,
    });
    // Five minutes later: the ranges overlap on whole minutes.
    const later = pullRange(now + 300_000, 15, 60);
    expect((later.startMs - Date.UTC(2026, 10, 30, 11, 52)) % 60_000).toBe(0);
  });
});

describe('pulled points as a decoded batch', () => {
  it('aims each series at the SLI directly, counters for good and bad, indexes counted across the batch', () => {
    const plan = pullPlan(
      'svc_a',
      objective({
        type: 'Prometheus',
        dataSource: 'prom',
        counter: true,
        good: q('g{j="a"}'),
        bad: q('b{j="a"}'),
      }),
    );
    if (!plan.ok) throw new Error(plan.reason);
    const b = pulledBatch(plan, [
      {
        query: plan.queries[0]!,
        labels: { __name__: 'g', j: 'a' },
        points: [
          [1000, 5],
          [2000, 7],
        ],
      },
      { query: plan.queries[1]!, labels: { __name__: 'b', j: 'a' }, points: [[1000, 1]] },
    ]);
    expect(b.sampleCount).toBe(3);
    expect(
      b.series.map((s) => [s.series.metric, s.type, s.target?.measure, s.target?.sliKey, s.firstIndex]),
    ).toEqual([
      ['g', 'counter', 'good', 'svc_a/checkout', 0],
      ['b', 'counter', 'bad', 'svc_a/checkout', 2],
    ]);
    expect(b.series[1]!.points).toEqual([{ index: 2, time: 1000, value: 1 }]);
  });
});
