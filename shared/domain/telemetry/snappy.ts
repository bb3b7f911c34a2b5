import { ValidationError } from '../errors.js';

/**
 * The Snappy block format (what Prometheus remote write sends): a varint of the uncompressed length, then
 * literals and back-references. Written here so the length can be checked against the limit before a byte
 * is inflated (a decompression bomb is refused by its declared size).
 */

function fail(problem: string): never {
  throw new ValidationError('the body is not a valid snappy block', [{ path: '(body)', problem }]);
}

/** The uncompressed length the block declares in its preamble. */
export function snappyDeclaredLength(src: Uint8Array): number {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    const b = src[i];
    if (b === undefined) fail('the length preamble is truncated');
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return result;
    shift += 7;
  }
  return fail('the length preamble is longer than 32 bits');
}

/** Inflates a snappy block of at most maxLength uncompressed bytes. */
export function snappyDecode(src: Uint8Array, maxLength: number): Uint8Array {
  const length = snappyDeclaredLength(src);
  if (length > maxLength) fail(`declares ${length} uncompressed bytes; the limit is ${maxLength}`);
  let pos = 0;
  while ((src[pos] ?? 0) >= 0x80) pos++;
  pos++;
  const out = new Uint8Array(length);
  let o = 0;
  while (pos < src.length) {
    const tag = src[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (pos + extra > src.length) fail('a literal length is truncated');
        len = 0;
        for (let i = 0; i < extra; i++) len += src[pos + i]! * 2 ** (8 * i);
        pos += extra;
      }
      len += 1;
      if (pos + len > src.length) fail('a literal runs past the end of the block');
      if (o + len > length) fail('the data is longer than declared');
      out.set(src.subarray(pos, pos + len), o);
      pos += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos >= src.length) fail('a copy is truncated');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[pos++]!;
    } else if (kind === 2) {
      if (pos + 2 > src.length) fail('a copy is truncated');
      len = (tag >>> 2) + 1;
      offset = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > src.length) fail('a copy is truncated');
      len = (tag >>> 2) + 1;
      offset = (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16)) + src[pos + 3]! * 2 ** 24;
      pos += 4;
    }
    if (offset === 0 || offset > o) fail('a copy refers before the start of the data');
    if (o + len > length) fail('the data is longer than declared');
    // Byte by byte: a copy may overlap its own output (run-length encoding).
    for (let i = 0; i < len; i++, o++) out[o] = out[o - offset]!;
  }
  if (o !== length) fail(`holds ${o} bytes but declares ${length}`);
  return out;
}
