import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { encodeDatadogPayload } from '../../../shared/domain/telemetry/datadog-proto.js';
import { decodeTelemetry, snappyElementFault } from '../../../shared/domain/telemetry/formats.js';
import { refusal } from '../../helpers/refusal.js';
import { agentPayload, writeRequestBytes } from '../../helpers/telemetry.js';
import { smallTestLimits } from '../../helpers/telemetry-limits.js';

// What decodeTelemetry reads from the request's headers before it reads a byte of the body, and how it inflates a
// snappy block (the varint header, the limits, the element walk). Small limits, so that each boundary is a few bytes.
const limits = smallTestLimits();

const snappy = (extra: Record<string, string> = {}) => ({
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  ...extra,
});
const oneSample = () =>
  Buffer.from(
    compress(writeRequestBytes([{ labels: { __name__: 'up' }, samples: [{ value: 1, timestampMs: 7 }] }])),
  );
const bytes = (...b: number[]) => Buffer.from(Uint8Array.from(b));

describe('which format a request is in, by its headers', () => {
  it('reads the content type without its parameters, spaces or case, and the encoding without spaces or case', () => {
    const d = decodeTelemetry(
      {
        headers: {
          'content-type': ' Application/X-Protobuf ; proto=prometheus.WriteRequest',
          'content-encoding': ' SNAPPY ',
        },
        body: oneSample(),
      },
      limits,
    );
    expect(d.format).toBe('prometheus-remote-write');
    expect(d.series.map((s) => [s.series.metric, s.points])).toEqual([
      ['up', [{ index: 0, value: 1, time: 7 }]],
    ]);
  });

  it('names a missing content type as "(none)" in its 415', () => {
    expect(refusal(() => decodeTelemetry({ headers: {}, body: bytes() }, limits))).toEqual({
      name: 'UnsupportedMediaTypeError',
      message: 'POST /v1/telemetry takes Accord JSON, Datadog v2 series or Prometheus remote write',
      details: [
        {
          path: 'Content-Type',
          problem:
            '"(none)" is not application/json or application/x-protobuf (with Content-Encoding: snappy)',
        },
      ],
    });
  });

  it('names an unknown content type, lower-cased and without its parameters, in its 415', () => {
    expect(
      refusal(() =>
        decodeTelemetry(
          { headers: { 'content-type': 'Text/CSV; charset=utf-8' }, body: bytes(0x61) },
          limits,
        ),
      ).details,
    ).toEqual([
      {
        path: 'Content-Type',
        problem:
          '"text/csv" is not application/json or application/x-protobuf (with Content-Encoding: snappy)',
      },
    ]);
  });

  it('refuses a protobuf other than remote write 1.0 by its proto parameter', () => {
    expect(
      refusal(() =>
        decodeTelemetry(
          {
            headers: snappy({
              'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
            }),
            body: oneSample(),
          },
          limits,
        ),
      ),
    ).toEqual({
      name: 'UnsupportedMediaTypeError',
      message: 'only Prometheus remote write 1.0 is accepted',
      details: [
        {
          path: 'Content-Type',
          problem: 'proto=io.prometheus.write.v2.Request is not prometheus.WriteRequest (remote write 1.0)',
        },
      ],
    });
  });

  it('reads the proto parameter up to the next semicolon or space', () => {
    expect(
      refusal(() =>
        decodeTelemetry(
          {
            headers: snappy({ 'content-type': 'application/x-protobuf; proto=other.Message ;x=1' }),
            body: oneSample(),
          },
          limits,
        ),
      ).details,
    ).toEqual([
      {
        path: 'Content-Type',
        problem: 'proto=other.Message is not prometheus.WriteRequest (remote write 1.0)',
      },
    ]);
  });

  it('accepts remote write with or without its proto parameter', () => {
    for (const type of [
      'application/x-protobuf;proto=prometheus.WriteRequest',
      'application/x-protobuf;proto=prometheus.WriteRequest;charset=binary',
      'application/x-protobuf',
    ]) {
      expect(
        decodeTelemetry({ headers: snappy({ 'content-type': type }), body: oneSample() }, limits).sampleCount,
      ).toBe(1);
    }
  });

  it('refuses a remote-write body that is not snappy-compressed, naming the encoding sent or "(none)"', () => {
    expect(
      refusal(() =>
        decodeTelemetry({ headers: { 'content-type': 'application/x-protobuf' }, body: oneSample() }, limits),
      ),
    ).toEqual({
      name: 'UnsupportedMediaTypeError',
      message: 'remote write bodies are snappy-compressed',
      details: [{ path: 'Content-Encoding', problem: '"(none)" is not snappy' }],
    });
    expect(
      refusal(() =>
        decodeTelemetry({ headers: snappy({ 'content-encoding': 'GZip' }), body: oneSample() }, limits),
      ).details,
    ).toEqual([{ path: 'Content-Encoding', problem: '"gzip" is not snappy' }]);
  });

  it('accepts remote write versions 0.1.x and a request that sends no version, and refuses 2.0 with a 415', () => {
    for (const version of ['0.1.0', '0.1.9']) {
      expect(
        decodeTelemetry(
          { headers: snappy({ 'x-prometheus-remote-write-version': version }), body: oneSample() },
          limits,
        ).sampleCount,
      ).toBe(1);
    }
    expect(decodeTelemetry({ headers: snappy(), body: oneSample() }, limits).sampleCount).toBe(1);
    expect(
      refusal(() =>
        decodeTelemetry(
          { headers: snappy({ 'x-prometheus-remote-write-version': '2.0.0' }), body: oneSample() },
          limits,
        ),
      ),
    ).toEqual({
      name: 'UnsupportedMediaTypeError',
      message: 'only remote write 1.0 (version 0.1.0) is accepted',
      details: [{ path: 'X-Prometheus-Remote-Write-Version', problem: '"2.0.0" is not 0.1.x' }],
    });
  });

  it('takes JSON by application/json or any +json type, and tells Datadog from Accord by a top-level series', () => {
    const json = (type: string, body: unknown) =>
      decodeTelemetry({ headers: { 'content-type': type }, body: Buffer.from(JSON.stringify(body)) }, limits);
    expect(json('application/json', { series: [] }).format).toBe('datadog-v2');
    expect(json('application/vnd.accord+json', { version: 1, samples: [] }).format).toBe('accord-json');
    expect(json('application/json; charset=utf-8', { version: 1, samples: [] }).format).toBe('accord-json');
  });

  it('refuses a compressed JSON body with a 415, and accepts the identity encoding', () => {
    const body = Buffer.from(JSON.stringify({ version: 1, samples: [] }));
    expect(
      refusal(() =>
        decodeTelemetry(
          { headers: { 'content-type': 'application/json', 'content-encoding': 'Gzip ' }, body },
          limits,
        ),
      ),
    ).toEqual({
      name: 'UnsupportedMediaTypeError',
      message: 'JSON bodies are accepted uncompressed',
      details: [{ path: 'Content-Encoding', problem: '"gzip" is not supported for JSON' }],
    });
    expect(
      decodeTelemetry(
        { headers: { 'content-type': 'application/json', 'content-encoding': 'identity' }, body },
        limits,
      ).format,
    ).toBe('accord-json');
  });

  it('refuses a JSON body that is not UTF-8 as malformed JSON', () => {
    expect(
      refusal(() =>
        decodeTelemetry(
          { headers: { 'content-type': 'application/json' }, body: bytes(0x7b, 0xff, 0x7d) },
          limits,
        ),
      ),
    ).toEqual({
      name: 'ValidationError',
      message: 'malformed JSON',
      details: [{ path: '(body)', problem: 'is not valid UTF-8' }],
    });
  });

  it('reads a JSON body that is null, an array or a string as an Accord batch and refuses its envelope', () => {
    for (const text of ['null', '[{"series":[]}]', '"series"']) {
      const r = refusal(() =>
        decodeTelemetry({ headers: { 'content-type': 'application/json' }, body: Buffer.from(text) }, limits),
      );
      expect(r.name).toBe('ValidationError');
      expect(r.message).toBe('the batch envelope does not match the schema');
      expect((r.details as { path: string }[]).map((d) => d.path)).toEqual(['']);
    }
  });
});

