import { beforeEach, describe, expect, it } from 'vitest';
import type { ChangeRequestRecord } from '../../../shared/ports/governance.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import type { NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import {
  activeAgreement,
  approverAs,
  customerViewer,
  editStored,
  oneRequestWorld,
  providerManager,
  recordNotifications,
  serviceOwner,
  storedRequest,
} from '../../helpers/change-request-world.js';
import { service } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const H = 3_600_000;
const URL = 'https://accord.example';
const MATRIX = [
  {
    level: 1,
    afterMinutes: 30,
    role: 'duty manager',
    contact: { name: 'Dee Duty', email: 'dee@example.com' },
  },
  { level: 2, afterMinutes: 60, role: 'head', contact: { name: 'Hal Head', email: 'hal@example.com' } },
];

describe('change requests: reminders, escalation and decisions recorded while the workflow waited', () => {
  let w: WorkflowWorld;
  let sent: NotifyRequest[];
  beforeEach(async () => {
    w = await workflowWorld();
    sent = recordNotifications(w);
  });

  const ask = async (a: AgreementVersion, proposed: Record<string, unknown>) => {
    const r = await w.wf.changeRequests.request(customerViewer, a.id, {
      summary: 'S',
      why: 'W',
      proposed,
    } as never);
    await w.settle();
    sent.length = 0;
    return r;
  };
  const pending = async (crId: string) =>
    (await w.tasks.list({ subjectId: crId, status: 'pending' } as never)).sort((x, y) =>
      String(x.assignees.capacity).localeCompare(String(y.assignees.capacity)),
    );
  const pathOf = async (a: AgreementVersion) =>
    (await w.engine.listExecutions({ type: 'agreement', id: a.id }))[0]!.path;

  it('reminds the assessors 24 h and 4 h before the deadline, then escalates one level of the matrix at a time', async () => {
    const a = await activeAgreement(w, { escalation: MATRIX } as never);
    const r = await ask(a, { title: 'Renamed' });
    const [t] = await pending(r.id);
    const common = {
      topic: `agreement:${a.id}`,
      businessUnit: 'payments',
      links: [
        { label: 'Your task', url: `${URL}/v1/tasks/${t!.id}` },
        { label: 'The change request', url: `${URL}/v1/change-requests/${r.id}` },
      ],
      headers: { 'X-Accord-Task': t!.id, 'X-Accord-Task-Ref': t!.externalRef },
      data: { changeRequestId: r.id, agreementId: a.id, taskId: t!.id },
    };
    await w.advance(H);
    expect(sent).toEqual([]);
    await w.advance(23 * H + 60_000);
    expect(sent).toEqual([
      {
        ...common,
        key: `change-request/${r.id}/assessment--reminder-0`,
        event: 'change-request.reminder',
        to: [],
        lists: [{ role: 'sla-manager', businessUnit: 'payments' }],
        subject: 'Reminder: assessment due in 24 h: change request to Payments availability',
        paragraphs: [
          `The assessment of the change request "S" (${r.id}) is due by 2026-03-04T09:00:00.000Z.`,
        ],
      },
    ]);
    sent.length = 0;
    await w.advance(20 * H);
    expect(sent.map((n) => [n.key, n.subject])).toEqual([
      [
        `change-request/${r.id}/assessment--reminder-1`,
        'Reminder: assessment due in 4 h: change request to Payments availability',
      ],
    ]);
    sent.length = 0;
    await w.advance(5 * H);
    expect(sent).toEqual([
      {
        ...common,
        key: `change-request/${r.id}/assessment--escalation-1`,
        event: 'change-request.escalated',
        to: [{ name: 'Dee Duty', email: 'dee@example.com' }],
        lists: [{ role: 'sla-manager', businessUnit: 'payments' }],
        subject: 'Escalation (level 1): overdue assessment: change request to Payments availability',
        paragraphs: [
          `The assessment of the change request "S" (${r.id}) was due by 2026-03-04T09:00:00.000Z and is still missing.`,
        ],
      },
    ]);
    sent.length = 0;
    await w.advance(H);
    expect(sent).toEqual([]);
    await w.advance(24 * H);
    expect(sent.map((n) => [n.key, n.to])).toEqual([
      [`change-request/${r.id}/assessment--escalation-2`, [{ name: 'Hal Head', email: 'hal@example.com' }]],
    ]);
    sent.length = 0;
    await w.advance(48 * H);
    expect(sent).toEqual([]);
    expect((await w.tasks.get(t!.id))!.data.round).toBe(7);
    expect((await pathOf(a)).filter((s) => s === 'FollowUpAssessment')).toHaveLength(7);
  });

  it('escalates to the SLA managers of the agreement’s unit when the agreement has no escalation matrix', async () => {
    const a = await activeAgreement(w, { businessUnit: 'platform' });
    const r = await ask(a, { title: 'Renamed' });
    await w.advance(48 * H + 60_000);
    const esc = sent.filter((n) => n.event === 'change-request.escalated');
    expect(esc.map((n) => [n.key, n.to, n.lists])).toEqual([
      [
        `change-request/${r.id}/assessment--escalation-1`,
        [],
        [
          { role: 'sla-manager', businessUnit: 'payments' },
          { role: 'sla-manager', businessUnit: 'platform' },
        ],
      ],
    ]);
    sent.length = 0;
    await w.advance(72 * H);
    expect(sent.filter((n) => n.event === 'change-request.escalated')).toEqual([]);
  });

  it('follows up each waiting sign-off on its own: reminders to the capacity, escalation by the matrix', async () => {
    const a = await activeAgreement(w, { escalation: MATRIX } as never);
    const r = await ask(a, { objectives: [{ ...a.objectives[0]!, target: 99 }] });
    const [t] = await pending(r.id);
    await w.advance(H);
    await w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'ok' } as never);
    await w.settle();
    const tasks = await pending(r.id);
    await w.wf.tasks.complete(serviceOwner, tasks[2]!.id, { decision: 'approved', reason: 'fine' } as never);
    await w.settle();
    sent.length = 0;
    // Sign-offs are due 72 h (tier 1) after the acceptance at 10:00.
    await w.advance(48 * H + 60_000);
    const bo = tasks[0]!;
    expect(sent.map((n) => n.key).sort()).toEqual([
      `change-request/${r.id}/signoff-business-owner-reminder-0`,
      `change-request/${r.id}/signoff-governance-board-reminder-0`,
    ]);
    expect(sent.find((n) => n.key.includes('business-owner'))).toEqual({
      key: `change-request/${r.id}/signoff-business-owner-reminder-0`,
      topic: `agreement:${a.id}`,
      event: 'change-request.reminder',
      businessUnit: 'payments',
      to: [],
      lists: [{ capacity: 'business-owner', businessUnit: 'payments', agreementId: a.id }],
      subject: 'Reminder: business-owner sign-off due in 24 h: change request to Payments availability',
      paragraphs: [
        `The business-owner sign-off of the change request "S" (${r.id}) is due by 2026-03-05T10:00:00.000Z.`,
      ],
      links: [
        { label: 'Your task', url: `${URL}/v1/tasks/${bo.id}` },
        { label: 'The change request', url: `${URL}/v1/change-requests/${r.id}` },
      ],
      headers: { 'X-Accord-Task': bo.id, 'X-Accord-Task-Ref': bo.externalRef },
      data: { changeRequestId: r.id, agreementId: a.id, taskId: bo.id },
    });
    sent.length = 0;
    await w.advance(24 * H);
    expect(
      sent
        .map((n) => [n.key, n.subject, n.paragraphs, n.to, n.lists])
        .sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    ).toEqual(
      ['business-owner', 'governance-board'].map((c) => [
        `change-request/${r.id}/signoff-${c}-escalation-1`,
        `Escalation (level 1): overdue ${c} sign-off: change request to Payments availability`,
        [
          `The ${c} sign-off of the change request "S" (${r.id}) was due by 2026-03-05T10:00:00.000Z and is still missing.`,
        ],
        [{ name: 'Dee Duty', email: 'dee@example.com' }],
        [{ capacity: c, businessUnit: 'payments', agreementId: a.id }],
      ]),
    );
  });

  it('asks for sign-offs in the unit that holds the agreement, when it is not the service’s', async () => {
    const a = await activeAgreement(w, { businessUnit: 'platform' });
    const r = await ask(a, { objectives: [{ ...a.objectives[0]!, target: 99 }] });
    const [t] = await pending(r.id);
    await w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'ok' } as never);
    await w.settle();
    expect(
      sent
        .filter((n) => n.key.includes('/signoff-'))
        .map((n) => n.lists)
        .sort((x, y) => String(x?.[0]?.capacity).localeCompare(String(y?.[0]?.capacity))),
    ).toEqual(
      ['business-owner', 'governance-board', 'service-owner'].map((c) => [
        { capacity: c, businessUnit: 'platform', agreementId: a.id },
      ]),
    );
  });

  it('picks up an assessment recorded while the task waited, on its next visit, and carries on', async () => {
    const a = await activeAgreement(w);
    const r = await ask(a, { title: 'Renamed' });
    const [t] = await pending(r.id);
    await w.wf.changeRequests.assess(providerManager, t!, { decision: 'approved', reason: 'seen' } as never);
    await w.settle();
    expect((await storedRequest(w, r.id))!.status).toBe('assessing');
    await w.advance(H);
    expect(sent.filter((n) => n.key.includes('assessment-requested'))).toEqual([]);
    expect(await storedRequest(w, r.id)).toMatchObject({ status: 'applied', appliedVersion: 4 });
    expect((await w.agreements.get(a.id))!.title).toBe('Renamed');
    expect((await pathOf(a)).slice(3, 8)).toEqual([
      'AwaitAssessment',
      'FollowUpAssessment',
      'KeepAssessing',
      'AwaitAssessment',
      'AssessmentDecision',
    ]);
  });

  it('picks up a rejection recorded while the task waited, keeping the request rejected', async () => {
    const a = await activeAgreement(w);
    const r = await ask(a, { title: 'Renamed' });
    const [t] = await pending(r.id);
    await w.wf.changeRequests.assess(providerManager, t!, { decision: 'rejected', reason: 'no' } as never);
    await w.advance(H);
    const done = (await storedRequest(w, r.id))!;
    expect(done.status).toBe('rejected');
    expect(done.history.at(-1)).toEqual({
      at: '2026-03-02T10:00:00.000Z',
      step: 'closed',
      by: 'system',
      detail: 'rejected: no',
    });
    expect((await w.engine.listExecutions({ type: 'agreement', id: a.id }))[0]!.output).toEqual({
      outcome: 'rejected',
      reason: 'no',
    });
  });

  it('picks up sign-offs recorded while their tasks waited, and applies the change', async () => {
    const a = await activeAgreement(w);
    const r = await ask(a, { objectives: [{ ...a.objectives[0]!, target: 99 }] });
    const [t] = await pending(r.id);
    await w.wf.tasks.complete(providerManager, t!.id, { decision: 'approved', reason: 'ok' } as never);
    await w.settle();
    const [bo, gb, so] = await pending(r.id);
    await w.wf.changeRequests.signOff(approverAs('business-owner'), bo!, {
      decision: 'approved',
      reason: 'b',
    } as never);
    await w.wf.changeRequests.signOff(approverAs('governance-board'), gb!, {
      decision: 'approved',
      reason: 'g',
    } as never);
    await w.wf.changeRequests.signOff(serviceOwner, so!, { decision: 'approved', reason: 's' } as never);
    await w.settle();
    expect((await w.agreements.get(a.id))!.version).toBe(3);
    sent.length = 0;
    await w.advance(H);
    expect(sent.filter((n) => n.key.includes('-requested'))).toEqual([]);
    const after = (await w.agreements.get(a.id))!;
    expect(after.version).toBe(4);
    expect(after.signOffs.map((s) => [s.capacity, s.by, s.comment])).toEqual([
      ['business-owner', 'business-owner@approvers.example', 'b'],
      ['governance-board', 'governance-board@approvers.example', 'g'],
      ['service-owner', 'owen@example.com', 's'],
    ]);
  });

  it('answers a follow-up of a step already decided, or of a request whose agreement is gone, without a word', async () => {
    const a = await activeAgreement(w);
    const r = await ask(a, { title: 'Renamed' });
    const event = {
      task: 'follow-up',
      changeRequestId: r.id,
      dueAt: '2026-03-02T10:00:00.000Z',
      round: 4,
      reminders: 1,
      level: 0,
    };
    // Not decided, not yet due: nothing to send, the progress unchanged, the round counted.
    w.now.ms = Date.parse('2026-03-01T00:00:00.000Z');
    expect(await w.wf.changeRequests.task({ ...event, step: 'signoff', capacity: 'legal' })).toEqual({
      changeRequestId: r.id,
      dueAt: '2026-03-02T10:00:00.000Z',
      round: 5,
      capacity: 'legal',
      reminders: 1,
      level: 0,
    });
    expect(await w.wf.changeRequests.task({ ...event, step: 'assessment' })).toEqual({
      changeRequestId: r.id,
      dueAt: '2026-03-02T10:00:00.000Z',
      round: 5,
      reminders: 1,
      level: 0,
    });
    w.now.ms = Date.parse('2026-03-09T00:00:00.000Z');
    const stored = await storedRequest(w, r.id);
    await w.requests.put(
      {
        ...stored,
        signOffs: [
          { capacity: 'legal', decision: 'approved', by: 'l', at: '2026-03-02T09:00:00.000Z', reason: 'r' },
        ],
      },
      stored.revision,
    );
    expect(await w.wf.changeRequests.task({ ...event, step: 'signoff', capacity: 'legal' })).toMatchObject({
      round: 5,
      reminders: 1,
      level: 0,
    });
    const gone = { ...stored, id: 'chg_gone', agreementId: 'agr_01WFNONE000000000000', revision: 0 };
    await w.requests.put(gone, 0);
    expect(
      await w.wf.changeRequests.task({ ...event, changeRequestId: 'chg_gone', step: 'assessment' }),
    ).toEqual({
      changeRequestId: 'chg_gone',
      dueAt: '2026-03-02T10:00:00.000Z',
      round: 5,
      reminders: 1,
      level: 0,
    });
    expect(sent).toEqual([]);
    // Overdue and undecided: escalated (the agreement has no matrix, so one level), the progress moved on.
    expect(await w.wf.changeRequests.task({ ...event, step: 'signoff', capacity: 'finance' })).toEqual({
      changeRequestId: r.id,
      dueAt: '2026-03-02T10:00:00.000Z',
      round: 5,
      capacity: 'finance',
      reminders: 2,
      level: 1,
    });
    expect(sent.map((n) => [n.key, n.to, n.lists, n.links?.length])).toEqual([
      [
        `change-request/${r.id}/signoff-finance-escalation-1`,
        [],
        [
          { capacity: 'finance', businessUnit: 'payments', agreementId: a.id },
          { role: 'sla-manager', businessUnit: 'payments' },
        ],
        1,
      ],
    ]);
  });
});

