import { describe, expect, it } from 'vitest';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import { PayloadTooLargeError } from '../../../shared/domain/errors.js';
import { CMDB_POLICY } from '../../../shared/policy/cmdb.js';
import { CMDB_MAX_WRITES_PER_APPLY, CmdbSyncUseCases } from '../../../shared/usecases/cmdb.js';
import { ServiceUseCases } from '../../../shared/usecases/services.js';
import { principal } from '../../helpers/fixtures.js';

const admin = principal({ subject: 'ada@bank.example', roles: ['admin'] });
const HEADER = 'sys_id,name,busines_criticality,owned_by,owned_by.email,u_business_unit';
/** A CSV export of `n` clean rows, each a new payments service. */
const csv = (n: number) =>
  [
    HEADER,
    ...Array.from(
      { length: n },
      (_, i) =>
        `${i.toString(16).padStart(32, '0')},Service ${i},2 - somewhat critical,Owen,owen@bank.example,payments`,
    ),
  ].join('\n');

function setup(cap = 3) {
  const store = new MemoryServiceStore();
  const services = new ServiceUseCases({
    services: store,
    clock: { now: () => new Date('2026-12-01T10:00:00Z') },
  });
  const cmdb = new CmdbSyncUseCases({ services, policy: CMDB_POLICY, maxWritesPerApply: cap });
  const sync = (n: number, over: { apply?: boolean; maxWrites?: number } = {}) =>
    cmdb.sync(admin, { contentType: 'text/csv', body: Buffer.from(csv(n)), apply: false, ...over });
  const count = async () => (await store.list({ scope: { all: true }, limit: 1000 })).items.length;
  return { sync, count };
}

describe('the cap on writes one CMDB apply request makes', () => {
  it('is 500 writes by default, so one apply stays well inside API Gateway’s 29 s', () => {
    expect(CMDB_MAX_WRITES_PER_APPLY).toBe(500);
  });

  it('refuses an apply planning more writes than the cap with 413 naming the cap, the rows and the writes, writing nothing', async () => {
    const { sync, count } = setup(3);
    const err = await sync(4, { apply: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect(err).toMatchObject({
      message:
        "the export's 4 rows plan 4 writes (4 creates, 0 updates); one apply writes at most 3: nothing was written",
      details: [{ path: 'apply', problem: expect.stringContaining('maxWrites=3') }],
    });
    expect(await count()).toBe(0);
  });

  it('still answers the dry run of the whole file, however many writes it plans', async () => {
    const { sync } = setup(3);
    const plan = await sync(10);
    expect(plan.create).toHaveLength(10);
    expect(plan.rows).toBe(10);
  });

  it('applies a file at the cap in one request', async () => {
    const { sync, count } = setup(3);
    const r = await sync(3, { apply: true });
    expect(r.applied?.created).toHaveLength(3);
    expect(r.remaining).toBeUndefined();
    expect(await count()).toBe(3);
  });

  it('applies a bigger file in pages of maxWrites, reporting what remains, until the file is applied', async () => {
    const { sync, count } = setup(3);
    const pages: number[][] = [];
    for (let i = 0; i < 5; i++) {
      const r = await sync(7, { apply: true, maxWrites: 3 });
      pages.push([r.applied?.created.length ?? -1, r.remaining ?? -1]);
      if (r.remaining === 0) break;
    }
    expect(pages).toEqual([
      [3, 4],
      [3, 1],
      [1, 0],
    ]);
    expect(await count()).toBe(7);
    const again = await sync(7, { apply: true, maxWrites: 3 });
    expect(again.applied).toEqual({ created: [], updated: [] });
    expect(again.remaining).toBe(0);
  });

  it('refuses a maxWrites above the cap with 413 on maxWrites', async () => {
    const { sync, count } = setup(3);
    await expect(sync(2, { apply: true, maxWrites: 4 })).rejects.toMatchObject({
      message: 'maxWrites 4 is above the cap of 3 writes a request',
      details: [{ path: 'maxWrites', problem: 'must be at most 3' }],
    });
    expect(await count()).toBe(0);
  });
});
