import { isAfter, type TaskQuery, type WorkTask, type WorkTaskStore } from '../../ports/tasks.js';

const clone = <T>(x: T): T => structuredClone(x);

export class MemoryWorkTaskStore implements WorkTaskStore {
  private readonly rows = new Map<string, WorkTask>();

  async upsert(task: Omit<WorkTask, 'revision'>): Promise<WorkTask> {
    const current = this.rows.get(task.id);
    const next: WorkTask = current
      ? {
          ...current,
          token: task.token,
          dueAt: task.dueAt,
          data: { ...current.data, ...clone(task.data) },
          updatedAt: task.updatedAt,
          revision: current.revision + 1,
        }
      : { ...clone(task), revision: 1 };
    this.rows.set(task.id, next);
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
    return (
      [...this.rows.values()]
        .filter(
          (t) =>
            (q.status === undefined || t.status === q.status) &&
            (q.subjectId === undefined || t.subject.id === q.subjectId) &&
            (q.executionId === undefined || t.executionId === q.executionId) &&
            (q.before === undefined || isAfter(t, q.before)),
        )
        // Code unit order, as SQLite and DynamoDB compare keys (localeCompare would not agree with them on `_` or case).
        .sort((a, b) => (isAfter(a, b) ? 1 : isAfter(b, a) ? -1 : 0))
        .slice(0, q.limit ?? 1000)
        .map(clone)
    );
  }
  async update(task: WorkTask, expected: number) {
    const current = this.rows.get(task.id);
    if (!current || current.revision !== expected) return false;
    this.rows.set(task.id, { ...clone(task), revision: expected + 1 });
    return true;
  }
}
