import { describe, expect, it, vi } from 'vitest';
import { MemoryAuditStore } from '../../../shared/adapters/memory/audit.js';
import type { AuditEntry } from '../../../shared/schemas/agreement.js';
import { AuditQueries, byTime } from '../../../shared/usecases/audit.js';
import { principal } from '../../helpers/fixtures.js';

// An agreement's audit trail holds its own versions and every act on its exception windows, in time order, paged
// with a cursor `<versions seen>.<window entries seen>` (shared/usecases/audit.ts).

const entry = (
  entity: AuditEntry['entity'],
  entityId: string,
  version: number,
  minute: number,
): AuditEntry => ({
  entity,
  entityId,
  version,
  eventId: `${entity}#${entityId}#v${version}`,
  at: `2026-12-01T10:0${minute}:00.000Z`,
  by: 'sam',
  reason: 'r',
  change: 'update',
  diff: [],
});
const a1 = entry('agreement', 'agr_1', 1, 1);
const ew1v1 = entry('exception-window', 'ew_1', 1, 2);
const ew2v1 = entry('exception-window', 'ew_2', 1, 2);
const a2 = entry('agreement', 'agr_1', 2, 3);
const ew1v2 = entry('exception-window', 'ew_1', 2, 4);
const a3 = entry('agreement', 'agr_1', 3, 5);
const who = principal({ roles: ['auditor'] });

async function setup() {
  const store = new MemoryAuditStore();
  for (const e of [a1, a2, a3, ew1v1, ew1v2, ew2v1]) await store.record(e);
  await store.record(entry('service', 'agr_1', 1, 1));
  // The windows as the store lists them: ew_2 first, so only the time order puts ew_1's act before it.
  const windowsOf = vi.fn(async (id: string) => (id === 'agr_1' ? ['ew_2', 'ew_1'] : []));
  const q = new AuditQueries(
    store,
    { agreement: async () => ({}), service: async () => ({}), vendor: async () => ({}) },
    windowsOf,
  );
  return { q, windowsOf };
}

describe("an agreement's audit trail with its exception windows", () => {
  it('holds every act on its windows among its versions in time order, two acts in one instant by event id', async () => {
    const { q } = await setup();
    expect(await q.trail(who, 'agreement', 'agr_1', { limit: 10 })).toEqual({
      items: [a1, ew1v1, ew2v1, a2, ew1v2, a3],
    });
  });

  it('pages through both with a cursor of versions and window entries seen, and none after the last page', async () => {
    const { q } = await setup();
    const first = await q.trail(who, 'agreement', 'agr_1', { limit: 2 });
    expect(first).toEqual({ items: [a1, ew1v1], nextCursor: '1.1' });
    const second = await q.trail(who, 'agreement', 'agr_1', { limit: 2, cursor: '1.1' });
    expect(second).toEqual({ items: [ew2v1, a2], nextCursor: '2.2' });
    const last = await q.trail(who, 'agreement', 'agr_1', { limit: 2, cursor: '2.2' });
    expect(last).toEqual({ items: [ew1v2, a3] });
  });

  it('keeps the versions seen when a page holds window entries only', async () => {
    const { q } = await setup();
    const page = await q.trail(who, 'agreement', 'agr_1', { limit: 1, cursor: '1.1' });
    expect(page).toEqual({ items: [ew2v1], nextCursor: '1.2' });
    const next = await q.trail(who, 'agreement', 'agr_1', { limit: 1, cursor: '1.2' });
    expect(next).toEqual({ items: [a2], nextCursor: '2.2' });
  });

  it('gives a plain version cursor while no window entry has been seen', async () => {
    const store = new MemoryAuditStore();
    for (const e of [a1, a2, a3]) await store.record(e);
    const q = new AuditQueries(store, {
      agreement: async () => ({}),
      service: async () => ({}),
      vendor: async () => ({}),
    });
    expect(await q.trail(who, 'agreement', 'agr_1', { limit: 2 })).toEqual({
      items: [a1, a2],
      nextCursor: '2',
    });
  });

  it("asks for windows only for an agreement: a service's trail is its own versions", async () => {
    const { q, windowsOf } = await setup();
    const r = await q.trail(who, 'service', 'agr_1', { limit: 10 });
    expect(r.items.map((e) => `${e.entity} v${e.version}`)).toEqual(['service v1']);
    expect(windowsOf).not.toHaveBeenCalled();
  });

  it('orders versions of one record written in the same millisecond by number, v10 after v9', async () => {
    const store = new MemoryAuditStore();
    const same = (v: number) => ({ ...entry('agreement', 'agr_1', v, 1) });
    for (const v of [10, 9, 2, 1]) await store.record(same(v));
    const q = new AuditQueries(
      store,
      { agreement: async () => ({}), service: async () => ({}), vendor: async () => ({}) },
      async () => [],
    );
    expect((await q.trail(who, 'agreement', 'agr_1', { limit: 10 })).items.map((e) => e.version)).toEqual([
      1, 2, 9, 10,
    ]);
  });

  it('orders acts of two windows in one instant by event id, not by version: ew_1 v2 before ew_2 v1', async () => {
    const store = new MemoryAuditStore();
    const w1v2 = entry('exception-window', 'ew_1', 2, 2);
    const w2v1 = entry('exception-window', 'ew_2', 1, 2);
    for (const e of [w2v1, w1v2, a1]) await store.record(e);
    const q = new AuditQueries(
      store,
      { agreement: async () => ({}), service: async () => ({}), vendor: async () => ({}) },
      async () => ['ew_2', 'ew_1'],
    );
    expect((await q.trail(who, 'agreement', 'agr_1', { limit: 10 })).items).toEqual([a1, w1v2, w2v1]);
  });

  it('reads a plain cursor as versions seen and no window entry seen', async () => {
    const { q } = await setup();
    expect(await q.trail(who, 'agreement', 'agr_1', { limit: 2, cursor: '1' })).toEqual({
      items: [ew1v1, ew2v1],
      nextCursor: '1.2',
    });
  });

  it('takes a cursor of more than nine window entries seen', async () => {
    const store = new MemoryAuditStore();
    const ids = Array.from({ length: 12 }, (_, i) => `ew_${String(i).padStart(2, '0')}`);
    for (const id of ids) await store.record(entry('exception-window', id, 1, 2));
    const q = new AuditQueries(
      store,
      { agreement: async () => ({}), service: async () => ({}), vendor: async () => ({}) },
      async () => ids,
    );
    const first = await q.trail(who, 'agreement', 'agr_1', { limit: 10 });
    expect(first.nextCursor).toBe('0.10');
    const rest = await q.trail(who, 'agreement', 'agr_1', { limit: 10, cursor: '0.10' });
    expect(rest).toEqual({
      items: [entry('exception-window', 'ew_10', 1, 2), entry('exception-window', 'ew_11', 1, 2)],
    });
  });

  it('compares two versions of one record in one instant by number either way round', () => {
    const v9 = entry('agreement', 'agr_1', 9, 1);
    const v10 = entry('agreement', 'agr_1', 10, 1);
    expect(byTime(v9, v10)).toBe(-1);
    expect(byTime(v10, v9)).toBe(1);
    expect(byTime(a1, a2)).toBe(-1);
    expect(byTime(a2, a1)).toBe(1);
    expect(byTime(ew2v1, ew1v1)).toBe(1);
  });
});