describe('the Datadog Agent’s protobuf payload (options.datadog)', () => {
  const agentBody = () => Buffer.from(encodeDatadogPayload(agentPayload(0)));

  it('decodes the Agent’s body on the Datadog path, uncompressed or with the identity encoding', () => {
    for (const headers of [
      { 'content-type': 'application/x-protobuf' } as Record<string, string>,
      { 'content-type': 'application/x-protobuf', 'content-encoding': 'Identity' },
    ]) {
      const d = decodeTelemetry({ headers, body: agentBody() }, limits, { datadog: true });
      expect(d.format).toBe('datadog-v2');
      expect(d.sampleCount).toBe(3);
      expect(d.series.map((s) => [s.series.metric, s.series.labels, s.type, s.intervalS, s.unit])).toEqual([
        ['checkout.requests', { host: 'web-1', env: 'prod', canary: '' }, 'delta', 10, 'request'],
        ['queue.depth', {}, 'gauge', undefined, undefined],
      ]);
    }
  });

  it('refuses a still-compressed Agent body with a 415 naming the encoding', () => {
    expect(
      refusal(() =>
        decodeTelemetry(
          {
            headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'Deflate' },
            body: agentBody(),
          },
          limits,
          { datadog: true },
        ),
      ),
    ).toEqual({
      name: 'UnsupportedMediaTypeError',
      message: 'the Agent’s payload is accepted deflate, gzip or zstd compressed',
      details: [{ path: 'Content-Encoding', problem: '"deflate" is not deflate, gzip or zstd' }],
    });
  });

  it('reads JSON on the Datadog path as JSON, and snappy protobuf off it as remote write', () => {
    const d = decodeTelemetry(
      {
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(
          JSON.stringify({ series: [{ metric: 'm', points: [{ timestamp: 1, value: 2 }] }] }),
        ),
      },
      limits,
      { datadog: true },
    );
    expect(d.format).toBe('datadog-v2');
    expect(decodeTelemetry({ headers: snappy(), body: oneSample() }, limits, { datadog: false }).format).toBe(
      'prometheus-remote-write',
    );
  });
});

