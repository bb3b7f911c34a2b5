import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../../shared/domain/errors.js';
import type { WorkTask } from '../../../shared/ports/tasks.js';
import { failure } from '../../helpers/change-request-world.js';
import {
  activeAgreement,
  capaTask,
  fixRca,
  openRemediation,
  owen,
  rcaTask,
  violation,
} from '../../helpers/remediation-world.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const VIO = 'vio_01WF000000000000000001';

/**
 * Red team, wave 37: completing an RCA or CAPA task reads the task, records the analysis or the closure on the
 * remediation, then settles the task, whose write alone was checked. Two completions in flight together (two POSTs
 * of the RCA, the owner and the team's tool closing one CAPA item) both wrote the remediation: the RCA was
 * submitted twice (two `rca-submitted` steps, the second analysis replacing the first, though its request was
 * answered 409), and a late closure replaced `closedBy` and the resolution of the one that was answered 200.
 */
describe('remediation: an RCA or CAPA closure made on a task read before it was settled', () => {
  let w: WorkflowWorld;
  beforeEach(async () => {
    w = await workflowWorld();
    await openRemediation(w, violation(w, await activeAgreement(w)));
  });
  const read = async (id: string): Promise<WorkTask> => (await w.tasks.get(id))!;

  it('a second RCA submitted on a task read while it waited is a 409 and the first analysis stands', async () => {
    const stale = await read(rcaTask(VIO));
    await w.wf.tasks.complete(owen, rcaTask(VIO), { reason: 'analysed', rca: fixRca });
    const e = await failure(
      w.wf.remediation.submitRca(owen, stale, { ...fixRca, rootCause: 'a different cause' }),
    );
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe(`the RCA of violation ${VIO} was submitted already (by owen@example.com)`);
    expect(e.details).toEqual([{ path: 'status', problem: 'is completed' }]);
    expect(e.context).toEqual({ state: 'completed' });
    const r = (await w.remediation.get(VIO))!;
    expect(r.rca?.rootCause).toBe(fixRca.rootCause);
    expect(r.history.filter((h) => h.step === 'rca-submitted')).toHaveLength(1);
  });

  it("a tool's closure of a CAPA item its owner closed meanwhile is a 409 and the owner's closure stands", async () => {
    await w.wf.tasks.complete(owen, rcaTask(VIO), { reason: 'analysed', rca: fixRca });
    await w.settle();
    const stale = await read(capaTask(VIO, 'capa-1'));
    await w.wf.tasks.complete(owen, capaTask(VIO, 'capa-1'), { reason: 'done', resolution: 'pool sized' });
    const e = await failure(w.wf.remediation.closeCapa('jira:OPS-42', stale, 'something else'));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toBe(`CAPA item capa-1 of violation ${VIO} was closed already (by owen@example.com)`);
    expect(e.details).toEqual([{ path: 'status', problem: 'is completed' }]);
    expect(e.context).toEqual({ state: 'completed' });
    const r = (await w.remediation.get(VIO))!;
    expect(r.capa[0]).toMatchObject({
      status: 'closed',
      closedBy: 'owen@example.com',
      resolution: 'pool sized',
    });
    expect(r.history.filter((h) => h.step === 'capa-closed')).toHaveLength(1);
  });

  it('two completions of one RCA at once record one analysis: one answers, the other is a 409', async () => {
    const results = await Promise.allSettled([
      w.wf.tasks.complete(owen, rcaTask(VIO), { reason: 'one', rca: fixRca }),
      w.wf.tasks.complete(owen, rcaTask(VIO), {
        reason: 'two',
        rca: { ...fixRca, rootCause: 'another cause' },
      }),
    ]);
    expect(results.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    const r = (await w.remediation.get(VIO))!;
    expect(r.history.filter((h) => h.step === 'rca-submitted')).toHaveLength(1);
    const won = (await read(rcaTask(VIO))).outcome?.reason === 'one' ? fixRca.rootCause : 'another cause';
    expect(r.rca?.rootCause).toBe(won);
  });
});
