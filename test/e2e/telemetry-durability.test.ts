import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../shared/adapters/sqlite/db.js';
import { storedRollupTotals } from '../../shared/adapters/sqlite/rollups.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import { storedSampleTotals } from '../../shared/adapters/sqlite/telemetry.js';
import { exited, startChildServer } from '../helpers/child-server.js';
import { testService } from '../helpers/telemetry-app.js';

const dir = mkdtempSync(join(tmpdir(), 'accord-sigkill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Samples for a service that does not exist are rejected: register the one these batches feed.
beforeAll(async () => {
  const db = openDatabase(join(dir, 'accord.db'));
  await new SqliteServiceStore(db).create(testService('svc_core-ledger'));
  db.close();
});

const SLI = 'svc_core-ledger/durability';
const PER_BATCH = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function batch(n: number, base: number): string {
  const samples = Array.from({ length: PER_BATCH }, (_, i) => ({
    service: 'svc_core-ledger',
    sli: 'durability',
    measure: 'ratio',
    value: 1,
    time: base + n * PER_BATCH + i,
  }));
  return JSON.stringify({ version: 1, samples });
}

async function send(url: string, apiKey: string, n: number, base: number): Promise<number> {
  for (;;) {
    const res = await fetch(`${url}/v1/telemetry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'idempotency-key': `batch-${n}` },
      body: batch(n, base),
    });
    const text = await res.text();
    if (res.status === 429) {
      await sleep(1000 * Number(res.headers.get('retry-after') ?? 1));
      continue;
    }
    if (res.status >= 300) throw new Error(`status ${res.status}: ${text}`);
    return (JSON.parse(text) as { accepted: number }).accepted;
  }
}

describe('a SIGKILL in the middle of ingestion', () => {
  it('loses no acknowledged sample and stores each exactly once after a restart, rollups and SLI activity included', async () => {
    const base = Date.now() - 60_000;
    const first = await startChildServer(dir);
    const acknowledged = new Set<number>();
    let next = 0;
    let killed = false;
    // Four clients push batches until the server dies under them.
    const client = async () => {
      while (!killed) {
        const n = next++;
        let accepted: number;
        try {
          accepted = await send(first.url, first.apiKey, n, base);
        } catch (err) {
          // fetch fails with "fetch failed" (or "terminated" mid-body) when the connection dies with the server:
          // that batch was never acknowledged. Any other failure (a 4xx/5xx answer) fails the test.
          if (err instanceof TypeError && /^(fetch failed|terminated)$/.test(err.message)) return;
          throw err;
        }
        expect(accepted).toBe(PER_BATCH);
        // An answer received is an acknowledgement, even one that raced the kill.
        acknowledged.add(n);
      }
    };
    const clients = Promise.all([client(), client(), client(), client()]);
    // A client that fails before the kill fails the test here rather than leaving this wait to time out.
    while (acknowledged.size < 20) await Promise.race([sleep(5), clients]);
    first.proc.kill('SIGKILL');
    killed = true;
    await exited(first.proc);
    await clients;
    const sent = next;
    // The kill landed mid-ingestion: some batches were sent and never answered.
    expect(sent).toBeGreaterThan(acknowledged.size);

    const second = await startChildServer(dir);
    try {
      // Clients retry whatever they sent (acknowledged or not) with the same Idempotency-Key.
      for (let n = 0; n < sent; n++) await send(second.url, second.apiKey, n, base);
      // The SLI activity the service's owner reads counts each stored sample once: its journal rows committed with
      // the samples they describe, and a resend of a batch stored before the kill is a duplicate, not new activity.
      const creds = JSON.parse(readFileSync(join(dir, 'dev-credentials.json'), 'utf8')) as {
        tokens: Record<string, { token: string }>;
      };
      const res = await fetch(`${second.url}/v1/services/svc_core-ledger/slis`, {
        headers: { authorization: `Bearer ${creds.tokens.admin!.token}` },
      });
      expect(res.status).toBe(200);
      const { items } = (await res.json()) as {
        items: { sliKey: string; samples: number; firstSampleAt: string; lastSampleAt: string }[];
      };
      expect(items).toEqual([
        expect.objectContaining({
          sliKey: SLI,
          samples: sent * PER_BATCH,
          firstSampleAt: new Date(base).toISOString(),
          lastSampleAt: new Date(base + sent * PER_BATCH - 1).toISOString(),
        }),
      ]);
    } finally {
      second.proc.kill('SIGTERM');
      await exited(second.proc);
    }

    const db = new Database(join(dir, 'accord.db'), { readonly: true });
    // The store's chunks and append records (the append records of a killed process are what recovery replays).
    const rows = storedSampleTotals(db, SLI).ts;
    const stored = new Set(rows);
    expect(rows.length).toBe(stored.size);
    for (const n of acknowledged) {
      for (let i = 0; i < PER_BATCH; i++) expect(stored.has(base + n * PER_BATCH + i)).toBe(true);
    }
    expect(rows.length).toBe(sent * PER_BATCH);
    // The rollups count each stored sample once: their deltas committed with the raw rows (in the buckets, or in the
    // rollup journal a stopped server had not folded yet) or not at all.
    expect(storedRollupTotals(db, SLI).total).toBe(rows.length);
    db.close();
  }, 60_000);
});
