import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfillFile, sampleSeconds } from '../../../infra/cli/backfill.js';

/**
 * How `accord backfill` cuts an OpenMetrics file into requests (docs/backfill.md): a file written series by series is
 * sent by time range, each request carrying every series' samples of the same hours; a file already in time order,
 * or one whose times cannot all be read, is sent as it is. The requests are caught by a plain HTTP server standing in
 * for Accord (the figures Accord computes from such requests are asserted in test/e2e/backfill.test.ts).
 */
const dir = mkdtempSync(join(tmpdir(), 'accord-backfill-chunks-'));
let server: Server;
let bodies: string[] = [];
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      bodies.push(Buffer.concat(parts).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'bf_00000000-0000-0000-0000-000000000000', chunks: bodies.length }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  bodies = [];
});

// A whole minute (the survey counts samples in bins of a minute).
const T0 = 1_700_000_040;
const good = (i: number, t = T0 + i * 60) => `accord_sli_good_total{sli="a b"} ${1000 + i * 10} ${t}`;
const bad = (i: number, t = T0 + i * 60) => `accord_sli_bad_total{sli="a b"} ${5 + i} ${t}`;

async function send(name: string, text: string, perChunk: number) {
  const file = join(dir, name);
  writeFileSync(file, text);
  const lines: string[] = [];
  await backfillFile({ endpoint: url, token: 't' }, file, {
    vendor: 'prometheus',
    format: 'openmetrics',
    reason: 'test',
    perChunk,
    progress: (l) => lines.push(l),
  });
  return { bodies, progress: lines };
}

/** The sample lines of a request body (not the header, not `# EOF`). */
const samples = (body: string) => body.split('\n').filter((l) => l && !l.startsWith('#'));
const times = (lines: string[]) => lines.map((l) => Number(l.split(' ').at(-1)));

