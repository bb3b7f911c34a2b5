import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import type { ChangeRequestRecord } from '../../../shared/ports/governance.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { changeTaskId } from '../../../shared/usecases/workflows/change-requests.js';
import {
  activeAgreement,
  approverAs,
  customerViewer,
  failure,
  otherProviderManager,
  providerManager,
  storedRequest,
} from '../../helpers/change-request-world.js';
import { principal } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const T0 = '2026-03-02T09:00:00.000Z';
const body = (proposed: Record<string, unknown>, summary = 'A change') =>
  ({ summary, why: 'because', proposed }) as never;

describe('change requests: who may ask, what is refused, and reading them back', () => {
  let w: WorkflowWorld;
  let a: AgreementVersion;
  beforeEach(async () => {
    w = await workflowWorld();
    a = await activeAgreement(w);
  });

  it('refuses a change request on a draft agreement, naming its status', async () => {
    const draft = await activeAgreement(w, { id: 'agr_01WFDRAFT00000000001', status: 'draft', version: 1 });
    const e = await failure(w.wf.changeRequests.request(customerViewer, draft.id, body({ title: 'New' })));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe(
      `agreement ${draft.id} is draft: change requests are for active agreements (a draft is edited directly)`,
    );
    expect(e.details).toEqual([{ path: 'status', problem: 'is draft' }]);
    expect(await w.requests.listBySubject(draft.id)).toEqual([]);
  });

  it('records the proposed terms without the ones given as undefined', async () => {
    const r = await w.wf.changeRequests.request(
      customerViewer,
      a.id,
      body({ title: 'New', description: undefined }),
    );
    expect(r.proposed).toStrictEqual({ title: 'New' });
    expect((await storedRequest(w, r.id)).proposed).toStrictEqual({ title: 'New' });
  });

  it('answers 404 to someone who is no party to the agreement', async () => {
    const stranger = principal({ subject: 'x@wealth.example', roles: ['viewer'], businessUnits: ['wealth'] });
    const e = await failure(w.wf.changeRequests.request(stranger, a.id, body({ title: 'New' })));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(await w.requests.listBySubject(a.id)).toEqual([]);
  });

  it('refuses a proposal that changes nothing, naming the terms already at that value', async () => {
    const e = await failure(
      w.wf.changeRequests.request(customerViewer, a.id, body({ title: a.title, timeZone: a.timeZone })),
    );
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect(e.message).toBe('the request changes nothing');
    expect(e.details).toEqual([
      { path: 'proposed', problem: 'every proposed term already has that value (title, timeZone)' },
    ]);
    expect(await w.requests.listBySubject(a.id)).toEqual([]);
  });

  it('refuses proposed terms that break a rule, each path under proposed', async () => {
    const e = await failure(
      w.wf.changeRequests.request(
        customerViewer,
        a.id,
        body({ effectiveTo: '2026-02-01', reviewCycle: { everyMonths: 12, nextReviewDate: '2026-01-01' } }),
      ),
    );
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect(e.message).toBe('the proposed terms break a rule');
    expect(e.details).toEqual([
      {
        path: 'proposed.effectiveTo',
        problem: 'cannot be backdated: 2026-02-01 is before today (2026-03-02)',
      },
      { path: 'proposed.effectiveTo', problem: 'must be after effectiveFrom (2026-03-01)' },
      { path: 'proposed.reviewCycle.nextReviewDate', problem: 'is in the past (today is 2026-03-02)' },
    ]);
    expect(await w.requests.listBySubject(a.id)).toEqual([]);
  });

  it('refuses a proposal that breaks a content rule the dates do not see', async () => {
    const twin = { ...a.objectives[0]! };
    const e = await failure(
      w.wf.changeRequests.request(customerViewer, a.id, body({ objectives: [twin, twin] })),
    );
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect(e.details).toEqual([
      { path: 'proposed.objectives[1].id', problem: 'duplicates objective id "availability"' },
    ]);
  });

  it('refuses a proposal that changes a term its template fixes', async () => {
    const t = await activeAgreement(w, {
      id: 'agr_01WFTEMPLATE00000001',
      template: { id: 'tier1-customer-api-sla', version: 2 },
    });
    const fixed = w.wf.templates.get('tier1-customer-api-sla', 2).fixed;
    expect(fixed).toContain('supportedHours');
    const e = await failure(
      w.wf.changeRequests.request(customerViewer, t.id, body({ supportedHours: { kind: 'business' } })),
    );
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e.details as { path: string }[]).map((d) => d.path)).toEqual(['proposed.supportedHours']);
  });

  it('gives two requests made at the same instant their own records, and lists only change requests, oldest first', async () => {
    const one = await w.wf.changeRequests.request(customerViewer, a.id, body({ title: 'One' }));
    const two = await w.wf.changeRequests.request(customerViewer, a.id, body({ title: 'Two' }));
    expect(one.id).not.toBe(two.id);
    const expected = `chg_${createHash('sha256').update(`${a.id}|0|${T0}|vic@retail.example`).digest('hex').slice(0, 20)}`;
    expect(one.id).toBe(expected);
    // A freeze exception filed under the same subject id is not a change request.
    await w.requests.put(
      {
        kind: 'freeze-exception',
        id: 'frx_0001',
        serviceId: a.id,
        businessUnit: 'payments',
        from: T0,
        to: T0,
        reason: 'r',
        change: 'c',
        requestedBy: 'x',
        requestedAt: T0,
        status: 'pending',
        taskId: 'tsk_x',
        history: [],
        revision: 0,
      },
      0,
    );
    const { items } = await w.wf.changeRequests.list(customerViewer, a.id);
    expect(items.map((r) => r.id).sort()).toEqual([one.id, two.id].sort());
    expect(items.every((r) => r.kind === 'change-request')).toBe(true);
    expect(await w.wf.changeRequests.get(customerViewer, one.id)).toEqual(one);
  });

  it('answers 404 for a change request that does not exist, is not one, or is on an agreement the caller cannot read', async () => {
    const r = await w.wf.changeRequests.request(customerViewer, a.id, body({ title: 'One' }));
    const none = await failure(w.wf.changeRequests.get(customerViewer, 'chg_nope'));
    expect(none).toBeInstanceOf(NotFoundError);
    expect(none.message).toBe('no change request chg_nope');
    expect(none.details).toEqual([
      { path: 'changeRequestId', problem: 'names no change request you may see' },
    ]);
    await w.requests.put(
      { ...(r as ChangeRequestRecord), id: 'frx_x', kind: 'freeze-exception' } as never,
      0,
    );
    expect(await failure(w.wf.changeRequests.get(customerViewer, 'frx_x'))).toMatchObject({
      message: 'no change request frx_x',
    });
    const stranger = principal({ subject: 'x@wealth.example', roles: ['viewer'], businessUnits: ['wealth'] });
    const hidden = await failure(w.wf.changeRequests.get(stranger, r.id));
    expect(hidden).toBeInstanceOf(NotFoundError);
    expect(hidden.message).toBe(`no change request ${r.id}`);
    expect(hidden.details).toEqual([
      { path: 'changeRequestId', problem: 'names no change request you may see' },
    ]);
    await expect(w.wf.changeRequests.list(stranger, a.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('passes on a failure to read the agreement that is not a 404, as it is', async () => {
    const r = await w.wf.changeRequests.request(customerViewer, a.id, body({ title: 'One' }));
    const down = new UnavailableError('the agreement store is unavailable');
    vi.spyOn(w.useCases, 'load').mockRejectedValueOnce(down);
    expect(await failure(w.wf.changeRequests.get(customerViewer, r.id))).toBe(down);
  });

  it('names its tasks by execution and step, and refuses a malformed task event', async () => {
    expect(changeTaskId('local:change-request:chg_1', 'assessment')).toBe(
      `tsk_${createHash('sha256').update('local:change-request:chg_1|chg|assessment').digest('hex').slice(0, 24)}`,
    );
    const e = await failure(w.wf.changeRequests.task({ task: 'plan' }));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toMatch(/^bad change-request task: .*changeRequestId/s);
  });

  it('tries the next id of the instant when another request took its id, and gives up after sixteen', async () => {
    const spy = vi.spyOn(w.requests, 'recordIfUnder').mockResolvedValueOnce({ status: 'exists' });
    const one = await w.wf.changeRequests.request(customerViewer, a.id, body({ title: 'One' }));
    const first = `chg_${createHash('sha256').update(`${a.id}|0|${T0}|vic@retail.example`).digest('hex').slice(0, 20)}`;
    const second = `chg_${createHash('sha256').update(`${a.id}|0|${T0}|vic@retail.example|1`).digest('hex').slice(0, 20)}`;
    expect(spy.mock.calls.map((c) => c[0].id)).toEqual([first, second]);
    expect(one.id).toBe(second);
    spy.mockClear();
    spy.mockResolvedValue({ status: 'exists' });
    const e = await failure(w.wf.changeRequests.request(customerViewer, a.id, body({ title: 'Two' })));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe('another change request was made at the same instant: try again');
    expect(spy).toHaveBeenCalledTimes(16);
  });

  it('retries a write someone else made first, and gives up after twenty tries', async () => {
    const spy = vi.spyOn(w.requests, 'put');
    // The record is written (recordIfUnder), then the first write of its execution id loses a race: the second wins.
    spy.mockResolvedValueOnce(false);
    const r = await w.wf.changeRequests.request(customerViewer, a.id, body({ title: 'One' }));
    expect(r.executionId).toBe(`local:change-request:${r.id}`);
    expect(await storedRequest(w, r.id)).toMatchObject({ executionId: r.executionId, revision: 2 });
    expect(spy).toHaveBeenCalledTimes(2);

    spy.mockClear();
    spy.mockResolvedValue(false);
    // The request answers with its record, execution id not written (the `workflow-starts` schedule writes it; red
    // team, wave 36); writing it gave up after twenty tries, as a second try does.
    const two = await w.wf.changeRequests.request(customerViewer, a.id, body({ title: 'Two' }));
    expect(two.executionId).toBeUndefined();
    expect(spy).toHaveBeenCalledTimes(20);
    const e = await failure(w.wf.changeRequests.startWorkflow(two));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toMatch(/^change request chg_[0-9a-f]{20} is being changed by others: try again$/);
    expect(spy).toHaveBeenCalledTimes(40);
  });
});

describe('change requests: assessing and signing them, with separation of duties', () => {
  let w: WorkflowWorld;
  let a: AgreementVersion;
  let r: ChangeRequestRecord;
  const pending = async () =>
    (await w.tasks.list({ subjectId: r.id, status: 'pending' } as never)).sort((x, y) =>
      String(x.assignees.capacity).localeCompare(String(y.assignees.capacity)),
    );
  beforeEach(async () => {
    w = await workflowWorld();
    a = await activeAgreement(w);
    r = await w.wf.changeRequests.request(
      providerManager,
      a.id,
      body({ objectives: [{ ...a.objectives[0]!, target: 99 }] }),
    );
    await w.settle();
  });

  it('needs a decision to assess, and lets nobody assess their own request', async () => {
    const [t] = await pending();
    const none = await failure(w.wf.tasks.complete(otherProviderManager, t!.id, { reason: 'hmm' } as never));
    expect(none).toBeInstanceOf(ValidationError);
    expect(none.message).toBe('an assessment needs a decision');
    expect(none.details).toEqual([
      { path: 'decision', problem: 'is required: approved (accept the change) or rejected (decline it)' },
    ]);
    const own = await failure(
      w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'mine' } as never),
    );
    expect(own).toBeInstanceOf(ForbiddenError);
    expect(own.message).toBe('whoever asked for a change cannot assess it (separation of duties)');
    expect((await storedRequest(w, r.id))!.assessment).toBeUndefined();
    expect((await w.tasks.get(t!.id))!.status).toBe('pending');
  });

  it('lets neither the requester nor the assessor sign, one person sign one capacity only, and needs a decision', async () => {
    const [t] = await pending();
    await w.wf.tasks.complete(otherProviderManager, t!.id, { decision: 'approved', reason: 'ok' } as never);
    await w.settle();
    const [bo, gb] = await pending();
    expect([bo!.assignees.capacity, gb!.assignees.capacity]).toEqual(['business-owner', 'governance-board']);

    const none = await failure(
      w.wf.tasks.complete(approverAs('business-owner'), bo!.id, { reason: 'x' } as never),
    );
    expect(none).toBeInstanceOf(ValidationError);
    expect(none.message).toBe('a sign-off needs a decision');
    expect(none.details).toEqual([{ path: 'decision', problem: 'is required: approved or rejected' }]);

    for (const who of ['pam@payments.example', 'pete@payments.example']) {
      const e = await failure(
        w.wf.tasks.complete(approverAs('business-owner', who), bo!.id, {
          decision: 'approved',
          reason: 'x',
        } as never),
      );
      expect(e).toBeInstanceOf(ForbiddenError);
      expect(e.message).toBe(
        'whoever asked for or assessed a change cannot sign it off (separation of duties)',
      );
    }
    const both = principal({
      subject: 'bo@approvers.example',
      roles: ['approver'],
      signOffCapacities: ['business-owner', 'governance-board'],
    });
    await w.wf.tasks.complete(both, bo!.id, { decision: 'approved', reason: 'yes' } as never);
    await w.settle();
    const twice = await failure(
      w.wf.tasks.complete(both, gb!.id, { decision: 'approved', reason: 'me again' } as never),
    );
    expect(twice).toBeInstanceOf(ForbiddenError);
    expect(twice.message).toBe('one person signs at most one capacity of a change request (four eyes)');
    // The same person may sign the same capacity again: the later decision replaces the earlier one.
    await w.wf.changeRequests.signOff(both, bo!, { decision: 'approved', reason: 'yes, twice' } as never);
    expect((await storedRequest(w, r.id))!.signOffs).toEqual([
      {
        capacity: 'business-owner',
        decision: 'approved',
        by: 'bo@approvers.example',
        at: T0,
        reason: 'yes, twice',
      },
    ]);
    expect((await storedRequest(w, r.id))!.status).toBe('signing');
  });

  it('answers an accepted assessment with its verdict, recorded on the task, and keeps the request assessing', async () => {
    const [t] = await pending();
    await w.wf.tasks.complete(otherProviderManager, t!.id, { decision: 'approved', reason: 'ok' } as never);
    expect((await w.tasks.get(t!.id))!.outcome).toEqual({
      decision: 'approved',
      reason: 'ok',
      by: 'pete@payments.example',
      assessment: 'accepted',
    });
    expect((await storedRequest(w, r.id)).status).toBe('assessing');
  });

  it('rejects the request as soon as its assessment declines it, before its workflow moves on', async () => {
    const [t] = await pending();
    expect(
      await w.wf.changeRequests.assess(otherProviderManager, t!, {
        decision: 'rejected',
        reason: 'no',
      } as never),
    ).toEqual({ assessment: 'rejected' });
    const x = await storedRequest(w, r.id);
    expect(x.status).toBe('rejected');
    expect(x.assessment).toEqual({ decision: 'rejected', by: 'pete@payments.example', at: T0, reason: 'no' });
    expect(x.history.at(-1)).toEqual({
      at: T0,
      step: 'assessment-rejected',
      by: 'pete@payments.example',
      detail: 'no',
    });
  });

  it('rejects the request as soon as one sign-off declines it, before its workflow moves on', async () => {
    const [t] = await pending();
    await w.wf.tasks.complete(otherProviderManager, t!.id, { decision: 'approved', reason: 'ok' } as never);
    await w.settle();
    const [bo] = await pending();
    expect((await storedRequest(w, r.id)).status).toBe('signing');
    expect(
      await w.wf.changeRequests.signOff(approverAs('business-owner'), bo!, {
        decision: 'rejected',
        reason: 'we need 99.9',
      } as never),
    ).toEqual({});
    const x = await storedRequest(w, r.id);
    expect(x.status).toBe('rejected');
    expect(x.history.at(-1)).toEqual({
      at: T0,
      step: 'signoff:business-owner:rejected',
      by: 'business-owner@approvers.example',
      detail: 'we need 99.9',
    });
  });

  it('refuses a task event for a change request that does not exist', async () => {
    const e = await failure(w.wf.changeRequests.task({ task: 'apply', changeRequestId: 'chg_none' }));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toBe('no change request chg_none');
  });

  it('uses the assessment task id the workflow gave the task', async () => {
    const [t] = await pending();
    expect(t!.id).toBe(changeTaskId(`local:change-request:${r.id}`, 'assessment'));
  });
});
