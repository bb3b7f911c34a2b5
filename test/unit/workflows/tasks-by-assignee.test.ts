import { describe, expect, it } from 'vitest';
import { MemoryWorkTaskStore } from '../../../shared/adapters/memory/tasks.js';
import { type Principal, ROLES } from '../../../shared/domain/access/policy.js';
import {
  type AssigneeQuery,
  assigneeKeys,
  TASK_KINDS,
  TASK_STATUSES,
  type TaskQuery,
  type WorkTask,
  type WorkTaskStore,
} from '../../../shared/ports/tasks.js';
import type { WorkflowEngine } from '../../../shared/ports/workflows.js';
import { ListTasksQuery } from '../../../shared/schemas/workflows.js';
import type { AgreementUseCases } from '../../../shared/usecases/agreements.js';
import { mayAct, principalTaskKeys, TaskUseCases } from '../../../shared/usecases/workflows/tasks.js';
import { principal } from '../../helpers/fixtures.js';

/** A store that counts the tasks it answers (what a page costs), and which methods answered them. */
class CountingStore implements WorkTaskStore {
  read = 0;
  calls: string[] = [];
  constructor(private readonly inner: WorkTaskStore) {}
  upsert(t: Omit<WorkTask, 'revision'>) {
    return this.inner.upsert(t);
  }
  get(id: string) {
    return this.inner.get(id);
  }
  byExternalRef(ref: string) {
    return this.inner.byExternalRef(ref);
  }
  update(t: WorkTask, expected: number) {
    return this.inner.update(t, expected);
  }
  async list(q: TaskQuery) {
    const rows = await this.inner.list(q);
    this.read += rows.length;
    this.calls.push('list');
    return rows;
  }
  async listByAssignee(q: AssigneeQuery) {
    const rows = await this.inner.listByAssignee(q);
    this.read += rows.length;
    this.calls.push(`listByAssignee ${q.key}`);
    return rows;
  }
}

const useCases = (tasks: WorkTaskStore) =>
  new TaskUseCases({
    tasks,
    agreements: {} as AgreementUseCases,
    engine: () => ({}) as WorkflowEngine,
    clock: { now: () => new Date('2026-03-02T10:00:00.000Z') },
  });

const base = (id: string, over: Partial<Omit<WorkTask, 'revision'>>): Omit<WorkTask, 'revision'> => ({
  id,
  kind: 'capa',
  workflow: 'remediation',
  executionId: `exe_${id}`,
  token: `tok_${id}`,
  subject: { type: 'violation', id: `vio_${id}` },
  businessUnit: 'payments',
  serviceId: 'svc_a',
  title: `task ${id}`,
  assignees: {},
  status: 'pending',
  createdAt: '2026-03-02T09:00:00.000Z',
  updatedAt: '2026-03-02T09:00:00.000Z',
  externalRef: `REF-${id}`,
  data: {},
  ...over,
});

/** A small deterministic generator (mulberry32), so the varied data set is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UNITS = ['payments', 'retail', 'platform'];
const SERVICES = ['svc_a', 'svc_b', 'svc_c'];
const CAPACITIES = ['legal', 'finance', 'service-owner', 'security'];
const EMAILS = ['ana@example.com', 'Ana@Example.com', 'bo@example.com', 'cy@example.com', 'BO@EXAMPLE.COM'];

/** Principals of every shape the matching knows: capacities, service owners, e-mails, roles in each scope. */
const PEOPLE: Record<string, Principal> = {
  admin: principal({ subject: 'adm', roles: ['admin'] }),
  managerPayments: principal({ subject: 'sam', roles: ['sla-manager'], businessUnits: ['payments'] }),
  managerTwoUnits: principal({
    subject: 'pia',
    email: 'cy@example.com',
    roles: ['sla-manager'],
    businessUnits: ['retail', 'platform'],
  }),
  legalApprover: principal({ subject: 'lee', roles: ['approver'], signOffCapacities: ['legal', 'finance'] }),
  ownerCapacityApprover: principal({
    subject: 'oca',
    roles: ['approver'],
    signOffCapacities: ['service-owner'],
  }),
  capacitiesWithoutApproverRole: principal({
    subject: 'nar',
    roles: ['viewer'],
    signOffCapacities: ['legal'],
  }),
  serviceOwner: principal({ subject: 'sol', roles: ['service-owner'], services: ['svc_a', 'svc_c'] }),
  ownerAndManager: principal({
    subject: 'omm',
    email: 'BO@example.com',
    roles: ['service-owner', 'sla-manager'],
    services: ['svc_b'],
    businessUnits: ['retail'],
  }),
  approverAndViewer: principal({ subject: 'avv', roles: ['approver', 'viewer'], signOffCapacities: [] }),
  viewerByEmail: principal({
    subject: 'ana',
    email: 'ANA@example.com',
    roles: ['viewer'],
    businessUnits: ['payments'],
  }),
  auditor: principal({ subject: 'aud', email: 'aud@example.com', roles: ['auditor'] }),
  nobody: principal({ subject: 'nob', roles: [] }),
};

