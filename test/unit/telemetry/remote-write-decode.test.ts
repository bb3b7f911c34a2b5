import protobuf from 'protobufjs/light.js';
import { compress, uncompress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors.js';
import descriptor from '../../../shared/domain/telemetry/proto/remote-write.json' with { type: 'json' };
import {
  checkWireTypes,
  checkWireTypesOf,
  decodeLabels,
  decodeWriteRequest,
  encodeWriteRequest,
  METRIC_TYPES,
  scanWriteRequest,
} from '../../../shared/domain/telemetry/remote-write.js';
import { thrown } from '../../helpers/refusal.js';
import { writeRequestBytes } from '../../helpers/telemetry.js';

/**
 * Remote write 1.0 on its own (remote-write.ts): the reflective decoder and its errors, the wire-type check (every
 * kind of field, packed or not, nested, unknown, truncated) with the path it names, the flat scan of the usual request
 * (its offsets and columns exactly, and everything it leaves to the reflective decoder), and the label decoder.
 * Bodies are encoded by protobufjs from the official remote write messages and go through snappyjs as Prometheus
 * sends them; the malformed ones are written byte by byte with protobufjs's Writer or as literal bytes.
 */

/** A body as Prometheus sends it and as the server reads it: snappy-compressed, then inflated. */
const sent = (bytes: Uint8Array): Uint8Array => uncompress(compress(bytes));

const errorOf = (f: () => unknown) => {
  const e = thrown(f) as { name: string; message: string; details: unknown } | undefined;
  return { name: e?.name, message: e?.message, details: e?.details };
};
const INVALID = 'the body is not a valid remote write WriteRequest';

/** A length-delimited field: its tag, its length, its bytes. */
const field = (tag: number, bytes: number[]) => [tag, bytes.length, ...bytes];
const f64 = (v: number) => Array.from(new Uint8Array(Float64Array.of(v).buffer));

describe('the metric types of remote write metadata', () => {
  it('are named in the order of the official MetricType enum', () => {
    const values = (
      descriptor as {
        nested: {
          prometheus: {
            nested: { MetricMetadata: { nested: { MetricType: { values: Record<string, number> } } } };
          };
        };
      }
    ).nested.prometheus.nested.MetricMetadata.nested.MetricType.values;
    expect([...METRIC_TYPES]).toEqual(
      Object.entries(values)
        .sort((a, b) => a[1] - b[1])
        .map(([name]) => name),
    );
    expect(METRIC_TYPES).toHaveLength(8);
  });
});

describe('decoding a WriteRequest', () => {
  it('reads every field Prometheus sends: labels, samples, native histograms, metadata', () => {
    // What is read back as it was sent.
    const labels = [
      { name: '__name__', value: 'rpc_duration_seconds' },
      { name: 'job', value: 'api' },
    ];
    const samples = [
      { value: 0.25, timestamp: 1_764_000_000_123 },
      { value: -1, timestamp: -5 },
    ];
    const intHistogram = {
      count_int: 6,
      sum: 1.5,
      schema: -1,
      zero_threshold: 0.001,
      zero_count_int: 1,
      negative_spans: [{ offset: 2, length: 1 }],
      negative_deltas: [1],
      negative_counts: [],
      positive_spans: [{ offset: -3, length: 2 }],
      positive_deltas: [3, -2],
      positive_counts: [],
      reset_hint: 2,
      timestamp: 1_764_000_000_124,
    };
    // A float histogram's buckets are read back as sent; its zero sum, schema and zero threshold are not.
    const floatBuckets = {
      zero_count_float: 0.5,
      negative_spans: [],
      negative_deltas: [],
      negative_counts: [],
      positive_spans: [{ offset: 1, length: 1 }],
      positive_deltas: [],
      positive_counts: [2],
      reset_hint: 3,
      timestamp: 7,
    };
    const bytes = sent(
      encodeWriteRequest({
        timeseries: [
          {
            labels,
            samples,
            histograms: [
              intHistogram,
              { count_float: 2.5, sum: 0, schema: 0, zero_threshold: 0, ...floatBuckets },
            ],
          },
        ],
        metadata: [{ type: 1, metric_family_name: 'x_total', help: 'Xs.', unit: 'x' }],
      }),
    );
    const req = decodeWriteRequest(bytes);
    const plain = JSON.parse(JSON.stringify(req));
    expect(typeof req.timeseries[0]!.samples[0]!.timestamp).toBe('number');
    expect(req.timeseries[0]!.samples).toEqual(samples);
    expect(req.timeseries[0]!.labels).toEqual(labels);
    expect(structuredClone(req.timeseries[0]!.histograms)).toEqual([
      intHistogram,
      { count_float: 2.5, ...floatBuckets },
    ]);
    expect(req.metadata).toEqual([{ type: 1, metric_family_name: 'x_total', help: 'Xs.', unit: 'x' }]);
    expect(plain.metadata).toEqual([
      { type: 'COUNTER', metric_family_name: 'x_total', help: 'Xs.', unit: 'x' },
    ]);
  });

  it('reads an empty body as a request with nothing in it', () => {
    const req = decodeWriteRequest(new Uint8Array(0));
    expect([req.timeseries, req.metadata]).toEqual([[], []]);
  });

  it('refuses a body whose wire types are wrong with 400, naming the field', () => {
    const bytes = Uint8Array.from([...field(0x0a, field(0x12, [0x08, 0x01]))]);
    const e = thrown(() => decodeWriteRequest(bytes));
    expect(e).toBeInstanceOf(ValidationError);
    expect(errorOf(() => decodeWriteRequest(bytes))).toEqual({
      name: 'ValidationError',
      message: INVALID,
      details: [
        {
          path: 'timeseries[0].samples[0].value',
          problem: 'is sent with wire type 0; its declaration implies wire type 1',
        },
      ],
    });
  });

  it('refuses a packed field protobufjs cannot read (3 bytes of doubles) with 400 in protobufjs’s words', () => {
    // timeseries[0].histograms[0].positive_counts, packed, 3 bytes long: every wire type is right.
    const bytes = Uint8Array.from(field(0x0a, field(0x22, field(0x6a, [1, 2, 3]))));
    expect(checkWireTypes(bytes)).toBeUndefined();
    const e = thrown(() => decodeWriteRequest(bytes));
    expect(e).toBeInstanceOf(ValidationError);
    expect(errorOf(() => decodeWriteRequest(bytes))).toEqual({
      name: 'ValidationError',
      message: INVALID,
      details: [{ path: '(body)', problem: 'index out of range: 6 + 8 > 9' }],
    });
  });
});

describe('the wire-type check, on remote write’s own messages', () => {
  it('passes every valid request, however its fields are packed, with unknown fields skipped by their wire type', () => {
    const valid = writeRequestBytes(
      [
        {
          labels: { __name__: 'a', job: 'x' },
          samples: [{ value: 1, timestampMs: 5 }],
          histograms: [
            {
              count_int: 2,
              schema: 0,
              positive_spans: [{ offset: 0, length: 2 }],
              positive_deltas: [1, 0],
              positive_counts: [],
            },
          ],
        },
      ],
      [{ type: 2, metric_family_name: 'a' }],
    );
    expect(checkWireTypes(valid)).toBeUndefined();
    expect(checkWireTypes(new Uint8Array(0))).toBeUndefined();
    // positive_deltas (sint64) and positive_counts (double) unpacked, one value a field, as an old sender writes them.
    const w = protobuf.Writer.create();
    w.uint32(0x0a).fork().uint32(0x22).fork();
    w.uint32(0x60).sint64(1).uint32(0x60).sint64(-1).uint32(0x69).double(2).uint32(0x69).double(3);
    w.ldelim().ldelim();
    expect(checkWireTypes(w.finish())).toBeUndefined();
    // Unknown fields, each wire type, inside a message and last in the body, ending exactly at its end.
    const unknown = [0x48, 0x01, 0x49, ...f64(1), 0x4a, 0x01, 0x00, 0x4b, 0x4c, 0x4d, 1, 2, 3, 4];
    expect(checkWireTypes(Uint8Array.from([...field(0x0a, unknown), ...unknown]))).toBeUndefined();
  });

  it.each([
    ['a field number 0', [0x00], '(body)', 'has a field number 0'],
    ['a field number 0 in a series', field(0x0a, [0x00]), 'timeseries[0]', 'has a field number 0'],
    [
      'a series sent as a varint',
      [0x08, 0x05],
      'timeseries[0]',
      'is sent with wire type 0; its declaration implies wire type 2',
    ],
    [
      'a label name sent as a varint',
      field(0x0a, field(0x0a, [0x08, 0x01])),
      'timeseries[0].labels[0].name',
      'is sent with wire type 0; its declaration implies wire type 2',
    ],
    [
      'a sample value (double) sent as fixed32',
      field(0x0a, field(0x12, [0x0d, 1, 2, 3, 4])),
      'timeseries[0].samples[0].value',
      'is sent with wire type 5; its declaration implies wire type 1',
    ],
    [
      'a sample timestamp (int64) sent as fixed64',
      field(0x0a, field(0x12, [0x11, ...f64(1)])),
      'timeseries[0].samples[0].timestamp',
      'is sent with wire type 1; its declaration implies wire type 0',
    ],
    [
      'a metadata type (an enum) sent length-delimited',
      field(0x1a, field(0x0a, [])),
      'metadata[0].type',
      'is sent with wire type 2; its declaration implies wire type 0',
    ],
    [
      'a histogram schema (sint32) sent length-delimited',
      field(0x0a, field(0x22, field(0x22, []))),
      'timeseries[0].histograms[0].schema',
      'is sent with wire type 2; its declaration implies wire type 0',
    ],
    [
      'a histogram span sent as a varint',
      field(0x0a, field(0x22, [0x58, 0x00])),
      'timeseries[0].histograms[0].positive_spans[0]',
      'is sent with wire type 0; its declaration implies wire type 2',
    ],
    [
      'the third positive delta (sint64) sent as fixed64',
      field(0x0a, field(0x22, [0x60, 0x02, 0x60, 0x01, 0x61, ...f64(1)])),
      'timeseries[0].histograms[0].positive_deltas[2]',
      'is sent with wire type 1; its declaration implies wire type 0',
    ],
    [
      'a positive count (double) sent as a varint',
      field(0x0a, field(0x22, [0x69, ...f64(1), 0x68, 0x01])),
      'timeseries[0].histograms[0].positive_counts[1]',
      'is sent with wire type 0; its declaration implies wire type 1',
    ],
    [
      'metadata sent with the invalid wire type 7',
      [0x1f],
      'metadata[0]',
      'is sent with wire type 7; its declaration implies wire type 2',
    ],
  ])('names %s', (_what, bytes, path, problem) => {
    expect(checkWireTypes(Uint8Array.from(bytes))).toEqual({ path, problem });
  });

  it('names the field of the second series and its second sample, not the first ones', () => {
    const good = field(0x0a, [
      ...field(0x0a, field(0x0a, [0x61])),
      ...field(0x12, [0x09, ...f64(1), 0x10, 0x05]),
    ]);
    const bad = field(0x0a, [...field(0x12, [0x09, ...f64(2)]), ...field(0x12, [0x08, 0x01])]);
    expect(checkWireTypes(Uint8Array.from([...good, ...bad]))).toEqual({
      path: 'timeseries[1].samples[1].value',
      problem: 'is sent with wire type 0; its declaration implies wire type 1',
    });
    expect(checkWireTypes(Uint8Array.from([...good, ...good, ...bad, ...good]))).toEqual({
      path: 'timeseries[2].samples[1].value',
      problem: 'is sent with wire type 0; its declaration implies wire type 1',
    });
  });

  it('names a message whose length runs past the body, or past the message holding it', () => {
    expect(checkWireTypes(Uint8Array.from([0x0a, 0x09, 0x12]))).toEqual({
      path: 'timeseries[0]',
      problem: 'runs past the end of its message',
    });
    // A sample of 5 bytes inside a series of 4 (the body goes on).
    expect(checkWireTypes(Uint8Array.from([0x0a, 0x04, 0x12, 0x05, 0x09, 0, 0, 0, 0, 0]))).toEqual({
      path: 'timeseries[0].samples[0]',
      problem: 'runs past the end of its message',
    });
  });

  it('names a value running past the end of its message', () => {
    // A sample of 2 bytes whose double needs 8 (the series and the body go on).
    expect(checkWireTypes(Uint8Array.from([0x0a, 0x0b, 0x12, 0x02, 0x09, 1, 2, 3, 4, 5, 6, 7, 8]))).toEqual({
      path: 'timeseries[0].samples[0].value',
      problem: 'runs past the end of its message',
    });
  });

  it('names an unknown field running past the end of its message', () => {
    // Field 9, 5 bytes long, in a series of 3 (the body goes on).
    expect(checkWireTypes(Uint8Array.from([0x0a, 0x03, 0x4a, 0x05, 0x00, 0, 0, 0, 0, 0]))).toEqual({
      path: 'timeseries[0]',
      problem: 'field 9 runs past the end of its message',
    });
  });

  it('names the body in protobufjs’s words when an unknown field cannot be skipped or the body stops inside a tag', () => {
    expect(checkWireTypes(Uint8Array.from([0x4f]))).toEqual({
      path: '(body)',
      problem: 'invalid wire type 7 at offset 1',
    });
    expect(checkWireTypes(Uint8Array.from(field(0x0a, [0x4e])))).toEqual({
      path: 'timeseries[0]',
      problem: 'invalid wire type 6 at offset 3',
    });
    expect(checkWireTypes(Uint8Array.from([0x0a, 0x00, 0x80]))).toEqual({
      path: '(body)',
      problem: 'index out of range: 3 + 1 > 3',
    });
  });
});

describe('the wire-type check, on any message (as the OTLP and Datadog decoders use it)', () => {
  const root = () =>
    protobuf.Root.fromJSON({
      nested: {
        Kind: { values: { A: 0, B: 1 } },
        Node: {
          fields: {
            children: { rule: 'repeated', type: 'Node', id: 1 },
            kinds: { rule: 'repeated', type: 'Kind', id: 2 },
            names: { rule: 'repeated', type: 'string', id: 3 },
            ratio: { type: 'float', id: 4 },
            blob: { type: 'bytes', id: 5 },
            weight: { type: 'fixed32', id: 6 },
          },
        },
      },
    }).lookupType('Node');

  it('reads a message holding itself, however deep', () => {
    const Node = root();
    const bytes = Node.encode(
      Node.fromObject({
        children: [{ children: [{ kinds: [1, 0], ratio: 0.5 }] }, {}],
        names: ['a', 'b'],
        blob: 'AQI=',
        weight: 3,
      }),
    ).finish();
    expect(checkWireTypesOf(bytes, Node)).toBeUndefined();
    expect(
      checkWireTypesOf(Uint8Array.from(field(0x0a, field(0x0a, [0x25, 0, 0, 0, 0x3f]))), Node),
    ).toBeUndefined();
    expect(checkWireTypesOf(Uint8Array.from(field(0x0a, field(0x0a, [0x21, ...f64(1)]))), Node)).toEqual({
      path: 'children[0].children[0].ratio',
      problem: 'is sent with wire type 1; its declaration implies wire type 5',
    });
  });

  it('takes a repeated enum packed or not, and names one sent otherwise with its index', () => {
    const Node = root();
    expect(checkWireTypesOf(Uint8Array.from([...field(0x12, [0, 1, 1]), 0x10, 0x01]), Node)).toBeUndefined();
    expect(checkWireTypesOf(Uint8Array.from([0x10, 0x01, 0x11, ...f64(1)]), Node)).toEqual({
      path: 'kinds[1]',
      problem: 'is sent with wire type 1; its declaration implies wire type 0',
    });
  });

  it('takes a native histogram’s deltas and counts packed, as Prometheus sends them, on a WriteRequest type of its own', () => {
    // A type read from the same descriptor but not the module's own, so its shape is worked out here, not at load.
    const WriteRequest = protobuf.Root.fromJSON(descriptor as protobuf.INamespace).lookupType(
      'prometheus.WriteRequest',
    );
    // Histogram fields 9, 10, 12, 13 (negative/positive deltas as sint64, counts as double), length-delimited.
    const w = protobuf.Writer.create();
    w.uint32(0x0a).fork().uint32(0x22).fork();
    w.uint32(0x4a).fork().sint64(-1).sint64(2).ldelim();
    w.uint32(0x52).fork().double(0.5).ldelim();
    w.uint32(0x62).fork().sint64(3).sint64(-2).sint64(1).ldelim();
    w.uint32(0x6a).fork().double(1).double(2.5).ldelim();
    w.ldelim().ldelim();
    const bytes = w.finish();
    expect(checkWireTypesOf(bytes, WriteRequest)).toBeUndefined();
    expect(checkWireTypes(bytes)).toBeUndefined();
    const [h] = decodeWriteRequest(bytes).timeseries[0]!.histograms;
    expect([h!.negative_deltas, h!.negative_counts, h!.positive_deltas, h!.positive_counts]).toEqual([
      [-1, 2],
      [0.5],
      [3, -2, 1],
      [1, 2.5],
    ]);
  });

  it('names a repeated string, which cannot be packed, by its name alone', () => {
    const Node = root();
    expect(checkWireTypesOf(Uint8Array.from([...field(0x1a, [0x61]), 0x18, 0x01]), Node)).toEqual({
      path: 'names',
      problem: 'is sent with wire type 0; its declaration implies wire type 2',
    });
    expect(checkWireTypesOf(Uint8Array.from([0x28, 0x01]), Node)).toEqual({
      path: 'blob',
      problem: 'is sent with wire type 0; its declaration implies wire type 2',
    });
    expect(checkWireTypesOf(Uint8Array.from([0x30, 0x01]), Node)).toEqual({
      path: 'weight',
      problem: 'is sent with wire type 0; its declaration implies wire type 5',
    });
  });
});

describe('the flat scan of the usual request', () => {
  // A series of one label (__name__ = m): 0x0a 0x0f [0x0a 0x0d [0x0a 0x08 "__name__" 0x12 0x01 "m"]], 17 bytes.
  const labelM = [0x0a, 0x0d, ...field(0x0a, [...Buffer.from('__name__')]), ...field(0x12, [0x6d])];
  const sample = (value: number, time: number) => field(0x12, [0x09, ...f64(value), 0x10, time]);

  it('answers each series’ label bytes and sample columns, as offsets into the body', () => {
    const bytes = sent(
      writeRequestBytes([
        { labels: { __name__: 'm' }, samples: [{ value: 1.5, timestampMs: 10 }] },
        {
          labels: { __name__: 'm', job: 'j' },
          samples: [
            { value: -2, timestampMs: 1_764_000_000_000 },
            { value: 0, timestampMs: -3 },
          ],
        },
        { labels: { __name__: 'n' }, samples: [] },
      ]),
    );
    const scan = scanWriteRequest(bytes)!;
    // Series 0: bytes [0, 30), labels at [2, 17). Series 1: [30, 88), labels at [32, 57) (a value of 0 is not
    // sent: proto3's default). Series 2: [88, 105).
    expect({ ...scan, values: Array.from(scan.values) }).toEqual({
      labelStart: [2, 32, 90],
      labelEnd: [17, 57, 105],
      firstSample: [0, 1, 3, 3],
      values: [1.5, -2, 0],
      times: [10, 1_764_000_000_000, -3],
    });
    expect(scan.values).toBeInstanceOf(Float64Array);
    expect(scan.labelStart.map((s, i) => decodeLabels(bytes, s, scan.labelEnd[i]!))).toEqual([
      [{ name: '__name__', value: 'm' }],
      [
        { name: '__name__', value: 'm' },
        { name: 'job', value: 'j' },
      ],
      [{ name: '__name__', value: 'n' }],
    ]);
  });

  it('reads a series without labels, one without anything, and samples whose fields take their defaults', () => {
    const bytes = Uint8Array.from([
      ...field(0x0a, [...field(0x12, []), ...field(0x12, [0x10, 0x07]), ...field(0x12, [0x09, ...f64(4)])]),
      0x0a,
      0x00,
    ]);
    const scan = scanWriteRequest(bytes)!;
    expect({ ...scan, values: Array.from(scan.values) }).toEqual({
      labelStart: [19, 21],
      labelEnd: [19, 21],
      firstSample: [0, 3, 3],
      values: [0, 0, 4],
      times: [0, 7, 0],
    });
  });

  it('answers an empty body as no series', () => {
    const scan = scanWriteRequest(new Uint8Array(0))!;
    expect({ ...scan, values: Array.from(scan.values) }).toEqual({
      labelStart: [],
      labelEnd: [],
      firstSample: [0],
      values: [],
      times: [],
    });
  });

  it('keeps every sample when there are more than its first guess (a tiny body, then 200 samples)', () => {
    const tiny = scanWriteRequest(Uint8Array.from(field(0x0a, sample(3, 4))))!;
    expect([Array.from(tiny.values), tiny.times]).toEqual([[3], [4]]);
    const many = Array.from({ length: 200 }, (_, i) => ({ value: i + 0.5, timestampMs: 1000 + i }));
    const scan = scanWriteRequest(writeRequestBytes([{ labels: { __name__: 'm' }, samples: many }]))!;
    expect(Array.from(scan.values)).toEqual(many.map((s) => s.value));
    expect(scan.times).toEqual(many.map((s) => s.timestampMs));
    expect(scan.firstSample).toEqual([0, 200]);
  });

  it('keeps a NaN’s payload as sent (Prometheus’s staleness marker)', () => {
    const stale = [0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f];
    const scan = scanWriteRequest(Uint8Array.from(field(0x0a, field(0x12, [0x09, ...stale]))))!;
    expect(Array.from(new Uint8Array(scan.values.slice().buffer))).toEqual(stale);
  });

  it.each([
    // Built from literal bytes: a table is evaluated when the file loads, before any mutant is switched on.
    ['metadata', Uint8Array.from(field(0x1a, [0x08, 0x01]))],
    ['a series of a length past the body', Uint8Array.from([0x0a, 0x05, 0x12])],
    ['a series whose labels run past the body', Uint8Array.from([0x0a, 0x05, 0x0a, 0x03, 0x61])],
    [
      'a sample of a length past its series (the body goes on)',
      Uint8Array.from([0x0a, 0x02, 0x12, 0x05, 0, 0, 0, 0, 0]),
    ],
    ['labels after samples', Uint8Array.from(field(0x0a, [...sample(1, 2), ...labelM]))],
    ['an exemplar', Uint8Array.from(field(0x0a, [...labelM, ...field(0x1a, [])]))],
    ['a native histogram', Uint8Array.from(field(0x0a, [...labelM, ...field(0x22, [0x08, 0x01])]))],
    ['a sample field it does not know', Uint8Array.from(field(0x0a, field(0x12, [0x18, 0x01])))],
    [
      'a sample value running past its sample',
      Uint8Array.from(field(0x0a, [...field(0x12, [0x09, 0]), 0, 0, 0, 0, 0, 0, 0, 0])),
    ],
    [
      'a sample value running past its sample to the end of its series',
      Uint8Array.from(field(0x0a, [0x12, 0x02, 0x09, ...f64(1)])),
    ],
    ['a sample value sent as a varint', Uint8Array.from(field(0x0a, field(0x12, [0x08, 0x01])))],
    ['a length cut short', Uint8Array.from([0x0a, 0x02, 0x12, 0x80])],
    ['a series of a length that cannot be read', Uint8Array.from([0x0a, 0x80])],
  ])('leaves %s to the reflective decoder', (_what, bytes) => {
    expect(scanWriteRequest(bytes)).toBeUndefined();
  });
});

describe('decoding the labels of a scanned label set', () => {
  it('reads names and values in order, an absent one as empty, a field sent twice as the last', () => {
    const bytes = Uint8Array.from([
      0xff,
      ...field(0x0a, [...field(0x0a, [0x61]), ...field(0x12, [0x62])]),
      ...field(0x0a, field(0x12, [0x63])),
      ...field(0x0a, field(0x0a, [0x64])),
      ...field(0x0a, [...field(0x0a, [0x65]), ...field(0x0a, [0x66]), ...field(0x12, [0xc3, 0xbc])]),
      0xff,
    ]);
    expect(decodeLabels(bytes, 1, bytes.length - 1)).toEqual([
      { name: 'a', value: 'b' },
      { name: '', value: 'c' },
      { name: 'd', value: '' },
      { name: 'f', value: 'ü' },
    ]);
    expect(decodeLabels(bytes, 1, 1)).toEqual([]);
  });

  it.each([
    ['a field other than a label', [0x12, 0x00]],
    ['a label of a length past the range', [0x0a, 0x05, 0x0a]],
    ['a label field it does not know', field(0x0a, [0x18, 0x01])],
    // Field 3 length-delimited, like a value: the reflective decoder skips it, so it must not be read as the value.
    [
      'a length-delimited label field it does not know',
      field(0x0a, [...field(0x0a, [0x61]), ...field(0x1a, [0x62])]),
    ],
    ['a name running past its label', [0x0a, 0x02, 0x0a, 0x03, 0x61, 0x62, 0x63]],
    ['a name that is not UTF-8', field(0x0a, field(0x0a, [0xff]))],
  ])('answers undefined for %s', (_what, bytes) => {
    const b = Uint8Array.from(bytes);
    expect(decodeLabels(b, 0, b.length)).toBeUndefined();
  });
});
