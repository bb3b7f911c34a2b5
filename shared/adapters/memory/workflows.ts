import type { TaskTokenStore, TokenRecord } from '../../ports/tasks.js';
import type {
  ExecutionJournal,
  ExecutionPatchField,
  ExecutionRecord,
  ExecutionStatus,
  JournalStep,
  WorkflowName,
  WorkflowSubject,
} from '../../ports/workflows.js';

const clone = <T>(x: T): T => structuredClone(x);

/** In-memory journal: the fake of unit tests, held to the same contract as SQLite. */
export class MemoryExecutionJournal implements ExecutionJournal {
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly stepsBy = new Map<string, Map<string, JournalStep>>();

  async create(e: ExecutionRecord): Promise<boolean> {
    if (this.executions.has(e.executionId) || (await this.byName(e.workflow, e.name))) return false;
    this.executions.set(e.executionId, clone(e));
    return true;
  }
  async get(id: string) {
    const e = this.executions.get(id);
    return e ? clone(e) : undefined;
  }
  async byName(workflow: WorkflowName, name: string) {
    const e = [...this.executions.values()].find((x) => x.workflow === workflow && x.name === name);
    return e ? clone(e) : undefined;
  }
  async update(id: string, patch: Partial<Pick<ExecutionRecord, ExecutionPatchField>>) {
    const e = this.executions.get(id);
    if (e) this.executions.set(id, { ...e, ...clone(patch) });
  }
  async markRunning(id: string) {
    const e = this.executions.get(id);
    if (e?.status !== 'waiting') return false;
    this.executions.set(id, { ...e, status: 'running' });
    return true;
  }
  async listBySubject(subject: WorkflowSubject) {
    return [...this.executions.values()]
      .filter((e) => e.subject.type === subject.type && e.subject.id === subject.id)
      .sort((a, b) =>
        a.startedAt === b.startedAt
          ? b.executionId.localeCompare(a.executionId)
          : b.startedAt.localeCompare(a.startedAt),
      )
      .map(clone);
  }
  async idsWithStatus(statuses: readonly ExecutionStatus[], limit: number) {
    return [...this.executions.values()]
      .filter((e) => statuses.includes(e.status))
      .slice(0, limit)
      .map((e) => e.executionId);
  }
  async steps(executionId: string) {
    return new Map(
      [...(this.stepsBy.get(executionId) ?? new Map()).entries()].map(([k, v]) => [k, clone(v)]),
    );
  }
  async putStep(executionId: string, step: JournalStep) {
    const m = this.stepsBy.get(executionId) ?? new Map<string, JournalStep>();
    m.set(step.key, clone(step));
    this.stepsBy.set(executionId, m);
  }
  async putSteps(
    executionId: string,
    steps: readonly JournalStep[],
    patch?: Partial<Pick<ExecutionRecord, ExecutionPatchField>>,
  ) {
    for (const s of steps) await this.putStep(executionId, s);
    if (patch) await this.update(executionId, patch);
  }
  async dueWakes(nowMs: number, limit: number) {
    const out: string[] = [];
    for (const [id, m] of this.stepsBy) {
      if ([...m.values()].some((s) => s.status === 'waiting' && (s.wakeAt ?? Infinity) <= nowMs))
        out.push(id);
      if (out.length >= limit) break;
    }
    return out;
  }
}

export class MemoryTaskTokenStore implements TaskTokenStore {
  private readonly rows = new Map<string, TokenRecord>();

  async register(t: TokenRecord) {
    if (!this.rows.has(t.token)) this.rows.set(t.token, clone(t));
  }
  async get(token: string) {
    const t = this.rows.get(token);
    return t ? clone(t) : undefined;
  }
  async settle(
    token: string,
    outcome: { status: 'succeeded'; output: unknown } | { status: 'failed'; error: string; cause: string },
  ) {
    const t = this.rows.get(token);
    if (!t) return { record: undefined, settled: false };
    if (t.status !== 'pending') return { record: clone(t), settled: false };
    const next = { ...t, ...clone(outcome) } as TokenRecord;
    this.rows.set(token, next);
    return { record: clone(next), settled: true };
  }
  async due(nowMs: number, limit: number) {
    const dueAt = (t: TokenRecord) => Math.min(t.heartbeatAt ?? Infinity, t.timeoutAt ?? Infinity);
    return [...this.rows.values()]
      .filter((t) => t.status === 'pending' && dueAt(t) <= nowMs)
      .sort((a, b) => dueAt(a) - dueAt(b))
      .slice(0, limit)
      .map(clone);
  }
  async ofExecution(executionId: string) {
    return [...this.rows.values()].filter((t) => t.executionId === executionId).map(clone);
  }
  async pendingOf(executionId: string) {
    return [...this.rows.values()]
      .filter((t) => t.executionId === executionId && t.status === 'pending')
      .map(clone);
  }
}
