import { describe, expect, it } from 'vitest';
import { sampleStoreIfComposed } from '../../../infra/local/telemetry.js';
import { SqliteAuditStore } from '../../../shared/adapters/sqlite/audit.js';
import { SqliteRollupStore } from '../../../shared/adapters/sqlite/rollups.js';
import type { Principal } from '../../../shared/domain/access/policy.js';
import { ForbiddenError, ValidationError } from '../../../shared/domain/errors.js';
import { BackfillRunUseCases } from '../../../shared/usecases/backfill-runs.js';
import {
  admin,
  bothWays,
  chunk,
  compose,
  H0,
  HOUR,
  NOW,
  OM,
  SVC,
  vendorRecord,
} from '../../helpers/backfill-columnar.js';

/**
 * A backfill "as" a vendor writes only what the vendor may write live (issue 9 items 5 and 6, docs/backfill.md
 * "Vendor scope"): its bindings apply to every backfilled sample, on the columnar fast path and on the live path
 * alike; a vendor that does not exist is refused before the chunk is read.
 */

const OTHER = 'svc_core-ledger';

/** chunk(from, to) with the same history written again for OTHER's `checkout` SLI (after SVC's series). */
function mixed(from: number, to: number): Buffer {
  const lines = chunk(from, to).toString('utf8').split('\n');
  const samples = lines.filter((l) => l.startsWith('accord_sli_'));
  const eof = lines.indexOf('# EOF');
  const other = samples.map((l) => l.replace(`service="${SVC}"`, `service="${OTHER}"`));
  return Buffer.from([...lines.slice(0, eof), ...other, ...lines.slice(eof)].join('\n'));
}

