import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import {
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import { decodeTelemetry } from '../../../shared/domain/telemetry/formats.js';
import {
  decodeWriteRequest,
  encodeWriteRequest,
  type PromSeries,
} from '../../../shared/domain/telemetry/protobuf.js';
import { snappyDecode } from '../../../shared/domain/telemetry/snappy.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import { jsonRequest, promRequest } from '../../helpers/telemetry.js';

const limits = loadTelemetryPolicy().limits;

describe('snappy and protobuf at the edge', () => {
  it('inflates what an independent snappy encoder compressed, including back-references', () => {
    const text = new TextEncoder().encode(`${'abcabcabcabc'.repeat(500)}the end`);
    const out = snappyDecode(compress(text), 1 << 20);
    expect(Buffer.from(out).equals(Buffer.from(text))).toBe(true);
  });

  it('refuses a block that declares more than the limit before inflating a byte', () => {
    const big = compress(new Uint8Array(100_000));
    try {
      snappyDecode(big, 50_000);
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).details[0]!.problem).toMatch(/declares 100000 .* the limit is 50000/);
    }
  });

  it('refuses a truncated block as a validation error, never a crash', () => {
    const c = compress(new TextEncoder().encode('hello hello hello hello'));
    expect(() => snappyDecode(c.subarray(0, c.length - 3), 1000)).toThrow(ValidationError);
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
    const back = decodeWriteRequest(encodeWriteRequest(series));
    expect(back[0]).toEqual(series[0]);
    expect(back[1]!.samples[0]).toEqual({ value: -2.5, timestampMs: 5 });
    expect(Number.isNaN(back[1]!.samples[1]!.value)).toBe(true);
  });

  it('reads negative int64 timestamps as negative numbers', () => {
    const back = decodeWriteRequest(
      encodeWriteRequest([{ labels: { __name__: 'a' }, samples: [{ value: 1, timestampMs: -1000 }] }]),
    );
    expect(back[0]!.samples[0]!.timestampMs).toBe(-1000);
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
      expect((e as ValidationError).details[0]!.path).toBe('.version');
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
    expect(d.samples[0]!.series.labels).toEqual({
      service: 'card-authorisation',
      env: 'prod',
      host: 'host-1',
    });
    expect(d.samples[0]!.epochUnit).toBe('s');
  });
});
