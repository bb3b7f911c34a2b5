import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoWorkTaskStore } from '../../shared/adapters/dynamodb/workflows.js';
import { MAX_ASSIGNEE_KEYS } from '../../shared/ports/tasks.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
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
    const legacy = (id: string, status: 'pending' | 'completed', email: string) => {
      const t = { ...workTask(id, { status, assignees: { emails: [email] } }), revision: 3 };
      return doc.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: `TASK#${t.id}`,
            sk: 'TASK',
            statusPk: `TASKS#${t.status}`,
            statusSk: `${t.createdAt}#${t.id}`,
            subjPk: `TASK_SUBJ#${t.subject.id}`,
            subjSk: `${t.createdAt}#${t.id}`,
            refPk: `TASK_REF#${t.externalRef}`,
            refSk: 'TASK',
            revision: t.revision,
            record: t,
          },
        }),
      );
    };
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
});
