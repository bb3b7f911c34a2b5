import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.js';
import { MAX_ASSIGNEE_KEYS, type WorkTask, type WorkTaskStore } from '../../shared/ports/tasks.js';

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

    it("lists an execution's tasks whatever their status (a job collecting answers reads the settled ones)", async () => {
      const a = await store.upsert(
        workTask('tsk_x1', { createdAt: '2026-03-01T00:00:00.000Z', executionId: 'e9' }),
      );
      await store.upsert(workTask('tsk_x2', { createdAt: '2026-03-02T00:00:00.000Z', executionId: 'e9' }));
      await store.update({ ...a, status: 'completed' }, a.revision);
      expect((await store.list({ executionId: 'e9' })).map((t) => [t.id, t.status])).toEqual([
        ['tsk_x2', 'pending'],
        ['tsk_x1', 'completed'],
      ]);
      expect((await store.list({ executionId: 'e9', status: 'completed' })).map((t) => t.id)).toEqual([
        'tsk_x1',
      ]);
    });

    it('pages by keyset: after a place, strictly older or as old with a smaller id, every task once', async () => {
      // Three tasks share one instant: the id breaks the tie; `tsk_B` < `tsk_a` < `tsk_b` in code unit order (a
      // locale order would put `tsk_a` first). One settled task and one of another subject stay out.
      const same = '2026-03-02T00:00:00.000Z';
      for (const id of ['tsk_a', 'tsk_B', 'tsk_b']) await store.upsert(workTask(id, { createdAt: same }));
      await store.upsert(workTask('tsk_new', { createdAt: '2026-03-03T00:00:00.000Z' }));
      await store.upsert(workTask('tsk_old', { createdAt: '2026-03-01T00:00:00.000Z' }));
      const done = await store.upsert(workTask('tsk_c', { createdAt: same }));
      await store.update({ ...done, status: 'completed' }, done.revision);
      await store.upsert(workTask('tsk_z', { createdAt: same, subject: { type: 'violation', id: 'vio_1' } }));
      const order = ['tsk_new', 'tsk_z', 'tsk_b', 'tsk_a', 'tsk_B', 'tsk_old'];
      expect((await store.list({ status: 'pending' })).map((t) => t.id)).toEqual(order);
      // Pages of two, each after the last task of the one before: the whole list, once, in order.
      const seen: string[] = [];
      let before: { createdAt: string; id: string } | undefined;
      // Bounded: a store listing the place's own task again would page forever.
      for (let n = 0; n < 10; n++) {
        const page = await store.list({ status: 'pending', limit: 2, ...(before ? { before } : {}) });
        if (page.length === 0) break;
        seen.push(...page.map((t) => t.id));
        before = { createdAt: page.at(-1)!.createdAt, id: page.at(-1)!.id };
      }
      expect(seen).toEqual(order);
      // Strictly after: the place's own task is not listed again, whether or not a task holds it.
      expect(
        (await store.list({ status: 'pending', before: { createdAt: same, id: 'tsk_b' } })).map((t) => t.id),
      ).toEqual(['tsk_a', 'tsk_B', 'tsk_old']);
      expect(
        (await store.list({ status: 'pending', before: { createdAt: same, id: 'tsk_az' } })).map((t) => t.id),
      ).toEqual(['tsk_a', 'tsk_B', 'tsk_old']);
      // By subject too (the subject's index), with the status filter.
      expect(
        (await store.list({ subjectId: 'agr_1', before: { createdAt: same, id: 'tsk_c' } })).map((t) => t.id),
      ).toEqual(['tsk_b', 'tsk_a', 'tsk_B', 'tsk_old']);
      expect(
        (
          await store.list({
            subjectId: 'agr_1',
            status: 'pending',
            before: { createdAt: same, id: 'tsk_c' },
          })
        ).map((t) => t.id),
      ).toEqual(['tsk_b', 'tsk_a', 'tsk_B', 'tsk_old']);
      expect(
        (
          await store.list({
            status: 'pending',
            before: { createdAt: '2026-03-01T00:00:00.000Z', id: 'tsk_old' },
          })
        ).map((t) => t.id),
      ).toEqual([]);
    });
    describe('listByAssignee (the index by assignee key)', () => {
      const same = '2026-03-02T00:00:00.000Z';
      const idsOf = (ts: WorkTask[]) => ts.map((t) => t.id);

      it('lists the tasks of one key and status, newest first (then greatest id, code unit order), by keyset', async () => {
        // `tsk_B` < `tsk_a` < `tsk_b` in code unit order. Another capacity's task, a settled one and one addressed
        // by e-mail only stay out of `cap:legal`.
        for (const id of ['tsk_a', 'tsk_B', 'tsk_b']) await store.upsert(workTask(id, { createdAt: same }));
        await store.upsert(workTask('tsk_new', { createdAt: '2026-03-03T00:00:00.000Z' }));
        await store.upsert(workTask('tsk_old', { createdAt: '2026-03-01T00:00:00.000Z' }));
        await store.upsert(workTask('tsk_fin', { createdAt: same, assignees: { capacity: 'finance' } }));
        await store.upsert(
          workTask('tsk_mail', { createdAt: same, assignees: { emails: ['ana@example.com'] } }),
        );
        const done = await store.upsert(workTask('tsk_c', { createdAt: same }));
        await store.update({ ...done, status: 'completed' }, done.revision);
        const order = ['tsk_new', 'tsk_b', 'tsk_a', 'tsk_B', 'tsk_old'];
        expect(idsOf(await store.listByAssignee({ key: 'cap:legal', status: 'pending' }))).toEqual(order);
        expect(idsOf(await store.listByAssignee({ key: 'cap:legal', status: 'completed' }))).toEqual([
          'tsk_c',
        ]);
        expect(idsOf(await store.listByAssignee({ key: 'cap:finance', status: 'pending' }))).toEqual([
          'tsk_fin',
        ]);
        expect(await store.listByAssignee({ key: 'cap:audit', status: 'pending' })).toEqual([]);
        // The whole task, as `get` answers it.
        expect((await store.listByAssignee({ key: 'cap:legal', status: 'completed' }))[0]).toEqual(
          await store.get('tsk_c'),
        );
        // Pages of two, each after the last task of the one before: every task once, in order.
        const seen: string[] = [];
        let before: { createdAt: string; id: string } | undefined;
        for (let n = 0; n < 10; n++) {
          const page = await store.listByAssignee({
            key: 'cap:legal',
            status: 'pending',
            limit: 2,
            ...(before ? { before } : {}),
          });
          expect(page.length).toBeLessThanOrEqual(2);
          if (page.length === 0) break;
          seen.push(...idsOf(page));
          before = { createdAt: page.at(-1)!.createdAt, id: page.at(-1)!.id };
        }
        expect(seen).toEqual(order);
        // Strictly after a place, whether or not a task holds it.
        expect(
          idsOf(
            await store.listByAssignee({
              key: 'cap:legal',
              status: 'pending',
              before: { createdAt: same, id: 'tsk_az' },
            }),
          ),
        ).toEqual(['tsk_a', 'tsk_B', 'tsk_old']);
      });

      it('files a task under each of its keys once: capacity, service owner, e-mail (lower case), role in scope', async () => {
        await store.upsert(
          workTask('tsk_1', {
            assignees: {
              capacity: 'service-owner',
              emails: ['Ana@Example.com', 'ana@example.COM'],
              roles: ['sla-manager'],
            },
          }),
        );
        for (const key of [
          'cap:service-owner',
          'owner:svc_cards',
          'email:ana@example.com',
          'role:sla-manager#*',
          'role:sla-manager#bu:payments',
          'role:sla-manager#svc:svc_cards',
        ])
          expect(idsOf(await store.listByAssignee({ key, status: 'pending' })), key).toEqual(['tsk_1']);
        for (const key of [
          'email:Ana@Example.com',
          'role:approver#*',
          'role:sla-manager#bu:retail',
          'cap:legal',
        ])
          expect(await store.listByAssignee({ key, status: 'pending' }), key).toEqual([]);
      });

      it('moves a task between keys when an upsert or an update changes its assignees, and between statuses', async () => {
        await store.upsert(
          workTask('tsk_1', { assignees: { capacity: 'legal', emails: ['ana@example.com'] } }),
        );
        const moved = await store.upsert(
          workTask('tsk_1', {
            token: 'tok_2',
            assignees: { capacity: 'finance', emails: ['ana@example.com'] },
          }),
        );
        expect(moved.assignees).toEqual({ capacity: 'finance', emails: ['ana@example.com'] });
        expect(await store.listByAssignee({ key: 'cap:legal', status: 'pending' })).toEqual([]);
        expect(idsOf(await store.listByAssignee({ key: 'cap:finance', status: 'pending' }))).toEqual([
          'tsk_1',
        ]);
        // The key it kept lists it as it is now.
        expect((await store.listByAssignee({ key: 'email:ana@example.com', status: 'pending' }))[0]).toEqual(
          moved,
        );
        // An update: to a role, and settled.
        expect(
          await store.update(
            { ...moved, assignees: { roles: ['approver'] }, status: 'completed' },
            moved.revision,
          ),
        ).toBe(true);
        for (const key of ['cap:finance', 'email:ana@example.com', 'role:approver#*'])
          expect(await store.listByAssignee({ key, status: 'pending' }), key).toEqual([]);
        expect(await store.listByAssignee({ key: 'cap:finance', status: 'completed' })).toEqual([]);
        expect(idsOf(await store.listByAssignee({ key: 'role:approver#*', status: 'completed' }))).toEqual([
          'tsk_1',
        ]);
        // Addressed to nobody: listed under no key any more.
        const nobody = (await store.get('tsk_1'))!;
        expect(await store.update({ ...nobody, assignees: {} }, nobody.revision)).toBe(true);
        expect(await store.listByAssignee({ key: 'role:approver#*', status: 'completed' })).toEqual([]);
        expect(
          await store.update(
            { ...nobody, assignees: { roles: ['approver'] }, revision: nobody.revision + 1 },
            nobody.revision + 1,
          ),
        ).toBe(true);
        // A stale update changes neither the task nor its keys.
        expect(await store.update({ ...moved, assignees: { capacity: 'audit' } }, moved.revision)).toBe(
          false,
        );
        expect(await store.listByAssignee({ key: 'cap:audit', status: 'pending' })).toEqual([]);
        expect(idsOf(await store.listByAssignee({ key: 'role:approver#*', status: 'completed' }))).toEqual([
          'tsk_1',
        ]);
      });

      it(`refuses a task with more than ${MAX_ASSIGNEE_KEYS} assignee keys (400 naming assignees), storing nothing`, async () => {
        const emails = Array.from({ length: MAX_ASSIGNEE_KEYS + 1 }, (_, i) => `p${i}@example.com`);
        const e = await store
          .upsert(workTask('tsk_many', { assignees: { emails } }))
          .catch((x: unknown) => x);
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).details[0]?.path).toBe('assignees');
        expect(await store.get('tsk_many')).toBeUndefined();
        // Exactly the limit: stored and listed.
        await store.upsert(workTask('tsk_max', { assignees: { emails: emails.slice(1) } }));
        expect(
          idsOf(await store.listByAssignee({ key: 'email:p45@example.com', status: 'pending' })),
        ).toEqual(['tsk_max']);
        // An update past it: refused, the task as it was.
        const t = (await store.get('tsk_max'))!;
        await expect(store.update({ ...t, assignees: { emails } }, t.revision)).rejects.toBeInstanceOf(
          ValidationError,
        );
        expect(await store.get('tsk_max')).toEqual(t);
      });
    });
  });
}
