import { describe, expect, it } from 'vitest';
import { composeColumnarBackfill } from '../../../infra/local/backfill.js';
import { composeTelemetry, sampleStoreIfComposed } from '../../../infra/local/telemetry.js';
import { SqliteAuditStore } from '../../../shared/adapters/sqlite/audit.js';
import { openDatabase } from '../../../shared/adapters/sqlite/db.js';
import { SqliteRollupStore } from '../../../shared/adapters/sqlite/rollups.js';
import { SqliteServiceStore } from '../../../shared/adapters/sqlite/services.js';
import type { Principal } from '../../../shared/domain/access/policy.js';
import { BackfillUseCases } from '../../../shared/usecases/backfill.js';
import { TestClock } from '../../helpers/clock.js';
import { service } from '../../helpers/fixtures.js';

/**
 * Red team (wave 7) on the backfill's columnar fast path: hand-made OpenMetrics chunks run once with the fast path and
 * once through live ingest's path must leave the same raw samples, counter states, rollup rows, activity and job
 * counts; a write that fails inside its transaction leaves nothing stored. The harness is backfill-columnar.test.ts's.
 */
const admin: Principal = {
  subject: 'ada',
  roles: ['admin'],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
};
const NOW = Date.parse('2026-05-01T09:00:00.000Z');
const MIN = 60_000;
const HOUR = 3_600_000;
const H0 = Math.floor(NOW / HOUR) * HOUR - 10 * 24 * HOUR;
const SVC = 'svc_payments-gateway';
const OM = 'application/openmetrics-text';

/**
 * The e2e test's history (test/e2e/backfill.test.ts): one sample a minute from H0 − 1 min (the baseline) to H0 + 119
 * min; good adds 100 a minute in the first hour and 50 in the second, bad 1 then 5 and resets at minute 90 (reads 5).
 * Hour 1: good 6,000 of 6,060; hour 2: good 3,000 of 3,300. Minutes [from, to) of it, good series then bad.
 */
function chunk(from: number, to: number, extra: string[] = []): Buffer {
  const good: string[] = [];
  const bad: string[] = [];
  let g = 10_000;
  let b = 200;
  for (let i = -1; i < 120; i++) {
    if (i >= 0) {
      g += i < 60 ? 100 : 50;
      b = i === 90 ? 5 : b + (i < 60 ? 1 : 5);
    }
    if (i < from || i >= to) continue;
    const t = (H0 + i * MIN) / 1000;
    good.push(`accord_sli_good_total{service="${SVC}",sli="checkout"} ${g} ${t}`);
    bad.push(`accord_sli_bad_total{service="${SVC}",sli="checkout"} ${b} ${t}`);
  }
  return Buffer.from(
    [
      '# TYPE accord_sli_good_total counter',
      '# TYPE accord_sli_bad_total counter',
      ...extra,
      ...good,
      ...bad,
      '# EOF',
      '',
    ].join('\n'),
  );
}

async function compose(columnar: boolean) {
  const db = openDatabase(':memory:');
  const clock = new TestClock(NOW);
  const telemetry = composeTelemetry(db, ':memory:', clock);
  await new SqliteServiceStore(db).create(service());
  const fast = composeColumnarBackfill(db);
  const taken: boolean[] = [];
  const uc = new BackfillUseCases({
    ingest: () => telemetry.ingest,
    audit: new SqliteAuditStore(db),
    clock,
    ...(columnar
      ? {
          columnar: () => ({
            tryImport: async (...a: Parameters<typeof fast.tryImport>) => {
              const r = await fast.tryImport(...a);
              taken.push(r !== undefined);
              return r;
            },
          }),
        }
      : {}),
  });
  let job: string | undefined;
  const send = async (body: Buffer) => {
    const j = await uc.importChunk(admin, {
      vendorId: 'prometheus',
      contentType: OM,
      body,
      reason: 'history',
      jobId: job,
    });
    job = j.id;
    return j;
  };
  /** Everything the stores hold, read back. */
  const snapshot = async () => {
    new SqliteRollupStore(db).foldJournal();
    return {
      rollups: db
        .prepare(
          `SELECT s.sli_key, b.bucket, b.good, b.total, b.count, b.sum, b.min, b.max, b.c_good, b.c_total, b.c_count,
             b.c_sum, b.c_filled FROM rollup_bucket b JOIN rollup_series s ON s.id = b.series_id ORDER BY 1, 2`,
        )
        .raw()
        .all(),
      states: db.prepare('SELECT * FROM telemetry_counter_state ORDER BY series').raw().all(),
      raw: await sampleStoreIfComposed(db)!.read(`${SVC}/checkout`, 0, Number.MAX_SAFE_INTEGER),
      activity: db
        .prepare('SELECT sli_key, vendor_id, samples, first_sample, last_sample FROM telemetry_sli_activity')
        .raw()
        .all(),
    };
  };
  const totals = () => {
    new SqliteRollupStore(db).foldJournal();
    return db.prepare('SELECT SUM(good) AS good, SUM(total) AS total FROM rollup_bucket').get() as {
      good: number;
      total: number;
    };
  };
  return { send, snapshot, totals, taken, db };
}

/** Runs the same chunks through both paths: answers both sides' job counts and stores. */
async function bothWays(chunks: Buffer[]) {
  const out = [];
  for (const on of [true, false]) {
    const c = await compose(on);
    const jobs = [];
    for (const body of chunks) jobs.push(await c.send(body));
    const counts = jobs.map((j) => ({
      submitted: j.submitted,
      accepted: j.accepted,
      duplicates: j.duplicates,
      rejected: j.rejectedByReason,
    }));
    out.push({ counts, store: await c.snapshot(), totals: c.totals(), taken: c.taken });
  }
  return { fast: out[0]!, live: out[1]! };
}

