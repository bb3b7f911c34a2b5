import { compress, uncompress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import {
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import { decodeTelemetry, snappyElementFault } from '../../../shared/domain/telemetry/formats.js';
import {
  checkWireTypes,
  decodeWriteRequest,
  encodeWriteRequest,
} from '../../../shared/domain/telemetry/remote-write.js';
import { errorResponse } from '../../../shared/http/errors.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import { jsonRequest, type PromSeries, promRequest, writeRequestBytes } from '../../helpers/telemetry.js';

const limits = loadTelemetryPolicy().limits;
const protobufBody = (bytes: Uint8Array) => ({
  headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
  body: Buffer.from(compress(bytes)),
});

describe('snappy and protobuf at the edge (snappyjs, protobufjs from the official .proto files)', () => {
  it('refuses a block that declares more than the limit with 413 before inflating a byte', () => {
    const big = Buffer.from(compress(new Uint8Array(6 * 1024 * 1024)));
    expect(() =>
      decodeTelemetry(
        { headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }, body: big },
        limits,
      ),
    ).toThrow(PayloadTooLargeError);
  });

  it('refuses a truncated snappy block as a 400, never a crash', () => {
    const c = Buffer.from(compress(new TextEncoder().encode('hello hello hello hello hello')));
    expect(() =>
      decodeTelemetry(
        {
          headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
          body: c.subarray(0, c.length - 3),
        },
        limits,
      ),
    ).toThrow(ValidationError);
  });

  it('refuses a literal whose 4-byte length has its top bit set as a 400, instead of looping for ever in snappyjs', () => {
    // Header: 16 bytes declared. Literal tag 0xfc (length in the next 4 bytes), length 0x80000000 little-endian:
    // snappyjs reads it as a negative number and walked backwards for ever (the property test found it).
    const body = Uint8Array.from([0x10, 0xfc, 0x00, 0x00, 0x00, 0x80, 0x41, 0x41]);
    expect(snappyElementFault(body, 1)).toMatch(/literal at byte 1 claims 2147483649 bytes/);
    expect(() =>
      decodeTelemetry(
        { headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }, body },
        limits,
      ),
    ).toThrow(ValidationError);
  });

  it.each([
    // Literals: tag 0, lengths of 1 to 4 bytes after tags 0xf0, 0xf4, 0xf8, 0xfc (little-endian, plus one).
    ['a literal with a 1-byte length', [0xf0, 0x63], 'the literal at byte 0 claims 100 bytes'],
    ['a literal with a 2-byte length', [0xf4, 0x10, 0x27], 'the literal at byte 0 claims 10001 bytes'],
    ['a literal with a 3-byte length', [0xf8, 0x00, 0x00, 0x01], 'the literal at byte 0 claims 65537 bytes'],
    [
      'a literal with a 4-byte length',
      [0xfc, 0xff, 0xff, 0xff, 0xff],
      'the literal at byte 0 claims 4294967296 bytes',
    ],
    // Copies after the literal "a" (one byte produced): offsets of 1 (with 3 bits in the tag), 2 and 4 bytes.
    [
      'a 1-byte copy',
      [0x00, 0x61, 0x01, 0x02],
      'the copy at byte 2 reaches 2 bytes back, where 1 have been produced',
    ],
    ['a 1-byte copy with the tag’s offset bits', [0x00, 0x61, 0xe1, 0xff], 'reaches 2047 bytes back'],
    ['a 2-byte copy', [0x00, 0x61, 0x02, 0x34, 0x12], 'the copy at byte 2 reaches 4660 bytes back'],
    [
      'a 4-byte copy with its top bit set',
      [0x00, 0x61, 0x03, 0x01, 0x00, 0x00, 0x80],
      'reaches 2147483649 bytes back',
    ],
    ['a copy of offset 0', [0x00, 0x61, 0x02, 0x00, 0x00], 'reaches 0 bytes back'],
    ['a truncated 4-byte copy', [0x00, 0x61, 0x03, 0x01, 0x00], 'the copy at byte 2 is truncated'],
    ['a truncated 2-byte literal length', [0xf4, 0x10], 'the literal at byte 0 has a truncated length'],
  ])('reads the lengths and offsets of %s as Snappy’s format defines them', (_, bytes, message) => {
    expect(snappyElementFault(Uint8Array.from(bytes as number[]), 0)).toContain(message);
  });

  it('lets every block snappyjs itself writes through the element walk', () => {
    for (const text of ['', 'a', 'hello '.repeat(50), 'x'.repeat(70_000)]) {
      const c = Uint8Array.from(compress(new TextEncoder().encode(text)));
      let h = 0;
      while (c[h]! >= 0x80) h++;
      expect(snappyElementFault(c, h + 1)).toBeUndefined();
      expect(snappyElementFault(c, h + 1, text.length)).toBeUndefined();
    }
  });

  it('refuses a block declaring fewer bytes than its elements make, whose samples snappyjs dropped behind a 2xx', () => {
    // A valid one-sample WriteRequest whose header is rewritten to declare 0 bytes: snappyjs wrote nothing into its
    // 0-byte output and the request was answered 2xx with 0 samples (red team, wave 6).
    const block = Buffer.from(
      compress(
        writeRequestBytes([
          { labels: { __name__: 'up', job: 'x' }, samples: [{ value: 1, timestampMs: 1764000000000 }] },
        ]),
      ),
    );
    let h = 0;
    while (block[h]! >= 0x80) h++;
    const body = Buffer.concat([Buffer.from([0]), block.subarray(h + 1)]);
    expect(() =>
      decodeTelemetry(
        { headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }, body },
        limits,
      ),
    ).toThrow(/not a valid snappy block/);
    expect(snappyElementFault(body, 1, 0)).toMatch(/produces bytes past the 0 the header declares/);
  });

  it('refuses a block declaring more bytes than its elements make, rather than decoding its zero padding', () => {
    // Header 100, one literal 'A': snappyjs padded the 99 missing bytes with zeros.
    const body = Uint8Array.from([100, 0x00, 0x41]);
    expect(snappyElementFault(body, 1, 100)).toBe('the block produces 1 bytes where the header declares 100');
    expect(() =>
      decodeTelemetry(
        { headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }, body },
        limits,
      ),
    ).toThrow(ValidationError);
  });

  it('names a copy that reaches before the start of the output or has offset 0', () => {
    // Literal 'A', then a 4-byte-offset copy (tag 11) of offset 0xffffffff, and a 1-byte-offset copy of offset 5.
    expect(snappyElementFault(Uint8Array.from([8, 0x00, 0x41, 0x1f, 0xff, 0xff, 0xff, 0xff]), 1, 9)).toBe(
      'the copy at byte 3 reaches 4294967295 bytes back, where 1 have been produced',
    );
    expect(snappyElementFault(Uint8Array.from([5, 0x00, 0x41, 0x01, 0x05]), 1, 5)).toMatch(
      /reaches 5 bytes back/,
    );
    expect(snappyElementFault(Uint8Array.from([5, 0x00, 0x41, 0x01, 0x00]), 1, 5)).toMatch(
      /reaches 0 bytes back/,
    );
  });

  // Hand-made blocks, one per way an element can be cut or point nowhere (Snappy's format_description.txt). The
  // first byte is the varint header (the uncompressed length); `abcd` is a 4-byte literal (tag 0x0c) that gives the
  // copies something to reach back into. Each is a 400 naming the element's byte.
  const abcd = [0x0c, 0x61, 0x62, 0x63, 0x64];
  const broken: [string, number[], RegExp][] = [
    ['a literal tag byte at the end', [0x02, 0x04], /the literal at byte 1 claims 2 bytes, past the end/],
    ['a literal whose 1-byte length is cut', [0x50, 0xf0], /the literal at byte 1 has a truncated length/],
    [
      'a literal whose 2-byte length is cut',
      [0x50, 0xf4, 0x10],
      /the literal at byte 1 has a truncated length/,
    ],
    [
      'a literal whose 3-byte length is cut',
      [0x50, 0xf8, 0x10, 0x00],
      /the literal at byte 1 has a truncated/,
    ],
    [
      'a literal whose 4-byte length is cut',
      [0x50, 0xfc, 0x10, 0x00, 0x00],
      /the literal at byte 1 has a trunc/,
    ],
    ['a copy-1 tag byte at the end', [0x08, ...abcd, 0x01], /the copy at byte 6 is truncated/],
    ['a copy-2 element with one offset byte', [0x08, ...abcd, 0x0e, 0x04], /the copy at byte 6 is truncated/],
    [
      'a copy-4 element with three offset bytes',
      [0x08, ...abcd, 0x0f, 0x04, 0, 0],
      /the copy at byte 6 is trunc/,
    ],
    [
      'a copy-1 with offset 0',
      [0x08, ...abcd, 0x01, 0x00],
      /the copy at byte 6 reaches 0 bytes back, where 4/,
    ],
    ['a copy-2 with offset 0', [0x08, ...abcd, 0x0e, 0, 0], /the copy at byte 6 reaches 0 bytes back/],
    [
      'a copy-2 reaching past what was produced',
      [0x08, ...abcd, 0x0e, 0x05, 0x00],
      /byte 6 reaches 5 bytes back/,
    ],
    [
      'a copy-1 reaching back through its tag bits',
      [0x08, ...abcd, 0x21, 0x00],
      /byte 6 reaches 256 bytes back/,
    ],
    ['a copy before any literal', [0x04, 0x01, 0x01], /the copy at byte 1 reaches 1 bytes back, where 0/],
    [
      'a copy-4 whose offset has its top bit set (snappyjs reads it as negative and copies zeros)',
      [0x08, ...abcd, 0x0f, 0x04, 0x00, 0x00, 0x80],
      /the copy at byte 6 reaches 2147483652 bytes back/,
    ],
    [
      'a block producing fewer bytes than declared',
      [0x0a, ...abcd],
      /produces 4 bytes where the header declares 10/,
    ],
    [
      'a block producing more bytes than declared',
      [0x02, ...abcd],
      /element at byte 1 produces bytes past the 2/,
    ],
  ];
  for (const [name, bytes, problem] of broken) {
    it(`refuses ${name} as a 400 naming the element's byte`, () => {
      let refused: unknown;
      try {
        decodeTelemetry(
          {
            headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
            body: Buffer.from(bytes),
          },
          limits,
        );
      } catch (e) {
        refused = e;
      }
      expect(refused).toBeInstanceOf(ValidationError);
      const res = errorResponse(refused, 'r');
      expect(res.statusCode).toBe(400);
      const [detail] = JSON.parse(res.body).error.details;
      expect(detail.path).toBe('Content-Encoding');
      expect(detail.problem).toMatch(problem);
    });
  }

  it('lets a copy reach back exactly as far as what has been produced, offset 1 included', () => {
    // abcd, then copy-1 of 4 from offset 4 (abcd again), then copy-2 of 1 from offset 1 (d): 9 bytes declared.
    const block = Uint8Array.from([0x09, ...abcd, 0x01, 0x04, 0x02, 0x01, 0x00]);
    expect(snappyElementFault(block, 1, 9)).toBeUndefined();
    expect(new TextDecoder().decode(uncompress(block))).toBe('abcdabcdd');
  });

  it('decodes a WriteRequest back into its labels, values and millisecond timestamps', () => {
    const series: PromSeries[] = [
      { labels: { __name__: 'up', job: 'x' }, samples: [{ value: 1, timestampMs: 1764000000123 }] },
      {
        labels: { __name__: 'lat', le: '0.5' },
        samples: [
          { value: -2.5, timestampMs: 5 },
          { value: Number.NaN, timestampMs: 6 },
        ],
      },
    ];
    const back = decodeWriteRequest(writeRequestBytes(series));
    expect(back.timeseries[0]!.labels.map((l) => [l.name, l.value])).toEqual([
      ['__name__', 'up'],
      ['job', 'x'],
    ]);
    expect(back.timeseries[0]!.samples[0]).toMatchObject({ value: 1, timestamp: 1764000000123 });
    expect(typeof back.timeseries[0]!.samples[0]!.timestamp).toBe('number');
    expect(back.timeseries[1]!.samples[0]).toMatchObject({ value: -2.5, timestamp: 5 });
    expect(Number.isNaN(back.timeseries[1]!.samples[1]!.value)).toBe(true);
  });

  it('reads negative int64 timestamps as negative numbers', () => {
    const back = decodeWriteRequest(
      writeRequestBytes([{ labels: { __name__: 'a' }, samples: [{ value: 1, timestampMs: -1000 }] }]),
    );
    expect(back.timeseries[0]!.samples[0]!.timestamp).toBe(-1000);
  });

  it.each([
    ['a time series sent as a varint', [0x08, 0x05], 'timeseries[0]', 'wire type 0'],
    [
      'samples sent as a varint inside a time series',
      [0x0a, 0x02, 0x10, 0x01],
      'timeseries[0].samples[0]',
      'wire type 0',
    ],
    [
      'a sample value (double) sent as a varint',
      [0x0a, 0x04, 0x12, 0x02, 0x08, 0x01],
      'timeseries[0].samples[0].value',
      'implies wire type 1',
    ],
    ['a length running past the body', [0x0a, 0x09, 0x12], 'timeseries[0]', 'runs past'],
    ['an invalid wire type', [0x1f], 'metadata[0]', 'wire type 7'],
  ])('answers 400 naming the field for %s (not "200 submitted: 0")', (_name, bytes, path, problem) => {
    try {
      decodeTelemetry(protobufBody(Uint8Array.from(bytes)), limits);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).details[0]!.path).toBe(path);
      expect((e as ValidationError).details[0]!.problem).toContain(problem);
    }
  });

  it('skips fields it does not know by their own wire type, as protobuf requires', () => {
    const known = writeRequestBytes([
      { labels: { __name__: 'up' }, samples: [{ value: 1, timestampMs: 5 }] },
    ]);
    // Field 9 (unknown to remote write 1.0), length-delimited, 2 bytes, in front of a valid request.
    const withUnknown = Uint8Array.from([0x4a, 0x02, 0x01, 0x02, ...known]);
    expect(checkWireTypes(withUnknown)).toBeUndefined();
    expect(decodeWriteRequest(withUnknown).timeseries).toHaveLength(1);
  });
});

