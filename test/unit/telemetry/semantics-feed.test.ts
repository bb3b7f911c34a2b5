import { describe, expect, it } from 'vitest';
import type { Target } from '../../../shared/domain/telemetry/mapping.js';
import type { Sample } from '../../../shared/domain/telemetry/model.js';
import {
  applyCounters,
  type CounterState,
  decideFeed,
  defaultType,
  nativeCountWithin,
} from '../../../shared/domain/telemetry/semantics.js';
import type { Measure } from '../../../shared/schemas/telemetry.js';
import { storedSample } from '../../helpers/telemetry.js';

/**
 * The sample semantics table of docs/telemetry.md ("Sample semantics"), cell by cell on the domain functions
 * themselves: decideFeed (how a type feeds a measure, or why it cannot), applyCounters (counter increases with
 * reset detection) and nativeCountWithin (a native histogram's observations within a threshold).
 */

const T0 = Date.UTC(2026, 10, 25, 11, 0, 0);
const MIN = 60_000;

const target = (measure: Measure, over: Partial<Target> = {}): Target => ({
  serviceId: 'svc_checkout',
  sli: 'x',
  sliKey: 'svc_checkout/x',
  measure,
  unit: undefined,
  thresholdMs: undefined,
  ...over,
});
const latency = (over: Partial<Target> = {}) =>
  target('duration', { unit: 's', thresholdMs: 300, buckets: [0.1, 0.3, 0.5, 1], ...over });

describe('the type assumed when nobody says', () => {
  it('is a reading for ratio, duration and value, and nothing for good and bad events', () => {
    expect((['ratio', 'duration', 'value', 'good', 'bad'] as const).map(defaultType)).toEqual([
      'gauge',
      'gauge',
      'gauge',
      undefined,
      undefined,
    ]);
  });
});

describe('decideFeed: what each type becomes, per measure', () => {
  it('refuses events of unknown type, naming the rule that should say', () => {
    const says = (rule: string) =>
      `whether good events arrive as a running total (counter), a count per report (delta) or a rate is not said by the format nor by the mapping rule ${rule}: set the rule's type`;
    expect(decideFeed(undefined, target('good', { rule: 'vendors.acme.rules[1]' }))).toEqual({
      ok: false,
      reason: 'unknown_type',
      message: says('vendors.acme.rules[1]'),
    });
    expect(decideFeed(undefined, target('good'))).toEqual({
      ok: false,
      reason: 'unknown_type',
      message: says(''),
    });
  });

  it('feeds good and bad events from a counter (cumulative), a delta and a rate', () => {
    expect([
      decideFeed('counter', target('good')),
      decideFeed('counter', target('bad')),
      decideFeed('delta', target('good')),
      decideFeed('rate', target('bad')),
    ]).toEqual([
      { ok: true, feed: 'good', cumulative: true, type: 'counter' },
      { ok: true, feed: 'bad', cumulative: true, type: 'counter' },
      { ok: true, feed: 'good', cumulative: false, type: 'delta' },
      { ok: true, feed: 'bad', cumulative: false, type: 'rate' },
    ]);
  });

  it('feeds ratio, duration and value SLIs from a gauge, a reading each', () => {
    expect([
      decideFeed('gauge', target('ratio')),
      decideFeed('gauge', target('duration', { thresholdMs: 300 })),
      decideFeed('gauge', target('value')),
    ]).toEqual([
      { ok: true, feed: 'ratio', cumulative: false, type: 'gauge' },
      { ok: true, feed: 'duration', cumulative: false, type: 'gauge' },
      { ok: true, feed: 'value', cumulative: false, type: 'gauge' },
    ]);
  });

  it('refuses a type that cannot feed the measure as a type mismatch, and a summary as not events', () => {
    expect(decideFeed('gauge', target('bad'))).toEqual({
      ok: false,
      reason: 'type_mismatch',
      message:
        'a gauge is a reading at an instant, not a count of events; a bad SLI needs a counter, a delta or a rate',
    });
    expect(decideFeed('counter', target('ratio'))).toEqual({
      ok: false,
      reason: 'type_mismatch',
      message: 'a counter counts events; a ratio SLI takes readings (use a gauge)',
    });
    expect(decideFeed('native-histogram', target('good'))).toEqual({
      ok: false,
      reason: 'type_mismatch',
      message: 'a histogram feeds a latency (duration) SLI with a threshold, not a good SLI',
    });
    expect(decideFeed('summary', latency())).toEqual({
      ok: false,
      reason: 'summary_not_events',
      message:
        "a summary's quantiles are computed by the client over its own sliding window and cannot be added up into events: export a histogram (or feed a value SLI with a quantile)",
    });
  });

  it('reads a summary’s quantile series (or a summary series of no family part) as values, and refuses its _sum and _count', () => {
    expect([
      decideFeed('summary', target('value', { part: 'quantile' })),
      decideFeed('summary', target('value')),
      decideFeed('summary', target('value', { part: 'sum' })),
      decideFeed('summary', target('value', { part: 'count' })),
    ]).toEqual([
      { ok: true, feed: 'value', cumulative: false, type: 'summary' },
      { ok: true, feed: 'value', cumulative: false, type: 'summary' },
      { ok: false, reason: 'summary_not_events', message: "a summary's _sum is not a reading" },
      { ok: false, reason: 'summary_not_events', message: "a summary's _count is not a reading" },
    ]);
  });

  it('reads a native histogram as two counters of a latency SLI, only with a threshold', () => {
    expect(decideFeed('native-histogram', latency())).toEqual({
      ok: true,
      feed: 'total-only',
      cumulative: true,
      type: 'native-histogram',
    });
    expect(decideFeed('native-histogram', latency({ thresholdMs: undefined }))).toEqual({
      ok: false,
      reason: 'missing_threshold',
      message: 'a histogram feeds a latency SLI only with a threshold (thresholdMs) in its rule',
    });
  });
});

