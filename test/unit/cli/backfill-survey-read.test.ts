import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfillFile } from '../../../infra/cli/backfill.js';

/**
 * The survey's read of the file (backfill-5 round: one reused 1 MB buffer, read synchronously, a line cut by a read
 * carried to the buffer's start): whatever the file's lines and their lengths, the survey counts every sample (the
 * job's declared total) and the time ranges it finds carry every line exactly once. Requests are caught by a plain
 * HTTP server standing in for Accord.
 */
const dir = mkdtempSync(join(tmpdir(), 'accord-backfill-survey-'));
let server: Server;
let seen: { url: string; body: string }[] = [];
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body: Buffer.concat(parts).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'bf_00000000-0000-0000-0000-000000000000', chunks: seen.length }));
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
  seen = [];
});

async function send(name: string, text: string, perChunk = 200_000) {
  const file = join(dir, name);
  writeFileSync(file, text);
  await backfillFile({ endpoint: url, token: 't' }, file, {
    vendor: 'prometheus',
    format: 'openmetrics',
    reason: 'test',
    perChunk,
    progress: () => {},
  });
  const sent = seen.flatMap((r) => r.body.split('\n').filter((l) => l && !l.startsWith('#')));
  const total = Number(new URL(seen[0]!.url, 'http://x').searchParams.get('total'));
  return { sent, total, bodies: seen.map((r) => r.body) };
}

const T0 = 1_700_000_040;

describe('the survey read of a backfill file', () => {
  it('counts every line of a 3.6 MB file, lines cut by each 1 MB read included, and sends it by time range', async () => {
    // Two series of 20,000 lines each (about 90 bytes a line), written series by series.
    const lines: string[] = [];
    for (const m of ['good', 'bad'])
      for (let i = 0; i < 20_000; i++)
        lines.push(
          `accord_sli_${m}_total{service="svc_payments-gateway",sli="checkout"} ${i} ${T0 + 60 * i}`,
        );
    const { sent, total, bodies } = await send(
      'cut.om',
      `# TYPE x counter\n${lines.join('\n')}\n# EOF\n`,
      10_000,
    );
    expect(total).toBe(40_000);
    expect(sent).toHaveLength(40_000);
    expect([...sent].sort()).toEqual([...lines].sort());
    // By time range (the survey read every line's time): 4 requests of 5,000 minutes, each with both series'.
    expect(bodies).toHaveLength(4);
    const first = bodies[0]!.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(first).toHaveLength(10_000);
    expect(first.filter((l) => l.startsWith('accord_sli_bad_total'))).toHaveLength(5_000);
    expect(first.at(-1)).toBe(lines[20_000 + 4_999]);
  }, 30_000); // megabytes read and sent: about a second quiet, over five under a mutation run beside it

  it('counts and sends lines longer than the 1 MB read buffer, and a last line without a newline', async () => {
    // Label values of 1.5 MB: each line longer than a read; the file ends without a newline after its last sample.
    const long = 'v'.repeat(1_500_000);
    const lines = [0, 1, 2].flatMap((i) => [
      `a_total{x="${long}"} ${i} ${T0 + 60 * i}`,
      `b_total{x="${long}"} ${i} ${T0 + 60 * i}`,
    ]);
    // a's three lines, then b's: two runs.
    const ordered = [...lines.filter((l) => l.startsWith('a')), ...lines.filter((l) => l.startsWith('b'))];
    const { sent, total } = await send('long.om', `# TYPE a counter\n${ordered.join('\n')}`);
    expect(total).toBe(6);
    expect(sent).toHaveLength(6);
    expect([...sent].sort()).toEqual([...ordered].sort());
  }, 30_000);
});