describe('a backfill as a vendor bound to one service', () => {
  it('rejects the other service’s samples one by one as not_your_service and stores none of them', async () => {
    const c = await compose(false, undefined, [OTHER]);
    // chunk(-1, 60): 61 samples of each of SVC's two counters (baseline at H0 − 1 min, then minutes 0–59), and the
    // same 122 for OTHER: 244 submitted, SVC's 122 accepted, OTHER's 122 rejected.
    const job = await c.send(mixed(-1, 60));
    expect(job).toMatchObject({
      submitted: 244,
      accepted: 122,
      duplicates: 0,
      rejected: 122,
      rejectedByReason: { not_your_service: 122 },
    });
    // The first listed rejection is OTHER's first sample: lines 1–2 are the # TYPE lines, SVC's 122 samples lines
    // 3–124, so line 125.
    expect(job.rejections[0]).toMatchObject({ chunk: 1, path: 'line 125', reason: 'not_your_service' });
    expect(job.rejections[0]!.message).toContain(`vendor prometheus is not bound to ${OTHER}`);
    const store = sampleStoreIfComposed(c.db)!;
    expect(await store.read(`${OTHER}/checkout`, 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(await store.read(`${SVC}/checkout`, 0, Number.MAX_SAFE_INTEGER)).toHaveLength(122);
    new SqliteRollupStore(c.db).foldJournal();
    const rollupSlis = c.db.prepare('SELECT DISTINCT sli_key FROM rollup_series ORDER BY 1').pluck().all();
    expect(rollupSlis).toEqual([`${SVC}/checkout`]);
    const states = c.db.prepare('SELECT series FROM telemetry_counter_state').pluck().all() as string[];
    expect(states.some((s) => s.includes(OTHER))).toBe(false);
    // SVC's hour: good 100 a minute × 60 = 6,000; bad 1 a minute × 60 = 60; total 6,060 (the helper's history).
    expect(c.totals()).toEqual({ good: 6_000, total: 6_060 });
  });

  it('gives the same answer row for row on the columnar fast path and the live path (the fast path hands the chunk over)', async () => {
    // OTHER is registered: its series are refused for the vendor's binding, not as an unknown service.
    const { fast, live } = await bothWays([mixed(-1, 60), mixed(60, 120)], undefined, [OTHER]);
    // Both chunks hold a series outside the scope: the fast path takes neither.
    expect(fast.taken).toEqual([false, false]);
    expect(fast.counts).toEqual(live.counts);
    expect(fast.store).toEqual(live.store);
    // After both chunks: 484 submitted (242 of SVC, 242 of OTHER), OTHER's 242 rejected; SVC's two hours as the
    // helper computes them: good 9,000 of 9,360.
    expect(fast.counts[1]).toEqual({
      submitted: 484,
      accepted: 242,
      duplicates: 0,
      rejected: { not_your_service: 242 },
    });
    expect(fast.totals).toEqual({ good: 9_000, total: 9_360 });
  });

  it('still takes a chunk wholly inside the scope on the fast path, with the same answer as the live path', async () => {
    const { fast, live } = await bothWays([chunk(-1, 60), chunk(60, 120)]);
    expect(fast.taken).toEqual([true, true]);
    expect(fast.counts).toEqual(live.counts);
    expect(fast.store).toEqual(live.store);
    expect(fast.totals).toEqual({ good: 9_000, total: 9_360 });
  });
});

describe('a backfill as a vendor bound to single SLIs', () => {
  it('takes a chunk of the bound SLI on the fast path', async () => {
    const { fast } = await bothWays([chunk(-1, 60)], [{ serviceId: SVC, sli: 'checkout' }]);
    expect(fast.taken).toEqual([true]);
    expect(fast.counts[0]).toEqual({ submitted: 122, accepted: 122, duplicates: 0, rejected: {} });
  });

  it('rejects a sibling SLI of the same service, the same on both paths', async () => {
    // The vendor may write SVC's `login` SLI only: the file's `checkout` series (the default naming convention maps
    // them) are outside, all 122 samples rejected, nothing stored.
    const { fast, live } = await bothWays([chunk(-1, 60)], [{ serviceId: SVC, sli: 'login' }]);
    expect(fast.taken).toEqual([false]);
    expect(fast.counts).toEqual(live.counts);
    expect(fast.store).toEqual(live.store);
    expect(fast.counts[0]).toEqual({
      submitted: 122,
      accepted: 0,
      duplicates: 0,
      rejected: { not_your_service: 122 },
    });
    expect(fast.store.raw).toEqual([]);
    expect(fast.store.rollups).toEqual([]);
  });

  it('rejects everything for a vendor bound to nothing', async () => {
    const { fast, live } = await bothWays([chunk(-1, 30)], []);
    expect(fast.counts).toEqual(live.counts);
    // chunk(-1, 30): 31 samples of each counter.
    expect(fast.counts[0]).toMatchObject({ submitted: 62, accepted: 0, rejected: { not_your_service: 62 } });
    expect(fast.store.raw).toEqual([]);
  });
});

describe('the vendor a backfill names', () => {
  it('must exist: an unknown vendor is a 400 naming `vendor`, and nothing is recorded or stored', async () => {
    const c = await compose(true);
    const err = await c.uc
      .importChunk(admin, {
        vendorId: 'prometheus-typo',
        contentType: OM,
        body: chunk(-1, 60),
        reason: 'history',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).message).toBe('there is no vendor prometheus-typo');
    expect((err as ValidationError).details).toEqual([
      { path: 'vendor', problem: expect.stringContaining('names no vendor') },
    ]);
    expect(c.taken).toEqual([]);
    expect(
      c.db.prepare(`SELECT COUNT(*) FROM audit_entries WHERE entity = 'telemetry-backfill'`).pluck().get(),
    ).toBe(0);
    expect(c.totals()).toEqual({ good: null, total: null });
  });

  it('must exist for a backfill run too: refused naming `vendor` before the run is recorded or its execution started', async () => {
    const c = await compose(true);
    const started: string[] = [];
    const runs = new BackfillRunUseCases({
      backfill: c.uc,
      audit: new SqliteAuditStore(c.db),
      clock: { now: () => new Date(NOW) },
      starter: {
        start: async (input) => {
          started.push(input.jobId);
          return { executionId: `local:${input.jobId}` };
        },
      },
    });
    const err = await runs
      .start(admin, { vendorId: 'prometheus-typo', prefix: 'imports/q3/', reason: 'history' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).details).toEqual([{ path: 'vendor', problem: expect.any(String) }]);
    expect(started).toEqual([]);
    expect(c.db.prepare('SELECT COUNT(*) FROM audit_entries').pluck().get()).toBe(0);
    // The vendor that exists starts a run.
    const run = await runs.start(admin, { vendorId: 'prometheus', prefix: 'imports/q3/', reason: 'history' });
    expect(started).toEqual([run.id]);
  });

  it('is looked up for administrators only: anyone else is refused before the vendor records are read', async () => {
    const c = await compose(true);
    const viewer: Principal = { ...admin, subject: 'vic', roles: ['viewer'] };
    await expect(c.uc.vendorScope(viewer, 'prometheus')).rejects.toBeInstanceOf(ForbiddenError);
    // An administrator gets the scope of the vendor's bindings.
    const scope = await c.uc.vendorScope(admin, 'prometheus');
    expect(scope).toEqual({ vendorId: 'prometheus', services: new Set([SVC]), slis: new Set() });
  });

  it('may be revoked: its history is imported within the bindings its record kept', async () => {
    const c = await compose(true, undefined, [OTHER]);
    await c.vendors.create(
      { ...vendorRecord('old-apm', [{ serviceId: SVC }]), status: 'revoked', version: 2 },
      [],
    );
    const job = await c.uc.importChunk(admin, {
      vendorId: 'old-apm',
      contentType: OM,
      body: mixed(-1, 60),
      reason: 'history the old APM delivered before its contract ended',
    });
    expect(job).toMatchObject({
      vendorId: 'old-apm',
      submitted: 244,
      accepted: 122,
      rejectedByReason: { not_your_service: 122 },
    });
    expect(c.totals()).toEqual({ good: 6_000, total: 6_060 });
  });

  it('is checked at a job’s every chunk: bindings narrowed between two chunks apply to the next one', async () => {
    const c = await compose(false, [{ serviceId: SVC }, { serviceId: OTHER }], [OTHER]);
    const first = await c.send(mixed(-1, 60));
    expect(first).toMatchObject({ submitted: 244, accepted: 244, rejected: 0 });
    const v = (await c.vendors.get('prometheus'))!;
    await c.vendors.update({ ...v, bindings: [{ serviceId: SVC }], version: v.version + 1 }, H0 + HOUR, []);
    const second = await c.send(mixed(60, 120));
    // Second chunk: 60 samples per series (minutes 60–119), 240 in all, OTHER's 120 of them rejected; the job adds
    // the first chunk's 244 accepted: 484 submitted, 364 accepted.
    expect(second).toMatchObject({
      chunks: 2,
      submitted: 484,
      accepted: 364,
      rejectedByReason: { not_your_service: 120 },
    });
  });
});
