import { beforeEach, describe, expect, it } from 'vitest';
import type { ExceptionWindowRecord, ExceptionWindowStore } from '../../shared/ports/objectives.js';

const win = (
  id: string,
  start: string,
  end: string,
  over: Partial<ExceptionWindowRecord> = {},
): ExceptionWindowRecord => ({
  id,
  agreementId: 'agr_0000000001',
  kind: 'planned-maintenance',
  start,
  end,
  status: 'requested',
  version: 1,
  requestedBy: 'ops-subject',
  reason: 'database upgrade',
  createdBy: 'ops-subject',
  createdAt: '2026-01-01T00:00:00.000Z',
  changedBy: 'ops-subject',
  changedAt: '2026-01-01T00:00:00.000Z',
  change: 'exception:request',
  changeReason: 'database upgrade',
  ...over,
});

export function exceptionWindowStoreContract(name: string, make: () => ExceptionWindowStore): void {
  describe(`ExceptionWindowStore contract: ${name}`, () => {
    let store: ExceptionWindowStore;
    beforeEach(() => {
      store = make();
    });

    it('stores a window with its approver and reason and reads it back', async () => {
      const w = win('exc_1', '2026-01-02T00:00:00.000Z', '2026-01-02T02:00:00.000Z', {
        objectiveId: 'avail',
      });
      await store.create(w);
      expect(await store.get('exc_1')).toEqual(w);
    });

    it('refuses a second window with the same id', async () => {
      await store.create(win('exc_1', '2026-01-02T00:00:00.000Z', '2026-01-02T02:00:00.000Z'));
      await expect(
        store.create(win('exc_1', '2026-01-03T00:00:00.000Z', '2026-01-03T02:00:00.000Z')),
      ).rejects.toMatchObject({
        code: 'conflict',
      });
    });

    it('lists the windows of an agreement that overlap a range, by start', async () => {
      await store.create(win('exc_b', '2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z'));
      await store.create(win('exc_a', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'));
      await store.create(win('exc_c', '2026-01-09T00:00:00.000Z', '2026-01-10T00:00:00.000Z'));
      await store.create(
        win('exc_x', '2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z', {
          agreementId: 'agr_0000000002',
        }),
      );
      const got = await store.list({
        agreementId: 'agr_0000000001',
        from: '2026-01-02T12:00:00.000Z',
        to: '2026-01-09T00:00:00.000Z',
      });
      expect(got.map((w) => w.id)).toEqual(['exc_a', 'exc_b']);
      expect((await store.list({})).length).toBe(4);
    });

    it('stores the next version of a window (approval, revocation) and keeps no window out of its lists', async () => {
      const w = win('exc_1', '2026-01-02T00:00:00.000Z', '2026-01-02T02:00:00.000Z');
      await store.create(w);
      const approved = {
        ...w,
        status: 'approved' as const,
        version: 2,
        approver: 'cab-subject',
        change: 'exception:approve',
      };
      await store.update(approved);
      expect(await store.get('exc_1')).toEqual(approved);
      const revoked = { ...approved, status: 'revoked' as const, version: 3, change: 'exception:revoke' };
      await store.update(revoked);
      expect(
        (await store.list({ agreementId: w.agreementId })).map((x) => [x.id, x.status, x.version]),
      ).toEqual([['exc_1', 'revoked', 3]]);
    });

    it('refuses a stale update with a version conflict carrying the current window, and an unknown window', async () => {
      const w = win('exc_1', '2026-01-02T00:00:00.000Z', '2026-01-02T02:00:00.000Z');
      await store.create(w);
      await store.update({ ...w, status: 'approved', version: 2 });
      await expect(store.update({ ...w, status: 'rejected', version: 2 })).rejects.toMatchObject({
        code: 'version_conflict',
        current: { status: 'approved', version: 2 },
      });
      await expect(store.update({ ...w, id: 'exc_none', version: 2 })).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    describe('writeUnless: the look at the windows and the write in one step', () => {
      const around = { from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' };
      /** Refuses a window overlapping another live one of its agreement (as the overlap rule does). */
      const noOverlap = (w: ExceptionWindowRecord, live: ExceptionWindowRecord['status'][]) => {
        return (windows: ExceptionWindowRecord[]) => {
          const clash = windows.find(
            (x) => x.id !== w.id && live.includes(x.status) && x.start < w.end && w.start < x.end,
          );
          return clash ? `overlaps ${clash.id}` : undefined;
        };
      };

      it("shows refuse the agreement's windows overlapping the range, and stores a window or its next version only when refuse finds nothing", async () => {
        await store.create(win('exc_1', '2026-01-02T00:00:00.000Z', '2026-01-02T02:00:00.000Z'));
        await store.create(win('exc_late', '2026-03-02T00:00:00.000Z', '2026-03-02T02:00:00.000Z'));
        await store.create(
          win('exc_x', '2026-01-02T00:00:00.000Z', '2026-01-02T02:00:00.000Z', {
            agreementId: 'agr_0000000002',
          }),
        );
        const seen: string[][] = [];
        const w2 = win('exc_2', '2026-01-03T00:00:00.000Z', '2026-01-03T02:00:00.000Z');
        expect(
          await store.writeUnless(w2, around, (ws) => {
            seen.push(ws.map((x) => x.id));
            return undefined;
          }),
        ).toBeUndefined();
        expect(seen).toEqual([['exc_1']]);
        expect(await store.get('exc_2')).toEqual(w2);
        const w3 = win('exc_3', '2026-01-04T00:00:00.000Z', '2026-01-04T02:00:00.000Z');
        expect(await store.writeUnless(w3, around, () => 'no')).toBe('no');
        expect(await store.get('exc_3')).toBeUndefined();
        const approved = { ...w2, status: 'approved' as const, version: 2 };
        expect(await store.writeUnless(approved, around, () => undefined)).toBeUndefined();
        expect(await store.get('exc_2')).toEqual(approved);
        // The next write sees the one before at once, with its latest version.
        const statuses: string[] = [];
        await store.writeUnless(w3, around, (ws) => {
          statuses.push(...ws.map((x) => `${x.id}:${x.status}`));
          return undefined;
        });
        expect(statuses).toEqual(['exc_1:requested', 'exc_2:approved']);
      });

      it('refuses as create and update do: an id already stored, a stale version, an unknown window', async () => {
        const w = win('exc_1', '2026-01-02T00:00:00.000Z', '2026-01-02T02:00:00.000Z');
        await store.writeUnless(w, around, () => undefined);
        await expect(store.writeUnless(w, around, () => undefined)).rejects.toMatchObject({
          code: 'conflict',
        });
        await store.writeUnless({ ...w, status: 'approved', version: 2 }, around, () => undefined);
        await expect(
          store.writeUnless({ ...w, status: 'rejected', version: 2 }, around, () => undefined),
        ).rejects.toMatchObject({ code: 'version_conflict', current: { status: 'approved', version: 2 } });
        await expect(
          store.writeUnless({ ...w, id: 'exc_none', version: 2 }, around, () => undefined),
        ).rejects.toMatchObject({ code: 'not_found' });
      });

      it('approves exactly one of two overlapping requested windows approved at the same instant', async () => {
        const a = win('exc_a', '2026-01-02T00:00:00.000Z', '2026-01-02T02:00:00.000Z');
        const b = win('exc_b', '2026-01-02T01:00:00.000Z', '2026-01-02T03:00:00.000Z');
        await store.create(a);
        await store.create(b);
        const results = await Promise.all(
          [a, b].map((w) => {
            const next = { ...w, status: 'approved' as const, version: 2 };
            return store.writeUnless(next, around, noOverlap(next, ['approved']));
          }),
        );
        expect(results.filter((r) => r === undefined)).toHaveLength(1);
        const approved = (await store.list({ agreementId: a.agreementId })).filter(
          (w) => w.status === 'approved',
        );
        expect(approved).toHaveLength(1);
        expect(results).toContain(`overlaps ${approved[0]!.id}`);
      });

      it('stores exactly one of five overlapping windows requested at the same instant', async () => {
        const results = await Promise.all(
          [1, 2, 3, 4, 5].map((n) => {
            const w = win(`exc_${n}`, `2026-01-02T0${n}:00:00.000Z`, '2026-01-02T08:00:00.000Z');
            return store.writeUnless(w, around, noOverlap(w, ['requested', 'approved']));
          }),
        );
        expect(results.filter((r) => r === undefined)).toHaveLength(1);
        expect(await store.list({ agreementId: 'agr_0000000001' })).toHaveLength(1);
      });
    });
  });
}