describe('the size limits of a snappy body', () => {
  it('takes a compressed body of exactly the limit and refuses one byte more with a 413 naming both', () => {
    // A 500-byte block: one literal of 497 bytes (header 0xf1 0x03, tag 0xf0 0xf0) is not a WriteRequest, so the
    // body at the limit gets past the limit to the wire-type check.
    const atLimit = Buffer.concat([bytes(0xf1, 0x03, 0xf0, 0xf0), Buffer.alloc(496, 0x0a)]);
    expect(atLimit.length).toBe(500);
    expect(refusal(() => decodeTelemetry({ headers: snappy(), body: atLimit }, limits)).name).toBe(
      'ValidationError',
    );
    const over = Buffer.concat([atLimit, bytes(0)]);
    expect(refusal(() => decodeTelemetry({ headers: snappy(), body: over }, limits))).toEqual({
      name: 'PayloadTooLargeError',
      message: 'the compressed body is 501 bytes; the limit is 500',
      details: [{ path: '(body)', problem: 'exceeds 500 compressed bytes' }],
    });
  });

  it('inflates a block declaring exactly the limit and refuses one declaring a byte more, before inflating', () => {
    const wr = writeRequestBytes([{ labels: { __name__: 'up' }, samples: [{ value: 1, timestampMs: 7 }] }]);
    const body = Buffer.from(compress(wr));
    expect(
      decodeTelemetry({ headers: snappy(), body }, { ...limits, maxBodyBytes: wr.length }).sampleCount,
    ).toBe(1);
    expect(
      refusal(() => decodeTelemetry({ headers: snappy(), body }, { ...limits, maxBodyBytes: wr.length - 1 })),
    ).toEqual({
      name: 'PayloadTooLargeError',
      message: `the inflated body exceeds ${wr.length - 1} bytes`,
      details: [
        {
          path: '(body)',
          problem: `declares ${wr.length} uncompressed bytes; the limit is ${wr.length - 1}`,
        },
      ],
    });
  });

  it('reads a varint header of several bytes, little-endian groups of seven bits', () => {
    // 300 bytes of 'x' (header 0xac 0x02) and 20,000 of 'y' (header 0xa0 0x9c 0x01) round-trip.
    for (const n of [300, 20_000]) {
      const wr = writeRequestBytes([
        { labels: { __name__: 'up', pad: 'x'.repeat(n) }, samples: [{ value: 3, timestampMs: 9 }] },
      ]);
      const d = decodeTelemetry(
        { headers: snappy(), body: Buffer.from(compress(wr)) },
        { ...limits, maxBodyBytes: wr.length, maxCompressedBodyBytes: wr.length },
      );
      expect(d.series[0]!.series.labels).toEqual({ pad: 'x'.repeat(n) });
    }
  });

  it('reads at most five header bytes, naming what they declare', () => {
    // Six bytes with the continuation bit: the first five declare 0x7f * (1 + 2^7 + 2^14 + 2^21 + 2^28).
    expect(
      refusal(() =>
        decodeTelemetry({ headers: snappy(), body: bytes(255, 255, 255, 255, 255, 255) }, limits),
      ),
    ).toEqual({
      name: 'PayloadTooLargeError',
      message: 'the inflated body exceeds 2000 bytes',
      details: [{ path: '(body)', problem: 'declares 34359738367 uncompressed bytes; the limit is 2000' }],
    });
    // Five continuation bytes declaring 0, then a literal tag at byte 5 with nothing after it.
    expect(
      refusal(() =>
        decodeTelemetry({ headers: snappy(), body: bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x00) }, limits),
      ),
    ).toEqual({
      name: 'ValidationError',
      message: 'the body is not a valid snappy block',
      details: [
        {
          path: 'Content-Encoding',
          problem: 'snappy: the literal at byte 5 claims 1 bytes, past the end of the body',
        },
      ],
    });
  });

  it('answers what snappyjs itself refuses as a 400 in the same words', () => {
    // An empty body has no header; a 1-byte literal whose length is in one extra byte is valid Snappy that
    // snappyjs refuses (it wants four bytes after such a tag).
    for (const body of [bytes(), bytes(0x01, 0xf0, 0x00, 0x41)]) {
      expect(refusal(() => decodeTelemetry({ headers: snappy(), body }, limits))).toEqual({
        name: 'ValidationError',
        message: 'the body is not a valid snappy block',
        details: [{ path: 'Content-Encoding', problem: 'snappy: Invalid Snappy bitstream' }],
      });
    }
  });
});

