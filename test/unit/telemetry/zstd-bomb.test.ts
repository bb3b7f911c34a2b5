import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError, ValidationError } from '../../../shared/domain/errors.js';
import { checkZstdFrames } from '../../../shared/domain/telemetry/zstd-frames.js';
import { telemetryFixture } from '../../helpers/telemetry-app.js';

const LIMIT = 5 * 1024 * 1024;
const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** Raw blocks of one byte each (3-byte header: size 1, type raw, last bit on the final one). */
function rawBlocks(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((1 << 3) | (i === n - 1 ? 1 : 0), 0, 0, 0x7b);
  return out;
}

/** The first detail's problem of what `f` throws. */
function problemOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as ValidationError).details[0]?.problem;
  }
  return undefined;
}

/** The zstd command line tool, as the Datadog e2e test compresses (system-deps.sh installs it). */
function zstdCli(bytes: Uint8Array, args: string[]): Buffer {
  const out = spawnSync('zstd', ['-q', '-c', ...args], { input: bytes, maxBuffer: 64 * 1024 * 1024 });
  if (out.status !== 0)
    throw new Error(`this test needs the zstd command: ${out.error?.message ?? out.stderr}`);
  return out.stdout;
}

describe('zstd bodies are checked before fzstd allocates or copies a window (red team, wave 6)', () => {
  it('refuses a 10-byte frame asking for a 2 GB window on the Datadog path with a 400 naming the window, at once', async () => {
    // Window descriptor 0xa7: exponent 20, mantissa 7 = 2^30 + 7 * 2^27 = 2,013,265,920 bytes. fzstd allocated it and moved it once
    // per block: this body held the whole server for 12 s, ten such blocks took 2 GB of memory.
    const t = await telemetryFixture('memory', Date.parse('2026-11-30T12:00:00Z'));
    const body = Buffer.from([...MAGIC, 0x00, 0xa7, ...rawBlocks(1)]);
    const err = await t.ingest
      .ingest({
        vendorId: 'prometheus-main',
        datadog: true,
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'zstd' },
        body,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).details[0]).toEqual({
      path: 'Content-Encoding',
      problem: 'zstd frame 0 asks for a 2013265920-byte window; at most 8388608',
    });
  });

  it('refuses a frame whose many tiny blocks would each move an 8 MiB window (minutes of CPU for a 4 MB body)', () => {
    // 8 MiB window (descriptor 0x68), 200 one-byte raw blocks: 201 x 8 MiB of copies, over the 1 GiB budget.
    const body = Uint8Array.from([...MAGIC, 0x00, 0x68, ...rawBlocks(200)]);
    expect(problemOf(() => checkZstdFrames(body, LIMIT))).toMatch(
      /^zstd frame 0 has 200 blocks in a 8388608-byte window/,
    );
    // The same blocks in a 64 KiB window cost 13 MB of copies: let through.
    expect(() =>
      checkZstdFrames(Uint8Array.from([...MAGIC, 0x00, 0x30, ...rawBlocks(200)]), LIMIT),
    ).not.toThrow();
  });

  it('refuses a frame declaring more content than the body limit with a 413 before decoding', () => {
    // Single segment, 4-byte content size 6 MiB.
    const six = 6 * 1024 * 1024;
    const body = Uint8Array.from([
      ...MAGIC,
      0xa0,
      six & 0xff,
      (six >> 8) & 0xff,
      (six >> 16) & 0xff,
      0,
      ...rawBlocks(1),
    ]);
    expect(() => checkZstdFrames(body, LIMIT)).toThrow(PayloadTooLargeError);
    expect(() => checkZstdFrames(body, LIMIT)).toThrow(/exceeds 5242880 bytes/);
  });

  it('lets what the zstd tool writes through, from a file of known size and from a stream, at levels 1, 3 and 19', () => {
    const data = new TextEncoder().encode(
      '{"series":[{"metric":"x","points":[{"timestamp":1,"value":1}]}]}'.repeat(40_000),
    );
    for (const level of ['-1', '-3', '-19']) {
      expect(() => checkZstdFrames(zstdCli(data, [level]), LIMIT)).not.toThrow();
      expect(() => checkZstdFrames(zstdCli(data, [level, '--no-content-size']), LIMIT)).not.toThrow();
    }
  });
});
