import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError, ValidationError } from '../../../shared/domain/errors.js';
import {
  checkZstdFrames,
  ZSTD_MAX_WINDOW_BYTES,
  ZSTD_MAX_WINDOW_WORK_BYTES,
} from '../../../shared/domain/telemetry/zstd-frames.js';

/**
 * The zstd frame walk field by field, on hand-made frames (RFC 8878 section 3.1.1: magic, frame header descriptor,
 * window descriptor, dictionary id, frame content size, 3-byte block headers, checksum; skippable frames). Written
 * from the survivors of its first mutation run (55 %, lead, wave 6): each case fixes one field's reading.
 */
const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const MiB = 1024 * 1024;
const le = (n: number, bytes: number) =>
  Array.from({ length: bytes }, (_, k) => Math.floor(n / 2 ** (8 * k)) & 0xff);

/** A 3-byte block header: size, type (0 raw, 1 RLE, 2 compressed), last-block bit. */
const blockHeader = (size: number, type: number, last: boolean) =>
  le((size << 3) | (type << 1) | (last ? 1 : 0), 3);
/** A raw block carrying `size` bytes. */
const raw = (size: number, last = false) => [
  ...blockHeader(size, 0, last),
  ...new Array<number>(size).fill(0x61),
];
/** An RLE block: one byte, repeated `size` times by the decoder (the body carries that one byte only). */
const rle = (size: number, last = false) => [...blockHeader(size, 1, last), 0x61];

interface FrameSpec {
  /** Window descriptor byte (exponent << 3 | mantissa); absent for a single-segment frame. */
  wd?: number;
  /** Frame content size field: 0 none (or 1 byte when single), 1 two bytes (+256), 2 four bytes, 3 eight bytes. */
  fcsFlag?: number;
  fcs?: number;
  single?: boolean;
  /** Dictionary id field size flag (0..3: 0, 1, 2 or 4 bytes). */
  dictFlag?: number;
  checksum?: boolean;
  blocks?: number[];
}

/** One zstd frame's bytes from its fields. */
function frame(f: FrameSpec): number[] {
  const fcsFlag = f.fcsFlag ?? 0;
  const single = f.single ?? false;
  const fhd = (fcsFlag << 6) | ((single ? 1 : 0) << 5) | ((f.checksum ? 1 : 0) << 2) | (f.dictFlag ?? 0);
  const fcsBytes = fcsFlag === 0 ? (single ? 1 : 0) : 2 ** fcsFlag;
  const fcsValue = fcsFlag === 1 ? (f.fcs ?? 0) - 256 : (f.fcs ?? 0);
  return [
    ...MAGIC,
    fhd,
    ...(single ? [] : [f.wd ?? 0x00]),
    ...new Array<number>([0, 1, 2, 4][f.dictFlag ?? 0]!).fill(0x07),
    ...le(fcsValue, fcsBytes),
    ...(f.blocks ?? raw(1, true)),
    ...(f.checksum ? [0xde, 0xad, 0xbe, 0xef] : []),
  ];
}

/** What `checkZstdFrames` throws for `bytes` (undefined when it accepts them). */
function refusal(
  bytes: number[],
  maxBytes = 5 * MiB,
): { error: unknown; path?: string; problem?: string } | undefined {
  try {
    checkZstdFrames(Uint8Array.from(bytes), maxBytes);
  } catch (error) {
    const detail = (error as ValidationError).details?.[0];
    return { error, path: detail?.path, problem: detail?.problem };
  }
  return undefined;
}

