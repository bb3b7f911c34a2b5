import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import {
  decodePrometheus,
  decodeTelemetry,
  LabelSetCache,
  metadataTypes,
  nativePoint,
} from '../../../shared/domain/telemetry/formats.js';
import {
  decodeWriteRequest,
  type RwHistogram,
  type RwMetadata,
  scanWriteRequest,
  type WriteRequest,
} from '../../../shared/domain/telemetry/remote-write.js';
import { refusal } from '../../helpers/refusal.js';
import { type PromSeries, writeRequestBytes } from '../../helpers/telemetry.js';
import { smallTestLimits, tooManySamples } from '../../helpers/telemetry-limits.js';

// Prometheus remote write 1.0 decoded into the shared model: the reflective decoder (decodePrometheus), the types
// its metadata declares, the flat decode with the label-set cache, and native histograms.
const limits = smallTestLimits({ maxBodyBytes: 200_000, maxCompressedBodyBytes: 200_000 });
const many = { ...limits, maxSamplesPerRequest: 100 };
const headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' };

const request = (series: PromSeries[], metadata: Partial<RwMetadata>[] = []): WriteRequest =>
  decodeWriteRequest(writeRequestBytes(series, metadata));
describe('remote write decoded the reflective way', () => {
  it('decodes series, their metadata types and native histograms, indexing histograms after each series’ samples', () => {
    const d = decodePrometheus(
      request(
        [
          {
            labels: { __name__: 'http_requests_total', job: 'api' },
            samples: [
              { value: 1, timestampMs: 1000 },
              { value: 2, timestampMs: 2000 },
            ],
            histograms: [{ count_int: 0, schema: 0, timestamp: 3000, reset_hint: 1 }],
          },
          { labels: { __name__: 'up' }, samples: [{ value: 1, timestampMs: 5 }] },
        ],
        [{ type: 1, metric_family_name: 'http_requests' }],
      ),
      many,
    );
    expect(d).toEqual({
      format: 'prometheus-remote-write',
      series: [
        {
          series: { metric: 'http_requests_total', labels: { job: 'api' } },
          path: 'timeseries[0]',
          pointField: 'samples',
          firstIndex: 0,
          type: 'counter',
          typeSource: 'metadata',
          labelProblem: undefined,
          epochUnit: 'ms',
          points: [
            { index: 0, value: 1, time: 1000 },
            { index: 1, value: 2, time: 2000 },
          ],
          histograms: [
            {
              index: 2,
              time: 3000,
              count: 0,
              zeroCount: 0,
              zeroThreshold: 0,
              bounds: [],
              counts: [],
              negativeCount: 0,
              reset: true,
              gauge: false,
            },
          ],
        },
        {
          series: { metric: 'up', labels: {} },
          path: 'timeseries[1]',
          pointField: 'samples',
          firstIndex: 3,
          type: undefined,
          typeSource: undefined,
          epochUnit: 'ms',
          points: [{ index: 3, value: 1, time: 5 }],
        },
      ],
      malformed: [],
      sampleCount: 4,
      seriesCount: 2,
      malformedSeries: 0,
      types: new Map([['http_requests', 'counter']]),
    });
    expect(d.series[1]).not.toHaveProperty('histograms');
  });

  it('rejects a series without __name__ per sample at its labels, and one without samples once at the series', () => {
    const d = decodePrometheus(
      request([
        {
          labels: { job: 'x' },
          samples: [
            { value: 1, timestampMs: 1 },
            { value: 2, timestampMs: 2 },
          ],
        },
        { labels: { __name__: 'empty' }, samples: [] },
        { labels: { job: 'neither' }, samples: [] },
        { labels: { __name__: 'ok' }, samples: [{ value: 3, timestampMs: 3 }] },
      ]),
      many,
    );
    expect(d.malformed).toEqual([
      {
        index: 0,
        path: 'timeseries[0].labels',
        reason: 'malformed',
        message: 'the series has no __name__ label',
      },
      {
        index: 1,
        path: 'timeseries[0].labels',
        reason: 'malformed',
        message: 'the series has no __name__ label',
      },
      { index: 2, path: 'timeseries[1]', reason: 'malformed', message: 'the series has no samples' },
      { index: 3, path: 'timeseries[2]', reason: 'malformed', message: 'the series has no __name__ label' },
    ]);
    expect(d.series.map((s) => [s.series.metric, s.path, s.firstIndex])).toEqual([
      ['ok', 'timeseries[3]', 4],
    ]);
    expect([d.sampleCount, d.seriesCount, d.malformedSeries]).toEqual([5, 4, 3]);
  });

  it('takes the last __name__ sent as the metric and names a label sent twice', () => {
    const req: WriteRequest = {
      timeseries: [
        {
          labels: [
            { name: '__name__', value: 'first' },
            { name: 'job', value: 'a' },
            { name: '__name__', value: 'last' },
            { name: 'job', value: 'b' },
            { name: '', value: 'c' },
          ],
          samples: [{ value: 1, timestamp: 1 }],
          histograms: [],
        },
      ],
      metadata: [],
    };
    const d = decodePrometheus(req, limits);
    expect(d.series.map((s) => [s.series, s.labelProblem])).toEqual([
      [
        { metric: 'last', labels: { job: 'b', '': 'c' } },
        { path: 'timeseries[0].labels', problem: 'has the label "job" twice' },
      ],
    ]);
  });

  it('counts samples and native histograms against the limit', () => {
    const three = request([
      {
        labels: { __name__: 'a' },
        samples: [{ value: 1, timestampMs: 1 }],
        histograms: [{ schema: 0, timestamp: 1 }],
      },
      { labels: { __name__: 'b' }, samples: [{ value: 1, timestampMs: 1 }] },
    ]);
    expect(decodePrometheus(three, limits).sampleCount).toBe(3);
    const four = request([
      {
        labels: { __name__: 'a' },
        samples: [{ value: 1, timestampMs: 1 }],
        histograms: [{ schema: 0, timestamp: 1 }],
      },
      {
        labels: { __name__: 'b' },
        samples: [],
        histograms: [
          { schema: 0, timestamp: 1 },
          { schema: 0, timestamp: 2 },
        ],
      },
    ]);
    expect(refusal(() => decodePrometheus(four, limits))).toEqual(
      tooManySamples({ carried: 4, max: 3, bytes: 200000 }),
    );
  });
});

