import { describe, expect, it } from 'vitest';
import { type PullPlan, pulledBatch, pullPlan, pullRange } from '../../../shared/domain/telemetry/pull.js';
import { Objective } from '../../../shared/schemas/agreement.js';

// Prometheus as a pull data source (docs/backfill.md): the plan of every kind of SLI source, each reason an SLI is
// not pulled with its exact wording, the range's rounding, and the whole decoded batch of pulled points.

const objective = (source: Record<string, unknown> | undefined, name: string | null = 'checkout') =>
  Objective.parse({
    id: 'o',
    name: 'Checkout availability',
    sli: { type: 'availability', ...(name ? { name } : {}), ...(source ? { source } : {}) },
    target: 99.9,
    window: { type: 'rolling', days: 28 },
    owner: { name: 'O', email: 'o@example.com' },
    customerContact: { name: 'C', email: 'c@example.com' },
  });
const q = (query: string) => ({ query });
const prom = (over: Record<string, unknown>) => ({ type: 'Prometheus', dataSource: 'prom', ...over });
const planned = (queries: { measure: string; selector: string }[], sli = 'checkout'): PullPlan =>
  ({
    ok: true,
    dataSource: 'prom',
    sliKey: `svc_pay/${sli}`,
    serviceId: 'svc_pay',
    sli,
    queries,
  }) as PullPlan;
const refused = (reason: string, sli = 'checkout'): PullPlan => ({
  ok: false,
  sliKey: `svc_pay/${sli}`,
  reason,
});

describe('the pull plan of each kind of SLI source', () => {
  it('pulls a raw success ratio as a ratio, its sum() unwrapped', () => {
    expect(pullPlan('svc_pay', objective(prom({ raw: q('sum(probe_success{job="pay"})') })))).toEqual(
      planned([{ measure: 'ratio', selector: 'probe_success{job="pay"}' }]),
    );
    expect(pullPlan('svc_pay', objective(prom({ raw: q('up'), rawType: 'success' })))).toEqual(
      planned([{ measure: 'ratio', selector: 'up{}' }]),
    );
  });

  it('refuses a raw failure ratio and a raw query that is not a series selector', () => {
    expect(pullPlan('svc_pay', objective(prom({ raw: q('up'), rawType: 'failure' })))).toEqual(
      refused('a raw failure ratio is not pulled (Accord reads success ratios)'),
    );
    expect(pullPlan('svc_pay', objective(prom({ raw: q('1 - avg(up)') })))).toEqual(
      refused('the raw query is not a series selector'),
    );
    expect(pullPlan('svc_pay', objective(prom({ raw: { expr: 'up' } })))).toEqual(
      refused('the raw query is not a series selector'),
    );
  });

  it('pulls good and bad counters as they are written', () => {
    expect(
      pullPlan(
        'svc_pay',
        objective(prom({ counter: true, good: q('sum(rate(ok_total[5m]))'), bad: q('err_total{job="a"}') })),
      ),
    ).toEqual(
      planned([
        { measure: 'good', selector: 'ok_total{}' },
        { measure: 'bad', selector: 'err_total{job="a"}' },
      ]),
    );
  });

  it('derives the missing counter of a good/total or bad/total pair, and says which cannot be read', () => {
    const total = q('r_total{job="a"}');
    expect(
      pullPlan('svc_pay', objective(prom({ counter: true, good: q('r_total{job="a", ok="1"}'), total }))),
    ).toEqual(
      planned([
        { measure: 'good', selector: 'r_total{job="a", ok="1"}' },
        { measure: 'bad', selector: 'r_total{job="a", ok!="1"}' },
      ]),
    );
    expect(
      pullPlan('svc_pay', objective(prom({ counter: true, bad: q('r_total{job="a", ok="0"}'), total }))),
    ).toEqual(
      planned([
        { measure: 'good', selector: 'r_total{job="a", ok!="0"}' },
        { measure: 'bad', selector: 'r_total{job="a", ok="0"}' },
      ]),
    );
    expect(
      pullPlan('svc_pay', objective(prom({ counter: true, good: q('x{a="1", b="2"}'), total }))),
    ).toEqual(
      refused('the good selector is not the total selector with one more matcher: bad events cannot be read'),
    );
    expect(pullPlan('svc_pay', objective(prom({ counter: true, bad: q('x{a="1", b="2"}'), total })))).toEqual(
      refused('the bad selector is not the total selector with one more matcher: good events cannot be read'),
    );
  });

  it('refuses counters of which fewer than two can be read', () => {
    const why = 'a query is not a counter selector such as sum(rate(x{…}[5m]))';
    const plan = (src: Record<string, unknown>) =>
      pullPlan('svc_pay', objective(prom({ counter: true, ...src })));
    expect(plan({ good: q('a_total'), total: q('a_total / 2') })).toEqual(refused(why));
    expect(plan({ good: q('a_total') })).toEqual(refused(why));
    expect(plan({ bad: q('a_total') })).toEqual(refused(why));
    expect(plan({ total: q('a_total') })).toEqual(refused(why));
    expect(plan({ good: { expr: 'a_total' }, bad: q('b_total') })).toEqual(refused(why));
    expect(plan({ good: q('a_total'), bad: { expr: 'b_total' } })).toEqual(refused(why));
  });

  it('says why an SLI is not pulled: no data source, another source type, a threshold, values not counters', () => {
    expect(pullPlan('svc_pay', objective(undefined))).toEqual(refused('the SLI names no data source'));
    expect(pullPlan('svc_pay', objective({ type: 'Prometheus', raw: q('up') }))).toEqual(
      refused('the SLI names no data source'),
    );
    expect(pullPlan('svc_pay', objective({ type: 'Datadog', dataSource: 'dd', raw: q('up') }))).toEqual(
      refused('the SLI comes from Datadog, not Prometheus'),
    );
    expect(pullPlan('svc_pay', objective(prom({ threshold: q('lat_seconds'), counter: true })))).toEqual(
      refused('a thresholdMetric SLI needs histogram buckets; not pulled'),
    );
    const notCounters = 'only counter ratio SLIs (ratioMetric.counter: true) and raw ratios are pulled';
    expect(pullPlan('svc_pay', objective(prom({ good: q('a'), bad: q('b') })))).toEqual(refused(notCounters));
    expect(pullPlan('svc_pay', objective(prom({ counter: false, good: q('a'), bad: q('b') })))).toEqual(
      refused(notCounters),
    );
  });

  it('reads the source type in any case, and names the SLI by its type when it has no name', () => {
    expect(
      pullPlan('svc_pay', objective({ type: 'PROMETHEUS', dataSource: 'prom', raw: q('up') }, null)),
    ).toEqual(planned([{ measure: 'ratio', selector: 'up{}' }], 'availability'));
    expect(pullPlan('svc_pay', objective({ type: 'Datadog' }, null))).toEqual(
      refused('the SLI names no data source', 'availability'),
    );
  });
});