describe('decideFeed: a classic histogram’s series', () => {
  const ok = (feed: string, cumulative: boolean) => ({ ok: true, feed, cumulative, type: 'histogram' });

  it('counts the threshold bucket as good and _count as the total (both counters); other buckets, +Inf and _sum feed nothing', () => {
    expect([
      decideFeed('histogram', latency({ part: 'bucket', le: 0.3 })),
      decideFeed('histogram', latency({ part: 'count' })),
      decideFeed('histogram', latency({ part: 'bucket', le: 0.5 })),
      decideFeed('histogram', latency({ part: 'bucket', le: Number.POSITIVE_INFINITY })),
      decideFeed('histogram', latency({ part: 'sum' })),
    ]).toEqual([
      ok('good-only', true),
      ok('total-only', true),
      ok('none', false),
      ok('none', false),
      ok('none', false),
    ]);
  });

  it('finds the threshold bucket in the rule’s unit (seconds when it names none), to floating-point precision', () => {
    expect([
      decideFeed('histogram', latency({ part: 'bucket', le: 300, unit: 'ms', buckets: [100, 300] })),
      decideFeed('histogram', latency({ part: 'bucket', le: 0.3, unit: 'ms', buckets: [0.3, 300] })),
      decideFeed('histogram', latency({ part: 'bucket', le: 0.3, unit: undefined })),
      decideFeed('histogram', latency({ part: 'bucket', le: 0.1 + 0.2, buckets: [0.1, 0.1 + 0.2] })),
    ]).toEqual([ok('good-only', true), ok('none', false), ok('good-only', true), ok('good-only', true)]);
  });

  it('reads the threshold in seconds when the rule’s unit is not one Accord knows', () => {
    expect(decideFeed('histogram', latency({ part: 'bucket', le: 0.3, unit: 'fortnights' }))).toEqual(
      ok('good-only', true),
    );
  });

  it('refuses a bucket the rule does not declare (the exporter’s layout changed), and takes any when it declares none', () => {
    expect(decideFeed('histogram', latency({ part: 'bucket', le: 0.2 }))).toEqual({
      ok: false,
      reason: 'undeclared_bucket',
      message:
        'le="0.2" is not among the buckets the rule declares (0.1, 0.3, 0.5, 1): the exporter\'s layout changed; update the rule',
    });
    expect(decideFeed('histogram', latency({ part: 'bucket', le: 0.2, buckets: undefined }))).toEqual(
      ok('none', false),
    );
    expect(decideFeed('histogram', latency({ part: 'bucket', le: 0.3, buckets: undefined }))).toEqual(
      ok('good-only', true),
    );
  });

  it('refuses a histogram series without a threshold, and one that is no part of a classic family', () => {
    expect(decideFeed('histogram', latency({ part: 'count', thresholdMs: undefined }))).toEqual({
      ok: false,
      reason: 'missing_threshold',
      message: 'a histogram feeds a latency SLI only with a threshold (thresholdMs) in its rule',
    });
    const notAPart = {
      ok: false,
      reason: 'type_mismatch',
      message: 'a classic histogram arrives as _bucket{le}, _count and _sum series',
    };
    expect(decideFeed('histogram', latency())).toEqual(notAPart);
    expect(decideFeed('histogram', latency({ part: 'native' }))).toEqual(notAPart);
  });
});