describe('the element walk over a snappy block', () => {
  it('lets a literal of 60 bytes carry its length in its tag', () => {
    const block = Uint8Array.from([0xec, ...new Array(60).fill(0x61)]);
    expect(snappyElementFault(block, 0, 60)).toBeUndefined();
    expect(snappyElementFault(block.subarray(0, 60), 0)).toBe(
      'the literal at byte 0 claims 60 bytes, past the end of the body',
    );
  });

  it('reads literal lengths of 1 to 4 extra bytes, each exactly as long as it says', () => {
    // The literal "A" with its length (0, plus one) in 1, 2, 3 and 4 bytes, then "B" in a literal of its own.
    for (const tag of [
      [0xf0, 0],
      [0xf4, 0, 0],
      [0xf8, 0, 0, 0],
      [0xfc, 0, 0, 0, 0],
    ]) {
      const block = Uint8Array.from([...tag, 0x41, 0x00, 0x42]);
      expect(snappyElementFault(block, 0, 2)).toBeUndefined();
    }
    // A 300-byte literal with a 2-byte length (299 = 0x012b).
    expect(
      snappyElementFault(Uint8Array.from([0xf4, 0x2b, 0x01, ...new Array(300).fill(0x7a)]), 0, 300),
    ).toBe(undefined);
  });

  it('names a literal whose length byte is the last byte of the body as claiming bytes past the end', () => {
    expect(snappyElementFault(Uint8Array.from([0xf0, 0x00]), 0)).toBe(
      'the literal at byte 0 claims 1 bytes, past the end of the body',
    );
  });

  it('names the exact length a literal with a 4-byte length claims', () => {
    expect(snappyElementFault(Uint8Array.from([0xfc, 0x01, 0x02, 0x03, 0x04]), 0)).toBe(
      'the literal at byte 0 claims 67305986 bytes, past the end of the body',
    );
  });

  it('lets copies of each kind end the block, with the lengths their tags carry', () => {
    // "a", then a copy of 11 (copy-1, length bits 7), a copy of 10 (copy-2), a copy of 2 (copy-4), each offset 1.
    expect(snappyElementFault(Uint8Array.from([0x00, 0x61, 0x1d, 0x01]), 0, 12)).toBeUndefined();
    expect(snappyElementFault(Uint8Array.from([0x00, 0x61, 0x26, 0x01, 0x00]), 0, 11)).toBeUndefined();
    expect(
      snappyElementFault(Uint8Array.from([0x00, 0x61, 0x07, 0x01, 0x00, 0x00, 0x00]), 0, 3),
    ).toBeUndefined();
    // Counted lengths: one byte fewer or more declared is named.
    expect(snappyElementFault(Uint8Array.from([0x00, 0x61, 0x1d, 0x01]), 0, 13)).toBe(
      'the block produces 12 bytes where the header declares 13',
    );
    expect(snappyElementFault(Uint8Array.from([0x00, 0x61, 0x26, 0x01, 0x00]), 0, 10)).toBe(
      'the element at byte 2 produces bytes past the 10 the header declares',
    );
  });

  it('reads each byte of a copy’s offset in its place', () => {
    expect(snappyElementFault(Uint8Array.from([0x00, 0x61, 0x03, 0x01, 0x02, 0x03, 0x04]), 0)).toBe(
      'the copy at byte 2 reaches 67305985 bytes back, where 1 have been produced',
    );
    expect(snappyElementFault(Uint8Array.from([0x00, 0x61, 0x02, 0x03, 0x04]), 0)).toBe(
      'the copy at byte 2 reaches 1027 bytes back, where 1 have been produced',
    );
    expect(snappyElementFault(Uint8Array.from([0x00, 0x61, 0xa1, 0x03]), 0)).toBe(
      'the copy at byte 2 reaches 1283 bytes back, where 1 have been produced',
    );
  });

  it('names a truncated copy of each kind', () => {
    expect(snappyElementFault(Uint8Array.from([0x00, 0x61, 0x01]), 0)).toBe(
      'the copy at byte 2 is truncated',
    );
    expect(snappyElementFault(Uint8Array.from([0x00, 0x61, 0x02, 0x01]), 0)).toBe(
      'the copy at byte 2 is truncated',
    );
    expect(snappyElementFault(Uint8Array.from([0x00, 0x61, 0x03, 0x01, 0x00, 0x00]), 0)).toBe(
      'the copy at byte 2 is truncated',
    );
  });

  it('walks from the offset it is given, and without a declared length checks the elements only', () => {
    expect(snappyElementFault(Uint8Array.from([0xff, 0xff, 0x00, 0x61]), 2)).toBeUndefined();
    expect(snappyElementFault(Uint8Array.from([0xff, 0xff, 0x00, 0x61]), 2, 1)).toBeUndefined();
    expect(snappyElementFault(Uint8Array.from([0xff, 0xff, 0x00, 0x61]), 2, 2)).toBe(
      'the block produces 1 bytes where the header declares 2',
    );
  });
});
