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
  });
}
