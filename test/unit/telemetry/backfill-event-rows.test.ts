import { describe, expect, it } from 'vitest';
import { SqliteRollupStore } from '../../../shared/adapters/sqlite/rollups.js';
import { compose, H0, MIN, SVC } from '../../helpers/backfill-columnar.js';

/**
 * The columnar writer's two kinds of rollup rows (backfill-5 round): a new bucket of an events-only SLI is a 7-column
 * INSERT (256 rows a statement, the rest in runs of 128, 64, ..., 1), any other row a 13-column upsert. Both must leave
 * exactly the rows live ingest leaves, running totals included.
 */

/** Good and bad counters one sample a minute over minutes [from, to): good +9 a minute, bad +1 (from 0 at minute -1). */
function counters(from: number, to: number): string[] {
  const good: string[] = [];
  const bad: string[] = [];
  for (let i = from; i < to; i++) {
    const t = (H0 + i * MIN) / 1000;
    good.push(`accord_sli_good_total{service="${SVC}",sli="checkout"} ${9 * (i + 1)} ${t}`);
    bad.push(`accord_sli_bad_total{service="${SVC}",sli="checkout"} ${i + 1} ${t}`);
  }
  return [...good, ...bad];
}

function body(lines: string[]): Buffer {
  return Buffer.from(
    [
      '# TYPE accord_sli_good_total counter',
      '# TYPE accord_sli_bad_total counter',
      '# TYPE accord_sli_value gauge',
      ...lines,
      '# EOF',
      '',
    ].join('\n'),
  );
}

/** Sends the chunks through the backfill use case, with or without the columnar path; answers the rows and path taken. */
async function run(columnar: boolean, chunks: Buffer[]) {
  const { send, taken, db } = await compose(columnar);
  const counts = [];
  for (const b of chunks) {
    const j = await send(b);
    counts.push({ accepted: j.accepted, duplicates: j.duplicates, rejected: j.rejectedByReason });
  }
  new SqliteRollupStore(db).foldJournal();
  const rows = db
    .prepare(
      `SELECT bucket, good, total, count, sum, min, max, c_good, c_total, c_count, c_sum, c_filled
       FROM rollup_bucket ORDER BY series_id, bucket`,
    )
    .raw()
    .all() as number[][];
  return { rows, counts, taken };
}

describe('the columnar backfill writer rollup rows', () => {
  it('writes 264 new buckets (one statement of 256 rows and the 8 left) exactly as live ingest does', async () => {
    // 22 hours of minutes after the baseline minute: 1,320 increases per series, 264 buckets of 5 minutes.
    const chunks = [body(counters(-1, 1_320))];
    const fast = await run(true, chunks);
    const live = await run(false, chunks);
    expect(fast.taken).toEqual([true]);
    expect(fast.rows).toHaveLength(264);
    expect(fast.rows).toEqual(live.rows);
    expect(fast.counts).toEqual(live.counts);
    // Each bucket: 5 minutes of good +9 and bad +1 → good 45, total 50; the last row's running totals are 264 times
    // that, and 264 buckets were filled.
    expect(fast.rows[0]!.slice(0, 3)).toEqual([(H0 - 0) / 300_000, 45, 50]);
    expect(fast.rows[263]!.slice(7)).toEqual([264 * 45, 264 * 50, 0, 0, 264]);
  });

  it('carries an SLI’s running count and sum of values into the rows it adds, exactly as live ingest does', async () => {
    // Chunk 1 (live path: a gauge): the SLI's values 0.2 and 0.4 in the first bucket, and the counters' first
    // 3 minutes (baseline at -1, then +9/+1 at 0 and 1). Chunk 2 (columnar): counters from minute 2 to 11.
    const values = [
      `accord_sli_value{service="${SVC}",sli="checkout"} 0.2 ${H0 / 1000}`,
      `accord_sli_value{service="${SVC}",sli="checkout"} 0.4 ${(H0 + MIN) / 1000}`,
    ];
    const chunks = [body([...counters(-1, 2), ...values]), body(counters(2, 12))];
    const fast = await run(true, chunks);
    const live = await run(false, chunks);
    expect(fast.taken).toEqual([false, true]);
    expect(fast.rows).toEqual(live.rows);
    expect(fast.counts).toEqual(live.counts);
    // Buckets 0 and 1 (minutes 0-4, 5-9) and 2 (10-11): good 45, 45, 18 of 50, 50, 20; count 2 and sum 0.6 stay in
    // bucket 0 and run on (c_count 2, c_sum 0.6) in every later row.
    expect(fast.rows.map((r) => r.slice(1, 4))).toEqual([
      [45, 50, 2],
      [45, 50, 0],
      [18, 20, 0],
    ]);
    expect(fast.rows.map((r) => r.slice(7))).toEqual([
      [45, 50, 2, live.rows[0]![10], 1],
      [90, 100, 2, live.rows[0]![10], 2],
      [108, 120, 2, live.rows[0]![10], 3],
    ]);
    expect(live.rows[0]![10]).toBeCloseTo(0.6, 12);
  });
});
