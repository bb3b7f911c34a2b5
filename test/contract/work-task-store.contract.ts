import { beforeEach, describe, expect, it } from 'vitest';
import type { WorkTask, WorkTaskStore } from '../../shared/ports/tasks.js';

export const workTask = (
  id: string,
  over: Partial<Omit<WorkTask, 'revision'>> = {},
): Omit<WorkTask, 'revision'> => ({
  id,
  kind: 'signoff',
  workflow: 'approval',
  executionId: 'local:approval:agr_1-v2',
  token: `tok_${id}_1`,
  subject: { type: 'agreement', id: 'agr_1' },
  businessUnit: 'payments',
  serviceId: 'svc_cards',
  title: 'Sign off Card SLA as legal',
  assignees: { capacity: 'legal' },
  status: 'pending',
  createdAt: '2026-03-02T09:30:00.000Z',
  updatedAt: '2026-03-02T09:30:00.000Z',
  dueAt: '2026-03-04T09:30:00.000Z',
  externalRef: `ACCORD-${id}`,
  data: { capacity: 'legal' },
  ...over,
});

export function workTaskStoreContract(
  name: string,
  make: () => Promise<WorkTaskStore> | WorkTaskStore,
): void {
  describe(`WorkTaskStore contract: ${name}`, () => {
    let store: WorkTaskStore;
    beforeEach(async () => {
      store = await make();
    });

    it('creates a task at revision 1 and finds it by id and by external reference', async () => {
      const t = await store.upsert(workTask('tsk_1'));
      expect(t.revision).toBe(1);
      expect(await store.get('tsk_1')).toEqual(t);
      expect(await store.byExternalRef('ACCORD-tsk_1')).toEqual(t);
      expect(await store.get('tsk_none')).toBeUndefined();
    });

    it('refreshes the token, due date and data of an existing task, keeping its status and outcome', async () => {
      await store.upsert(workTask('tsk_1'));
      const again = await store.upsert(
        workTask('tsk_1', {
          token: 'tok_2',
          dueAt: '2026-03-05T00:00:00.000Z',
          data: { round: 1 },
          status: 'completed',
          title: 'x',
        }),
      );
      expect(again).toMatchObject({
        token: 'tok_2',
        dueAt: '2026-03-05T00:00:00.000Z',
        data: { capacity: 'legal', round: 1 },
        status: 'pending',
        title: 'Sign off Card SLA as legal',
        revision: 2,
      });
    });

    it('updates only from the revision it read: a second writer from the same revision loses', async () => {
      const t = await store.upsert(workTask('tsk_1'));
      expect(await store.update({ ...t, status: 'completed', outcome: { decision: 'approved' } }, 1)).toBe(
        true,
      );
      expect(await store.update({ ...t, status: 'rejected' }, 1)).toBe(false);
      expect(await store.get('tsk_1')).toMatchObject({
        status: 'completed',
        revision: 2,
        outcome: { decision: 'approved' },
      });
    });

    it('lists by status, subject and execution, newest first', async () => {
      await store.upsert(workTask('tsk_1', { createdAt: '2026-03-01T00:00:00.000Z' }));
      await store.upsert(
        workTask('tsk_2', {
          createdAt: '2026-03-03T00:00:00.000Z',
          subject: { type: 'violation', id: 'vio_1' },
          executionId: 'e2',
        }),
      );
      const done = await store.upsert(workTask('tsk_3', { createdAt: '2026-03-02T00:00:00.000Z' }));
      await store.update({ ...done, status: 'completed' }, done.revision);
      expect((await store.list({ status: 'pending' })).map((t) => t.id)).toEqual(['tsk_2', 'tsk_1']);
      expect((await store.list({ subjectId: 'agr_1' })).map((t) => t.id)).toEqual(['tsk_3', 'tsk_1']);
      expect((await store.list({ executionId: 'e2' })).map((t) => t.id)).toEqual(['tsk_2']);
      expect(await store.list({ limit: 1 })).toHaveLength(1);
    });
  });
}
