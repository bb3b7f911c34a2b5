import { beforeEach, describe, expect, it } from 'vitest';
import type { NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import {
  activeAgreement,
  capaTask,
  DEE,
  fixRca,
  HAL,
  HOUR,
  notifySpy,
  OWNER,
  openRemediation,
  owen,
  rcaTask,
  violation,
} from '../../helpers/remediation-world.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const VIO = 'vio_01WF000000000000000001';
const BASE = 'https://accord.example';
const SYSTEM = 'system:workflow-remediation';
const RCA_DUE = '2026-03-04T09:00:00.000Z';
const CAPA1_DUE = '2026-03-04T23:59:59.999Z';

describe('reminders and escalation of an overdue remediation step', () => {
  let w: WorkflowWorld;
  let notes: () => NotifyRequest[];
  let agreementId: string;
  let at: (iso: string) => Promise<void>;
  beforeEach(async () => {
    w = await workflowWorld();
    notes = notifySpy(w);
    agreementId = (await activeAgreement(w)).id;
    at = (iso) => w.advance(Date.parse(iso) - w.now.ms);
  });
  const links = (taskId: string) => [
    { label: 'Your task', url: `${BASE}/v1/tasks/${taskId}` },
    { label: 'The remediation', url: `${BASE}/v1/violations/${VIO}/remediation` },
  ];
  const since = (n: number) => notes().slice(n);

  it('reminds the RCA’s owner 48 h and 8 h before it is due, then escalates one level of the matrix a day', async () => {
    const a = (await w.agreements.get(agreementId))!;
    // The matrix listed out of order: escalation still goes level 1 first.
    const v = violation(w, a);
    await openRemediation(w, { ...v, escalation: [v.escalation[1]!, v.escalation[0]!] });
    const id = rcaTask(VIO);
    const ref = (await w.tasks.get(id))!.externalRef;
    const base = {
      topic: `violation:${VIO}`,
      businessUnit: 'payments',
      lists: [],
      links: links(id),
      headers: { 'X-Accord-Task': id, 'X-Accord-Task-Ref': ref },
      data: { violationId: VIO, taskId: id, externalRef: ref },
    };
    let n = notes().length;
    await w.advance(HOUR);
    expect(since(n)).toEqual([
      {
        ...base,
        key: `remediation/${VIO}/rca-reminder-0`,
        event: 'remediation.rca-reminder',
        to: [OWNER],
        subject: `Reminder: the RCA of violation ${VIO} is due in 48 h`,
        paragraphs: [`the RCA of violation ${VIO} is due by ${RCA_DUE}.`],
      },
    ]);
    n = notes().length;
    await at('2026-03-04T01:00:00.000Z');
    expect(since(n).map((x) => [x.key, x.event, x.subject])).toEqual([
      [
        `remediation/${VIO}/rca-reminder-1`,
        'remediation.rca-reminder',
        `Reminder: the RCA of violation ${VIO} is due in 8 h`,
      ],
    ]);
    n = notes().length;
    await at(RCA_DUE);
    expect(since(n)).toEqual([
      {
        ...base,
        key: `remediation/${VIO}/rca-escalation-1`,
        event: 'remediation.rca-escalation',
        to: [DEE],
        lists: [],
        subject: `Escalation (level 1): the RCA of violation ${VIO} is overdue`,
        paragraphs: [
          `the RCA of violation ${VIO} was due by ${RCA_DUE} and is not done.`,
          "You are level 1 of the agreement's escalation path.",
        ],
      },
    ]);
    n = notes().length;
    await at('2026-03-05T09:00:00.000Z');
    expect(since(n).map((x) => [x.key, x.to, x.subject])).toEqual([
      [
        `remediation/${VIO}/rca-escalation-2`,
        [HAL],
        `Escalation (level 2): the RCA of violation ${VIO} is overdue`,
      ],
    ]);
    n = notes().length;
    await at('2026-03-07T09:00:00.000Z');
    expect(since(n)).toEqual([]);
    const r = (await w.remediation.get(VIO))!;
    expect(r.escalations).toEqual([
      { level: 1, at: RCA_DUE, step: 'rca' },
      { level: 2, at: '2026-03-05T09:00:00.000Z', step: 'rca' },
    ]);
    expect(r.history.slice(1)).toEqual([
      {
        at: RCA_DUE,
        step: 'escalated',
        by: SYSTEM,
        detail: `rca overdue since ${RCA_DUE}: level 1 (dee@example.com)`,
      },
      {
        at: '2026-03-05T09:00:00.000Z',
        step: 'escalated',
        by: SYSTEM,
        detail: `rca overdue since ${RCA_DUE}: level 2 (hal@example.com)`,
      },
    ]);
    // Each heartbeat re-enters the wait with the next round; the task keeps its id and due date.
    expect(await w.tasks.get(id)).toMatchObject({ status: 'pending', dueAt: RCA_DUE, data: { round: 5 } });
    const [x] = await w.engine.listExecutions({ type: 'violation', id: VIO });
    expect(x!.path).toEqual([
      'PlanRemediation',
      ...Array(5).fill(['AwaitRca', 'FollowUpRca', 'RcaFollowUpDecision']).flat(),
      'AwaitRca',
    ]);
  });

  it('escalates to the owner and the SLA managers when the violation has no escalation path', async () => {
    const a = (await w.agreements.get(agreementId))!;
    await openRemediation(w, violation(w, a, { escalation: [] }));
    await at(RCA_DUE);
    const id = rcaTask(VIO);
    expect(notes().at(-1)).toMatchObject({
      key: `remediation/${VIO}/rca-escalation-1`,
      to: [OWNER],
      lists: [{ role: 'sla-manager', businessUnit: 'payments', agreementId }],
      links: links(id),
    });
    await at('2026-03-06T09:00:00.000Z');
    const r = (await w.remediation.get(VIO))!;
    expect(r.history.slice(1).map((h) => h.detail)).toEqual([
      `rca overdue since ${RCA_DUE}: level 1 (SLA managers)`,
    ]);
    expect(r.escalations).toEqual([{ level: 1, at: RCA_DUE, step: 'rca' }]);
  });

  it('escalates to every contact of a level at once, naming each in the history', async () => {
    const a = (await w.agreements.get(agreementId))!;
    const v = violation(w, a);
    await openRemediation(w, { ...v, escalation: v.escalation.map((s) => ({ ...s, level: 1 })) });
    await at(RCA_DUE);
    expect(notes().at(-1)).toMatchObject({
      key: `remediation/${VIO}/rca-escalation-1`,
      to: [DEE, HAL],
      lists: [],
    });
    expect((await w.remediation.get(VIO))!.history.at(-1)).toEqual({
      at: RCA_DUE,
      step: 'escalated',
      by: SYSTEM,
      detail: `rca overdue since ${RCA_DUE}: level 1 (dee@example.com, hal@example.com)`,
    });
  });

  it('reminds and escalates a CAPA item by its own due date, and its item ends once the record shows it closed', async () => {
    const a = (await w.agreements.get(agreementId))!;
    await openRemediation(w, violation(w, a));
    await w.wf.tasks.complete(owen, rcaTask(VIO), { reason: 'analysed', rca: fixRca });
    await w.settle();
    const id = capaTask(VIO, 'capa-1');
    const t = (await w.tasks.get(id))!;
    let n = notes().length;
    await at('2026-03-03T00:00:00.000Z');
    expect(since(n)).toEqual([
      {
        key: `remediation/${VIO}/capa-capa-1-reminder-0`,
        topic: `violation:${VIO}`,
        event: 'remediation.capa-reminder',
        businessUnit: 'payments',
        to: [OWNER],
        lists: [],
        subject: 'Reminder: action capa-1 (size the pool from load tests) is due in 48 h',
        paragraphs: [
          `action capa-1 (size the pool from load tests) of violation ${VIO} is due by ${CAPA1_DUE}.`,
        ],
        links: links(id),
        headers: { 'X-Accord-Task': id, 'X-Accord-Task-Ref': t.externalRef },
        data: { violationId: VIO, taskId: id, externalRef: t.externalRef },
      },
    ]);
    n = notes().length;
    await at('2026-03-05T00:00:00.000Z');
    expect(since(n).map((x) => [x.key, x.event, x.to, x.subject])).toEqual([
      [
        `remediation/${VIO}/capa-capa-1-escalation-1`,
        'remediation.capa-escalation',
        [DEE],
        'Escalation (level 1): action capa-1 (size the pool from load tests) is overdue',
      ],
    ]);
    let r = (await w.remediation.get(VIO))!;
    expect(r.escalations).toEqual([{ level: 1, at: '2026-03-05T00:00:00.000Z', step: 'capa-capa-1' }]);
    expect(r.history.at(-1)).toEqual({
      at: '2026-03-05T00:00:00.000Z',
      step: 'escalated',
      by: SYSTEM,
      detail: `capa-capa-1 overdue since ${CAPA1_DUE}: level 1 (dee@example.com)`,
    });
    // Both items closed on the record only (not through their tasks): the next heartbeat ends each item.
    for (const capaId of ['capa-1', 'capa-2']) {
      await w.wf.remediation.closeCapa(
        'jira:OPS-1',
        (await w.tasks.get(capaTask(VIO, capaId)))!,
        'done elsewhere',
      );
    }
    await w.advance(HOUR);
    r = (await w.remediation.get(VIO))!;
    expect(r.status).toBe('closed');
    const [x] = await w.engine.listExecutions({ type: 'violation', id: VIO });
    expect(x!.status).toBe('succeeded');
    expect(x!.path).toContain('TrackCapa[0].CapaFollowUpDecision');
    expect(x!.path).toContain('TrackCapa[0].CapaItemClosed');
    // The tasks nobody answered are cancelled at closure.
    expect((await w.tasks.get(id))?.status).toBe('cancelled');
    expect((await w.tasks.get(capaTask(VIO, 'capa-2')))?.status).toBe('cancelled');
  });
});