describe('the zstd frame walk reads each header field as RFC 8878 lays it out', () => {
  it('reads the window descriptor as 2^(10 + exponent) plus eighths: 8 MiB exactly passes, 9 MiB is refused naming it', () => {
    expect(refusal(frame({ wd: 13 << 3 }))).toBeUndefined(); // 2^23 = 8 MiB, the limit itself
    const r = refusal(frame({ wd: (13 << 3) | 1 })); // 8 MiB + 1 MiB
    expect(r?.error).toBeInstanceOf(ValidationError);
    expect(r?.path).toBe('Content-Encoding');
    expect(r?.problem).toBe(
      `zstd frame 0 asks for a ${9 * MiB}-byte window; at most ${ZSTD_MAX_WINDOW_BYTES}`,
    );
    expect((r?.error as Error | undefined)?.message).toBe('the zstd body asks for too large a window');
    // exponent 10, mantissa 7: 1 MiB + 7/8 MiB = 1,966,080 bytes, well within.
    expect(refusal(frame({ wd: (10 << 3) | 7 }))).toBeUndefined();
  });

  it("takes a single-segment frame's window from its content size, with no window descriptor byte", () => {
    // 9 MiB declared in a 4-byte size field: its window is 9 MiB (refused), though the body limit allows the size.
    const r = refusal(frame({ single: true, fcsFlag: 2, fcs: 9 * MiB }), 100 * MiB);
    expect(r?.problem).toBe(
      `zstd frame 0 asks for a ${9 * MiB}-byte window; at most ${ZSTD_MAX_WINDOW_BYTES}`,
    );
    // A 1-byte size (flag 0 with the single-segment bit): 200 bytes, window 200, passes.
    expect(refusal(frame({ single: true, fcs: 200 }), 1000)).toBeUndefined();
  });

  it('reads a 2-byte content size as value + 256, and refuses a size over the body limit with a 413 naming it', () => {
    const r = refusal(frame({ wd: 0x00, fcsFlag: 1, fcs: 272 }), 271);
    expect(r?.error).toBeInstanceOf(PayloadTooLargeError);
    expect(r?.path).toBe('(body)');
    expect(r?.problem).toBe('zstd frame 0 declares 272 bytes; the limit is 271');
    expect((r?.error as Error | undefined)?.message).toBe('the inflated body exceeds 271 bytes');
    expect(refusal(frame({ wd: 0x00, fcsFlag: 1, fcs: 272 }), 272)).toBeUndefined(); // exactly the limit passes
  });

  it('skips the dictionary id (0, 1, 2 or 4 bytes) before the content size', () => {
    for (const dictFlag of [1, 2, 3]) {
      expect(refusal(frame({ wd: 0x00, dictFlag, fcsFlag: 2, fcs: 70_000 }), 69_999)?.problem).toBe(
        'zstd frame 0 declares 70000 bytes; the limit is 69999',
      );
    }
  });

  it('adds up the content sizes of every frame, and names the frame that goes over, past a checksum', () => {
    const two = [
      ...frame({ wd: 0x00, fcsFlag: 1, fcs: 600, checksum: true, blocks: [...raw(2), ...rle(500, true)] }),
      ...frame({ wd: 0x00, fcsFlag: 1, fcs: 600 }),
    ];
    expect(refusal(two, 1000)?.problem).toBe('zstd frame 1 declares 600 bytes; the limit is 1000');
    expect(refusal(two, 1200)).toBeUndefined();
  });

  it('steps over skippable frames (they count as frames), and stops quietly at a cut one', () => {
    const skippable = [0x50, 0x2a, 0x4d, 0x18, ...le(3, 4), 1, 2, 3];
    expect(refusal([...skippable, ...frame({ wd: (13 << 3) | 1 })])?.problem).toMatch(
      /^zstd frame 1 asks for/,
    );
    expect(refusal([...skippable, ...skippable, ...frame({ wd: (13 << 3) | 1 })])?.problem).toMatch(
      /^zstd frame 2 asks for/,
    );
    expect(refusal([0x50, 0x2a, 0x4d, 0x18, 3, 0])).toBeUndefined(); // its size field is cut: left to the decoder
  });

  it('leaves what is not a zstd frame to the decoder, even bytes that would read as a huge window', () => {
    // Not the magic number: a header byte and a 512 MiB window descriptor after it are never read.
    expect(refusal([1, 2, 3, 4, 0x00, 19 << 3, ...raw(1, true)])).toBeUndefined();
    expect(refusal([...MAGIC.slice(0, 3)])).toBeUndefined();
  });

  it('counts every block, raw and RLE alike (an RLE block carries one byte whatever its size): 127 blocks of an 8 MiB window pass, 128 are refused', () => {
    const blocks = (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(...(i % 2 ? rle(1000, i === n - 1) : raw(2, i === n - 1)));
      return out;
    };
    // (blocks + 1) window copies: 128 × 8 MiB is exactly the 1 GiB allowed; 129 × 8 MiB is over.
    expect(ZSTD_MAX_WINDOW_WORK_BYTES).toBe(128 * 8 * MiB);
    expect(refusal(frame({ wd: 13 << 3, blocks: blocks(127) }))).toBeUndefined();
    const r = refusal(frame({ wd: 13 << 3, blocks: blocks(128) }));
    expect(r?.path).toBe('Content-Encoding');
    expect((r?.error as Error | undefined)?.message).toBe('the zstd body has too many blocks for its window');
    expect(r?.problem).toBe(
      `zstd frame 0 has 128 blocks in a ${8 * MiB}-byte window; the body may cost at most ${ZSTD_MAX_WINDOW_WORK_BYTES} bytes of window copies`,
    );
  });

  it('stops quietly at a cut block header (left to the decoder), also after blocks it has counted', () => {
    expect(refusal([...frame({ wd: 13 << 3, blocks: [...raw(2)] }), 0x08])).toBeUndefined();
    expect(refusal(frame({ wd: 13 << 3, blocks: [0x01, 0x00] }))).toBeUndefined();
  });

  it('judges a frame whose body ends right after its header: a declared size over the limit is a 413, a 9 MiB window a 400', () => {
    // Single-segment, 4-byte size of 2,000,000 bytes, no block yet: the header alone declares too much.
    const sized = refusal(frame({ single: true, fcsFlag: 2, fcs: 2_000_000, blocks: [] }), 1_000_000);
    expect(sized?.error).toBeInstanceOf(PayloadTooLargeError);
    expect(sized?.problem).toBe('zstd frame 0 declares 2000000 bytes; the limit is 1000000');
    // No size field at all: the body ends on the window descriptor (8 MiB + 1 MiB).
    expect(refusal(frame({ wd: (13 << 3) | 1, blocks: [] }))?.problem).toBe(
      `zstd frame 0 asks for a ${9 * MiB}-byte window; at most ${ZSTD_MAX_WINDOW_BYTES}`,
    );
  });

  it('leaves a frame cut inside its content-size field to the decoder, even when its window descriptor asks for 9 MiB', () => {
    const whole = frame({ wd: (13 << 3) | 1, fcsFlag: 2, fcs: 100, blocks: [] });
    expect(whole).toHaveLength(4 + 1 + 1 + 4);
    expect(refusal(whole)?.error).toBeInstanceOf(ValidationError); // complete, it is refused for its window
    expect(refusal(whole.slice(0, 8))).toBeUndefined(); // 2 of its 4 size bytes: not read, not judged
  });

  it("counts a last block whose header is the body's final three bytes: 127 raw blocks and an empty last one are 128, refused", () => {
    const blocks: number[] = [];
    for (let i = 0; i < 127; i++) blocks.push(...raw(2));
    blocks.push(...raw(0, true));
    const body = frame({ wd: 13 << 3, blocks });
    expect(body.slice(-3)).toEqual([0x01, 0x00, 0x00]);
    expect(refusal(body)?.problem).toBe(
      `zstd frame 0 has 128 blocks in a ${8 * MiB}-byte window; the body may cost at most ${ZSTD_MAX_WINDOW_WORK_BYTES} bytes of window copies`,
    );
  });

  it('does not count a block whose header is cut after its first byte, even one marked last: 127 blocks then a cut one pass', () => {
    const blocks: number[] = [];
    for (let i = 0; i < 127; i++) blocks.push(...raw(2));
    expect(refusal(frame({ wd: 13 << 3, blocks: [...blocks, 0x01] }))).toBeUndefined();
    expect(refusal(frame({ wd: 13 << 3, blocks: [...blocks, 0x01, 0x00] }))).toBeUndefined();
  });
});