/** A varied data set: every combination the matching distinguishes, with ties on createdAt (the id orders them). */
async function variedTasks(store: WorkTaskStore, n: number): Promise<void> {
  const r = random(37);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  for (let i = 0; i < n; i++) {
    const capacity = r() < 0.35 ? pick(CAPACITIES) : undefined;
    const roles = ROLES.filter(() => r() < 0.15);
    const emails = EMAILS.filter(() => r() < 0.15);
    await store.upsert(
      base(`tsk_${String(i).padStart(4, '0')}`, {
        kind: pick(TASK_KINDS),
        businessUnit: pick(UNITS),
        serviceId: pick(SERVICES),
        status: r() < 0.7 ? 'pending' : pick(TASK_STATUSES),
        // 40 instants for 600 tasks: many ties.
        createdAt: new Date(Date.UTC(2026, 2, 1) + Math.floor(r() * 40) * 60_000).toISOString(),
        assignees: {
          ...(capacity ? { capacity } : {}),
          ...(roles.length ? { roles } : {}),
          ...(emails.length ? { emails } : {}),
        },
      }),
    );
  }
}

/** Every page of `view=mine`, `limit` at a time, followed by nextCursor. */
async function walkMine(uc: TaskUseCases, p: Principal, over: Record<string, unknown>): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 1000; n++) {
    const page = await uc.list(p, ListTasksQuery.parse({ ...over, ...(cursor ? { cursor } : {}) }));
    seen.push(...page.items.map((t) => t.id));
    cursor = page.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error('the pages never ended');
}

