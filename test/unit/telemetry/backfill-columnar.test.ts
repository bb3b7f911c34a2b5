import { describe, expect, it } from 'vitest';
import { counterIncreases, sliBuckets } from '../../../shared/domain/telemetry/backfill-columns.js';
import {
  decodeOpenMetrics,
  decodeOpenMetricsColumns,
} from '../../../shared/domain/telemetry/backfill-files.js';
import { bothWays, chunk, H0, MIN, SVC } from '../../helpers/backfill-columnar.js';

/**
 * The backfill's columnar fast path (docs/backfill.md, "Backfill-4 round") against live ingest's path on the same
 * chunks: the same raw samples, counter states, rollup rows (with their running totals), activity and job counts, and
 * the hand-computed figures; chunks it must not take go through the live path and get its answers.
 */

describe('the backfill columnar fast path', () => {
  it('stores two chunks cut inside a 5-minute bucket exactly as live ingest does: good 9,000 of 9,360', async () => {
    const { fast, live } = await bothWays([chunk(-1, 62), chunk(62, 120)]);
    expect(fast.taken).toEqual([true, true]);
    expect(fast.totals).toEqual({ good: 9_000, total: 9_360 });
    expect(fast.store).toEqual(live.store);
    expect(fast.counts).toEqual(live.counts);
    expect(fast.counts[1]).toEqual({ submitted: 242, accepted: 242, duplicates: 0, rejected: {} });
    expect(fast.store.raw).toHaveLength(242);
  });

  it('counts a re-sent chunk as duplicates only (the live path decides), changing nothing', async () => {
    const { fast, live } = await bothWays([chunk(-1, 62), chunk(62, 120), chunk(-1, 62)]);
    expect(fast.taken).toEqual([true, true, false]);
    // The job's counts (duplicates are accepted: nothing sent is lost), the same both ways.
    expect(fast.counts).toEqual(live.counts);
    expect(fast.counts[2]).toEqual({ submitted: 368, accepted: 368, duplicates: 126, rejected: {} });
    expect(fast.store).toEqual(live.store);
    expect(fast.totals).toEqual({ good: 9_000, total: 9_360 });
  });

  it('continues after a chunk the live path took, and the live stores then see what it wrote (held samples, last rows)', async () => {
    // A `_created` series (skipped by both readers) keeps a chunk off the fast path: the live stores track both series.
    const created = [`accord_sli_good_created{service="${SVC}",sli="checkout"} 1 ${H0 / 1000 - 600}`];
    const { fast, live } = await bothWays([
      chunk(-1, 62, created),
      chunk(62, 100),
      chunk(62, 100),
      chunk(100, 120, created),
    ]);
    expect(fast.taken).toEqual([false, true, false, false]);
    // Running totals after the fast chunk continue from its last row, not from the live store's cached one.
    expect(fast.store).toEqual(live.store);
    expect(fast.totals).toEqual({ good: 9_000, total: 9_360 });
    // Without the sample store told of the new chunks, the re-sent samples were out_of_order, not duplicates.
    expect(fast.counts).toEqual(live.counts);
    expect(fast.counts[2]).toEqual({ submitted: 278, accepted: 278, duplicates: 76, rejected: {} });
  });

  it('leaves a chunk with a sample live ingest refuses to the live path, which names the line and the reason', async () => {
    const body = Buffer.from(
      chunk(-1, 3)
        .toString()
        .replace(/ 10100 /, ' -5 '),
    );
    const { fast, live } = await bothWays([body]);
    expect(fast.taken).toEqual([false]);
    expect(fast.counts).toEqual(live.counts);
    expect(fast.counts[0]!.rejected).toEqual({ negative_count: 1 });
    expect(fast.store).toEqual(live.store);
  });

  it('leaves older history after newer to the live path: each older counter sample is out_of_order', async () => {
    const { fast, live } = await bothWays([chunk(62, 120), chunk(-1, 62)]);
    expect(fast.taken).toEqual([true, false]);
    expect(fast.counts).toEqual(live.counts);
    expect(fast.counts[1]!.rejected).toEqual({ out_of_order: 126 });
    expect(fast.store).toEqual(live.store);
  });
});

describe('the columnar OpenMetrics reader', () => {
  it('reads the numbers the full reader reads, series by series', () => {
    const body = chunk(-1, 120);
    const cols = decodeOpenMetricsColumns(body)!;
    const full = decodeOpenMetrics(body.toString());
    expect(cols.sampleCount).toBe(full.sampleCount);
    expect(cols.series.map((s) => [s.metric, s.labels, s.type, s.times, s.values])).toEqual(
      full.series.map((s) => [
        s.series.metric,
        s.series.labels,
        s.type,
        s.points.map((p) => p.time),
        s.points.map((p) => p.value),
      ]),
    );
  });

  it('answers undefined for what only the full reader names: escapes, NaN, exemplars, disorder, no # EOF', () => {
    const line = (s: string) => Buffer.from(`# TYPE x counter\n${s}\n# EOF\n`);
    expect(decodeOpenMetricsColumns(line('x_total{a="q\\"x"} 1 1700000000'))).toBeUndefined();
    expect(decodeOpenMetricsColumns(line('x_total NaN 1700000000'))).toBeUndefined();
    expect(decodeOpenMetricsColumns(line('x_total 1 1700000000 # {id="a"} 1'))).toBeUndefined();
    expect(decodeOpenMetricsColumns(line('x_total 1 1700000060\nx_total 2 1700000000'))).toBeUndefined();
    expect(decodeOpenMetricsColumns(line('x_total 1'))).toBeUndefined();
    expect(decodeOpenMetricsColumns(Buffer.from('x_total 1 1700000000\n'))).toBeUndefined();
    expect(decodeOpenMetricsColumns(line('x_total{a="}{ b"} 1 1700000000'))?.series[0]?.labels).toEqual({
      a: '}{ b',
    });
  });
});

describe('counter increases and bucket rows in columns', () => {
  it('takes the first sample ever as the baseline and a lower value as a reset', () => {
    expect([...counterIncreases([5, 7, 7, 2, 4], undefined)]).toEqual([0, 2, 0, 2, 2]);
    expect([...counterIncreases([5, 7], { lastTs: 0, lastValue: 9 })]).toEqual([5, 2]);
  });

  it('adds good and bad series per bucket, leaving buckets of zero increases out', () => {
    const t = (m: number) => H0 + m * MIN;
    const b = sliBuckets([
      { feed: 'good', times: [t(0), t(1), t(6), t(11)], events: Float64Array.from([0, 3, 0, 4]) },
      { feed: 'bad', times: [t(2), t(12)], events: Float64Array.from([1, 2]) },
    ]);
    const first = t(0) / 300_000;
    expect(b).toEqual({ buckets: [first, first + 2], good: [3, 4], total: [4, 6] });
  });
});