describe('which format a request is in', () => {
  it('takes remote write by its content type and snappy encoding', () => {
    const r = promRequest([{ labels: { __name__: 'up' }, samples: [{ value: 1, timestampMs: 1 }] }]);
    expect(decodeTelemetry(r, limits).format).toBe('prometheus-remote-write');
  });

  it('refuses remote write 2.0 and unknown content types with 415', () => {
    const r = promRequest([]);
    expect(() =>
      decodeTelemetry(
        {
          ...r,
          headers: {
            ...r.headers,
            'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
          },
        },
        limits,
      ),
    ).toThrow(UnsupportedMediaTypeError);
    expect(() =>
      decodeTelemetry({ headers: { 'content-type': 'text/csv' }, body: Buffer.from('a,b') }, limits),
    ).toThrow(UnsupportedMediaTypeError);
  });

  it('tells Datadog series from Accord batches by their shape', () => {
    expect(decodeTelemetry(jsonRequest({ series: [] }), limits).format).toBe('datadog-v2');
    expect(decodeTelemetry(jsonRequest({ version: 1, samples: [] }), limits).format).toBe('accord-json');
  });

  it('answers 413 with the limits when a request carries more than 10,000 samples', () => {
    const samples = Array.from({ length: 10_001 }, () => ({}));
    try {
      decodeTelemetry(jsonRequest({ version: 1, samples }), limits);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PayloadTooLargeError);
      expect((e as PayloadTooLargeError).message).toMatch(
        /10001 samples; the limit is 10000 samples or 5242880 bytes/,
      );
    }
  });

  it('refuses malformed JSON and a bad envelope as a whole, naming the field', () => {
    expect(() =>
      decodeTelemetry({ headers: { 'content-type': 'application/json' }, body: Buffer.from('{') }, limits),
    ).toThrow(ValidationError);
    try {
      decodeTelemetry(jsonRequest({ version: 2, samples: [] }), limits);
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).details[0]!.path).toBe('version');
    }
  });

  it('keeps a malformed sample as a rejection with its index and path instead of refusing the batch', () => {
    const d = decodeTelemetry(jsonRequest({ version: 1, samples: [{ service: 'nope' }] }), limits);
    expect(d.malformed).toEqual([
      expect.objectContaining({ index: 0, path: 'samples[0].service', reason: 'malformed' }),
    ]);
  });

  it('turns Datadog tags and resources into labels', () => {
    const d = decodeTelemetry(
      jsonRequest({
        series: [
          {
            metric: 'm',
            points: [{ timestamp: 1, value: 2 }],
            tags: ['service:card-authorisation', 'env:prod'],
            resources: [{ name: 'host-1', type: 'host' }],
          },
        ],
      }),
      limits,
    );
    expect(d.series[0]!.series.labels).toEqual({
      service: 'card-authorisation',
      env: 'prod',
      host: 'host-1',
    });
    expect(d.series[0]!.epochUnit).toBe('s');
  });
});

