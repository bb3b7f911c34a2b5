import { describe, expect, it } from 'vitest';
import { DynamoWorkTaskStore } from '../../shared/adapters/dynamodb/workflows.js';
import { MAX_ASSIGNEE_KEYS } from '../../shared/ports/tasks.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { putLegacyTask } from '../helpers/legacy-tasks.js';
import { workTask, workTaskStoreContract } from './work-task-store.contract.js';

const local = useDynamoLocal();

workTaskStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoWorkTaskStore(doc, (await createTables(['Workflows'])).Workflows!);
});

describe('the DynamoDB task store’s index by assignee', () => {
  it('replaces the most keys a task may have by as many others in one transaction (within 100 actions)', async () => {
    const { doc, createTables } = local();
    const store = new DynamoWorkTaskStore(doc, (await createTables(['Workflows'])).Workflows!);
    const emails = (p: string) => Array.from({ length: MAX_ASSIGNEE_KEYS }, (_, i) => `${p}${i}@example.com`);
    const t = await store.upsert(workTask('tsk_1', { assignees: { emails: emails('a') } }));
    expect(await store.update({ ...t, assignees: { emails: emails('b') } }, t.revision)).toBe(true);
    expect(await store.listByAssignee({ key: 'email:a0@example.com', status: 'pending' })).toEqual([]);
    expect(
      (
        await store.listByAssignee({ key: `email:b${MAX_ASSIGNEE_KEYS - 1}@example.com`, status: 'pending' })
      ).map((x) => x.id),
    ).toEqual(['tsk_1']);
  });

  it('indexes the tasks stored before the index (no key items), once, keeping their revision', async () => {
    const { doc, createTables } = local();
    const table = (await createTables(['Workflows'])).Workflows!;
    const store = new DynamoWorkTaskStore(doc, table);
    // Items as the store wrote them before: the task item alone, no `akeys`.
    const legacy = (id: string, status: 'pending' | 'completed', email: string) =>
      putLegacyTask(doc, table, { ...workTask(id, { status, assignees: { emails: [email] } }), revision: 3 });
    await legacy('tsk_1', 'pending', 'Ana@Example.com');
    await legacy('tsk_2', 'completed', 'ana@example.com');
    await store.upsert(workTask('tsk_3', { assignees: { emails: ['ana@example.com'] } }));
    expect(await store.listByAssignee({ key: 'email:ana@example.com', status: 'pending' })).toHaveLength(1);
    expect(await store.indexLegacyTasks()).toEqual({ read: 3, indexed: 2 });
    expect(
      (await store.listByAssignee({ key: 'email:ana@example.com', status: 'pending' })).map((t) => [
        t.id,
        t.revision,
      ]),
    ).toEqual([
      ['tsk_3', 1],
      ['tsk_1', 3],
    ]);
    expect(
      (await store.listByAssignee({ key: 'email:ana@example.com', status: 'completed' })).map((t) => t.id),
    ).toEqual(['tsk_2']);
    // Run again: nothing left to index. A migrated task then moves like any other.
    expect(await store.indexLegacyTasks()).toEqual({ read: 3, indexed: 0 });
    const t1 = (await store.get('tsk_1'))!;
    expect(await store.update({ ...t1, status: 'completed' }, 3)).toBe(true);
    expect(
      (await store.listByAssignee({ key: 'email:ana@example.com', status: 'pending' })).map((t) => t.id),
    ).toEqual(['tsk_3']);
  });

  it('indexes the legacy tasks one bounded step at a time, each step resuming where the last stopped, across every status', async () => {
    const { doc, createTables } = local();
    const table = (await createTables(['Workflows'])).Workflows!;
    const store = new DynamoWorkTaskStore(doc, table);
    const statuses = ['pending', 'pending', 'pending', 'completed', 'rejected', 'expired'] as const;
    for (const [i, status] of statuses.entries())
      await putLegacyTask(doc, table, {
        ...workTask(`tsk_${i}`, { status, assignees: { emails: ['bo@example.com'] } }),
        revision: 2,
      });
    const steps: { read: number; changed: number }[] = [];
    let from: string | undefined;
    do {
      const s = await store.indexLegacyTasksStep(from, 2);
      expect(s.read).toBeLessThanOrEqual(2);
      steps.push({ read: s.read, changed: s.changed });
      from = s.next;
    } while (from !== undefined && steps.length < 20);
    expect(from).toBeUndefined();
    expect(steps.reduce((n, s) => n + s.read, 0)).toBe(6);
    expect(steps.reduce((n, s) => n + s.changed, 0)).toBe(6);
    for (const status of ['pending', 'completed', 'rejected', 'expired'] as const)
      expect(
        (await store.listByAssignee({ key: 'email:bo@example.com', status })).map((t) => t.revision),
      ).toEqual(statuses.filter((s) => s === status).map(() => 2));
    // The same step again (a run cut off before its checkpoint) changes nothing.
    expect(await store.indexLegacyTasksStep(undefined, 2)).toMatchObject({ read: 2, changed: 0 });
    await expect(store.indexLegacyTasksStep('{"s":9}', 2)).rejects.toThrow('not a task migration position');
  });
});
