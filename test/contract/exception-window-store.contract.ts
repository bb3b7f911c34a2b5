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
  approver: 'cab@example.com',
  reason: 'database upgrade',
  createdBy: 'ops@example.com',
  createdAt: '2026-01-01T00:00:00.000Z',
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

    it('deletes a window and says whether there was one', async () => {
      await store.create(win('exc_1', '2026-01-02T00:00:00.000Z', '2026-01-02T02:00:00.000Z'));
      expect(await store.delete('exc_1')).toBe(true);
      expect(await store.delete('exc_1')).toBe(false);
      expect(await store.get('exc_1')).toBeUndefined();
    });
  });
}
