/**
 * Compressed chunks of one series' samples, after Gorilla (Pelkonen et al., "Gorilla: A Fast, Scalable, In-Memory
 * Time Series Database", VLDB 2015) and Prometheus TSDB's XOR chunks, made byte-aligned (cheaper in JavaScript than
 * a bit stream, a little larger):
 *
 * - timestamps (epoch ms, ascending): the first as a varint, the first delta as a varint, then each
 *   delta-of-delta zigzag-varint encoded (a regular scrape interval costs one byte a sample);
 * - values, either (mode 0) when every value is a safe integer (counts, whole milliseconds) and no step overflows:
 *   the first and each difference from the previous as zigzag varints; or (mode 1) the 64 bits of each double XOR
 *   the previous one's, written as a control byte (leading zero bytes << 4 | trailing zero bytes) and the bytes
 *   between (an unchanged value costs one byte).
 *
 * Layout: mode (1 byte), count (varint), timestamps, values. Decoding gives back exactly the doubles encoded (NaN
 * payloads and -0 included, in mode 1).
 */

/** Differences above this go to the XOR mode: their zigzag form must stay a safe integer. */
const MAX_INT_STEP = 2 ** 51;

class Writer {
  buf: Uint8Array;
  pos = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  /** An unsigned integer up to 2^53 as a base-128 varint (arithmetic, not 32-bit bitwise operators). */
  uvarint(v: number): void {
    this.ensure(8);
    while (v >= 128) {
      this.buf[this.pos++] = (v % 128) + 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  svarint(v: number): void {
    this.uvarint(v >= 0 ? 2 * v : -2 * v - 1);
  }
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('chunk truncated');
    return this.buf[this.pos++]!;
  }
  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      v += (b & 127) * mul;
      if (b < 128) return v;
      mul *= 128;
    }
  }
  svarint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the low and high 32-bit halves of a double in `u32` (platform byte order). */
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

function integerMode(values: ArrayLike<number>, from: number, to: number): boolean {
  let prev = 0;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (!Number.isSafeInteger(v) || Object.is(v, -0) || Math.abs(v - prev) > MAX_INT_STEP) return false;
    prev = v;
  }
  return true;
}

/**
 * Encodes samples `from` to `to` (exclusive) of parallel arrays of timestamps (ascending epoch ms, safe integers)
 * and values into one chunk.
 * @throws Error when the timestamps are not ascending integers
 */
export function encodeChunk(
  ts: ArrayLike<number>,
  values: ArrayLike<number>,
  from = 0,
  to = ts.length,
): Uint8Array {
  const n = to - from;
  const w = new Writer(16 + n * 3);
  const ints = integerMode(values, from, to);
  w.byte(ints ? 0 : 1);
  w.uvarint(n);
  let prevT = 0;
  let prevD = 0;
  for (let i = from; i < to; i++) {
    const t = ts[i]!;
    if (!Number.isSafeInteger(t) || (i > from && t <= prevT))
      throw new Error(`chunk timestamps must be ascending integers (at ${i}: ${t})`);
    if (i === from) w.uvarint(t);
    else if (i === from + 1) {
      prevD = t - prevT;
      w.uvarint(prevD);
    } else {
      const d = t - prevT;
      w.svarint(d - prevD);
      prevD = d;
    }
    prevT = t;
  }
  if (ints) {
    let prev = 0;
    for (let i = from; i < to; i++) {
      const v = values[i]!;
      w.svarint(v - prev);
      prev = v;
    }
  } else {
    let pLo = 0;
    let pHi = 0;
    for (let i = from; i < to; i++) {
      f64[0] = values[i]!;
      const lo = u32[LO]!;
      const hi = u32[HI]!;
      const xLo = (lo ^ pLo) >>> 0;
      const xHi = (hi ^ pHi) >>> 0;
      pLo = lo;
      pHi = hi;
      // Bytes of the 64-bit XOR, most significant first.
      let lead = 0;
      let trail = 0;
      if (xLo === 0 && xHi === 0) {
        w.byte(0x80);
        continue;
      }
      const bytes = [
        xHi >>> 24,
        (xHi >>> 16) & 255,
        (xHi >>> 8) & 255,
        xHi & 255,
        xLo >>> 24,
        (xLo >>> 16) & 255,
        (xLo >>> 8) & 255,
        xLo & 255,
      ];
      while (bytes[lead] === 0) lead++;
      while (bytes[7 - trail] === 0) trail++;
      w.ensure(9);
      w.byte((lead << 4) | trail);
      for (let k = lead; k < 8 - trail; k++) w.buf[w.pos++] = bytes[k]!;
    }
  }
  return w.buf.slice(0, w.pos);
}

/** Decodes a chunk into its timestamps and values (both as plain arrays, in time order). */
export function decodeChunk(chunk: Uint8Array): { ts: number[]; values: number[] } {
  const r = new Reader(chunk);
  const mode = r.byte();
  const n = r.uvarint();
  const ts: number[] = new Array(n);
  const values: number[] = new Array(n);
  let prevT = 0;
  let prevD = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0) prevT = r.uvarint();
    else if (i === 1) {
      prevD = r.uvarint();
      prevT += prevD;
    } else {
      prevD += r.svarint();
      prevT += prevD;
    }
    ts[i] = prevT;
  }
  if (mode === 0) {
    let prev = 0;
    for (let i = 0; i < n; i++) {
      prev += r.svarint();
      values[i] = prev;
    }
  } else if (mode === 1) {
    let pLo = 0;
    let pHi = 0;
    for (let i = 0; i < n; i++) {
      const c = r.byte();
      if (c !== 0x80) {
        const lead = c >> 4;
        const trail = c & 15;
        let xHi = 0;
        let xLo = 0;
        for (let k = lead; k < 8 - trail; k++) {
          const b = r.byte();
          if (k < 4) xHi += b * 2 ** (8 * (3 - k));
          else xLo += b * 2 ** (8 * (7 - k));
        }
        pHi = (pHi ^ xHi) >>> 0;
        pLo = (pLo ^ xLo) >>> 0;
      }
      u32[LO] = pLo;
      u32[HI] = pHi;
      values[i] = f64[0]!;
    }
  } else throw new Error(`unknown chunk mode ${mode}`);
  return { ts, values };
}

/** The number of samples a chunk holds, read from its header without decoding it. */
export function chunkCount(chunk: Uint8Array): number {
  const r = new Reader(chunk);
  r.byte();
  return r.uvarint();
}
