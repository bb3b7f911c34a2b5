import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ConflictError, ForbiddenError } from '../../../shared/domain/errors.js';
import type { ChangeRequestRecord } from '../../../shared/ports/governance.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import type { NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import {
  activeAgreement,
  approverAs,
  customerViewer,
  failure,
  providerManager,
  recordNotifications,
  storedRequest,
} from '../../helpers/change-request-world.js';
import { principal } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const T0 = '2026-03-02T09:00:00.000Z';

describe('withdrawing a change request (the use case on the real ASL)', () => {
  let w: WorkflowWorld;
  let a: AgreementVersion;
  let sent: NotifyRequest[];
  let r: ChangeRequestRecord;
  beforeEach(async () => {
    w = await workflowWorld();
    sent = recordNotifications(w);
    a = await activeAgreement(w);
    r = await w.wf.changeRequests.request(customerViewer, a.id, {
      summary: 'Lower the target',
      why: 'the RCA found it unrealistic',
      proposed: { objectives: [{ ...a.objectives[0]!, target: 99.5 }] },
    } as never);
    await w.settle();
  });
  const pending = () => w.tasks.list({ subjectId: r.id, status: 'pending' });
  const closing = () => sent.filter((n) => n.key.endsWith('/closed'));

  const assess = async () => {
    const [t] = await pending();
    await w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'ok' } as never);
    await w.settle();
  };
  const CAUSE = 'withdrawn by vic@retail.example: no longer needed';
  const LIST = { businessUnit: 'payments', agreementId: 'agr_01WFACTIVE0000000001' };

  it('by its requester while signing: withdrawn and closed, every open task cancelled with its callback failed, one mail to the assessors, the signers and the owner', async () => {
    await assess();
    const [bo] = await pending();
    expect(bo!.assignees.capacity).toBe('business-owner');
    await w.wf.tasks.complete(approverAs('business-owner'), bo!.id, {
      decision: 'approved',
      reason: 'fine',
    } as never);
    await w.settle();
    const open = await pending();
    expect(open.map((t) => t.assignees.capacity).sort()).toEqual(['governance-board', 'service-owner']);
    const fail = vi.spyOn(w.engine, 'sendTaskFailure');
    sent.length = 0;

    const saved = await w.wf.changeRequests.withdraw(customerViewer, r.id, 'no longer needed');
    expect(saved).toMatchObject({ id: r.id, status: 'withdrawn' });
    expect(saved.history.at(-1)).toEqual({
      at: T0,
      step: 'withdrawn',
      by: 'vic@retail.example',
      detail: 'no longer needed',
    });
    expect(fail.mock.calls.map((c) => [...c]).sort()).toEqual(
      open.map((t) => [t.token, 'Withdrawn', CAUSE]).sort(),
    );
    expect(await pending()).toEqual([]);
    for (const t of open) {
      expect(await w.tasks.get(t.id)).toMatchObject({
        status: 'cancelled',
        outcome: { decision: 'withdrawn', reason: CAUSE },
        settledAt: T0,
        settledBy: 'vic@retail.example',
      });
    }
    // The signed task stays as it was signed.
    expect(await w.tasks.get(bo!.id)).toMatchObject({ status: 'completed' });

    await w.settle();
    expect(closing()).toEqual([
      expect.objectContaining({
        event: 'change-request.closed',
        to: [{ name: 'Owen Service', email: 'owen@example.com' }],
        lists: [
          { role: 'sla-manager', businessUnit: 'payments' },
          { capacity: 'business-owner', ...LIST },
          { capacity: 'governance-board', ...LIST },
          { capacity: 'service-owner', ...LIST },
        ],
        subject: 'Change request withdrawn: Payments availability',
        paragraphs: [
          `The change request "Lower the target" (${r.id}) to ${a.id} ended: withdrawn.`,
          `Why: ${CAUSE}`,
        ],
      }),
    ]);
    const stored = await storedRequest(w, r.id);
    expect(stored.status).toBe('withdrawn');
    expect(stored.history.at(-1)).toMatchObject({
      step: 'closed',
      by: 'system',
      detail: `withdrawn: ${CAUSE}`,
    });
    expect((await w.agreements.get(a.id))!.version).toBe(3);
    expect(sent.filter((n) => !n.key.endsWith('/closed'))).toEqual([]);
  });

  it('while being assessed: the closing mail goes to the assessors only (no signer had a task, no owner named)', async () => {
    // Another request of the agreement is being signed: its signers are not this request's.
    const other = await w.wf.changeRequests.request(customerViewer, a.id, {
      summary: 'Lower it more',
      why: 'x',
      proposed: { objectives: [{ ...a.objectives[0]!, target: 99 }] },
    } as never);
    await w.settle();
    const [ta] = await w.tasks.list({ subjectId: other.id, status: 'pending' });
    await w.wf.tasks.complete(providerManager, ta!.id, { decision: 'approved', reason: 'ok' } as never);
    await w.settle();
    expect((await storedRequest(w, other.id)).status).toBe('signing');
    sent.length = 0;
    await w.wf.changeRequests.withdraw(customerViewer, r.id, 'no longer needed');
    await w.settle();
    expect(closing()).toEqual([
      expect.objectContaining({ to: [], lists: [{ role: 'sla-manager', businessUnit: 'payments' }] }),
    ]);
  });

  it('before its workflow reached a callback: the workflow ends it and the mail says who withdrew it and why', async () => {
    const r2 = await w.wf.changeRequests.request(customerViewer, a.id, {
      summary: 'Rename',
      why: 'typo',
      proposed: { title: 'Renamed' },
    } as never);
    sent.length = 0;
    await w.wf.changeRequests.withdraw(customerViewer, r2.id, 'asked twice');
    await w.settle();
    expect(sent.filter((n) => n.key === `change-request/${r2.id}/closed`)).toEqual([
      expect.objectContaining({
        subject: 'Change request withdrawn: Payments availability',
        paragraphs: [
          `The change request "Rename" (${r2.id}) to ${a.id} ended: withdrawn.`,
          'Why: withdrawn by vic@retail.example: asked twice',
        ],
      }),
    ]);
    expect((await storedRequest(w, r2.id)).status).toBe('withdrawn');
  });

  it('a callback entered after the close fails with the withdrawal as its cause, not the last step', async () => {
    await w.wf.changeRequests.withdraw(customerViewer, r.id, 'no longer needed');
    await w.settle();
    expect((await storedRequest(w, r.id)).history.at(-1)?.step).toBe('closed');
    const fail = vi.spyOn(w.engine, 'sendTaskFailure').mockResolvedValue();
    await w.wf.changeRequests.task({
      task: 'await-signoff',
      capacity: 'service-owner',
      changeRequestId: r.id,
      dueAt: '2026-03-05T09:00:00.000Z',
      round: 1,
      executionId: r.executionId,
      taskToken: 'tok_late',
    } as never);
    expect(fail.mock.calls.at(-1)).toEqual(['tok_late', 'Withdrawn', CAUSE]);
  });

  it('an administrative change, once accepted, is applied with no signing step', async () => {
    const r2 = await w.wf.changeRequests.request(customerViewer, a.id, {
      summary: 'Rename',
      why: 'typo',
      proposed: { title: 'Payments availability (EU)' },
    } as never);
    await w.settle();
    const [t] = await w.tasks.list({ subjectId: r2.id, status: 'pending' });
    await w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'ok' } as never);
    await w.settle();
    const x = await storedRequest(w, r2.id);
    expect(x.status).toBe('applied');
    expect(x.requiredSignOffs).toEqual([]);
    expect(x.history.map((h) => h.step)).not.toContain('signing');
  });

  it("is refused to anyone else who may see it (403 naming the requester), and to the requester's subject in another case", async () => {
    const colleague = principal({
      subject: 'val@retail.example',
      roles: ['viewer'],
      businessUnits: ['retail-banking'],
    });
    const e = await failure(w.wf.changeRequests.withdraw(colleague, r.id, 'mine now'));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.message).toBe(
      `only whoever asked for change request ${r.id} (vic@retail.example) or an admin may withdraw it`,
    );
    const cased = { ...customerViewer, subject: 'Vic@retail.example' };
    expect(await failure(w.wf.changeRequests.withdraw(cased, r.id, 'x'))).toBeInstanceOf(ForbiddenError);
    expect((await storedRequest(w, r.id)).status).toBe('assessing');
    expect(await pending()).toHaveLength(1);
  });

  it('is allowed to the requester known by e-mail in another case, and to an admin for anyone', async () => {
    const byEmail = { ...customerViewer, subject: 'u-1234', email: 'VIC@Retail.example' };
    expect((await w.wf.changeRequests.withdraw(byEmail, r.id, 'dup')).status).toBe('withdrawn');
    const r2 = await w.wf.changeRequests.request(customerViewer, a.id, {
      summary: 'Rename',
      why: 'typo',
      proposed: { title: 'Renamed' },
    } as never);
    const admin = principal({ subject: 'ada@bank.example', roles: ['admin'] });
    const saved = await w.wf.changeRequests.withdraw(admin, r2.id, 'duplicate of another');
    expect(saved.history.at(-1)).toMatchObject({ step: 'withdrawn', by: 'ada@bank.example' });
  });

  it('is 409 naming the state once the request is final', async () => {
    await w.wf.changeRequests.withdraw(customerViewer, r.id, 'no longer needed');
    const e = await failure(w.wf.changeRequests.withdraw(customerViewer, r.id, 'again'));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe(
      `change request ${r.id} is withdrawn: only an open request (assessing or signing) can be withdrawn`,
    );
    expect(e.details).toEqual([{ path: 'status', problem: 'is withdrawn' }]);
    expect(e.context).toEqual({ state: 'withdrawn' });
  });

  it("stands when a callback is no longer waiting (409 from the engine), and fails on the engine's other errors", async () => {
    vi.spyOn(w.engine, 'sendTaskFailure').mockRejectedValueOnce(new ConflictError('the token is answered'));
    expect((await w.wf.changeRequests.withdraw(customerViewer, r.id, 'no longer needed')).status).toBe(
      'withdrawn',
    );
    const r2 = await w.wf.changeRequests.request(customerViewer, a.id, {
      summary: 'Rename',
      why: 'typo',
      proposed: { title: 'Renamed' },
    } as never);
    await w.settle();
    vi.spyOn(w.engine, 'sendTaskFailure').mockRejectedValueOnce(new Error('engine down'));
    await expect(w.wf.changeRequests.withdraw(customerViewer, r2.id, 'x')).rejects.toThrow('engine down');
  });
});

describe('the cap on open change requests is looked at first', () => {
  it('a person at the cap is told so (409) even for a request that would change nothing (422 below the cap)', async () => {
    const w = await workflowWorld();
    const a = await activeAgreement(w);
    const limit = w.policy.changeRequest.maxOpenPerRequester;
    const ask = (title: string) =>
      w.wf.changeRequests.request(customerViewer, a.id, {
        summary: title,
        why: 'x',
        proposed: { title },
      } as never);
    for (let i = 1; i < limit; i++) await ask(`Renamed ${i}`);
    const nothing = await failure(ask(a.title));
    expect(nothing.message).toBe('the request changes nothing');
    await ask(`Renamed ${limit}`);
    const capped = await failure(ask(a.title));
    expect(capped).toBeInstanceOf(ConflictError);
    expect(capped.message).toMatch(/open/);
  });
});