describe('the types remote-write metadata declares', () => {
  it('maps each Prometheus metric type to a semantic type, by number or by name, and skips unknown and unnamed ones', () => {
    const metadata = [
      { type: 0, metric_family_name: 'unknown' },
      { type: 1, metric_family_name: 'counter' },
      { type: 2, metric_family_name: 'gauge' },
      { type: 3, metric_family_name: 'histogram' },
      { type: 4, metric_family_name: 'gaugehistogram' },
      { type: 5, metric_family_name: 'summary' },
      { type: 6, metric_family_name: 'info' },
      { type: 7, metric_family_name: 'stateset' },
      { type: 9, metric_family_name: 'beyond' },
      { type: 1, metric_family_name: '' },
      { type: 'SUMMARY', metric_family_name: 'named' },
      { type: 'NOT_A_TYPE', metric_family_name: 'misnamed' },
    ] as unknown as RwMetadata[];
    expect([...metadataTypes({ timeseries: [], metadata })]).toEqual([
      ['counter', 'counter'],
      ['gauge', 'gauge'],
      ['histogram', 'histogram'],
      ['gaugehistogram', 'gauge'],
      ['summary', 'summary'],
      ['info', 'gauge'],
      ['stateset', 'gauge'],
      ['named', 'summary'],
    ]);
  });

  it('types a series by its family: the metric itself first, then without _total, _bucket, _count or _sum', () => {
    const metrics = [
      'req',
      'req_total',
      'req_bucket',
      'req_count',
      'req_sum',
      'req_created',
      'reqtotal',
      'req_total_x',
      'lat_total',
      'other',
    ];
    const d = decodePrometheus(
      request(
        metrics.map((m) => ({ labels: { __name__: m }, samples: [{ value: 1, timestampMs: 1 }] })),
        [
          { type: 1, metric_family_name: 'req' },
          { type: 2, metric_family_name: 'lat_total' },
          { type: 1, metric_family_name: 'lat' },
        ],
      ),
      many,
    );
    expect(d.series.map((s) => [s.series.metric, s.type ?? null])).toEqual([
      ['req', 'counter'],
      ['req_total', 'counter'],
      ['req_bucket', 'counter'],
      ['req_count', 'counter'],
      ['req_sum', 'counter'],
      ['req_created', null],
      ['reqtotal', null],
      ['req_total_x', null],
      ['lat_total', 'gauge'],
      ['other', null],
    ]);
  });
});

