import fc from 'fast-check';
import protobuf from 'protobufjs/light.js';
import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { decodeTelemetry, LabelSetCache } from '../../../shared/domain/telemetry/formats.js';
import type { DecodedBatch } from '../../../shared/domain/telemetry/model.js';
import { prepareBatch } from '../../../shared/domain/telemetry/prepare.js';
import { scanWriteRequest } from '../../../shared/domain/telemetry/remote-write.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import { type PromSeries, policyJsonWith, writeRequestBytes } from '../../helpers/telemetry.js';

const policy = loadTelemetryPolicy();
const limits = policy.limits;
const headers = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
};
const NOW = Date.parse('2026-03-02T12:00:00Z');

/**
 * A decoded batch as plain data: each series' fields as the DecodedSeries interface reads them. The flat decode's
 * series read their points from the request's columns and build `path` and `points` when asked: those are compared,
 * the columns themselves are not.
 */
function plain(batch: DecodedBatch): DecodedBatch {
  return {
    ...batch,
    series: batch.series.map((s) => {
      const { columns: _c, columnCount: _n, ...rest } = { ...s, path: s.path, points: s.points };
      return rest;
    }),
  };
}

/** The request decoded with and without the label-set cache (the reflective decoder is the reference). */
function both(bytes: Uint8Array, cache = new LabelSetCache()) {
  const body = Buffer.from(compress(bytes));
  const run = (labelSets?: LabelSetCache) => {
    try {
      return { batch: plain(decodeTelemetry({ headers, body }, limits, { labelSets })) };
    } catch (e) {
      return {
        error: {
          name: (e as Error).name,
          message: (e as Error).message,
          details: (e as { details?: unknown }).details,
        },
      };
    }
  };
  return { reflective: run(undefined), fast: run(cache) };
}

/** The request decoded with the label-set cache, as the server decodes it (its series read from the flat columns). */
function fastBatch(bytes: Uint8Array, cache: LabelSetCache): DecodedBatch {
  return decodeTelemetry({ headers, body: Buffer.from(compress(bytes)) }, limits, { labelSets: cache });
}

/** A prepared batch as data (`pathOf` is a function): the same for the same samples, however they were decoded. */
function preparedData(batch: DecodedBatch, nowMs: number) {
  const { pathOf, ...data } = prepareBatch(batch, { vendorId: 'prometheus-main', nowMs, policy });
  return { ...data, paths: Array.from({ length: data.submitted }, (_, i) => pathOf(i)) };
}

const latency = (service: string, instance: string, extra: Record<string, string> = {}) => ({
  __name__: 'accord_sli_duration_milliseconds',
  service,
  sli: 'latency',
  instance,
  ...extra,
});

