import { beforeEach, describe, expect, it } from 'vitest';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { changeTaskId } from '../../../shared/usecases/workflows/change-requests.js';
import type { NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import {
  activeAgreement,
  approverAs,
  customerViewer,
  providerManager,
  recordNotifications,
  serviceOwner,
  storedRequest,
} from '../../helpers/change-request-world.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const T0 = '2026-03-02T09:00:00.000Z';
const URL = 'https://accord.example';

const links = (taskId: string | undefined, crId: string) => [
  ...(taskId ? [{ label: 'Your task', url: `${URL}/v1/tasks/${taskId}` }] : []),
  { label: 'The change request', url: `${URL}/v1/change-requests/${crId}` },
];

describe('a change request through its workflow (change-requests.ts on the real ASL)', () => {
  let w: WorkflowWorld;
  let a: AgreementVersion;
  let sent: NotifyRequest[];
  beforeEach(async () => {
    w = await workflowWorld();
    sent = recordNotifications(w);
    a = await activeAgreement(w);
  });

  const ask = (proposed: Record<string, unknown>, summary = 'Lower the target') =>
    w.wf.changeRequests.request(customerViewer, a.id, {
      summary,
      why: 'the RCA found the target unrealistic',
      proposed,
    } as never);
  const pending = async (crId: string) =>
    (await w.tasks.list({ subjectId: crId, status: 'pending' } as never)).sort((x, y) =>
      String(x.assignees.capacity).localeCompare(String(y.assignees.capacity)),
    );
  const execution = async () =>
    (await w.engine.listExecutions({ type: 'agreement', id: a.id })).find(
      (x) => x.workflow === 'change-request',
    )!;

  it("records a party's material request, starts its execution and asks the provider's SLA managers to assess it", async () => {
    const objectives = [{ ...a.objectives[0]!, target: 99.5 }];
    const r = await ask({ objectives, title: 'Renamed', description: undefined });
    const executionId = `local:change-request:${r.id}`;
    expect(r.id).toMatch(/^chg_[0-9a-f]{20}$/);
    expect(r).toEqual({
      kind: 'change-request',
      id: r.id,
      agreementId: a.id,
      serviceId: 'svc_payments-gateway',
      businessUnit: 'payments',
      baseVersion: 3,
      requestedBy: 'vic@retail.example',
      requestedAt: T0,
      source: 'api',
      summary: 'Lower the target',
      why: 'the RCA found the target unrealistic',
      proposed: { objectives, title: 'Renamed' },
      classification: { administrative: ['title'], material: ['objectives'] },
      status: 'assessing',
      requiredSignOffs: [],
      signOffs: [],
      history: [
        {
          at: T0,
          step: 'requested',
          by: 'vic@retail.example',
          detail: 'Lower the target (administrative: title; material: objectives)',
        },
      ],
      revision: 2,
      executionId,
    });
    expect(await storedRequest(w, r.id)).toEqual(r);
    await w.settle();

    const taskId = changeTaskId(executionId, 'assessment');
    const [t, ...more] = await pending(r.id);
    expect(more).toEqual([]);
    expect(t).toEqual({
      id: taskId,
      kind: 'change-assessment',
      executionId,
      token: expect.stringMatching(/^tok_/),
      title: 'Assess the change request "Lower the target" to Payments availability',
      // The requester is no assessor of their own request (red team, wave 36): not theirs, though an SLA manager.
      assignees: { roles: ['sla-manager'], except: ['vic@retail.example'] },
      dueAt: '2026-03-04T09:00:00.000Z',
      data: {
        changeRequestId: r.id,
        round: 0,
        classification: { administrative: ['title'], material: ['objectives'] },
        proposed: { objectives, title: 'Renamed' },
      },
      workflow: 'change-request',
      subject: { type: 'change-request', id: r.id },
      businessUnit: 'payments',
      serviceId: 'svc_payments-gateway',
      status: 'pending',
      createdAt: T0,
      updatedAt: T0,
      externalRef: expect.stringMatching(/^ACCORD-[0-9A-F]{10}$/),
      revision: 1,
    });
    expect(sent).toEqual([
      {
        key: `change-request/${r.id}/assessment-requested`,
        topic: `agreement:${a.id}`,
        event: 'change-request.requested',
        businessUnit: 'payments',
        to: [],
        lists: [{ role: 'sla-manager', businessUnit: 'payments' }],
        subject: 'Change request to assess: Payments availability',
        paragraphs: [
          `vic@retail.example asks to change SLA "Payments availability" (${a.id}): Lower the target.`,
          'Why: the RCA found the target unrealistic',
          'Material terms change (objectives): a new version and sign-off follow an acceptance.',
          'Your assessment is due by 2026-03-04T09:00:00.000Z.',
        ],
        links: links(taskId, r.id),
        headers: { 'X-Accord-Task': taskId, 'X-Accord-Task-Ref': t!.externalRef },
        data: { changeRequestId: r.id, agreementId: a.id, taskId },
      },
    ]);
    expect((await execution()).path).toEqual([
      'PlanChangeRequest',
      'IsToAssess',
      'PrepareAssessment',
      'AwaitAssessment',
    ]);
  });

  it('plans the change control sign-offs of a tier-1 target change once accepted, and applies it as an amendment once all sign', async () => {
    const objectives = [{ ...a.objectives[0]!, target: 99.5 }];
    const r = await ask({ objectives });
    const executionId = `local:change-request:${r.id}`;
    await w.settle();
    const [assessment] = await pending(r.id);
    await w.wf.tasks.complete(providerManager, assessment!.id, {
      decision: 'approved',
      reason: 'the data supports 99.5%',
    } as never);
    await w.settle();

    const required = [
      { capacity: 'service-owner', rules: ['any-material-change'] },
      { capacity: 'business-owner', rules: ['any-material-change'] },
      { capacity: 'governance-board', rules: ['tier-1-targets'] },
    ];
    const signing = (await storedRequest(w, r.id))!;
    expect(signing).toMatchObject({
      status: 'signing',
      requiredSignOffs: required,
      signOffs: [],
      assessment: {
        decision: 'accepted',
        by: 'pam@payments.example',
        at: T0,
        reason: 'the data supports 99.5%',
      },
    });
    expect(signing.history.slice(1)).toEqual([
      { at: T0, step: 'assessment-accepted', by: 'pam@payments.example', detail: 'the data supports 99.5%' },
      {
        at: T0,
        step: 'signing',
        by: 'system',
        detail:
          'sign-offs by service-owner, business-owner, governance-board due by 2026-03-05T09:00:00.000Z (change control, tier 1)',
      },
    ]);
    const tasks = await pending(r.id);
    expect(tasks.map((t) => [t.id, t.kind, t.assignees, t.title, t.dueAt, t.data])).toEqual(
      ['business-owner', 'governance-board', 'service-owner'].map((c) => [
        changeTaskId(executionId, `signoff:${c}`),
        'change-signoff',
        // Neither the requester nor the assessor signs (red team, wave 36).
        { capacity: c, except: ['vic@retail.example', 'pam@payments.example'] },
        `Sign off the change "Lower the target" to Payments availability as ${c}`,
        '2026-03-05T09:00:00.000Z',
        { changeRequestId: r.id, capacity: c, round: 0, proposed: { objectives }, material: ['objectives'] },
      ]),
    );
    const requested = sent
      .filter((n) => n.key.includes('/signoff-'))
      .sort((x, y) => x.key.localeCompare(y.key));
    expect(requested).toEqual(
      tasks.map((t) => {
        const c = t.assignees.capacity!;
        return {
          key: `change-request/${r.id}/signoff-${c}-requested`,
          topic: `agreement:${a.id}`,
          event: 'change-request.requested',
          businessUnit: 'payments',
          to: c === 'service-owner' ? [{ name: 'Owen Service', email: 'owen@example.com' }] : [],
          lists: [{ capacity: c, businessUnit: 'payments', agreementId: a.id }],
          subject: `Change sign-off requested: Payments availability (${c})`,
          paragraphs: [
            `The change request "Lower the target" (${r.id}) to ${a.id} changes objectives and waits for a sign-off as ${c}.`,
            'It is due by 2026-03-05T09:00:00.000Z.',
          ],
          links: links(t.id, r.id),
          headers: { 'X-Accord-Task': t.id, 'X-Accord-Task-Ref': t.externalRef },
          data: { changeRequestId: r.id, agreementId: a.id, taskId: t.id },
        };
      }),
    );

    for (const t of tasks) {
      const c = t.assignees.capacity!;
      await w.wf.tasks.complete(c === 'service-owner' ? serviceOwner : approverAs(c), t.id, {
        decision: 'approved',
        reason: `fine by ${c}`,
      } as never);
      await w.settle();
      if (c !== 'service-owner') expect((await w.agreements.get(a.id))!.version).toBe(3);
    }

    const after = (await w.agreements.get(a.id))!;
    expect(after).toMatchObject({
      version: 4,
      status: 'active',
      objectives,
      change: `amend:${r.id}`,
      changedBy: 'system:workflow-change-request',
      reason: `change request ${r.id}: Lower the target`,
      requiredSignOffs: required,
    });
    expect(after.signOffs).toEqual(
      tasks.map((t) => ({
        capacity: t.assignees.capacity,
        decision: 'approved',
        by:
          t.assignees.capacity === 'service-owner'
            ? 'owen@example.com'
            : `${t.assignees.capacity}@approvers.example`,
        at: T0,
        comment: `fine by ${t.assignees.capacity}`,
      })),
    );
    const done = (await storedRequest(w, r.id))!;
    expect(done).toMatchObject({ status: 'applied', appliedVersion: 4 });
    expect(done.history.slice(-2)).toEqual([
      { at: T0, step: 'applied', by: 'system', detail: 'version 4' },
      { at: T0, step: 'closed', by: 'system', detail: 'applied: version 4' },
    ]);
    const x = await execution();
    expect([x.status, x.output]).toEqual(['succeeded', { outcome: 'applied', reason: 'version 4' }]);
    expect(x.path.filter((s) => !s.includes('['))).toEqual([
      'PlanChangeRequest',
      'IsToAssess',
      'PrepareAssessment',
      'AwaitAssessment',
      'AssessmentDecision',
      'PlanChangeSignOffs',
      'NeedsSignOffs',
      'CollectChangeSignOffs',
      'ApplyChange',
      'ChangeApplied',
      'CloseChangeRequest',
    ]);
    expect(sent.at(-1)).toEqual({
      key: `change-request/${r.id}/closed`,
      topic: `agreement:${a.id}`,
      event: 'change-request.closed',
      businessUnit: 'payments',
      to: [],
      lists: [{ role: 'sla-manager', businessUnit: 'payments' }],
      subject: 'Change request applied: Payments availability',
      paragraphs: [
        `The change request "Lower the target" (${r.id}) to ${a.id} ended: applied.`,
        'Why: version 4',
      ],
      links: links(undefined, r.id),
      headers: {},
      data: { changeRequestId: r.id, agreementId: a.id },
    });
    // A replay of the apply step finds the request applied and changes nothing.
    expect(await w.wf.changeRequests.task({ task: 'apply', changeRequestId: r.id })).toEqual({
      status: 'applied',
      reason: 'version 4',
    });
    expect((await w.agreements.get(a.id))!.version).toBe(4);
  });

  it('names every material term a request changes, in the assessment and the sign-off requests', async () => {
    const r = await ask({ objectives: [{ ...a.objectives[0]!, target: 99.5 }], effectiveTo: '2027-06-30' });
    await w.settle();
    expect(sent.map((n) => n.paragraphs[2])).toEqual([
      'Material terms change (objectives, effectiveTo): a new version and sign-off follow an acceptance.',
    ]);
    const [t] = await pending(r.id);
    await w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'ok' } as never);
    await w.settle();
    const asked = sent.filter((n) => n.key.includes('/signoff-'));
    expect(asked.map((n) => n.paragraphs[0]).sort()).toEqual(
      ['business-owner', 'governance-board', 'service-owner'].map(
        (c) =>
          `The change request "Lower the target" (${r.id}) to ${a.id} changes objectives, effectiveTo and waits for a sign-off as ${c}.`,
      ),
    );
  });

  it('applies an accepted administrative change without sign-off, as an update that keeps the sign-offs in force', async () => {
    const r = await ask({ title: 'Renamed', description: 'What the gateway promises' }, 'Rename it');
    await w.settle();
    expect(sent[0]!.paragraphs[2]).toBe(
      'Only administrative fields change (title, description): an acceptance applies it.',
    );
    const [t] = await pending(r.id);
    await w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'fine' } as never);
    await w.settle();
    expect(await w.agreements.get(a.id)).toMatchObject({
      version: 4,
      status: 'active',
      title: 'Renamed',
      description: 'What the gateway promises',
      change: 'update',
      changedBy: 'system:workflow-change-request',
      reason: `change request ${r.id}: Rename it`,
      requiredSignOffs: a.requiredSignOffs,
      signOffs: a.signOffs,
    });
    const done = (await storedRequest(w, r.id))!;
    expect(done).toMatchObject({ status: 'applied', appliedVersion: 4, requiredSignOffs: [], signOffs: [] });
    expect(done.history[0]!.detail).toBe('Rename it (administrative: title, description; material: none)');
    expect(done.history.map((h) => h.step)).toEqual([
      'requested',
      'assessment-accepted',
      'applied',
      'closed',
    ]);
    expect(await w.wf.changeRequests.task({ task: 'plan-signoffs', changeRequestId: r.id })).toEqual({
      needed: false,
      signOffs: [],
      dueAt: '2026-03-05T09:00:00.000Z',
    });
    const x = await execution();
    expect(x.output).toEqual({ outcome: 'applied', reason: 'version 4' });
    expect(x.path).toEqual([
      'PlanChangeRequest',
      'IsToAssess',
      'PrepareAssessment',
      'AwaitAssessment',
      'AssessmentDecision',
      'PlanChangeSignOffs',
      'NeedsSignOffs',
      'ApplyChange',
      'ChangeApplied',
      'CloseChangeRequest',
    ]);
  });

  it('ends a declined request as rejected with the assessor’s reason, leaving the agreement as it was', async () => {
    const r = await ask({ title: 'Renamed' });
    await w.settle();
    const [t] = await pending(r.id);
    await w.wf.tasks.complete(providerManager, t!.id, {
      decision: 'rejected',
      reason: 'the name is in contracts',
    } as never);
    await w.settle();
    const done = (await storedRequest(w, r.id))!;
    expect(done).toMatchObject({
      status: 'rejected',
      assessment: {
        decision: 'rejected',
        by: 'pam@payments.example',
        at: T0,
        reason: 'the name is in contracts',
      },
    });
    expect(done.history.slice(1)).toEqual([
      { at: T0, step: 'assessment-rejected', by: 'pam@payments.example', detail: 'the name is in contracts' },
      { at: T0, step: 'closed', by: 'system', detail: 'rejected: the name is in contracts' },
    ]);
    expect((await w.agreements.get(a.id))!.version).toBe(3);
    const x = await execution();
    expect([x.status, x.output]).toEqual([
      'succeeded',
      { outcome: 'rejected', reason: 'the name is in contracts' },
    ]);
    expect(x.path.slice(-3)).toEqual(['AssessmentDecision', 'ChangeDeclined', 'CloseChangeRequest']);
    expect(sent.at(-1)).toMatchObject({
      key: `change-request/${r.id}/closed`,
      event: 'change-request.closed',
      subject: 'Change request rejected: Payments availability',
      paragraphs: [
        `The change request "Lower the target" (${r.id}) to ${a.id} ended: rejected.`,
        'Why: the name is in contracts',
      ],
    });
  });

  it('ends a request whose sign-off is rejected, cancelling the sign-offs still waiting', async () => {
    const r = await ask({ objectives: [{ ...a.objectives[0]!, target: 99 }] });
    await w.settle();
    const [t] = await pending(r.id);
    await w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'ok' } as never);
    await w.settle();
    const [bo, gb, so] = await pending(r.id);
    await w.wf.tasks.complete(serviceOwner, so!.id, { decision: 'approved', reason: 'we hold it' } as never);
    await w.settle();
    await w.wf.tasks.complete(approverAs('business-owner'), bo!.id, {
      decision: 'rejected',
      reason: 'we need 99.9',
    } as never);
    await w.settle();
    const done = (await storedRequest(w, r.id))!;
    expect(done.status).toBe('rejected');
    expect(done.signOffs).toEqual([
      {
        capacity: 'service-owner',
        decision: 'approved',
        by: 'owen@example.com',
        at: T0,
        reason: 'we hold it',
      },
      {
        capacity: 'business-owner',
        decision: 'rejected',
        by: 'business-owner@approvers.example',
        at: T0,
        reason: 'we need 99.9',
      },
    ]);
    expect(done.history.map((h) => [h.step, h.detail]).slice(-3)).toEqual([
      ['signoff:service-owner:approved', 'we hold it'],
      ['signoff:business-owner:rejected', 'we need 99.9'],
      ['closed', 'rejected: we need 99.9'],
    ]);
    expect(await pending(r.id)).toEqual([]);
    expect(await w.tasks.get(gb!.id)).toMatchObject({
      status: 'cancelled',
      updatedAt: T0,
      outcome: { reason: 'rejected' },
    });
    expect((await execution()).output).toEqual({ outcome: 'rejected', reason: 'we need 99.9' });
    expect((await w.agreements.get(a.id))!.version).toBe(3);
  });

  it('ends an accepted request as superseded when a term it changes was changed since its base version', async () => {
    const r = await ask({ title: 'Their name' });
    await w.settle();
    await w.agreements.append({
      ...a,
      version: 4,
      title: 'Our name',
      change: 'update',
      reason: 'renamed first',
    });
    const [t] = await pending(r.id);
    await w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'as asked' } as never);
    await w.settle();
    const reason = 'title changed since version 3, which the request was made against';
    expect((await storedRequest(w, r.id))!.history.slice(-2)).toEqual([
      { at: T0, step: 'superseded', by: 'system', detail: reason },
      { at: T0, step: 'closed', by: 'system', detail: `superseded: ${reason}` },
    ]);
    expect((await storedRequest(w, r.id))!.status).toBe('superseded');
    expect((await execution()).output).toEqual({ outcome: 'superseded', reason });
    expect((await w.agreements.get(a.id))!.title).toBe('Our name');
  });

  it('applies an accepted request over a newer version that left its terms alone', async () => {
    const r = await ask({ title: 'Their name' });
    await w.settle();
    await w.agreements.append({
      ...a,
      version: 4,
      description: 'described',
      change: 'update',
      reason: 'notes',
    });
    const [t] = await pending(r.id);
    await w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'as asked' } as never);
    await w.settle();
    expect(await w.agreements.get(a.id)).toMatchObject({
      version: 5,
      title: 'Their name',
      description: 'described',
    });
    expect(await storedRequest(w, r.id)).toMatchObject({ status: 'applied', appliedVersion: 5 });
  });

  it('ends an accepted request as superseded when the agreement is no longer active, naming its status', async () => {
    const r = await ask({ title: 'Their name' });
    await w.settle();
    await w.agreements.append({ ...a, version: 4, status: 'expired', change: 'expire', reason: 'ended' });
    const [t] = await pending(r.id);
    await w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'as asked' } as never);
    await w.settle();
    expect((await execution()).output).toEqual({ outcome: 'superseded', reason: 'the agreement is expired' });
    expect(await storedRequest(w, r.id)).toMatchObject({ status: 'superseded' });
    expect((await w.agreements.get(a.id))!.version).toBe(4);
  });

  it('ends an accepted request as superseded, with the rule it now breaks, when applying it is refused', async () => {
    const r = await ask({ reviewCycle: { everyMonths: 12, nextReviewDate: '2026-03-10' } }, 'Review sooner');
    await w.settle();
    w.now.ms = Date.parse('2026-03-11T09:00:00.000Z');
    const [t] = await pending(r.id);
    await w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'as asked' } as never);
    await w.settle();
    const reason =
      'the change breaks a rule: reviewCycle.nextReviewDate is in the past (today is 2026-03-11)';
    expect((await execution()).output).toEqual({ outcome: 'superseded', reason });
    expect(await storedRequest(w, r.id)).toMatchObject({ status: 'superseded' });
    expect((await w.agreements.get(a.id))!.version).toBe(3);
  });

  it('supersedes a request at once when the agreement stopped being active before its workflow planned it', async () => {
    const r = await ask({ title: 'Their name' });
    await w.agreements.append({ ...a, version: 4, status: 'sunset', change: 'sunset', reason: 'gone' });
    await w.settle();
    const x = await execution();
    expect(x.path).toEqual(['PlanChangeRequest', 'IsToAssess', 'ChangeSuperseded', 'CloseChangeRequest']);
    expect(x.output).toEqual({
      outcome: 'superseded',
      reason: 'the request is assessing; the agreement is sunset',
    });
    expect(await storedRequest(w, r.id)).toMatchObject({ status: 'superseded' });
    expect(await pending(r.id)).toEqual([]);
  });
});
