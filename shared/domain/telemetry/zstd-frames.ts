import { PayloadTooLargeError, ValidationError } from '../errors.js';

/**
 * The largest window a zstd frame may ask for: 8 MiB, the size RFC 8878 (section 3.1.1.1.2) recommends every
 * decoder support. The Datadog Agent (level 1) and `zstd -3` stay within it.
 */
export const ZSTD_MAX_WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * How many window-sized copies one body may cost the streaming decoder, in bytes (1 GiB: about a fifth of a second
 * here). fzstd's `Decompress` allocates each frame's whole window and moves it once per block, so the cost of a body
 * is (blocks + 1) × window per frame, whatever the output.
 */
export const ZSTD_MAX_WINDOW_WORK_BYTES = 1024 * 1024 * 1024;

const MAGIC = 0xfd2fb528;

function u32(body: Uint8Array, at: number): number {
  return (body[at]! | (body[at + 1]! << 8) | (body[at + 2]! << 16)) + body[at + 3]! * 2 ** 24;
}

/**
 * Reads the frame and block headers of a zstd body (RFC 8878: frame header, window descriptor, frame content size,
 * 3-byte block headers; skippable frames) without decoding a byte, and refuses what would make the decoder allocate
 * or copy far more than the body limit: a declared content size over `maxBytes` (413), a window over
 * {@link ZSTD_MAX_WINDOW_BYTES} or more blocks than {@link ZSTD_MAX_WINDOW_WORK_BYTES} allows for its window (400).
 * A 10-byte frame asking for a 1.9 GB window held the process for 12 s (fzstd 0.1 allocates the window up front and
 * moves it once per block). A truncated or malformed body is left to the decoder, which refuses it.
 *
 * @param body the request body as sent (`Content-Encoding: zstd`)
 * @param maxBytes the route's limit on the inflated body, in bytes
 * @throws PayloadTooLargeError when a frame declares more content than `maxBytes`
 * @throws ValidationError naming the frame when its window or block count is refused
 */
export function checkZstdFrames(body: Uint8Array, maxBytes: number): void {
  let pos = 0;
  let frame = 0;
  let work = 0;
  let declaredTotal = 0;
  // Stryker disable next-line ArithmeticOperator,EqualityOperator: with exactly 4 bytes left the magic read there ends the walk at the next guard (a frame needs a fifth byte, a skippable one its size); past the end u32 is NaN (an undefined byte times 2^24), which is no magic, so the walk returns at once either way
  while (pos + 4 <= body.length) {
    const magic = u32(body, pos);
    if (magic >>> 4 === 0x184d2a5) {
      // Skippable frame: magic, 4-byte size, that many bytes.
      // Stryker disable next-line ArithmeticOperator,ConditionalExpression,EqualityOperator: a size field cut short reads as NaN (an undefined byte), so pos becomes NaN and the loop ends as the return does; with exactly 8 bytes left the frame is empty and ends the body either way
      if (pos + 8 > body.length) return;
      pos += 8 + u32(body, pos + 4);
      frame++;
      continue;
    }
    if (magic !== MAGIC) return;
    // Stryker disable next-line ArithmeticOperator,ConditionalExpression,EqualityOperator: with the magic alone the header byte is undefined, which reads as a multi-segment frame whose window descriptor (past the end) returns below; with exactly 5 bytes the window descriptor or a single-segment frame's content size (at least 1 byte) lies past the end and a guard below returns
    if (pos + 5 > body.length) return;
    const fhd = body[pos + 4]!;
    const single = (fhd >> 5) & 1;
    const checksum = (fhd >> 2) & 1;
    const fcsFlag = fhd >> 6;
    let at = pos + 5;
    let window = 0;
    if (!single) {
      const wd = body[at++];
      if (wd === undefined) return;
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    at += [0, 1, 2, 4][fhd & 3]!;
    const fcsBytes = fcsFlag === 0 ? single : 2 ** fcsFlag;
    if (at + fcsBytes > body.length) return;
    let content: number | undefined;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: with no size field (fcsBytes 0, so single is 0) the content reads 0 instead of undefined: the window is untouched and the total grows by 0, which passes the limit only if the total already did (thrown at the previous frame) or the limit is negative (no route's is)
    if (fcsBytes > 0) {
      content = 0;
      for (let k = 0; k < fcsBytes; k++) content += body[at + k]! * 2 ** (8 * k);
      if (fcsFlag === 1) content += 256;
    }
    at += fcsBytes;
    if (single) window = content ?? 0;
    if (content !== undefined) {
      declaredTotal += content;
      if (declaredTotal > maxBytes) {
        throw new PayloadTooLargeError(`the inflated body exceeds ${maxBytes} bytes`, [
          {
            path: '(body)',
            problem: `zstd frame ${frame} declares ${content} bytes; the limit is ${maxBytes}`,
          },
        ]);
      }
    }
    if (window > ZSTD_MAX_WINDOW_BYTES) {
      throw new ValidationError('the zstd body asks for too large a window', [
        {
          path: 'Content-Encoding',
          problem: `zstd frame ${frame} asks for a ${window}-byte window; at most ${ZSTD_MAX_WINDOW_BYTES}`,
        },
      ]);
    }
    let blocks = 0;
    for (;;) {
      if (at + 3 > body.length) return;
      const header = body[at]! | (body[at + 1]! << 8) | (body[at + 2]! << 16);
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      at += 3 + (type === 1 ? 1 : size);
      blocks++;
      if (header & 1) break;
    }
    work += (blocks + 1) * Math.max(window, 1);
    if (work > ZSTD_MAX_WINDOW_WORK_BYTES) {
      throw new ValidationError('the zstd body has too many blocks for its window', [
        {
          path: 'Content-Encoding',
          problem: `zstd frame ${frame} has ${blocks} blocks in a ${window}-byte window; the body may cost at most ${ZSTD_MAX_WINDOW_WORK_BYTES} bytes of window copies`,
        },
      ]);
    }
    pos = at + checksum * 4;
    frame++;
  }
}
