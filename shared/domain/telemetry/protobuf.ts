import { ValidationError } from '../errors.js';

/**
 * A minimal protobuf wire reader and the Prometheus remote write 1.0 messages:
 *   WriteRequest { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 *   TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; exemplars = 3; histograms = 4; }
 *   Label { string name = 1; string value = 2; }
 *   Sample { double value = 1; int64 timestamp = 2; }   // timestamp in epoch milliseconds
 * Fields this service does not use (metadata, exemplars, native histograms) are skipped by wire type.
 */

export interface PromSample {
  value: number;
  timestampMs: number;
}

export interface PromSeries {
  labels: Record<string, string>;
  samples: PromSample[];
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
    readonly view: DataView,
  ) {
    this.pos = start;
  }

  fail(problem: string): never {
    throw new ValidationError('the body is not a valid remote write WriteRequest', [
      { path: `(body)@${this.pos}`, problem },
    ]);
  }

  varint(): number {
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) this.fail('a varint is truncated');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    // Past 56 bits a double loses precision: negative int64 values (10 bytes, two's complement) go here.
    this.pos = start;
    let big = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('a varint is truncated');
      const b = this.buf[this.pos++]!;
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return Number(BigInt.asIntN(64, big));
      shift += 7n;
    }
    return this.fail('a varint is longer than 10 bytes');
  }

  double(): number {
    if (this.pos + 8 > this.end) this.fail('a double is truncated');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bytes(): [number, number] {
    const len = this.varint();
    if (len < 0 || this.pos + len > this.end) this.fail('a length-delimited field runs past its message');
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.advance(8);
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.advance(4);
    else this.fail(`wire type ${wire} is not supported`);
  }

  advance(n: number): void {
    if (this.pos + n > this.end) this.fail('a fixed-width field is truncated');
    this.pos += n;
  }

  sub(range: [number, number]): Reader {
    return new Reader(this.buf, range[0], range[1], this.view);
  }

  string(): string {
    const [s, e] = this.bytes();
    return utf8.decode(this.buf.subarray(s, e));
  }
}

/** Decodes a remote write 1.0 WriteRequest (already inflated). */
export function decodeWriteRequest(buf: Uint8Array): PromSeries[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const r = new Reader(buf, 0, buf.length, view);
  const out: PromSeries[] = [];
  while (r.pos < r.end) {
    const key = r.varint();
    if (key === 10) out.push(decodeSeries(r.sub(r.bytes())));
    else r.skip(key & 7);
  }
  return out;
}

function decodeSeries(r: Reader): PromSeries {
  const labels: Record<string, string> = {};
  const samples: PromSample[] = [];
  while (r.pos < r.end) {
    const key = r.varint();
    if (key === 10) {
      const l = r.sub(r.bytes());
      let name = '';
      let value = '';
      while (l.pos < l.end) {
        const k = l.varint();
        if (k === 10) name = l.string();
        else if (k === 18) value = l.string();
        else l.skip(k & 7);
      }
      labels[name] = value;
    } else if (key === 18) {
      const s = r.sub(r.bytes());
      let value = 0;
      let timestampMs = 0;
      while (s.pos < s.end) {
        const k = s.varint();
        if (k === 9) value = s.double();
        else if (k === 16) timestampMs = s.varint();
        else s.skip(k & 7);
      }
      samples.push({ value, timestampMs });
    } else r.skip(key & 7);
  }
  return { labels, samples };
}

/** Encodes a WriteRequest: what Prometheus sends (for tests, the benchmark and sample events). */
export function encodeWriteRequest(series: readonly PromSeries[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: number[] = [];
  const varint = (out: number[], v: number) => {
    if (v < 0) {
      let n = BigInt.asUintN(64, BigInt(Math.trunc(v)));
      while (n >= 128n) {
        out.push(Number(n & 127n) | 0x80);
        n >>= 7n;
      }
      out.push(Number(n));
      return;
    }
    let n = v;
    while (n >= 128) {
      out.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
  };
  const ld = (out: number[], field: number, body: ArrayLike<number>) => {
    varint(out, (field << 3) | 2);
    varint(out, body.length);
    for (let i = 0; i < body.length; i++) out.push(body[i]!);
  };
  const f64 = new DataView(new ArrayBuffer(8));
  for (const s of series) {
    const ts: number[] = [];
    for (const [name, value] of Object.entries(s.labels)) {
      const l: number[] = [];
      ld(l, 1, enc.encode(name));
      ld(l, 2, enc.encode(value));
      ld(ts, 1, l);
    }
    for (const p of s.samples) {
      const m: number[] = [9];
      f64.setFloat64(0, p.value, true);
      for (let i = 0; i < 8; i++) m.push(f64.getUint8(i));
      m.push(16);
      varint(m, p.timestampMs);
      ld(ts, 2, m);
    }
    ld(parts, 1, ts);
  }
  return Uint8Array.from(parts);
}