describe('change requests: the plan, apply and close steps on their own', () => {
  let w: WorkflowWorld;
  let sent: NotifyRequest[];
  let a: AgreementVersion;
  let r: ChangeRequestRecord;
  beforeEach(async () => {
    ({ w, sent, a, r } = await oneRequestWorld({ summary: 'S', why: 'W' }));
  });
  const task = (e: Record<string, unknown>) => w.wf.changeRequests.task({ changeRequestId: r.id, ...e });
  const edit = (f: (x: ChangeRequestRecord) => ChangeRequestRecord) => editStored(w, r.id, f);

  it('plans the assessment deadline by the service tier, and supersedes a request no longer assessing', async () => {
    expect(await task({ task: 'plan', executionId: 'x' })).toEqual({
      status: 'assessing',
      dueAt: '2026-03-04T09:00:00.000Z',
      reason: 'assessment due by 2026-03-04T09:00:00.000Z',
    });
    await edit((x) => ({ ...x, status: 'rejected' }));
    expect(await task({ task: 'plan', executionId: 'x' })).toEqual({
      status: 'superseded',
      dueAt: '2026-03-04T09:00:00.000Z',
      reason: 'the request is rejected; the agreement is active',
    });
    await edit((x) => ({ ...x, status: 'assessing', agreementId: 'agr_01WFNONE000000000000' }));
    expect(await task({ task: 'plan', executionId: 'x' })).toMatchObject({
      status: 'superseded',
      reason: 'the request is assessing; the agreement is gone',
    });
  });

  it('gives a tier-3 service 120 h to assess and 120 h to sign, and a UC the procurement sign-off', async () => {
    await w.services.create(service({ id: 'svc_tier3', tier: 3, businessUnit: 'payments' }));
    const uc = await activeAgreement(w, {
      id: 'agr_01WFTIER300000000001',
      serviceId: 'svc_tier3',
      kind: 'UC',
      parties: {
        provider: { type: 'vendor', vendorId: 'acme', name: 'Acme' },
        customer: { type: 'business-unit', businessUnit: 'retail-banking' },
      },
    });
    const x = await w.wf.changeRequests.request(customerViewer, uc.id, {
      summary: 'S',
      why: 'W',
      proposed: { objectives: [{ ...uc.objectives[0]!, target: 99 }] },
    } as never);
    const t = (e: Record<string, unknown>) => w.wf.changeRequests.task({ changeRequestId: x.id, ...e });
    expect(await t({ task: 'plan', executionId: 'x' })).toMatchObject({ dueAt: '2026-03-07T09:00:00.000Z' });
    expect(await t({ task: 'plan-signoffs' })).toEqual({
      needed: true,
      signOffs: [{ capacity: 'service-owner' }, { capacity: 'business-owner' }, { capacity: 'procurement' }],
      dueAt: '2026-03-07T09:00:00.000Z',
    });
    expect(await storedRequest(w, x.id)).toMatchObject({
      status: 'signing',
      requiredSignOffs: [
        { capacity: 'service-owner', rules: ['any-material-change'] },
        { capacity: 'business-owner', rules: ['any-material-change'] },
        { capacity: 'procurement', rules: ['uc-procurement'] },
      ],
    });
    // Planned again (a replay): the capacities recorded, no second step.
    w.now.ms += H;
    expect(await t({ task: 'plan-signoffs' })).toEqual({
      needed: true,
      signOffs: [{ capacity: 'service-owner' }, { capacity: 'business-owner' }, { capacity: 'procurement' }],
      dueAt: '2026-03-07T10:00:00.000Z',
    });
    expect((await storedRequest(w, x.id)).history.map((h) => h.step)).toEqual(['requested', 'signing']);
  });

  it('finds a change already applied by an earlier attempt, by the version it made', async () => {
    await w.agreements.append({ ...a, version: 4, change: `amend:${r.id}`, reason: 'whatever' });
    expect(await task({ task: 'apply' })).toEqual({ status: 'applied', reason: 'version 4' });
    expect(await storedRequest(w, r.id)).toMatchObject({ status: 'applied', appliedVersion: 4 });
    expect((await w.agreements.get(a.id))!.version).toBe(4);
  });

  it('finds a change already applied by an earlier attempt, by the reason of its version', async () => {
    await w.agreements.append({ ...a, version: 4, change: 'update', reason: `change request ${r.id}: S` });
    await w.agreements.append({ ...a, version: 5, change: 'update', reason: 'later' });
    expect(await task({ task: 'apply' })).toEqual({ status: 'applied', reason: 'version 4' });
    expect((await w.agreements.get(a.id))!.version).toBe(5);
  });

  it('applies a request whose base version is not on record', async () => {
    await edit((x) => ({ ...x, baseVersion: 1 }));
    expect(await task({ task: 'apply' })).toEqual({ status: 'applied', reason: 'version 4' });
    expect((await w.agreements.get(a.id))!.title).toBe('Renamed');
    expect(await storedRequest(w, r.id)).toMatchObject({ status: 'applied', appliedVersion: 4 });
  });

  it('records a supersession once, with no applied version', async () => {
    await w.agreements.append({ ...a, version: 4, status: 'expired' });
    const superseded = { status: 'superseded', reason: 'the agreement is expired' };
    expect(await task({ task: 'apply' })).toEqual(superseded);
    const once = await storedRequest(w, r.id);
    expect(once).not.toHaveProperty('appliedVersion');
    expect(once.history.at(-1)).toEqual({
      at: '2026-03-02T09:00:00.000Z',
      step: 'superseded',
      by: 'system',
      detail: 'the agreement is expired',
    });
    expect(await task({ task: 'apply' })).toEqual(superseded);
    expect(await storedRequest(w, r.id)).toEqual(once);
  });

  it('closes a request once: cancels its execution’s waiting tasks, maps an unknown outcome to superseded, tells both units', async () => {
    await w.settle();
    const [t] = await w.tasks.list({ subjectId: r.id, status: 'pending' } as never);
    const executionId = r.executionId!;
    // Another execution's task is left alone.
    await w.tasks.upsert({ ...t!, id: 'tsk_other', executionId: 'local:other' });
    await w.agreements.append({ ...a, version: 4, businessUnit: 'platform' });
    sent.length = 0;
    w.now.ms += H;
    const at = '2026-03-02T10:00:00.000Z';
    expect(await task({ task: 'close', outcome: 'timed-out', reason: 'late', executionId })).toEqual({
      outcome: 'timed-out',
      reason: 'late',
    });
    expect(await w.tasks.get(t!.id)).toMatchObject({
      status: 'cancelled',
      updatedAt: at,
      outcome: { reason: 'timed-out' },
    });
    expect((await w.tasks.get('tsk_other'))!.status).toBe('pending');
    const closed = await storedRequest(w, r.id);
    expect(closed.status).toBe('superseded');
    expect(closed.history.at(-1)).toEqual({ at, step: 'closed', by: 'system', detail: 'timed-out: late' });
    expect(sent).toEqual([
      {
        key: `change-request/${r.id}/closed`,
        topic: `agreement:${a.id}`,
        event: 'change-request.closed',
        businessUnit: 'payments',
        to: [],
        lists: [
          { role: 'sla-manager', businessUnit: 'payments' },
          { role: 'sla-manager', businessUnit: 'platform' },
        ],
        subject: 'Change request timed-out: Payments availability',
        paragraphs: [`The change request "S" (${r.id}) to ${a.id} ended: timed-out.`, 'Why: late'],
        links: [{ label: 'The change request', url: `${URL}/v1/change-requests/${r.id}` }],
        headers: {},
        data: { changeRequestId: r.id, agreementId: a.id },
      },
    ]);
    await task({ task: 'close', outcome: 'applied', reason: 'again', executionId });
    expect(await storedRequest(w, r.id)).toEqual(closed);
  });

  it('closes with the outcome as the status while assessing or signing, and keeps a status already reached', async () => {
    await edit((x) => ({ ...x, status: 'signing' }));
    await task({ task: 'close', outcome: 'refused', reason: 'r', executionId: 'x' });
    expect((await storedRequest(w, r.id))!.status).toBe('refused');
    const r2 = await w.wf.changeRequests.request(customerViewer, a.id, {
      summary: 'S2',
      why: 'W',
      proposed: { title: 'Other' },
    } as never);
    const x2 = await storedRequest(w, r2.id);
    await w.requests.put({ ...x2, status: 'applied' }, x2.revision);
    await w.wf.changeRequests.task({
      task: 'close',
      changeRequestId: r2.id,
      outcome: 'superseded',
      reason: 'r',
      executionId: 'x',
    });
    expect((await storedRequest(w, r2.id))!.status).toBe('applied');
  });
});