/** A cumulative counter sample of series `s` (good events) at T0 + `min` minutes. */
const counter = (min: number, value: number, over: Partial<Sample> = {}): Sample =>
  storedSample({
    series: 's',
    timestampMs: T0 + min * MIN,
    value,
    sliKey: 'svc_core-ledger/postings',
    measure: 'good',
    type: 'counter',
    feed: 'good',
    cumulative: true,
    ...over,
  });

describe('applyCounters: a counter’s running totals become increases', () => {
  it('counts nothing for the first sample ever seen, then each increase, and a drop as a reset (the issue’s example)', () => {
    // good 1000, 1060, 1120, 30: increases 0 (baseline), 60, 60, 30 (reset: the counter restarted from 0).
    const samples = [counter(0, 1000), counter(1, 1060), counter(2, 1120), counter(3, 30)];
    const out = applyCounters(samples, new Map());
    expect(samples.map((s) => s.events)).toEqual([0, 60, 60, 30]);
    expect(out).toEqual({
      next: new Map([['s', { lastTs: T0 + 3 * MIN, lastValue: 30, version: 4 }]]),
      rejected: [],
      repeats: [],
    });
  });

  it('counts from the stored state of the series, and bumps its version once per accepted sample', () => {
    const samples = [counter(2, 1120), counter(1, 1060)];
    const stored: CounterState = { lastTs: T0, lastValue: 1000, version: 7 };
    const out = applyCounters(samples, new Map([['s', stored]]));
    expect(samples.map((s) => s.events)).toEqual([60, 60]);
    expect(out.next).toEqual(new Map([['s', { lastTs: T0 + 2 * MIN, lastValue: 1120, version: 9 }]]));
  });

  it('counts an unchanged counter as 0 and a value at its predecessor as no reset', () => {
    const samples = [counter(1, 5), counter(2, 5)];
    applyCounters(samples, new Map([['s', { lastTs: T0, lastValue: 5, version: 1 }]]));
    expect(samples.map((s) => s.events)).toEqual([0, 0]);
  });

  it('honours the sender’s reset hint whatever the value', () => {
    const samples = [counter(1, 150, { reset: true }), counter(2, 170, { reset: false })];
    applyCounters(samples, new Map([['s', { lastTs: T0, lastValue: 100, version: 1 }]]));
    expect(samples.map((s) => s.events)).toEqual([150, 20]);
  });

  it('counts the whole value of a first sample whose series says when it started from 0, at or before the sample', () => {
    const samples = [
      counter(0, 40, { series: 'a', startMs: T0 - MIN }),
      counter(0, 40, { series: 'b', startMs: T0 }),
      counter(0, 40, { series: 'c', startMs: T0 + 1 }),
    ];
    applyCounters(samples, new Map());
    expect(samples.map((s) => s.events)).toEqual([40, 40, 0]);
  });

  it('reads a start after the predecessor as a reset (OTLP’s restart), and one at or before it as the same run', () => {
    const stored = (): Map<string, CounterState> =>
      new Map(['a', 'b', 'c'].map((k) => [k, { lastTs: T0, lastValue: 100, version: 1 }]));
    const samples = [
      counter(2, 130, { series: 'a', startMs: T0 + MIN }),
      counter(2, 130, { series: 'b', startMs: T0 }),
      counter(2, 130, { series: 'c', startMs: T0 + 3 * MIN }),
    ];
    applyCounters(samples, stored());
    // c's start is after its sample: no start signal, an increase of 30.
    expect(samples.map((s) => s.events)).toEqual([130, 30, 30]);
  });

  it('rejects a sample older than the series’ last one (out of order), keeping the state as it was', () => {
    const late = counter(1, 20);
    const out = applyCounters([late], new Map([['s', { lastTs: T0 + 2 * MIN, lastValue: 30, version: 3 }]]));
    expect(out).toEqual({
      next: new Map(),
      rejected: [
        {
          sample: late,
          reason: 'out_of_order',
          message:
            "this counter's last accepted sample is at 2026-11-25T11:02:00.000Z: an older one cannot be placed (its increase is counted by the later sample)",
        },
      ],
      repeats: [],
    });
  });

  it('tells a retry (the same value at the last time) from a conflict (another value), in the store and in the batch', () => {
    const retry = counter(2, 30);
    const conflict = counter(2, 31);
    const stored = applyCounters(
      [retry, conflict],
      new Map([['s', { lastTs: T0 + 2 * MIN, lastValue: 30, version: 3 }]]),
    );
    expect(stored).toEqual({
      next: new Map(),
      rejected: [
        {
          sample: conflict,
          reason: 'conflicting_value',
          message:
            'this series already holds 30 at this time; a different value (31) is a conflict, not a retry',
        },
      ],
      repeats: [retry],
    });
    const first = counter(0, 10);
    const again = counter(0, 10);
    const other = counter(0, 12);
    const batch = applyCounters([first, again, other], new Map());
    expect(batch.repeats).toEqual([again]);
    expect(batch.rejected.map((r) => [r.sample, r.reason])).toEqual([[other, 'conflicting_value']]);
    expect(batch.next).toEqual(new Map([['s', { lastTs: T0, lastValue: 10, version: 1 }]]));
  });

  it('takes a first sample as the baseline whatever its time, the epoch itself included', () => {
    const samples = [counter(0, 0, { timestampMs: 0 }), counter(0, 0, { series: 't', timestampMs: -MIN })];
    const out = applyCounters(samples, new Map());
    expect(out.rejected).toEqual([]);
    expect(out.repeats).toEqual([]);
    expect(out.next).toEqual(
      new Map([
        ['s', { lastTs: 0, lastValue: 0, version: 1 }],
        ['t', { lastTs: -MIN, lastValue: 0, version: 1 }],
      ]),
    );
  });

  it('keeps each series to itself', () => {
    const samples = [
      counter(0, 5, { series: 'a' }),
      counter(0, 50, { series: 'b' }),
      counter(1, 8, { series: 'a' }),
      counter(1, 20, { series: 'b' }),
    ];
    const out = applyCounters(samples, new Map([['b', { lastTs: T0 - MIN, lastValue: 40, version: 2 }]]));
    expect(samples.map((s) => s.events)).toEqual([0, 10, 3, 20]);
    expect(out.next).toEqual(
      new Map([
        ['a', { lastTs: T0 + MIN, lastValue: 8, version: 2 }],
        ['b', { lastTs: T0 + MIN, lastValue: 20, version: 4 }],
      ]),
    );
  });
});

