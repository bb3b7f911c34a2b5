import {
  type AssigneeQuery,
  assigneeKeys,
  isAfter,
  type TaskPosition,
  type TaskQuery,
  type WorkTask,
  type WorkTaskStore,
} from '../../ports/tasks.js';

const clone = <T>(x: T): T => structuredClone(x);
/** The list order: newest first, then greatest id, in code unit order as SQLite and DynamoDB compare keys. */
const newestFirst = (a: TaskPosition, b: TaskPosition) => (isAfter(a, b) ? 1 : isAfter(b, a) ? -1 : 0);

export class MemoryWorkTaskStore implements WorkTaskStore {
  private readonly rows = new Map<string, WorkTask>();
  /** The index by assignee: key → ids of the tasks carrying it. */
  private readonly byKey = new Map<string, Set<string>>();

  async upsert(task: Omit<WorkTask, 'revision'>): Promise<WorkTask> {
    const current = this.rows.get(task.id);
    const next: WorkTask = current
      ? {
          ...current,
          token: task.token,
          dueAt: task.dueAt,
          assignees: clone(task.assignees),
          data: { ...current.data, ...clone(task.data) },
          updatedAt: task.updatedAt,
          revision: current.revision + 1,
        }
      : { ...clone(task), revision: 1 };
    this.put(next, current);
    return clone(next);
  }
  async get(id: string) {
    const t = this.rows.get(id);
    return t ? clone(t) : undefined;
  }
  async byExternalRef(ref: string) {
    const t = [...this.rows.values()].find((x) => x.externalRef === ref);
    return t ? clone(t) : undefined;
  }
  async list(q: TaskQuery) {
    return [...this.rows.values()]
      .filter(
        (t) =>
          (q.status === undefined || t.status === q.status) &&
          (q.subjectId === undefined || t.subject.id === q.subjectId) &&
          (q.executionId === undefined || t.executionId === q.executionId) &&
          (q.before === undefined || isAfter(t, q.before)),
      )
      .sort(newestFirst)
      .slice(0, q.limit ?? 1000)
      .map(clone);
  }
  async listByAssignee(q: AssigneeQuery) {
    return [...(this.byKey.get(q.key) ?? [])]
      .map((id) => this.rows.get(id)!)
      .filter((t) => t.status === q.status && (q.before === undefined || isAfter(t, q.before)))
      .sort(newestFirst)
      .slice(0, q.limit ?? 1000)
      .map(clone);
  }
  async update(task: WorkTask, expected: number) {
    const current = this.rows.get(task.id);
    if (!current || current.revision !== expected) return false;
    this.put({ ...clone(task), revision: expected + 1 }, current);
    return true;
  }

  /** Stores `next`, moving it from the keys of `previous` to its own (keys checked before anything changes). */
  private put(next: WorkTask, previous: WorkTask | undefined): void {
    const keys = assigneeKeys(next);
    for (const k of previous ? assigneeKeys(previous) : []) this.byKey.get(k)?.delete(next.id);
    for (const k of keys) {
      const ids = this.byKey.get(k) ?? new Set<string>();
      ids.add(next.id);
      this.byKey.set(k, ids);
    }
    this.rows.set(next.id, next);
  }
}
