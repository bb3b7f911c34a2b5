import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ConflictError, ValidationError } from '../../../shared/domain/errors.js';
import { loadWorkflowPolicy } from '../../../shared/policy/workflows.js';
import workflowsJson from '../../../shared/policy/workflows.json' with { type: 'json' };
import type { ChangeRequestRecord, ChangeRequestStatus } from '../../../shared/ports/governance.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { encodeCursor } from '../../../shared/usecases/cursor.js';
import type { NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import {
  activeAgreement,
  customerViewer,
  failure,
  recordNotifications,
  storedRequest,
} from '../../helpers/change-request-world.js';
import { principal } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const body = (title: string) =>
  ({ summary: `Rename to ${title}`, why: 'because', proposed: { title } }) as never;
const POLICY_KEY = 'changeRequest.maxOpenPerRequester';

/** Another viewer of the customer unit: a different person. */
const otherViewer = principal({
  subject: 'val@retail.example',
  roles: ['viewer'],
  businessUnits: ['retail-banking'],
});

/** Moves a stored request to `status` (as its workflow would when it ends). */
async function setStatus(w: WorkflowWorld, id: string, status: ChangeRequestStatus): Promise<void> {
  const r = await storedRequest(w, id);
  expect(await w.requests.put({ ...r, status }, r.revision)).toBe(true);
}

describe('change requests: at most changeRequest.maxOpenPerRequester open per person and agreement', () => {
  let w: WorkflowWorld;
  let a: AgreementVersion;
  let sent: NotifyRequest[];
  const ask = (p = customerViewer, title = `T${Math.random()}`, id = a.id) =>
    w.wf.changeRequests.request(p, id, body(title));
  const openThree = async () => [await ask(), await ask(), await ask()];

  beforeEach(async () => {
    w = await workflowWorld();
    a = await activeAgreement(w);
    sent = recordNotifications(w);
  });

  it('ships a limit of 3 in the workflow policy, and refuses a policy without a whole positive limit', () => {
    expect(loadWorkflowPolicy().changeRequest.maxOpenPerRequester).toBe(3);
    const raw = structuredClone(workflowsJson) as { changeRequest: Record<string, unknown> };
    for (const bad of [0, 1.5, 101, undefined]) {
      raw.changeRequest.maxOpenPerRequester = bad;
      expect(() => loadWorkflowPolicy(raw)).toThrow(/changeRequest\.maxOpenPerRequester/);
    }
  });

  it('refuses the fourth open request of one person with a conflict naming the limit, the policy key and the open requests, and records, starts and mails nothing', async () => {
    const three = await openThree();
    await w.settle();
    const mailsBefore = sent.length;
    expect(mailsBefore).toBeGreaterThan(0);
    const start = vi.spyOn(w.engine, 'start');
    const e = await failure(ask());
    expect(e).toBeInstanceOf(ConflictError);
    // Named in the store's order (oldest first; these three share an instant, so by id).
    const ids = (await w.requests.listBySubject(a.id)).map((r) => r.id);
    expect([...ids].sort()).toEqual(three.map((r) => r.id).sort());
    expect(e.message).toBe(
      `you have 3 change requests open on agreement ${a.id}, the most one person may have (policy ${POLICY_KEY} = 3): wait until one is closed`,
    );
    expect(e.details).toEqual([
      {
        path: 'requestedBy',
        problem: `has 3 open change requests (${ids.join(', ')}); the limit is 3 (${POLICY_KEY})`,
      },
    ]);
    expect(e.context).toEqual({ limit: 3, policy: POLICY_KEY, openChangeRequestIds: ids });
    await w.settle();
    expect(start).not.toHaveBeenCalled();
    expect((await w.requests.listBySubject(a.id)).map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(sent).toHaveLength(mailsBefore);
  });

  it('reads the limit from the policy: with 1, the second open request is refused', async () => {
    const policy = structuredClone(w.policy);
    policy.changeRequest.maxOpenPerRequester = 1;
    w = await workflowWorld({ policy });
    a = await activeAgreement(w);
    const one = await ask();
    const e = await failure(ask());
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.context).toEqual({ limit: 1, policy: POLICY_KEY, openChangeRequestIds: [one.id] });
    expect(await w.requests.listBySubject(a.id)).toHaveLength(1);
  });

  it('lets another person of the same unit ask while the first is at the limit', async () => {
    await openThree();
    const r = await ask(otherViewer);
    expect(r).toMatchObject({ requestedBy: otherViewer.subject, status: 'assessing' });
  });

  it('counts a person by e-mail as well as by subject, as separation of duties does', async () => {
    await openThree();
    const sameByEmail = principal({
      subject: 'idp|42',
      email: 'VIC@retail.example',
      roles: ['viewer'],
      businessUnits: ['retail-banking'],
    });
    expect(await failure(ask(sameByEmail))).toBeInstanceOf(ConflictError);
  });

  it('does not count the same person’s requests on another agreement', async () => {
    await openThree();
    const b = await activeAgreement(w, { id: 'agr_01WFACTIVE0000000002' });
    expect(await ask(customerViewer, 'Other', b.id)).toMatchObject({
      agreementId: b.id,
      status: 'assessing',
    });
  });

  it('still counts a request being signed as open', async () => {
    const [one] = await openThree();
    await setStatus(w, one!.id, 'signing');
    expect(await failure(ask())).toBeInstanceOf(ConflictError);
  });

  it.each<ChangeRequestStatus>(['applied', 'rejected', 'superseded', 'refused'])(
    'frees a place once one of them is %s',
    async (status) => {
      const [one] = await openThree();
      await setStatus(w, one!.id, status);
      const r = await ask();
      expect(r.status).toBe('assessing');
      expect(await failure(ask())).toBeInstanceOf(ConflictError);
    },
  );

  it('does not limit requests an RCA opens, nor count them against the person', async () => {
    await openThree();
    const rca = (violationId: string) =>
      w.wf.changeRequests.fromRca({
        violationId,
        agreementId: a.id,
        requestedBy: customerViewer.subject,
        summary: 'Lower the target',
        why: 'the RCA found 99.9% unrealistic',
        proposed: { objectives: [{ ...a.objectives[0]!, target: 99.5 }] },
      });
    expect((await rca('vio_1')).source).toBe('rca');
    expect((await rca('vio_2')).source).toBe('rca');
    // Two of the person's own requests close: two places free, though the RCA's two are still open.
    const own = (await w.requests.listBySubject(a.id)).filter(
      (r) => (r as ChangeRequestRecord).source === 'api',
    );
    await setStatus(w, own[0]!.id, 'rejected');
    await setStatus(w, own[1]!.id, 'applied');
    await ask();
    await ask();
    expect(await failure(ask())).toBeInstanceOf(ConflictError);
  });

  it('does not limit automated updates the guard refuses', async () => {
    await openThree();
    for (let i = 0; i < 4; i++) {
      const e = await failure(
        w.wf.changeRequests.automated(
          'import:cmdb',
          a.id,
          { objectives: [{ ...a.objectives[0]!, target: 90 + i }] },
          'nightly import',
        ),
      );
      expect(e).toBeInstanceOf(ConflictError);
      expect(e.context).toMatchObject({ changeRequestId: expect.any(String) });
    }
    expect((await w.requests.listBySubject(a.id)).filter((r) => r.status === 'refused')).toHaveLength(4);
  });
});

describe('change requests: the list of an agreement’s requests is paged', () => {
  let w: WorkflowWorld;
  let a: AgreementVersion;
  const T = (i: number) => new Date(Date.parse('2026-03-02T09:00:00.000Z') + i * 1000).toISOString();
  /** `n` stored requests, one a second, by different people (the per-person limit plays no part here). */
  async function stored(n: number, agreementId = a.id): Promise<string[]> {
    const template = await w.wf.changeRequests.request(customerViewer, agreementId, body('Seed'));
    const ids = [template.id];
    for (let i = 1; i < n; i++) {
      const id = `chg_${agreementId.slice(-4)}${String(i).padStart(4, '0')}`;
      await w.requests.put(
        {
          ...template,
          id,
          requestedAt: T(i),
          requestedBy: `p${i}@retail.example`,
          revision: 0,
        } as ChangeRequestRecord,
        0,
      );
      ids.push(id);
    }
    return ids;
  }
  const list = (q: { limit?: number; cursor?: string } = {}, id = a.id) =>
    w.wf.changeRequests.list(customerViewer, id, q);

  beforeEach(async () => {
    w = await workflowWorld();
    a = await activeAgreement(w);
  });

  it('answers 50 at most by default, oldest first, with a cursor to the rest', async () => {
    const ids = await stored(51);
    const first = await list();
    expect(first.items.map((r) => r.id)).toEqual(ids.slice(0, 50));
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await list({ cursor: first.nextCursor! });
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[50] })] });
  });

  it('walks every request one page at a time with limit 1, and the last page has no cursor', async () => {
    const ids = await stored(4);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await list({ limit: 1, ...(cursor ? { cursor } : {}) });
      expect(page.items).toHaveLength(1);
      seen.push(page.items[0]!.id);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(ids);
    expect(pages).toBe(4);
  });

  it('gives no cursor when the page holds exactly what is left', async () => {
    const ids = await stored(3);
    expect(await list({ limit: 3 })).toEqual({ items: ids.map((id) => expect.objectContaining({ id })) });
  });

  it('answers an empty page, without a cursor, for a cursor at or past the end', async () => {
    await stored(2);
    const all = (await list()).items;
    const last = all.at(-1)!;
    const atEnd = encodeCursor(`${last.requestedAt}|${last.id}`, { agreementId: a.id });
    expect(await list({ cursor: atEnd })).toEqual({ items: [] });
    const past = encodeCursor('2099-01-01T00:00:00.000Z|chg_z', { agreementId: a.id });
    expect(await list({ cursor: past })).toEqual({ items: [] });
  });

  it('refuses a cursor it did not issue, and one issued for another agreement, naming the cursor', async () => {
    await stored(2);
    const bad = await failure(list({ cursor: 'not-a-cursor' }));
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad.details).toEqual([{ path: 'query.cursor', problem: 'is not a cursor issued by this API' }]);
    const b = await activeAgreement(w, { id: 'agr_01WFACTIVE0000000002' });
    await stored(2, b.id);
    const fromB = (await list({ limit: 1 }, b.id)).nextCursor!;
    const other = await failure(list({ cursor: fromB }));
    expect(other).toBeInstanceOf(ValidationError);
    expect(other.details).toEqual([
      { path: 'query.cursor', problem: 'was issued for different filters; start again without a cursor' },
    ]);
  });
});