describe('nativeCountWithin: the observations of a native histogram within a threshold', () => {
  const point = (over: Partial<Parameters<typeof nativeCountWithin>[0]> = {}) => ({
    zeroThreshold: 0.001,
    zeroCount: 1,
    bounds: [0.125, 0.25, 0.5, 1],
    counts: [2, 4, 3, 2],
    negativeCount: 0,
    ...over,
  });

  it('counts the zero bucket, negative observations and every bucket whose upper bound is at or below the threshold', () => {
    expect(nativeCountWithin(point(), 0.3)).toBe(7);
    expect(nativeCountWithin(point({ negativeCount: 5 }), 0.3)).toBe(12);
    expect(nativeCountWithin(point(), 0.25)).toBe(7);
    expect(nativeCountWithin(point(), 1)).toBe(12);
    expect(nativeCountWithin(point(), 5)).toBe(12);
    expect(nativeCountWithin(point(), 0.1)).toBe(1);
  });

  it('counts a bound equal to the threshold to floating-point precision, and none straddling it', () => {
    expect(nativeCountWithin(point({ bounds: [0.1, 0.1 + 0.2, 0.5], counts: [1, 2, 4] }), 0.3)).toBe(4);
    expect(nativeCountWithin(point({ bounds: [0.1, 0.30001, 0.5], counts: [1, 2, 4] }), 0.3)).toBe(2);
  });

  it('counts the zero bucket only when its upper edge is within the threshold', () => {
    expect(nativeCountWithin(point({ zeroThreshold: 0.3 }), 0.3)).toBe(7);
    expect(nativeCountWithin(point({ zeroThreshold: 0.31 }), 0.3)).toBe(6);
  });
});
