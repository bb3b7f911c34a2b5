import { beforeEach, describe, expect, it } from 'vitest';
import type { NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import {
  activeAgreement,
  capaTask,
  fixRca,
  hash,
  notifySpy,
  OWNER,
  openRemediation,
  owen,
  PIA,
  rcaTask,
  violation,
} from '../../helpers/remediation-world.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const VIO = 'vio_01WF000000000000000001';
const T0 = '2026-03-02T09:00:00.000Z';
const T1 = '2026-03-02T10:00:00.000Z';
const BASE = 'https://accord.example';
const SYSTEM = 'system:workflow-remediation';

describe('the remediation of a violation, from RCA through CAPA to closure', () => {
  let w: WorkflowWorld;
  let notes: () => NotifyRequest[];
  let agreementId: string;
  beforeEach(async () => {
    w = await workflowWorld();
    notes = notifySpy(w);
    const a = await activeAgreement(w);
    agreementId = a.id;
    await openRemediation(w, violation(w, a));
  });

  const remediationLink = { label: 'The remediation', url: `${BASE}/v1/violations/${VIO}/remediation` };
  const taskLinks = (id: string) => [{ label: 'Your task', url: `${BASE}/v1/tasks/${id}` }, remediationLink];

  it('opens the remediation: a critical RCA owned by the objective’s owner, due 48 h after detection', async () => {
    expect(await w.remediation.get(VIO)).toEqual({
      violationId: VIO,
      agreementId,
      objectiveId: 'availability',
      serviceId: 'svc_payments-gateway',
      businessUnit: 'payments',
      severity: 'critical',
      status: 'rca-due',
      owner: OWNER,
      rcaDueAt: '2026-03-04T09:00:00.000Z',
      rcaExternalRef: `RCA-${hash(VIO, 10).toUpperCase()}`,
      capa: [],
      escalations: [],
      history: [
        {
          at: T0,
          step: 'opened',
          by: SYSTEM,
          detail: 'critical violation: twice the error budget spent; RCA due in 48 h',
        },
      ],
      createdAt: T0,
      revision: 1,
    });
    const [execution] = await w.engine.listExecutions({ type: 'violation', id: VIO });
    expect(execution).toMatchObject({
      workflow: 'remediation',
      name: VIO,
      status: 'waiting',
      path: ['PlanRemediation', 'AwaitRca'],
    });
    const id = rcaTask(VIO);
    const [task, ...more] = await w.tasks.list({});
    expect(more).toEqual([]);
    expect(task).toEqual({
      id,
      kind: 'rca',
      workflow: 'remediation',
      executionId: execution!.executionId,
      token: expect.stringMatching(/^tok_/),
      subject: { type: 'violation', id: VIO },
      businessUnit: 'payments',
      serviceId: 'svc_payments-gateway',
      title: `Root-cause analysis of violation ${VIO} (availability)`,
      assignees: { emails: ['owen@example.com'] },
      status: 'pending',
      createdAt: T0,
      updatedAt: T0,
      dueAt: '2026-03-04T09:00:00.000Z',
      externalRef: `RCA-${hash(VIO, 10).toUpperCase()}`,
      data: { round: 0 },
      revision: 1,
    });
    expect(notes()).toEqual([
      {
        key: `remediation/${VIO}/rca-requested`,
        topic: `violation:${VIO}`,
        event: 'remediation.rca-requested',
        businessUnit: 'payments',
        to: [OWNER],
        lists: [],
        subject: `RCA requested: availability of ${agreementId} (critical)`,
        paragraphs: [
          `The critical violation ${VIO} needs a root-cause analysis by 2026-03-04T09:00:00.000Z. You own it as the objective's owner.`,
        ],
        links: taskLinks(id),
        headers: { 'X-Accord-Task': id, 'X-Accord-Task-Ref': task!.externalRef },
        data: { violationId: VIO, taskId: id, externalRef: task!.externalRef },
      },
    ]);
  });

  it('turns the RCA’s actions into CAPA items with owners and due dates, each a task and an e-mail to its owner', async () => {
    w.now.ms = Date.parse(T1);
    const done = await w.wf.tasks.complete(owen, rcaTask(VIO), { reason: 'analysed', rca: fixRca });
    expect(done).toMatchObject({
      status: 'completed',
      outcome: { reason: 'analysed', by: 'owen@example.com', conclusion: 'fix' },
    });
    await w.settle();
    const r = (await w.remediation.get(VIO))!;
    expect(r.status).toBe('capa');
    expect(r.rca).toEqual({
      timeline: fixRca.timeline,
      rootCause: fixRca.rootCause,
      contributing: { agreements: [], vendor: 'Acme DB' },
      evidence: ['grafana snapshot 123'],
      conclusion: 'fix',
      submittedBy: 'owen@example.com',
      submittedAt: T1,
    });
    expect(r.proposedActions).toEqual(fixRca.actions);
    const ref = (id: string) => `CAPA-${hash(`${VIO}|${id}`, 10).toUpperCase()}`;
    expect(r.capa).toEqual([
      {
        id: 'capa-1',
        kind: 'corrective',
        description: 'size the pool from load tests',
        owner: OWNER,
        dueAt: '2026-03-04T23:59:59.999Z',
        status: 'open',
        externalRef: ref('capa-1'),
      },
      {
        id: 'capa-2',
        kind: 'preventive',
        description: 'pool saturation alert',
        owner: PIA,
        dueAt: '2026-04-01T10:00:00.000Z',
        status: 'open',
        externalRef: ref('capa-2'),
      },
    ]);
    expect(r.history.slice(1)).toEqual([
      {
        at: T1,
        step: 'rca-submitted',
        by: 'owen@example.com',
        detail: 'fix: release 4.2 exhausted the connection pool',
      },
      {
        at: T1,
        step: 'capa-planned',
        by: SYSTEM,
        detail:
          '2 action(s): capa-1 (corrective, owen@example.com, due 2026-03-04T23:59:59.999Z); capa-2 (preventive, pia@example.com, due 2026-04-01T10:00:00.000Z)',
      },
    ]);
    const [execution] = await w.engine.listExecutions({ type: 'violation', id: VIO });
    const t1 = (await w.tasks.get(capaTask(VIO, 'capa-1')))!;
    const t2 = (await w.tasks.get(capaTask(VIO, 'capa-2')))!;
    expect(t1).toEqual({
      id: capaTask(VIO, 'capa-1'),
      kind: 'capa',
      workflow: 'remediation',
      executionId: execution!.executionId,
      token: expect.stringMatching(/^tok_/),
      subject: { type: 'violation', id: VIO },
      businessUnit: 'payments',
      serviceId: 'svc_payments-gateway',
      title: `Corrective action capa-1 of violation ${VIO}: size the pool from load tests`,
      assignees: { emails: ['owen@example.com'] },
      status: 'pending',
      createdAt: T1,
      updatedAt: T1,
      dueAt: '2026-03-04T23:59:59.999Z',
      externalRef: ref('capa-1'),
      data: { capaId: 'capa-1', round: 0 },
      revision: 1,
    });
    expect(t2).toMatchObject({
      title: `Preventive action capa-2 of violation ${VIO}: pool saturation alert`,
      assignees: { emails: ['pia@example.com'] },
      dueAt: '2026-04-01T10:00:00.000Z',
      data: { capaId: 'capa-2', round: 0 },
    });
    expect(notes().slice(1)).toEqual([
      {
        key: `remediation/${VIO}/capa-capa-1-requested`,
        topic: `violation:${VIO}`,
        event: 'remediation.capa-requested',
        businessUnit: 'payments',
        to: [OWNER],
        lists: [],
        subject: 'Action assigned to you (capa-1, due 2026-03-04): size the pool from load tests',
        paragraphs: [
          `The RCA of violation ${VIO} assigned you a corrective action: size the pool from load tests.`,
          `It is due by 2026-03-04T23:59:59.999Z. Your team's tool can close it by its reference ${ref('capa-1')}.`,
        ],
        links: taskLinks(t1.id),
        headers: { 'X-Accord-Task': t1.id, 'X-Accord-Task-Ref': ref('capa-1') },
        data: { violationId: VIO, taskId: t1.id, externalRef: ref('capa-1') },
      },
      expect.objectContaining({
        key: `remediation/${VIO}/capa-capa-2-requested`,
        event: 'remediation.capa-requested',
        to: [PIA],
        subject: 'Action assigned to you (capa-2, due 2026-04-01): pool saturation alert',
      }),
    ]);
    const [x] = await w.engine.listExecutions({ type: 'violation', id: VIO });
    expect(x!.status).toBe('waiting');
    expect(x!.path.filter((s) => !s.includes('['))).toEqual([
      'PlanRemediation',
      'AwaitRca',
      'RcaDecision',
      'PlanCapa',
      'TrackCapa',
    ]);
  });

  it('closes only once every CAPA item is closed, then makes the credit final and tells the owner and SLA managers', async () => {
    await w.wf.tasks.complete(owen, rcaTask(VIO), { reason: 'analysed', rca: fixRca });
    await w.settle();
    w.now.ms = Date.parse(T1);
    await w.wf.tasks.complete(owen, capaTask(VIO, 'capa-1'), {
      reason: 'done',
      resolution: 'pool sized to 400',
    });
    await w.settle();
    let r = (await w.remediation.get(VIO))!;
    expect(r.status).toBe('capa');
    expect(r.capa.map((c) => [c.id, c.status])).toEqual([
      ['capa-1', 'closed'],
      ['capa-2', 'open'],
    ]);
    expect(r.capa[0]).toMatchObject({
      closedAt: T1,
      closedBy: 'owen@example.com',
      resolution: 'pool sized to 400',
    });
    expect((await w.tasks.get(capaTask(VIO, 'capa-1')))?.outcome).toEqual({
      reason: 'done',
      by: 'owen@example.com',
      status: 'closed',
      capaId: 'capa-1',
    });
    // The team's tool closes capa-2 (what the inbound webhook does).
    const t2 = (await w.tasks.get(capaTask(VIO, 'capa-2')))!;
    const outcome = await w.wf.remediation.closeCapa('jira:OPS-42', t2, 'alert live in prod');
    expect(outcome).toEqual({ status: 'closed', capaId: 'capa-2', by: 'jira:OPS-42' });
    // A task of another execution waits on: closure cancels only this execution's unanswered tasks.
    const other = await w.tasks.upsert({
      ...t2,
      id: 'tsk_other',
      executionId: 'local:remediation:vio_other',
    });
    await w.wf.tasks.settle(t2, outcome, 'jira:OPS-42');
    await w.settle();
    expect((await w.tasks.get(other.id))?.status).toBe('pending');
    for (const id of [rcaTask(VIO), capaTask(VIO, 'capa-1'), capaTask(VIO, 'capa-2')]) {
      expect((await w.tasks.get(id))?.status).toBe('completed');
    }
    r = (await w.remediation.get(VIO))!;
    expect(r.status).toBe('closed');
    expect(r.closedAt).toBe(T1);
    expect(r.credit).toEqual({ final: true });
    expect(r.history.map((h) => [h.step, h.by, h.detail]).slice(3)).toEqual([
      ['capa-closed', 'owen@example.com', 'capa-1: pool sized to 400'],
      ['capa-closed', 'jira:OPS-42', 'capa-2: alert live in prod'],
      ['credit-final', SYSTEM, 'no service credit applies'],
      ['closed', SYSTEM, 'RCA fix; 2 action(s) closed'],
    ]);
    const [x] = await w.engine.listExecutions({ type: 'violation', id: VIO });
    expect(x!.status).toBe('succeeded');
    expect(x!.output).toEqual({ outcome: 'closed' });
    expect(x!.path.filter((s) => !s.includes('[')).slice(5)).toEqual([
      'FinaliseCredit',
      'CreditDecision',
      'Close',
    ]);
    expect(notes().at(-1)).toEqual({
      key: `remediation/${VIO}/closed`,
      topic: `violation:${VIO}`,
      event: 'remediation.closed',
      businessUnit: 'payments',
      to: [OWNER],
      lists: [{ role: 'sla-manager', businessUnit: 'payments', agreementId }],
      subject: `Remediation closed: violation ${VIO} (availability)`,
      paragraphs: [
        `The remediation of violation ${VIO} is closed: the RCA and every corrective and preventive action are done.`,
      ],
      links: [remediationLink],
      headers: {},
      data: { violationId: VIO },
    });
    expect((await w.tasks.list({ status: 'pending' })).map((t) => t.id)).toEqual(['tsk_other']);
  });

  it('picks up an RCA recorded outside its task at the next heartbeat, and closure cancels the task nobody answered', async () => {
    const rcaTaskRecord = (await w.tasks.get(rcaTask(VIO)))!;
    expect(
      await w.wf.remediation.submitRca(owen, rcaTaskRecord, {
        ...fixRca,
        actions: [],
        conclusion: 'target-unrealistic',
      }),
    ).toEqual({
      conclusion: 'target-unrealistic',
      by: 'owen@example.com',
    });
    await w.advance(3_600_000);
    const r = (await w.remediation.get(VIO))!;
    expect(r.status).toBe('closed');
    expect(await w.tasks.get(rcaTask(VIO))).toMatchObject({ status: 'cancelled', updatedAt: T1 });
    const [x] = await w.engine.listExecutions({ type: 'violation', id: VIO });
    expect(x!.path.slice(0, 6)).toEqual([
      'PlanRemediation',
      'AwaitRca',
      'FollowUpRca',
      'RcaFollowUpDecision',
      'RcaSubmitted',
      'RcaDecision',
    ]);
    // The change-assessment task the unrealistic target opened is left for the SLA managers.
    const pending = await w.tasks.list({ status: 'pending' });
    expect(pending.map((t) => t.kind)).toEqual(['change-assessment']);
  });
});