const T = (m: number) => (H0 + m * MIN) / 1000;
const om = (lines: string[]) =>
  Buffer.from(
    [
      '# TYPE accord_sli_good_total counter',
      '# TYPE accord_sli_bad_total counter',
      ...lines,
      '# EOF',
      '',
    ].join('\n'),
  );
const G = (v: string | number, m: number, extra = '') =>
  `accord_sli_good_total{service="${SVC}",sli="checkout"${extra}} ${v} ${T(m)}`;
const B = (v: string | number, m: number, extra = '') =>
  `accord_sli_bad_total{service="${SVC}",sli="checkout"${extra}} ${v} ${T(m)}`;

const cases: Record<string, Buffer[]> = {
  'fractional counter values (float sums per bucket)': [
    om([G(0.1, 0), G(0.3, 1), G(0.6, 2), G(1.7, 3), B(0.2, 0), B(0.7, 1), B(0.9, 2), B(1.3, 3)]),
  ],
  'two fractional good series of one SLI added in one bucket': [
    om([
      G(0.1, 0, ',instance="a"'),
      G(0.4, 1, ',instance="a"'),
      G(0.7, 2, ',instance="a"'),
      G(0.2, 0, ',instance="b"'),
      G(0.5, 1, ',instance="b"'),
      G(1.1, 2, ',instance="b"'),
      B(0.3, 0),
      B(0.6, 1),
      B(1.0, 2),
    ]),
  ],
  'counters that never move (no bucket rows)': [om([G(0, 0), G(0, 1), B(0, 0), B(0, 1)])],
  'a counter reset to exactly 0 inside a chunk': [om([G(5, 0), G(9, 1), G(0, 2), G(3, 3), B(1, 0), B(2, 1)])],
  'one series written with its labels in two orders, interleaved': [
    om([
      G(1, 0),
      `accord_sli_good_total{sli="checkout",service="${SVC}"} 5 ${T(1)}`,
      G(9, 2),
      B(1, 0),
      B(2, 2),
    ]),
  ],
  'a # TYPE line changing the family type mid-chunk': [
    Buffer.from(
      [
        '# TYPE accord_sli_good_total counter',
        G(1, 0),
        G(3, 1),
        '# TYPE accord_sli_good_total gauge',
        G(7, 2),
        B(1, 0),
        '# EOF',
        '',
      ].join('\n'),
    ),
  ],
  '15-digit counter values': [om([G(999999999999999, 0), G(999999999999999, 1), G(1, 2), B(0, 0), B(5, 2)])],
  'a second chunk continuing inside the last stored 5-minute bucket': [
    om([G(10, 0), B(1, 0), G(20, 3), B(2, 3)]),
    om([G(30, 4), B(3, 4)]),
  ],
  'the same series in two blocks of one chunk': [om([G(10, 0), G(20, 1), B(1, 0), G(30, 2), B(3, 2)])],
  'a time written in milliseconds instead of seconds': [
    om([`accord_sli_good_total{service="${SVC}",sli="checkout"} 5 ${T(0) * 1000}`]),
  ],
  'a time with a sub-millisecond fraction': [
    om([`accord_sli_good_total{service="${SVC}",sli="checkout"} 5 ${T(0)}.0005`, G(7, 1), B(0, 0), B(2, 1)]),
  ],
  'an unknown service': [
    om([
      `accord_sli_good_total{service="svc_nope",sli="checkout"} 5 ${T(0)}`,
      `accord_sli_good_total{service="svc_nope",sli="checkout"} 6 ${T(1)}`,
    ]),
  ],
  'CRLF line ends': [
    Buffer.from(
      om([G(1, 0), G(4, 1), B(0, 0), B(1, 1)])
        .toString()
        .replace(/\n/g, '\r\n'),
    ),
  ],
  'a label value with a cut multibyte UTF-8 character': [
    Buffer.concat([
      Buffer.from(
        `# TYPE accord_sli_good_total counter\naccord_sli_good_total{service="${SVC}",sli="checkout",x="a`,
      ),
      Buffer.from([0xe2, 0x82]),
      Buffer.from(`"} 1 ${T(0)}\naccord_sli_good_total{service="${SVC}",sli="checkout",x="a`),
      Buffer.from([0xe2, 0x82]),
      Buffer.from(`"} 4 ${T(1)}\n# EOF\n`),
    ]),
  ],
};

describe('the columnar fast path on hand-made chunks (red team, wave 7)', () => {
  for (const [name, chunks] of Object.entries(cases))
    it(`stores and answers exactly as the live path for ${name}`, async () => {
      const { fast, live } = await bothWays(chunks);
      expect(fast.store).toEqual(live.store);
      expect(fast.counts).toEqual(live.counts);
    });
});

describe('a failed columnar write (red team, wave 7)', () => {
  it('stores no sample, counter state or rollup row when recording the SLI activity fails inside the write', async () => {
    const c = await compose(true);
    c.db.exec('DROP TABLE telemetry_sli_activity');
    await expect(c.send(chunk(-1, 62))).rejects.toThrow(/telemetry_sli_activity/);
    expect(c.taken).toEqual([]);
    expect(c.db.prepare('SELECT COUNT(*) FROM telemetry_counter_state').pluck().get()).toBe(0);
    expect(c.db.prepare('SELECT COUNT(*) FROM telemetry_chunk').pluck().get()).toBe(0);
    expect(c.db.prepare('SELECT COUNT(*) FROM rollup_bucket').pluck().get()).toBe(0);
  });
});