describe('the label-set cache', () => {
  /** The label-set byte range of the only series of a WriteRequest, as the flat scan finds it. */
  const labelSet = (labels: Record<string, string>) => {
    const bytes = writeRequestBytes([{ labels, samples: [{ value: 1, timestampMs: 1 }] }]);
    const scan = scanWriteRequest(bytes)!;
    return {
      bytes,
      buf: Buffer.from(bytes),
      start: scan.labelStart[0]!,
      end: scan.labelEnd[0]!,
      length: scan.labelEnd[0]! - scan.labelStart[0]!,
    };
  };
  const look = (cache: LabelSetCache, s: ReturnType<typeof labelSet>) =>
    cache.lookup(s.bytes, s.buf, s.start, s.end);

  it('holds at most 50,000 label sets, 32 MiB of them, none longer than 16 KiB, unless told otherwise', () => {
    const cache = new LabelSetCache();
    expect([cache.maxEntries, cache.maxBytes, cache.maxEntryBytes, cache.size, cache.bytes]).toEqual([
      50_000, 33_554_432, 16_384, 0, 0,
    ]);
  });

  it('decodes a label set once and answers the same entry for the same bytes, counting its bytes', () => {
    const cache = new LabelSetCache();
    const a = labelSet({ __name__: 'up', job: 'a' });
    const first = look(cache, a);
    expect(first).toEqual({ ref: { metric: 'up', labels: { job: 'a' } }, problem: undefined });
    expect(look(cache, labelSet({ __name__: 'up', job: 'a' }))).toBe(first);
    expect(look(cache, labelSet({ __name__: 'up', job: 'b' }))).not.toBe(first);
    expect([cache.size, cache.bytes]).toEqual([2, a.length * 2]);
  });

  it('keeps the problem of a label set without its path, and answers nothing for a set without __name__ or unreadable', () => {
    const cache = new LabelSetCache();
    expect(look(cache, labelSet({ __name__: 'up', '': 'x' }))).toEqual({
      ref: { metric: 'up', labels: { '': 'x' } },
      problem: 'has a label with an empty name',
    });
    expect(look(cache, labelSet({ job: 'x' }))).toBeUndefined();
    // A Label field sent as a varint: decodeLabels cannot read it alike.
    const odd = Uint8Array.from([0x08, 0x01]);
    expect(cache.lookup(odd, Buffer.from(odd), 0, 2)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('keeps a label set exactly as long as its entry bound, and decodes a longer one every time', () => {
    const a = labelSet({ __name__: 'up', job: 'a' });
    const exact = new LabelSetCache(10, 1000, a.length);
    expect(look(exact, a)).toBe(look(exact, a));
    expect([exact.size, exact.bytes]).toEqual([1, a.length]);
    const shorter = new LabelSetCache(10, 1000, a.length - 1);
    const once = look(shorter, a);
    expect(once).toEqual({ ref: { metric: 'up', labels: { job: 'a' } }, problem: undefined });
    expect(look(shorter, a)).not.toBe(once);
    expect([shorter.size, shorter.bytes]).toEqual([0, 0]);
  });

  it('starts again when it holds its bound of label sets', () => {
    const cache = new LabelSetCache(2);
    const sets = ['a', 'b', 'c'].map((job) => labelSet({ __name__: 'up', job }));
    look(cache, sets[0]!);
    look(cache, sets[1]!);
    expect(cache.size).toBe(2);
    const third = look(cache, sets[2]!);
    expect([cache.size, cache.bytes]).toEqual([1, sets[2]!.length]);
    expect(look(cache, sets[2]!)).toBe(third);
  });

  it('starts again when a label set would take its keys past their byte bound, and not when it reaches it', () => {
    const sets = ['a', 'b', 'c'].map((job) => labelSet({ __name__: 'up', job }));
    const len = sets[0]!.length;
    const cache = new LabelSetCache(10, 2 * len);
    look(cache, sets[0]!);
    look(cache, sets[1]!);
    expect([cache.size, cache.bytes]).toEqual([2, 2 * len]);
    look(cache, sets[2]!);
    expect([cache.size, cache.bytes]).toEqual([1, len]);
  });
});

describe('remote write decoded flat, with the label-set cache', () => {
  const body = (series: PromSeries[]) => Buffer.from(compress(writeRequestBytes(series)));

  it('decodes the usual request into series that read their points from the request’s columns', () => {
    const d = decodeTelemetry(
      {
        headers,
        body: body([
          { labels: { __name__: 'up', job: 'a' }, samples: [{ value: 1, timestampMs: 10 }] },
          {
            labels: { __name__: 'lat', job: 'a', job2: 'b', '': 'x' },
            samples: [
              { value: 2, timestampMs: 20 },
              { value: 3, timestampMs: 30 },
            ],
          },
        ]),
      },
      limits,
      { labelSets: new LabelSetCache() },
    );
    expect([d.format, d.malformed, d.sampleCount, d.seriesCount, d.malformedSeries, d.types]).toEqual([
      'prometheus-remote-write',
      [],
      3,
      2,
      0,
      new Map(),
    ]);
    expect(
      d.series.map((s) => ({
        series: s.series,
        path: s.path,
        pointField: s.pointField,
        epochUnit: s.epochUnit,
        type: s.type,
        typeSource: s.typeSource,
        labelProblem: s.labelProblem,
        firstIndex: s.firstIndex,
        columnCount: s.columnCount,
        points: s.points,
      })),
    ).toEqual([
      {
        series: { metric: 'up', labels: { job: 'a' } },
        path: 'timeseries[0]',
        pointField: 'samples',
        epochUnit: 'ms',
        type: undefined,
        typeSource: undefined,
        labelProblem: undefined,
        firstIndex: 0,
        columnCount: 1,
        points: [{ index: 0, value: 1, time: 10 }],
      },
      {
        series: { metric: 'lat', labels: { job: 'a', job2: 'b', '': 'x' } },
        path: 'timeseries[1]',
        pointField: 'samples',
        epochUnit: 'ms',
        type: undefined,
        typeSource: undefined,
        labelProblem: { path: 'timeseries[1].labels', problem: 'has a label with an empty name' },
        firstIndex: 1,
        columnCount: 2,
        points: [
          { index: 1, value: 2, time: 20 },
          { index: 2, value: 3, time: 30 },
        ],
      },
    ]);
    expect(Array.from(d.series[1]!.columns!.values)).toEqual([1, 2, 3]);
    expect(Array.from(d.series[1]!.columns!.times)).toEqual([10, 20, 30]);
    // The points are built once, when first asked for.
    expect(d.series[1]!.points).toBe(d.series[1]!.points);
  });

  it('refuses more samples than the limit with the same 413 as the reflective decoder', () => {
    const four = body([
      {
        labels: { __name__: 'up' },
        samples: [1, 2, 3, 4].map((t) => ({ value: t, timestampMs: t })),
      },
    ]);
    expect(
      refusal(() => decodeTelemetry({ headers, body: four }, limits, { labelSets: new LabelSetCache() })),
    ).toEqual(tooManySamples({ carried: 4, max: 3, bytes: 200000 }));
  });

  it('hands a request the flat scan cannot read (metadata) to the reflective decoder', () => {
    const d = decodeTelemetry(
      {
        headers,
        body: Buffer.from(
          compress(
            writeRequestBytes(
              [{ labels: { __name__: 'up' }, samples: [{ value: 1, timestampMs: 1 }] }],
              [{ type: 2, metric_family_name: 'up' }],
            ),
          ),
        ),
      },
      limits,
      { labelSets: new LabelSetCache() },
    );
    expect(d.series.map((s) => [s.series.metric, s.type, s.columns])).toEqual([['up', 'gauge', undefined]]);
  });

  it('hands a request with a series without samples or without __name__ to the reflective decoder', () => {
    const cache = new LabelSetCache();
    const d = decodeTelemetry(
      {
        headers,
        body: body([
          { labels: { __name__: 'up' }, samples: [{ value: 1, timestampMs: 1 }] },
          { labels: { __name__: 'none' }, samples: [] },
        ]),
      },
      limits,
      { labelSets: cache },
    );
    expect(d.malformed).toEqual([
      { index: 1, path: 'timeseries[1]', reason: 'malformed', message: 'the series has no samples' },
    ]);
    expect(d.series[0]).not.toHaveProperty('columns');
    const nameless = decodeTelemetry(
      { headers, body: body([{ labels: { job: 'x' }, samples: [{ value: 1, timestampMs: 1 }] }]) },
      limits,
      { labelSets: cache },
    );
    expect(nameless.malformed).toEqual([
      {
        index: 0,
        path: 'timeseries[0].labels',
        reason: 'malformed',
        message: 'the series has no __name__ label',
      },
    ]);
  });
});

describe('native histograms', () => {
  const histogram = (h: Partial<RwHistogram>): RwHistogram =>
    ({ schema: 0, timestamp: 0, ...h }) as RwHistogram;

  it('reads an integer histogram: deltas into counts, bounds from the schema and the spans’ offsets', () => {
    const p = nativePoint(
      histogram({
        count_int: 9,
        zero_count_int: 2,
        zero_threshold: 0.001,
        schema: 1,
        timestamp: 1764000000000,
        reset_hint: 2,
        positive_spans: [
          { offset: -2, length: 2 },
          { offset: 3, length: 1 },
        ],
        positive_deltas: [1, 2, -1],
        negative_spans: [{ offset: 0, length: 2 }],
        negative_deltas: [3, -2],
      }),
      7,
    );
    expect(p).toEqual({
      index: 7,
      time: 1764000000000,
      count: 9,
      zeroCount: 2,
      zeroThreshold: 0.001,
      // Schema 1: base 2^(1/2); indexes -2, -1, then 3 (one past -1, plus the offset 3).
      bounds: [Math.SQRT2 ** -2, Math.SQRT2 ** -1, Math.SQRT2 ** 3],
      counts: [1, 3, 2],
      negativeCount: 4,
      reset: false,
      gauge: false,
    });
  });

  it('reads a float histogram: its counts as they are, its float zero count, and a gauge histogram’s hint', () => {
    const p = nativePoint(
      histogram({
        count_float: 4.5,
        count_int: 99,
        zero_count_float: 0.5,
        zero_count_int: 99,
        schema: -1,
        reset_hint: 3,
        positive_spans: [{ offset: 1, length: 2 }],
        positive_counts: [1.5, 2],
        positive_deltas: [50, 50],
        negative_spans: [{ offset: 0, length: 1 }],
        negative_counts: [0.5],
      }),
      0,
    );
    expect(p).toEqual({
      index: 0,
      time: 0,
      count: 4.5,
      zeroCount: 0.5,
      zeroThreshold: 0,
      // Schema -1: base 4; indexes 1 and 2.
      bounds: [4, 16],
      counts: [1.5, 2],
      negativeCount: 0.5,
      reset: false,
      gauge: true,
    });
  });

  it('reads what the decoder leaves unset as zero: counts, zero counts, spans’ offsets and lengths', () => {
    const p = nativePoint(
      {
        schema: 0,
        timestamp: 5,
        positive_spans: [{ length: 1 }, {}],
        positive_deltas: [2],
      } as unknown as RwHistogram,
      1,
    );
    expect(p).toEqual({
      index: 1,
      time: 5,
      count: 0,
      zeroCount: 0,
      zeroThreshold: 0,
      bounds: [1],
      counts: [2],
      negativeCount: 0,
      reset: false,
      gauge: false,
    });
  });

  it('reads a histogram with negative buckets only: no positive bounds, the negative total apart', () => {
    expect(
      nativePoint(
        {
          schema: 0,
          timestamp: 1,
          count_int: 3,
          negative_spans: [{ offset: 0, length: 2 }],
          negative_deltas: [1, 1],
        } as unknown as RwHistogram,
        0,
      ),
    ).toEqual({
      index: 0,
      time: 1,
      count: 3,
      zeroCount: 0,
      zeroThreshold: 0,
      bounds: [],
      counts: [],
      negativeCount: 3,
      reset: false,
      gauge: false,
    });
  });

  it('reads the oneof members the protobuf decoder sets, from the wire', () => {
    const req = request([
      {
        labels: { __name__: 'h' },
        samples: [],
        histograms: [
          {
            count_float: 2,
            zero_count_float: 1,
            schema: 0,
            timestamp: 9,
            positive_spans: [{ offset: 0, length: 1 }],
            positive_counts: [1],
          },
          {
            count_int: 3,
            zero_count_int: 1,
            schema: 0,
            timestamp: 9,
            positive_spans: [{ offset: 0, length: 1 }],
            positive_deltas: [2],
          },
        ],
      },
    ]);
    expect(
      decodePrometheus(req, limits).series[0]!.histograms!.map((h) => [h.count, h.zeroCount, h.counts]),
    ).toEqual([
      [2, 1, [1]],
      [3, 1, [2]],
    ]);
  });

  it('accepts the exponential schemas -4 to 8 and names any other', () => {
    const at = (schema: number) =>
      nativePoint(histogram({ schema, positive_spans: [{ offset: 1, length: 1 }], positive_deltas: [1] }), 0);
    expect([at(-4).bounds, at(8).bounds]).toEqual([[65536], [2 ** (1 / 256)]]);
    expect([at(-4).problem, at(8).problem]).toEqual([undefined, undefined]);
    for (const schema of [-5, 9]) {
      const p = at(schema);
      expect([p.problem, p.bounds, p.counts]).toEqual([
        `schema ${schema} is not an exponential schema (-4 to 8)`,
        [],
        [],
      ]);
    }
  });

  it('names spans that describe more or fewer buckets than the deltas or counts hold, on either side', () => {
    const problem = (h: Partial<RwHistogram>) => nativePoint(histogram(h), 0).problem;
    expect(problem({ positive_spans: [{ offset: 0, length: 2 }], positive_deltas: [1] })).toBe(
      'has positive spans describing 2 buckets and 1 deltas',
    );
    expect(problem({ positive_spans: [{ offset: 0, length: 1 }], positive_deltas: [1, 1] })).toBe(
      'has positive spans describing 1 buckets and 2 deltas',
    );
    expect(
      problem({
        negative_spans: [
          { offset: 0, length: 1 },
          { offset: 0, length: 1 },
        ],
        negative_deltas: [1],
      }),
    ).toBe('has negative spans describing 2 buckets and 1 deltas');
    expect(problem({ negative_deltas: [1] })).toBe('has negative spans describing 0 buckets and 1 deltas');
    expect(
      problem({ count_float: 1, positive_spans: [{ offset: 0, length: 1 }], positive_deltas: [1] }),
    ).toBe('has positive spans describing 1 buckets and 0 counts');
    expect(problem({ count_float: 1, negative_spans: [{ offset: 0, length: 1 }], negative_counts: [] })).toBe(
      'has negative spans describing 1 buckets and 0 counts',
    );
  });

  it('names a negative bucket count on either side, and accepts buckets of zero', () => {
    const problem = (h: Partial<RwHistogram>) => nativePoint(histogram(h), 0).problem;
    expect(problem({ positive_spans: [{ offset: 0, length: 2 }], positive_deltas: [1, -2] })).toBe(
      'has a negative bucket count',
    );
    expect(problem({ negative_spans: [{ offset: 0, length: 1 }], negative_deltas: [-1] })).toBe(
      'has a negative bucket count',
    );
    expect(problem({ positive_spans: [{ offset: 0, length: 2 }], positive_deltas: [1, -1] })).toBeUndefined();
    expect(problem({ negative_spans: [{ offset: 0, length: 2 }], negative_deltas: [0, 0] })).toBeUndefined();
  });
});