describe('the range of a scheduled pull', () => {
  it('ends on the step at or before now and reaches back whole steps covering the lookback', () => {
    const at = (h: number, m: number, s = 0, ms = 0) => Date.UTC(2026, 10, 30, h, m, s, ms);
    expect(pullRange(at(12, 7, 31, 500), 15, 60)).toEqual({
      startMs: at(11, 52),
      endMs: at(12, 7),
      stepS: 60,
    });
    // Now on a step: it is the end.
    expect(pullRange(at(12, 7), 15, 60)).toEqual({ startMs: at(11, 52), endMs: at(12, 7), stepS: 60 });
    // A lookback that is not a whole number of steps is rounded up: 10 minutes in 4-minute steps is 12.
    expect(pullRange(at(12, 8, 59), 10, 240)).toEqual({ startMs: at(11, 56), endMs: at(12, 8), stepS: 240 });
    expect(pullRange(at(12, 8, 30), 1, 30)).toEqual({
      startMs: at(12, 7, 30),
      endMs: at(12, 8, 30),
      stepS: 30,
    });
  });
});

describe('pulled points as a decoded batch', () => {
  it('gives each pulled series its path, type, source and target, points indexed across the batch', () => {
    const good = { measure: 'good' as const, selector: 'ok_total{job="a"}' };
    const ratio = { measure: 'ratio' as const, selector: 'probe_success{job="a"}' };
    const bad = { measure: 'bad' as const, selector: 'err_total{job="a"}' };
    const plan = {
      ok: true as const,
      dataSource: 'prom-eu',
      sliKey: 'svc_pay/avail',
      serviceId: 'svc_pay',
      sli: 'avail',
      queries: [good, ratio, bad],
    };
    expect(
      pulledBatch(plan, [
        {
          query: good,
          labels: { __name__: 'ok_total', job: 'a', instance: 'i1' },
          points: [
            [1000, 5],
            [2000, 7],
          ],
        },
        { query: ratio, labels: { job: 'a' }, points: [[1000, 1]] },
        { query: bad, labels: { __name__: 'err_total', job: 'a', instance: 'i2' }, points: [] },
      ]),
    ).toStrictEqual({
      format: 'prometheus-pull',
      series: [
        {
          series: { metric: 'ok_total', labels: { job: 'a', instance: 'i1' } },
          path: 'pulls[0]',
          pointField: 'values',
          firstIndex: 0,
          type: 'counter',
          typeSource: 'data source prom-eu',
          target: {
            serviceId: 'svc_pay',
            sli: 'avail',
            sliKey: 'svc_pay/avail',
            measure: 'good',
            unit: 'count',
            thresholdMs: undefined,
          },
          epochUnit: 'ms',
          points: [
            { index: 0, time: 1000, value: 5 },
            { index: 1, time: 2000, value: 7 },
          ],
        },
        {
          // No __name__ label: the metric is the selector's.
          series: { metric: 'probe_success', labels: { job: 'a' } },
          path: 'pulls[1]',
          pointField: 'values',
          firstIndex: 2,
          type: 'gauge',
          typeSource: 'data source prom-eu',
          target: {
            serviceId: 'svc_pay',
            sli: 'avail',
            sliKey: 'svc_pay/avail',
            measure: 'ratio',
            unit: 'ratio',
            thresholdMs: undefined,
          },
          epochUnit: 'ms',
          points: [{ index: 2, time: 1000, value: 1 }],
        },
        {
          series: { metric: 'err_total', labels: { job: 'a', instance: 'i2' } },
          path: 'pulls[2]',
          pointField: 'values',
          firstIndex: 3,
          type: 'counter',
          typeSource: 'data source prom-eu',
          target: {
            serviceId: 'svc_pay',
            sli: 'avail',
            sliKey: 'svc_pay/avail',
            measure: 'bad',
            unit: 'count',
            thresholdMs: undefined,
          },
          epochUnit: 'ms',
          points: [],
        },
      ],
      malformed: [],
      sampleCount: 3,
      seriesCount: 3,
      malformedSeries: 0,
    });
  });

  it('is an empty batch when nothing was read', () => {
    const plan = {
      ok: true as const,
      dataSource: 'prom',
      sliKey: 'svc_pay/avail',
      serviceId: 'svc_pay',
      sli: 'avail',
      queries: [],
    };
    expect(pulledBatch(plan, [])).toStrictEqual({
      format: 'prometheus-pull',
      series: [],
      malformed: [],
      sampleCount: 0,
      seriesCount: 0,
      malformedSeries: 0,
    });
  });
});