describe('remote write without an object per label: the label-set cache and the flat scan', () => {
  it('decodes the usual request exactly as the reflective decoder does', () => {
    const series: PromSeries[] = [
      { labels: latency('svc_checkout', 'a:1'), samples: [{ value: 12, timestampMs: NOW - 1000 }] },
      {
        labels: latency('svc_checkout', 'ü:2', { path: '/bücher' }),
        samples: [
          { value: 0.5, timestampMs: NOW - 2000 },
          { value: Number.NaN, timestampMs: NOW - 1000 },
          { value: -3, timestampMs: -5 },
        ],
      },
      { labels: { __name__: 'm', '': 'empty name' }, samples: [{ value: 1, timestampMs: NOW }] },
    ];
    const bytes = writeRequestBytes(series);
    expect(scanWriteRequest(bytes)?.values).toHaveLength(5);
    const { reflective, fast } = both(bytes);
    expect(reflective.batch?.series).toHaveLength(3);
    expect(fast).toEqual(reflective);
    // The empty label name is named at the series' own path, as the reflective decoder names it.
    expect(fast.batch?.series[2]?.labelProblem).toEqual({
      path: 'timeseries[2].labels',
      problem: 'has a label with an empty name',
    });
  });

  it('gives a series sent again in a later request the same reference, so its mapping is looked up once', () => {
    const cache = new LabelSetCache();
    const s = { labels: latency('svc_checkout', 'a:1'), samples: [{ value: 12, timestampMs: NOW }] };
    const first = fastBatch(writeRequestBytes([s]), cache);
    const second = fastBatch(
      writeRequestBytes([{ ...s, samples: [{ value: 13, timestampMs: NOW + 1 }] }]),
      cache,
    );
    expect(second.series[0]!.series).toBe(first.series[0]!.series);
    expect(cache.size).toBe(1);
    const a = prepareBatch(first, { vendorId: 'prometheus-main', nowMs: NOW, policy });
    const b = prepareBatch(second, { vendorId: 'prometheus-main', nowMs: NOW, policy });
    expect(a.accepted.map((x) => [x.sliKey, x.value])).toEqual([['svc_checkout/latency', 12]]);
    expect(b.accepted.map((x) => [x.sliKey, x.value])).toEqual([['svc_checkout/latency', 13]]);
    expect(b.accepted[0]!.series).toBe(a.accepted[0]!.series);
  });

  it('maps a shared series for each vendor by that vendor’s rules, not by the first vendor’s memo', async () => {
    const own = loadTelemetryPolicy(
      await policyJsonWith(
        [
          {
            metric: 'http_requests_total',
            service: 'svc_payments',
            sli: 'availability',
            measure: 'good',
            type: 'counter',
          },
        ],
        'vendor-a',
      ),
    );
    const cache = new LabelSetCache();
    const body = writeRequestBytes([
      { labels: { __name__: 'http_requests_total', job: 'api' }, samples: [{ value: 5, timestampMs: NOW }] },
    ]);
    const decoded = () => fastBatch(body, cache);
    const forA = prepareBatch(decoded(), { vendorId: 'vendor-a', nowMs: NOW, policy: own });
    const forB = prepareBatch(decoded(), { vendorId: 'vendor-b', nowMs: NOW, policy: own });
    const forAAgain = prepareBatch(decoded(), { vendorId: 'vendor-a', nowMs: NOW, policy: own });
    expect(forA.accepted.map((s) => s.sliKey)).toEqual(['svc_payments/availability']);
    expect(forB.accepted).toEqual([]);
    expect(forB.rejected.map((r) => r.reason)).toEqual(['unmapped_series']);
    expect(forAAgain.accepted.map((s) => s.sliKey)).toEqual(['svc_payments/availability']);
    // And under another policy (a reload), the memo of the old one is not used.
    const forAShipped = prepareBatch(decoded(), { vendorId: 'vendor-a', nowMs: NOW, policy });
    expect(forAShipped.rejected.map((r) => r.reason)).toEqual(['unmapped_series']);
  });

  it('checks label limits per policy: a label set within one policy’s limits is checked again under another', async () => {
    const json = (await policyJsonWith([])) as { limits: Record<string, number> };
    const strict = loadTelemetryPolicy({ ...json, limits: { ...json.limits, maxLabelValueLength: 3 } });
    const cache = new LabelSetCache();
    const body = writeRequestBytes([
      { labels: latency('svc_checkout', 'host-1:9100'), samples: [{ value: 1, timestampMs: NOW }] },
    ]);
    const lax = prepareBatch(fastBatch(body, cache), { vendorId: 'v', nowMs: NOW, policy });
    const tight = prepareBatch(fastBatch(body, cache), { vendorId: 'v', nowMs: NOW, policy: strict });
    expect(lax.accepted).toHaveLength(1);
    expect(tight.accepted).toHaveLength(0);
    expect(tight.rejected.map((r) => r.reason)).toEqual(['invalid_labels']);
  });

  it('keeps at most its bound of label sets', () => {
    const cache = new LabelSetCache(2);
    for (let i = 0; i < 5; i++)
      both(
        writeRequestBytes([
          { labels: latency('svc_checkout', `h${i}`), samples: [{ value: 1, timestampMs: NOW }] },
        ]),
        cache,
      );
    expect(cache.size).toBeLessThanOrEqual(2);
  });

  it('keeps its memory bounded in bytes when label sets are as long as the limits allow', () => {
    // 64 labels with 1,000-byte values (within the shipped limits: 64 labels, 1,024-byte values): ~66 KB a set.
    const big = (i: number) => {
      const labels: Record<string, string> = latency('svc_checkout', `h${i}`);
      for (let l = 0; l < 60; l++) labels[`l${l}`] = `${i}`.padEnd(1000, 'x');
      return labels;
    };
    const cache = new LabelSetCache(50_000, 1024 * 1024);
    const refs = [];
    for (let i = 0; i < 200; i++) {
      const { fast, reflective } = both(
        writeRequestBytes([{ labels: big(i % 100), samples: [{ value: 1, timestampMs: NOW + i }] }]),
        cache,
      );
      expect(fast).toEqual(reflective);
      refs.push(fast.batch!.series[0]!.series);
      expect(cache.bytes).toBeLessThanOrEqual(1024 * 1024);
    }
    // A set longer than 16 KB (the default) is decoded every time and never kept.
    expect(cache.size).toBe(0);
    expect(refs[100]).not.toBe(refs[0]);
    // Shorter sets are kept until the byte budget is reached, then the cache starts again.
    const small = new LabelSetCache(50_000, 16 * 1024, 1024);
    for (let i = 0; i < 500; i++)
      both(
        writeRequestBytes([
          {
            labels: latency('svc_checkout', `${i}`.padEnd(40, 'h')),
            samples: [{ value: 1, timestampMs: NOW }],
          },
        ]),
        small,
      );
    expect(small.bytes).toBeLessThanOrEqual(16 * 1024);
    expect(small.size).toBeGreaterThan(0);
  }, 30_000);

  it.each([
    ['metadata', writeRequestBytes([], [{ type: 1, metric_family_name: 'x_total' }])],
    [
      'a native histogram',
      writeRequestBytes([
        {
          labels: latency('svc_checkout', 'a'),
          samples: [],
          histograms: [
            {
              count_int: 1,
              schema: 0,
              timestamp: NOW,
              positive_spans: [{ offset: 0, length: 1 }],
              positive_deltas: [1],
            },
          ],
        },
      ]),
    ],
    ['a series without samples', writeRequestBytes([{ labels: latency('svc_checkout', 'a'), samples: [] }])],
    [
      'a series without __name__',
      writeRequestBytes([{ labels: { job: 'x' }, samples: [{ value: 1, timestampMs: NOW }] }]),
    ],
  ])('leaves %s to the reflective decoder, with the same outcome', (_what, bytes) => {
    const { reflective, fast } = both(bytes);
    expect(fast).toEqual(reflective);
  });

  it('skips a label field it does not know, as the reflective decoder does, rather than read it as the value', () => {
    // The instance label carries a field 3 (length-delimited, like a value) after its value.
    const w = protobuf.Writer.create();
    w.uint32(0x0a).fork();
    for (const [name, value] of Object.entries(latency('svc_checkout', 'a:1'))) {
      w.uint32(0x0a).fork().uint32(0x0a).string(name).uint32(0x12).string(value);
      if (name === 'instance') w.uint32(0x1a).string('not the value');
      w.ldelim();
    }
    w.uint32(0x12).fork().uint32(0x09).double(12).uint32(0x10).int64(NOW).ldelim();
    w.ldelim();
    const bytes = w.finish();
    expect(scanWriteRequest(bytes)?.values).toHaveLength(1);
    const { reflective, fast } = both(bytes);
    expect(fast).toEqual(reflective);
    expect(JSON.stringify(reflective.batch?.series)).toContain('a:1');
    expect(JSON.stringify(reflective.batch?.series)).not.toContain('not the value');
  });

  it('answers a body whose wire types are wrong with the reflective decoder’s 400 naming the field', () => {
    // timeseries[0].samples[0].value sent as a varint (wire type 0) instead of a double (1).
    const w = protobuf.Writer.create();
    w.uint32(0x0a).fork();
    w.uint32(0x0a).fork().uint32(0x0a).string('__name__').uint32(0x12).string('m').ldelim();
    w.uint32(0x12).fork().uint32(0x08).uint32(7).uint32(0x10).int64(NOW).ldelim();
    w.ldelim();
    const bytes = w.finish();
    expect(scanWriteRequest(bytes)).toBeUndefined();
    const { reflective, fast } = both(bytes);
    expect(reflective.error?.name).toBe('ValidationError');
    expect(fast).toEqual(reflective);
    expect(JSON.stringify(fast.error?.details)).toContain('timeseries[0].samples[0].value');
  });

  it('agrees with the reflective decoder on any series, and on any corruption of their bytes (property)', () => {
    const label = fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }));
    const series = fc.record({
      name: fc.constantFrom('m', 'accord_sli_duration_milliseconds', ''),
      labels: fc.array(label, { maxLength: 4 }),
      samples: fc.array(
        fc.record({
          value: fc.double(),
          timestampMs: fc.integer({ min: -1e13, max: 1e13 }),
        }),
        { maxLength: 3 },
      ),
    });
    fc.assert(
      fc.property(
        fc.array(series, { maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        fc.nat(),
        (list, flips, cut) => {
          const bytes = writeRequestBytes(
            list.map((s) => ({
              labels: { ...(s.name ? { __name__: s.name } : {}), ...Object.fromEntries(s.labels) },
              samples: s.samples,
            })),
          );
          const cache = new LabelSetCache();
          const clean = both(bytes, cache);
          expect(clean.fast).toEqual(clean.reflective);
          // A second pass through the warm cache decodes the same.
          expect(both(bytes, cache).fast).toEqual(clean.reflective);
          const bad = Uint8Array.from(bytes);
          for (const [at, byte] of flips) if (bad.length) bad[at % bad.length] = byte;
          const corrupt = bad.subarray(0, bad.length - (bad.length ? cut % 3 : 0));
          const dirty = both(corrupt, cache);
          expect(dirty.fast).toEqual(dirty.reflective);
        },
      ),
      { numRuns: 400 },
    );
  }, 30_000);
  it('prepares the flat decode’s samples exactly as the reflective decoder’s: values, units, times, duplicates, conflicts (property)', () => {
    const stale = new DataView(new ArrayBuffer(8));
    stale.setUint32(0, 0x7ff00000);
    stale.setUint32(4, 0x00000002);
    const value = fc.oneof(
      fc.constantFrom(
        0,
        1,
        -1,
        0.5,
        1e308,
        2 ** 53,
        Number.NaN,
        stale.getFloat64(0),
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
      ),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    );
    // Times around now: some in the future, some too old, and few enough that a series repeats a time.
    const time = fc.constantFrom(NOW, NOW - 1000, NOW - 60_000, NOW + 3_600_000, NOW - 86_400_000 * 30);
    const metric = fc.constantFrom(
      'accord_sli_duration_milliseconds',
      'accord_sli_duration_seconds',
      'accord_sli_good_total',
      'accord_sli_ratio',
      'not_mapped_total',
    );
    const series = fc.record({
      metric,
      instance: fc.constantFrom('a', 'b'),
      reversed: fc.boolean(),
      // A label with an empty name: every sample of the series is rejected as invalid_labels.
      emptyName: fc.boolean(),
      samples: fc.array(fc.record({ value, timestampMs: time }), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(series, { minLength: 1, maxLength: 6 }), (list) => {
        const bytes = writeRequestBytes(
          list.map((s) => {
            const labels: Record<string, string> = {
              __name__: s.metric,
              service: 'svc_checkout',
              sli: 'latency',
              instance: s.instance,
              ...(s.emptyName ? { '': 'x' } : {}),
            };
            // The same label set in another order: other bytes, the same series.
            const entries = Object.entries(labels);
            return {
              labels: Object.fromEntries(s.reversed ? entries.reverse() : entries),
              samples: s.samples,
            };
          }),
        );
        const cache = new LabelSetCache();
        const flat = fastBatch(bytes, cache);
        expect(flat.series.every((s) => s.columns !== undefined)).toBe(true);
        const reference = decodeTelemetry({ headers, body: Buffer.from(compress(bytes)) }, limits);
        expect(preparedData(flat, NOW)).toEqual(preparedData(reference, NOW));
      }),
      { numRuns: 300 },
    );
  }, 30_000);
});