describe('native histograms whose spans do not match their buckets (red team, wave 6)', () => {
  const histogramRequest = (h: Record<string, unknown>) =>
    protobufBody(
      encodeWriteRequest({
        timeseries: [
          {
            labels: [
              { name: '__name__', value: 'http_request_duration_seconds' },
              { name: 'job', value: 'checkout' },
            ],
            histograms: [
              { count_int: 1, sum: 1, schema: 0, zero_threshold: 0.001, timestamp: 1764000000000, ...h },
            ],
          },
        ],
      } as Parameters<typeof encodeWriteRequest>[0]),
    );

  it('rejects a span claiming 4,294,967,295 buckets with one delta as malformed, without expanding it', () => {
    // 106 bytes on the wire: the walk pushed one bound per claimed bucket (30 million took 12 s and 660 MB; this
    // length ran the process out of memory). Prometheus refuses spans and deltas that disagree in count.
    const decoded = decodeTelemetry(
      histogramRequest({ positive_spans: [{ offset: 0, length: 4294967295 }], positive_deltas: [1] }),
      limits,
    );
    const point = decoded.series[0]!.histograms![0]!;
    expect(point.problem).toBe('has positive spans describing 4294967295 buckets and 1 deltas');
    expect(point.bounds).toEqual([]);
  });

  it('rejects negative spans describing fewer buckets than their float counts', () => {
    const decoded = decodeTelemetry(
      histogramRequest({
        count_float: 3,
        negative_spans: [{ offset: 0, length: 1 }],
        negative_counts: [1, 2],
      }),
      limits,
    );
    expect(decoded.series[0]!.histograms![0]!.problem).toBe(
      'has negative spans describing 1 buckets and 2 counts',
    );
  });

  it('still expands spans that match their deltas: two spans of 2 and 1 buckets over three deltas', () => {
    const decoded = decodeTelemetry(
      histogramRequest({
        count_int: 6,
        positive_spans: [
          { offset: 0, length: 2 },
          { offset: 1, length: 1 },
        ],
        positive_deltas: [1, 1, 1],
      }),
      limits,
    );
    const point = decoded.series[0]!.histograms![0]!;
    expect(point.problem).toBeUndefined();
    // Schema 0: bucket i's upper bound is 2^i; counts are running sums of the deltas.
    expect(point.bounds).toEqual([1, 2, 8]);
    expect(point.counts).toEqual([1, 2, 3]);
  });
});