describe('accord backfill: how a file becomes requests', () => {
  it('sends a file written series by series by time range: each request holds both counters of the same minutes', async () => {
    // 30 minutes of a good then a bad counter (60 samples); 10 samples a request → six ranges of five minutes.
    const n = 30;
    const text = [
      '# TYPE accord_sli_good_total counter',
      ...Array.from({ length: n }, (_, i) => good(i)),
      '# TYPE accord_sli_bad_total counter',
      ...Array.from({ length: n }, (_, i) => bad(i)),
      '# EOF',
      '',
    ].join('\n');
    const r = await send('whole-series.om', text, 10);
    expect(r.bodies).toHaveLength(6);
    r.bodies.forEach((body, k) => {
      expect(
        body.startsWith('# TYPE accord_sli_good_total counter\n# TYPE accord_sli_bad_total counter\n'),
      ).toBe(true);
      expect(body.endsWith('# EOF\n')).toBe(true);
      const lines = samples(body);
      const g = lines.filter((l) => l.startsWith('accord_sli_good_total'));
      const b = lines.filter((l) => l.startsWith('accord_sli_bad_total'));
      const minutes = Array.from({ length: 5 }, (_, i) => T0 + (5 * k + i) * 60);
      expect(times(g)).toEqual(minutes);
      expect(times(b)).toEqual(minutes);
    });
    // Every sample line of the file exactly once, byte for byte.
    expect(r.bodies.flatMap(samples).sort()).toEqual(samples(text).sort());
    expect(r.progress.filter((l) => l.includes('ETA'))).toHaveLength(6);
    expect(r.progress.at(-2)).toContain('100%  60/60 samples');
  });

  it('cuts long series exactly at each range, whichever line of the file it falls on (the index notes one line in 64)', async () => {
    // 1,000 minutes of two counters, 150 samples a request: ranges of 75 minutes, their ends between noted lines.
    const n = 1000;
    const g = Array.from({ length: n }, (_, i) => good(i));
    const b = Array.from({ length: n }, (_, i) => bad(i));
    const text = ['# TYPE accord_sli_good_total counter', ...g, '# a comment', ...b, '# EOF', ''].join('\n');
    const r = await send('long-series.om', text, 150);
    expect(r.bodies).toHaveLength(Math.ceil(n / 75));
    r.bodies.forEach((body, k) => {
      const lines = samples(body);
      const minutes = Array.from({ length: Math.min(75, n - 75 * k) }, (_, i) => T0 + (75 * k + i) * 60);
      expect(times(lines.filter((l) => l.startsWith('accord_sli_good_total')))).toEqual(minutes);
      expect(times(lines.filter((l) => l.startsWith('accord_sli_bad_total')))).toEqual(minutes);
    });
    expect(r.bodies.flatMap(samples).sort()).toEqual([...g, ...b].sort());
  });

  it('sends a file already in time order as it is written, in consecutive slices', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 12; i++) lines.push(good(i), bad(i));
    const text = ['# TYPE accord_sli_good_total counter', ...lines, '# EOF', ''].join('\n');
    const r = await send('in-order.om', text, 10);
    expect(r.bodies.map(samples)).toEqual([lines.slice(0, 10), lines.slice(10, 20), lines.slice(20)]);
  });

  it('sends a file as it is written when a line has no readable time, so that Accord names the line', async () => {
    const text = [
      ...Array.from({ length: 6 }, (_, i) => good(i)),
      'accord_sli_good_total{sli="a b"} 7',
      ...Array.from({ length: 6 }, (_, i) => bad(i)),
      '# EOF',
    ].join('\n');
    const r = await send('no-time.om', text, 5);
    expect(r.bodies.flatMap(samples)).toEqual(samples(text));
  });

  it('cuts a range heavier than a request (a minute holding more samples than --chunk), each series in time order', async () => {
    // Two series, 120 samples each, one a second: 120 samples in each of two minutes, 50 a request.
    const g = Array.from({ length: 120 }, (_, i) => good(i, T0 + i));
    const b = Array.from({ length: 120 }, (_, i) => bad(i, T0 + i));
    const text = ['# TYPE accord_sli_good_total counter', ...g, ...b, '# EOF'].join('\n');
    const r = await send('heavy-minute.om', text, 50);
    // Each minute is a range of its own, cut into 50 + 50 + 20.
    expect(r.bodies.map((x) => samples(x).length)).toEqual([50, 50, 20, 50, 50, 20]);
    expect(
      r.bodies
        .slice(0, 3)
        .flatMap((x) => times(samples(x)))
        .every((t) => t < T0 + 60),
    ).toBe(true);
    const sent = r.bodies.flatMap(samples);
    expect(sent.filter((l) => l.startsWith('accord_sli_good_total'))).toEqual(g);
    expect(sent.filter((l) => l.startsWith('accord_sli_bad_total'))).toEqual(b);
  });

  it('reads the last line of a file without a final newline, in a range of its own', async () => {
    const g = Array.from({ length: 20 }, (_, i) => good(i));
    const b = Array.from({ length: 20 }, (_, i) => bad(i));
    const text = ['# TYPE accord_sli_good_total counter', ...g, ...b].join('\r\n');
    const r = await send('no-newline.om', text, 10);
    expect(r.bodies).toHaveLength(4);
    const sent = r.bodies.flatMap((x) => samples(x.replaceAll('\r', '')));
    expect(sent.sort()).toEqual([...g, ...b].sort());
    expect(r.bodies.at(-1)).toMatch(/ 1700001180\n# EOF\n$/);
  });
});

describe('the time of a sample line, read in place', () => {
  const at = (line: string) => sampleSeconds(Buffer.from(line), 0, line.length);

  it('is the field after the value, past a label set holding spaces, braces and escaped quotes', () => {
    expect(at('m{a="x } y",b="q\\"} 1 2"} 5 1700000000.25')).toBe(1_700_000_000.25);
    expect(at('m 5 1700000000')).toBe(1_700_000_000);
    expect(at('m{} 5\t1700000000.5')).toBe(1_700_000_000.5);
  });

  it('is read as Number() reads it beyond plain decimals, and ends before an exemplar', () => {
    expect(at('m 5 1.7e9')).toBe(1.7e9);
    expect(at('m 5 1700000000.123456789')).toBe(Number('1700000000.123456789'));
    expect(at('m 5 100 # {trace_id="1"} 2 3')).toBe(100);
  });

  it('is NaN when the line has none or it is not a number', () => {
    expect(at('m 5')).toBeNaN();
    expect(at('m 5 # {trace_id="1"} 2 3')).toBeNaN();
    expect(at('m 5 soon')).toBeNaN();
    expect(at('m 5 +Inf')).toBeNaN();
  });
});
