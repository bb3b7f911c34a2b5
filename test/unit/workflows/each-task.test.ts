import { describe, expect, it, vi } from 'vitest';
import { MemoryWorkTaskStore } from '../../../shared/adapters/memory/tasks.js';
import { eachTask } from '../../../shared/ports/tasks.js';
import { workTask } from '../../contract/work-task-store.contract.js';

describe('eachTask: every task of a query, page after page by keyset', () => {
  it('yields every matching task once, newest first, through pages of two (ties broken by id), and no other', async () => {
    const store = new MemoryWorkTaskStore();
    const at = (d: number) => `2026-03-0${d}T00:00:00.000Z`;
    for (const [id, d] of [
      ['tsk_1', 1],
      ['tsk_2', 2],
      ['tsk_3', 2],
      ['tsk_4', 3],
      ['tsk_5', 4],
    ] as const) {
      await store.upsert(workTask(id, { createdAt: at(d) }));
    }
    const done = await store.upsert(workTask('tsk_6', { createdAt: at(5) }));
    await store.update({ ...done, status: 'completed' }, done.revision);
    const list = vi.spyOn(store, 'list');
    const seen: string[] = [];
    for await (const t of eachTask(store, { status: 'pending' }, 2)) seen.push(t.id);
    expect(seen).toEqual(['tsk_5', 'tsk_4', 'tsk_3', 'tsk_2', 'tsk_1']);
    // Three pages: 2, 2, then a short one that ends it.
    expect(list.mock.calls.map(([q]) => q.before?.id)).toEqual([undefined, 'tsk_4', 'tsk_2']);
  });

  it('reads one page when the store holds fewer than a page', async () => {
    const store = new MemoryWorkTaskStore();
    await store.upsert(workTask('tsk_1', { createdAt: '2026-03-01T00:00:00.000Z' }));
    const list = vi.spyOn(store, 'list');
    const seen: string[] = [];
    for await (const t of eachTask(store, {})) seen.push(t.id);
    expect(seen).toEqual(['tsk_1']);
    expect(list).toHaveBeenCalledTimes(1);
    expect(list.mock.calls[0]![0]).toEqual({ limit: 500 });
  });
});
