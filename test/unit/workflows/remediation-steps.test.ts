import { beforeEach, describe, expect, it, vi } from 'vitest';
import { inboundVerifier, webhookHeaders } from '../../../shared/adapters/webhooks/signing.js';
import {
  BusinessRuleError,
  ConflictError,
  NotFoundError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import type { ViolationRecord } from '../../../shared/ports/objectives.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { buildWorkflowServices } from '../../../shared/usecases/workflows/index.js';
import type { NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import {
  activeAgreement,
  capaTask,
  DEE,
  fixRca,
  notifySpy,
  openRemediation,
  owen,
  rcaTask,
  violation,
} from '../../helpers/remediation-world.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const VIO = 'vio_01WF000000000000000001';
const T0 = '2026-03-02T09:00:00.000Z';

describe('the remediation workflow’s steps, one at a time', () => {
  let w: WorkflowWorld;
  /** The world's workflow services again, with inbound webhooks verified by `verifyInbound`. */
  const withInbound = (verifyInbound: Parameters<typeof buildWorkflowServices>[0]['verifyInbound']) =>
    buildWorkflowServices({
      engine: w.engine,
      tasks: w.tasks,
      remediation: w.remediation,
      requests: w.requests,
      notifications: w.wf.notifications,
      violations: w.violations,
      agreements: w.agreements,
      useCases: () => w.useCases,
      services: w.services,
      clock: w.clock,
      policy: w.policy,
      baseUrl: 'https://accord.example',
      verifyInbound,
    });
  let a: AgreementVersion;
  let notes: () => NotifyRequest[];
  beforeEach(async () => {
    w = await workflowWorld();
    notes = notifySpy(w);
    a = await activeAgreement(w);
  });
  const plan = (violationId = VIO) => w.wf.remediation.task({ task: 'plan', violationId, executionId: 'x' });
  const record = async (v: ViolationRecord) => {
    await w.violations.record(v);
    return v;
  };

  it('refuses a malformed step, a violation that does not exist and a remediation that does not exist', async () => {
    const bad = (await w.wf.remediation.task({ task: 'plan' }).catch((x: unknown) => x)) as Error;
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad.message).toMatch(/^bad remediation task: ./);
    const none = (await plan('vio_404').catch((x: unknown) => x)) as Error;
    expect(none).toBeInstanceOf(NotFoundError);
    expect(none.message).toBe('no violation vio_404');
    const missing = (await w.wf.remediation.record('vio_404').catch((x: unknown) => x)) as Error;
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.message).toBe('violation vio_404 has no remediation');
  });

  it('plans once: the RCA’s owner and due date, the first round of its follow-up', async () => {
    await record(violation(w, a, { severity: 'major', severityReason: 'the budget is spent' }));
    const expected = {
      rcaDueAt: '2026-03-07T09:00:00.000Z',
      owner: 'owen@example.com',
      round: 0,
      reminders: 0,
      level: 0,
      status: 'waiting',
      conclusion: '',
    };
    expect(await plan()).toEqual(expected);
    w.now.ms += 3_600_000;
    expect(await plan()).toEqual(expected);
    const r = (await w.remediation.get(VIO))!;
    expect(r.revision).toBe(1);
    expect(r.history).toEqual([
      {
        at: T0,
        step: 'opened',
        by: 'system:workflow-remediation',
        detail: 'major violation: the budget is spent; RCA due in 120 h',
      },
    ]);
  });

  it('gives the RCA to the first escalation contact when the objective is not in the agreement, due as minor for an unknown severity', async () => {
    await record(violation(w, a, { objectiveId: 'latency', severity: 'unheard-of' as 'minor' }));
    expect(await plan()).toMatchObject({ owner: DEE.email, rcaDueAt: '2026-03-12T09:00:00.000Z' });
    expect((await w.remediation.get(VIO))!.owner).toEqual(DEE);
  });

  it('gives the RCA to the SLA managers when neither the agreement version nor an escalation path names anyone', async () => {
    await record(violation(w, a, { agreementVersion: 9, escalation: [] }));
    expect(await plan()).toMatchObject({ owner: 'sla-manager@accord.local' });
    expect((await w.remediation.get(VIO))!.owner).toEqual({
      name: 'SLA managers',
      email: 'sla-manager@accord.local',
    });
  });

  describe('on a running remediation', () => {
    let executionId: string;
    beforeEach(async () => {
      await openRemediation(w, violation(w, a));
      executionId = (await w.engine.listExecutions({ type: 'violation', id: VIO }))[0]!.executionId;
    });

    it('refuses an RCA without its analysis, and one that claims a fix without an action', async () => {
      const t = (await w.tasks.get(rcaTask(VIO)))!;
      const bad = (await w.wf.remediation
        .submitRca(owen, t, { rootCause: 'x' })
        .catch((x: unknown) => x)) as ValidationError;
      expect(bad).toBeInstanceOf(ValidationError);
      expect(bad.message).toBe('an RCA task needs the analysis');
      expect(bad.details).toEqual([{ path: 'rca', problem: expect.stringMatching(/./) }]);
      const noAction = (await w.wf.remediation
        .submitRca(owen, t, { ...fixRca, actions: [] })
        .catch((x: unknown) => x)) as BusinessRuleError;
      expect(noAction).toBeInstanceOf(BusinessRuleError);
      expect(noAction.message).toBe(
        'an RCA that fixes the cause names at least one corrective or preventive action',
      );
      expect(noAction.details).toEqual([{ path: 'rca.actions', problem: 'is empty' }]);
      // Through the task: the analysis is required.
      const viaTask = (await w.wf.tasks
        .complete(owen, t.id, { reason: 'analysed' })
        .catch((x: unknown) => x)) as ValidationError;
      expect(viaTask).toBeInstanceOf(ValidationError);
      expect(viaTask.details).toEqual([{ path: 'rca', problem: 'is required' }]);
      const r = (await w.remediation.get(VIO))!;
      expect(r.rca).toBeUndefined();
      expect(r.history).toHaveLength(1);
    });

    it('records an RCA proposing nothing without a proposal, whatever its conclusion', async () => {
      const t = (await w.tasks.get(rcaTask(VIO)))!;
      await w.wf.remediation.submitRca(owen, t, { ...fixRca, proposedTarget: 99 });
      expect((await w.remediation.get(VIO))!.rca).not.toHaveProperty('proposal');
    });

    it('keeps a note from the team’s tool in the history', async () => {
      const t = (await w.tasks.get(rcaTask(VIO)))!;
      await w.wf.remediation.note('jira:OPS-9', t, 'in-progress: looking at the pool');
      expect((await w.remediation.get(VIO))!.history.at(-1)).toEqual({
        at: T0,
        step: 'rca-note',
        by: 'jira:OPS-9',
        detail: 'in-progress: looking at the pool',
      });
    });

    it('keeps one note per signed message: the same message delivered again adds nothing (red team, wave 36)', async () => {
      const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
      const wf = withInbound(
        inboundVerifier([{ tool: 'jira', secrets: [secret], businessUnits: ['*'] }], () => Date.parse(T0)),
      );
      const ref = (await w.tasks.get(rcaTask(VIO)))!.externalRef;
      const body = JSON.stringify({ externalRef: ref, status: 'in-progress', note: 'looking at the pool' });
      const send = (id: string) => wf.tasks.inbound(webhookHeaders(secret, id, Date.parse(T0), body), body);
      for (let i = 0; i < 3; i++) await send('msg_1');
      await send('msg_2');
      const notes = (await w.remediation.get(VIO))!.history.filter((h) => h.step === 'rca-note');
      expect(notes).toEqual([
        {
          at: T0,
          step: 'rca-note',
          by: 'jira:msg_1',
          detail: 'in-progress: looking at the pool',
          delivery: 'jira:msg_1',
        },
        {
          at: T0,
          step: 'rca-note',
          by: 'jira:msg_2',
          detail: 'in-progress: looking at the pool',
          delivery: 'jira:msg_2',
        },
      ]);
    });

    it("red team, wave 37: keeps each tool's note though another tool's message had the same id (a message is one tool's: its id is kept with the tool's name)", async () => {
      const jira = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
      const pager = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
      const wf = withInbound(
        inboundVerifier(
          [
            { tool: 'jira', secrets: [jira], businessUnits: ['*'] },
            { tool: 'pager', secrets: [pager], services: ['svc_payments-gateway'] },
          ],
          () => Date.parse(T0),
        ),
      );
      const ref = (await w.tasks.get(rcaTask(VIO)))!.externalRef;
      const send = (secret: string, note: string) => {
        const body = JSON.stringify({ externalRef: ref, status: 'in-progress', note });
        return wf.tasks.inbound(webhookHeaders(secret, '1', Date.parse(T0), body), body);
      };
      await send(jira, 'looking at the pool');
      await send(pager, 'paged the DBA');
      await send(pager, 'paged the DBA');
      const notes = (await w.remediation.get(VIO))!.history.filter((h) => h.step === 'rca-note');
      expect(notes.map((h) => [h.by, h.detail, h.delivery])).toEqual([
        ['jira:1', 'in-progress: looking at the pool', 'jira:1'],
        ['pager:1', 'in-progress: paged the DBA', 'pager:1'],
      ]);
    });

    it('answers a new token of an RCA answered while none waited, with the recorded outcome', async () => {
      const send = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue(undefined);
      const wait = { task: 'await-rca', violationId: VIO, dueAt: '2026-03-04T09:00:00.000Z', executionId };
      expect(await w.wf.remediation.task({ ...wait, round: 1, taskToken: 'tok_a' })).toEqual({
        taskId: rcaTask(VIO),
      });
      expect(send).not.toHaveBeenCalled();
      expect(await w.tasks.get(rcaTask(VIO))).toMatchObject({ token: 'tok_a', data: { round: 1 } });
      const t = (await w.tasks.get(rcaTask(VIO)))!;
      await w.tasks.update({ ...t, status: 'completed', outcome: { conclusion: 'fix' } }, t.revision);
      await w.wf.remediation.task({ ...wait, round: 2, taskToken: 'tok_b' });
      expect(send).toHaveBeenCalledWith('tok_b', { conclusion: 'fix' });
      const u = (await w.tasks.get(rcaTask(VIO)))!;
      await w.tasks.update({ ...u, outcome: undefined }, u.revision);
      await w.wf.remediation.task({ ...wait, round: 3, taskToken: 'tok_c' });
      expect(send).toHaveBeenLastCalledWith('tok_c', {});
      expect(notes().filter((n) => n.key.endsWith('/rca-requested'))).toHaveLength(1);
    });

    it('follows an RCA up: submitted once recorded, still waiting before', async () => {
      const e = {
        task: 'follow-up-rca',
        violationId: VIO,
        dueAt: '2026-03-10T09:00:00.000Z',
        round: 2,
        reminders: 1,
        level: 0,
      };
      expect(await w.wf.remediation.task(e)).toEqual({
        rcaDueAt: '2026-03-10T09:00:00.000Z',
        owner: 'owen@example.com',
        round: 3,
        reminders: 1,
        level: 0,
        status: 'waiting',
        conclusion: '',
      });
      await w.wf.remediation.submitRca(owen, (await w.tasks.get(rcaTask(VIO)))!, fixRca);
      expect(await w.wf.remediation.task(e)).toEqual({
        rcaDueAt: '2026-03-10T09:00:00.000Z',
        owner: 'owen@example.com',
        round: 3,
        reminders: 1,
        level: 0,
        status: 'submitted',
        conclusion: 'fix',
      });
    });

    it('refuses to close without an RCA, or with an action still open, naming the open ones', async () => {
      const close = () =>
        w.wf.remediation
          .task({ task: 'close', violationId: VIO, executionId })
          .catch((x: unknown) => x as Error);
      const noRca = await close();
      expect(noRca).toBeInstanceOf(ConflictError);
      expect((noRca as Error).message).toBe(`violation ${VIO} cannot close: no RCA`);
      await w.wf.remediation.submitRca(owen, (await w.tasks.get(rcaTask(VIO)))!, fixRca);
      await w.wf.remediation.task({ task: 'plan-capa', violationId: VIO });
      expect(((await close()) as Error).message).toBe(
        `violation ${VIO} cannot close: open actions capa-1, capa-2`,
      );
      const t1 = (await w.tasks.get(rcaTask(VIO)))!;
      await w.wf.remediation.closeCapa('owen', { ...t1, data: { capaId: 'capa-1' } }, 'done');
      expect(((await close()) as Error).message).toBe(`violation ${VIO} cannot close: open actions capa-2`);
      expect((await w.remediation.get(VIO))!.status).toBe('capa');
    });

    describe('with CAPA items planned', () => {
      let items: unknown;
      beforeEach(async () => {
        await w.wf.remediation.submitRca(owen, (await w.tasks.get(rcaTask(VIO)))!, fixRca);
        items = await w.wf.remediation.task({ task: 'plan-capa', violationId: VIO });
      });
      const wait = (capaId: string, taskToken: string) => ({
        task: 'await-capa',
        violationId: VIO,
        capaId,
        dueAt: '2026-03-04T23:59:59.999Z',
        round: 0,
        executionId: 'exe_1',
        taskToken,
      });

      it('plans the items once, answering the same items again', async () => {
        expect(items).toEqual({
          items: [
            { capaId: 'capa-1', dueAt: '2026-03-04T23:59:59.999Z' },
            { capaId: 'capa-2', dueAt: '2026-04-01T09:00:00.000Z' },
          ],
        });
        const before = (await w.remediation.get(VIO))!;
        w.now.ms += 86_400_000;
        expect(await w.wf.remediation.task({ task: 'plan-capa', violationId: VIO })).toEqual(items);
        expect(await w.remediation.get(VIO)).toEqual(before);
      });

      it('refuses to wait on an item the remediation does not have', async () => {
        const e = (await w.wf.remediation.task(wait('capa-9', 'tok_x')).catch((x: unknown) => x)) as Error;
        expect(e).toBeInstanceOf(NotFoundError);
        expect(e.message).toBe(`no CAPA item capa-9 on ${VIO}`);
      });

      it('answers the token at once when the item is closed or its task was answered while none waited', async () => {
        const send = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue(undefined);
        expect(await w.wf.remediation.task(wait('capa-2', 'tok_1'))).toEqual({
          taskId: capaTask(VIO, 'capa-2'),
        });
        expect(await w.wf.remediation.task(wait('capa-2', 'tok_2'))).toEqual({
          taskId: capaTask(VIO, 'capa-2'),
        });
        expect(send).not.toHaveBeenCalled();
        const requested = notes().filter((n) => n.key.endsWith('/capa-capa-2-requested'));
        expect(requested).toHaveLength(1);
        expect(requested[0]!.to).toEqual([{ name: 'Pia Prevent', email: 'pia@example.com' }]);
        const t = (await w.tasks.get(capaTask(VIO, 'capa-2')))!;
        await w.tasks.update({ ...t, status: 'completed' }, t.revision);
        await w.wf.remediation.task(wait('capa-2', 'tok_3'));
        expect(send).toHaveBeenLastCalledWith('tok_3', { status: 'closed', capaId: 'capa-2' });
        const t1 = (await w.tasks.get(capaTask(VIO, 'capa-1')))!;
        expect(t1).toBeUndefined();
        await w.wf.remediation.closeCapa('owen', { ...t, data: { capaId: 'capa-1' } }, 'done');
        await w.wf.remediation.task(wait('capa-1', 'tok_4'));
        expect(send).toHaveBeenLastCalledWith('tok_4', { status: 'closed', capaId: 'capa-1' });
        expect(send).toHaveBeenCalledTimes(2);
      });

      it('follows an item up: closed once closed or gone, open with its progress before', async () => {
        const e = {
          task: 'follow-up-capa',
          violationId: VIO,
          capaId: 'capa-2',
          dueAt: '2026-04-01T09:00:00.000Z',
          round: 4,
          reminders: 0,
          level: 0,
        };
        const base = { violationId: VIO, capaId: 'capa-2', dueAt: '2026-04-01T09:00:00.000Z', round: 5 };
        expect(await w.wf.remediation.task(e)).toEqual({ ...base, reminders: 0, level: 0, status: 'open' });
        expect(await w.wf.remediation.task({ ...e, capaId: 'capa-9', reminders: 1, level: 2 })).toEqual({
          ...base,
          capaId: 'capa-9',
          reminders: 1,
          level: 2,
          status: 'closed',
        });
        const t = (await w.tasks.get(rcaTask(VIO)))!;
        await w.wf.remediation.closeCapa('owen', { ...t, data: { capaId: 'capa-2' } }, 'done');
        expect(await w.wf.remediation.task({ ...e, reminders: 2, level: 1 })).toEqual({
          ...base,
          reminders: 2,
          level: 1,
          status: 'closed',
        });
        expect((await w.remediation.get(VIO))!.capa.map((c) => c.status)).toEqual(['open', 'closed']);
      });
    });

    it('names the event of a tenth action and of a tenth escalation level without their numbers', async () => {
      const actions = Array.from({ length: 10 }, (_, i) => ({
        kind: 'corrective' as const,
        description: `action number ${i + 1}`,
        owner: { name: 'Owen', email: 'owen@example.com' },
      }));
      await w.wf.remediation.submitRca(owen, (await w.tasks.get(rcaTask(VIO)))!, { ...fixRca, actions });
      await w.wf.remediation.task({ task: 'plan-capa', violationId: VIO });
      await w.wf.remediation.task({
        task: 'await-capa',
        violationId: VIO,
        capaId: 'capa-10',
        dueAt: '2026-04-01T09:00:00.000Z',
        round: 0,
        executionId,
        taskToken: 'tok_10',
      });
      expect(notes().at(-1)).toMatchObject({
        key: `remediation/${VIO}/capa-capa-10-requested`,
        event: 'remediation.capa-requested',
      });
      const v = (await w.violations.get(VIO))!;
      const escalation = Array.from({ length: 10 }, (_, i) => ({
        ...v.escalation[0]!,
        level: i + 1,
        who: { name: `Level ${i + 1}`, email: `level${i + 1}@example.com` },
      }));
      await w.violations.update({ ...v, escalation });
      const out = await w.wf.remediation.task({
        task: 'follow-up-capa',
        violationId: VIO,
        capaId: 'capa-10',
        dueAt: '2026-02-20T09:00:00.000Z',
        round: 0,
        reminders: 2,
        level: 9,
      });
      expect(out).toMatchObject({ reminders: 2, level: 10, status: 'open' });
      expect(notes().at(-1)).toMatchObject({
        key: `remediation/${VIO}/capa-capa-10-escalation-10`,
        event: 'remediation.capa-escalation',
        to: [{ name: 'Level 10', email: 'level10@example.com' }],
      });
    });

    it('gives up when the record keeps changing under it', async () => {
      const put = vi.spyOn(w.remediation, 'put').mockResolvedValue(false);
      const e = (await w.wf.remediation
        .note('x', (await w.tasks.get(rcaTask(VIO)))!, 'n')
        .catch((x: unknown) => x)) as Error;
      expect(e).toBeInstanceOf(ConflictError);
      expect(e.message).toBe(`the remediation of ${VIO} keeps changing; try again`);
      expect(put).toHaveBeenCalledTimes(10);
    });

    it('shows the remediation and its executions to the violation’s reader only', async () => {
      const objectives = { getOwnViolation: vi.fn(async () => ({}) as ViolationRecord) };
      expect(await w.wf.remediation.forReader(owen, VIO, objectives)).toEqual(await w.remediation.get(VIO));
      expect(objectives.getOwnViolation).toHaveBeenCalledWith(owen, VIO);
      const { items } = await w.wf.remediation.executions(owen, VIO, objectives);
      expect(items.map((x) => [x.workflow, x.name, x.status])).toEqual([['remediation', VIO, 'waiting']]);
      const denied = {
        getOwnViolation: vi.fn(async () =>
          Promise.reject(
            new NotFoundError('no violation', [{ path: 'violationId', problem: 'no violation' }]),
          ),
        ),
      };
      await expect(w.wf.remediation.forReader(owen, VIO, denied)).rejects.toBeInstanceOf(NotFoundError);
      await expect(w.wf.remediation.executions(owen, VIO, denied)).rejects.toBeInstanceOf(NotFoundError);
    });
  });
});