describe('GET /v1/tasks view=mine through the index by assignee (TaskUseCases.list)', () => {
  it('shows each principal exactly the tasks the walk of the whole status showed (mayAct), in the same order', async () => {
    const store = new MemoryWorkTaskStore();
    await variedTasks(store, 600);
    const uc = useCases(store);
    const all = await store.list({ limit: 10_000 });
    let shown = 0;
    for (const [name, p] of Object.entries(PEOPLE)) {
      for (const status of ['pending', 'completed', 'cancelled'] as const) {
        // What the list showed before the index: every task of the status, newest first, kept when mayAct.
        const expected = all.filter((t) => t.status === status && mayAct(p, t)).map((t) => t.id);
        expect(await walkMine(uc, p, { status, limit: 7 }), `${name} ${status}`).toEqual(expected);
        expect(await walkMine(uc, p, { status, limit: 200 }), `${name} ${status}`).toEqual(expected);
        shown += expected.length;
      }
      // With a kind: the same filter after the merge.
      const kind = 'signoff';
      const expected = all
        .filter((t) => t.status === 'pending' && t.kind === kind && mayAct(p, t))
        .map((t) => t.id);
      expect(await walkMine(uc, p, { kind, limit: 3 }), `${name} ${kind}`).toEqual(expected);
    }
    // The data set is varied enough to mean something: over 900 (principal, task) matches in all (viewers and
    // auditors named by e-mail match none since red team wave 37: they may not act on tasks).
    expect(shown).toBeGreaterThan(900);
    expect(await walkMine(uc, PEOPLE.viewerByEmail!, { limit: 50 })).toEqual([]);
    expect(await walkMine(uc, PEOPLE.nobody!, { limit: 50 })).toEqual([]);
  });

  it('gives the principal keys a task carries exactly when mayAct holds (both sides of the index agree)', async () => {
    const store = new MemoryWorkTaskStore();
    await variedTasks(store, 600);
    const all = await store.list({ limit: 10_000 });
    for (const [name, p] of Object.entries(PEOPLE)) {
      const mine = new Set(principalTaskKeys(p));
      for (const t of all)
        expect(
          assigneeKeys(t).some((k) => mine.has(k)),
          `${name} ${t.id}`,
        ).toBe(mayAct(p, t));
    }
  });

  it('lists a person’s 3 tasks among 20,000 of other people’s reading O(page) tasks, never the whole status', async () => {
    const inner = new MemoryWorkTaskStore();
    const r = random(7);
    const at = (i: number) => new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString();
    // Others: approvers of other capacities, other people's e-mails, sla-managers of other units, the role
    // addressed everywhere (an admin's key) — none of them sam's.
    for (let i = 0; i < 20_000; i++) {
      const which = Math.floor(r() * 4);
      await inner.upsert(
        base(`tsk_o${String(i).padStart(5, '0')}`, {
          createdAt: at(10 + i),
          businessUnit: which === 2 ? 'retail' : 'payments',
          assignees:
            which === 0
              ? { capacity: 'finance' }
              : which === 1
                ? { emails: [`p${i}@example.com`] }
                : which === 2
                  ? { roles: ['sla-manager'] }
                  : { roles: ['admin'] },
        }),
      );
    }
    // Sam's: the oldest of all, one in the middle, one by e-mail; one settled, which a pending list leaves out.
    await inner.upsert(base('tsk_m1', { createdAt: at(0), assignees: { roles: ['sla-manager'] } }));
    await inner.upsert(
      base('tsk_m2', { createdAt: at(10_005), assignees: { roles: ['sla-manager', 'admin'] } }),
    );
    await inner.upsert(base('tsk_m3', { createdAt: at(5), assignees: { emails: ['Sam@Example.com'] } }));
    await inner.upsert(
      base('tsk_m4', { createdAt: at(6), status: 'completed', assignees: { roles: ['sla-manager'] } }),
    );
    const sam = principal({
      subject: 'sam',
      email: 'sam@example.com',
      roles: ['sla-manager'],
      businessUnits: ['payments'],
    });
    const store = new CountingStore(inner);
    const uc = useCases(store);
    const page = await uc.list(sam, ListTasksQuery.parse({}));
    expect(page.items.map((t) => t.id)).toEqual(['tsk_m2', 'tsk_m3', 'tsk_m1']);
    expect(page.nextCursor).toBeUndefined();
    // One read per key (sam's e-mail, sla-manager in payments), 3 tasks answered in all: not the 20,004 pending.
    expect(store.calls.sort()).toEqual([
      'listByAssignee email:sam@example.com',
      'listByAssignee role:sla-manager#bu:payments',
    ]);
    expect(store.read).toBe(3);

    // Pages of one: each page reads at most limit + 1 tasks per key, and the cursor goes on from there.
    store.read = 0;
    store.calls = [];
    const first = await uc.list(sam, ListTasksQuery.parse({ limit: 1 }));
    expect(first.items.map((t) => t.id)).toEqual(['tsk_m2']);
    expect(store.read).toBeLessThanOrEqual(2 * 2);
    const second = await uc.list(sam, ListTasksQuery.parse({ limit: 1, cursor: first.nextCursor }));
    expect(second.items.map((t) => t.id)).toEqual(['tsk_m3']);

    // An admin (scope everything) sees the tasks addressed to admins everywhere: a page of 50 reads 51, not 5,000.
    store.read = 0;
    const admin = principal({ subject: 'adm', roles: ['admin'] });
    const adminPage = await uc.list(admin, ListTasksQuery.parse({ limit: 50 }));
    expect(adminPage.items).toHaveLength(50);
    expect(adminPage.nextCursor).toEqual(expect.any(String));
    expect(store.read).toBe(51);
  });

  it('merges a task under several of the caller’s keys once, and keeps view=all and a subject on the walk', async () => {
    const inner = new MemoryWorkTaskStore();
    // Addressed to sam by e-mail (twice, in two cases), by role and by capacity: four of sam's keys.
    await inner.upsert(
      base('tsk_1', {
        createdAt: '2026-03-02T09:00:00.000Z',
        assignees: { capacity: 'legal', emails: ['sam@example.com', 'SAM@example.com'], roles: ['approver'] },
      }),
    );
    await inner.upsert(
      base('tsk_2', { createdAt: '2026-03-02T08:00:00.000Z', assignees: { capacity: 'legal' } }),
    );
    await inner.upsert(
      base('tsk_3', { createdAt: '2026-03-02T08:00:00.000Z', assignees: { emails: ['Sam@example.com'] } }),
    );
    const sam = principal({
      subject: 'sam',
      email: 'sam@example.com',
      roles: ['approver'],
      signOffCapacities: ['legal'],
    });
    const store = new CountingStore(inner);
    const uc = useCases(store);
    expect((await uc.list(sam, ListTasksQuery.parse({}))).items.map((t) => t.id)).toEqual([
      'tsk_1',
      'tsk_3',
      'tsk_2',
    ]);
    expect(await walkMine(uc, sam, { limit: 1 })).toEqual(['tsk_1', 'tsk_3', 'tsk_2']);
    // view=all (an approver reads everything) and a subject's list read the status or the subject, not the index.
    store.calls = [];
    expect((await uc.list(sam, ListTasksQuery.parse({ view: 'all' }))).items.map((t) => t.id)).toEqual([
      'tsk_1',
      'tsk_3',
      'tsk_2',
    ]);
    expect(
      (await uc.list(sam, ListTasksQuery.parse({ subjectId: 'vio_tsk_2' }))).items.map((t) => t.id),
    ).toEqual(['tsk_2']);
    expect(store.calls).toEqual(['list', 'list']);
  });
});
