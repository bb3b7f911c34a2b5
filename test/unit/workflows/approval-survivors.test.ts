import { beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import type { WorkflowEngine } from '../../../shared/ports/workflows.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { writeHistory } from '../../helpers/agreement-history.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

// The approval steps on histories the agreement use cases write (straight to the memory store, so no execution runs
// beside them): a resubmission after a withdrawal, and a submitted agreement retired while its sign-offs waited.

const AGR = 'agr_01APPROVALSURVIVORS001';
const EXEC = 'local:approval:survivors-test';
const DUE = '2026-03-04T08:00:00.000Z';
const REQUIRED = [
  { capacity: 'service-owner', rules: ['every-sla'] },
  { capacity: 'business-owner', rules: ['every-sla'] },
] as AgreementVersion['requiredSignOffs'];
const signed = (capacity: string, by: string, decision: 'approved' | 'rejected' = 'approved') =>
  ({ capacity, decision, by, at: '2026-03-02T08:30:00.000Z' }) as AgreementVersion['signOffs'][number];

const draft: Partial<AgreementVersion> = {
  effectiveFrom: '2026-03-10',
  changedAt: '2026-03-01T09:00:00.000Z',
};
const submit: Partial<AgreementVersion> = {
  status: 'submitted',
  change: 'submit',
  changedAt: '2026-03-02T08:00:00.000Z',
  reason: 'ready for sign-off',
  requiredSignOffs: REQUIRED,
  signOffs: [],
  submittedBy: 'sam@example.com',
};
/** Submitted (version 2), withdrawn (3), submitted again (4): the execution of version 4 is the live one. */
const resubmitted: Partial<AgreementVersion>[] = [
  draft,
  submit,
  { status: 'draft', change: 'withdraw', reason: 'scope changes' },
  { ...submit, reason: 'ready again' },
];

let w: WorkflowWorld;
let success: MockInstance<WorkflowEngine['sendTaskSuccess']>;
let failure: MockInstance<WorkflowEngine['sendTaskFailure']>;
const step = (event: Record<string, unknown>) => w.wf.approval.task(event);
const awaitSignOff = (capacity: string, version: number) =>
  step({
    task: 'await-signoff',
    agreementId: AGR,
    version,
    capacity,
    dueAt: DUE,
    round: 1,
    executionId: EXEC,
    taskToken: `tok-${capacity}`,
  });
const followUp = (capacity: string, version: number) =>
  step({
    task: 'follow-up',
    agreementId: AGR,
    version,
    capacity,
    dueAt: DUE,
    round: 3,
    reminders: 0,
    level: 0,
  });
const ended = (capacity: string, version: number, status: string, reason: string) => ({
  agreementId: AGR,
  version,
  capacity,
  dueAt: DUE,
  round: 4,
  reminders: 0,
  level: 0,
  status,
  reason,
});

beforeEach(async () => {
  w = await workflowWorld();
  success = vi.spyOn(w.engine, 'sendTaskSuccess').mockResolvedValue();
  failure = vi.spyOn(w.engine, 'sendTaskFailure').mockResolvedValue();
});

describe('a resubmission after a withdrawal', () => {
  it('answers a decision already made with the reason of the sign-off, not the withdrawal of the earlier submission', async () => {
    await writeHistory(w.agreements, AGR, [
      ...resubmitted,
      {
        change: 'signoff:service-owner:approved',
        reason: 'looks right',
        signOffs: [signed('service-owner', 'owen@example.com')],
      },
    ]);
    await awaitSignOff('service-owner', 4);
    expect(success.mock.calls).toEqual([
      ['tok-service-owner', { decision: 'approved', by: 'owen@example.com', reason: 'looks right' }],
    ]);
    expect(failure).not.toHaveBeenCalled();
  });

  it('ends the wait as rejected with the rejection of this submission, not the withdrawal of the earlier one', async () => {
    await writeHistory(w.agreements, AGR, [
      ...resubmitted,
      {
        change: 'signoff:business-owner:rejected',
        status: 'draft',
        reason: 'the targets are too low',
        signOffs: [signed('business-owner', 'bea@example.com', 'rejected')],
      },
    ]);
    expect(await followUp('service-owner', 4)).toEqual(
      ended('service-owner', 4, 'rejected', 'rejected: the targets are too low'),
    );
  });
});

describe('a submitted agreement retired while its sign-offs waited', () => {
  const retired: Partial<AgreementVersion>[] = [
    draft,
    submit,
    { status: 'retired', change: 'retire', reason: 'the service is being replaced' },
  ];

  it('fails the new token as Withdrawn, the submission superseded, and approves nothing', async () => {
    await writeHistory(w.agreements, AGR, retired);
    await awaitSignOff('business-owner', 2);
    expect(failure.mock.calls).toEqual([['tok-business-owner', 'Withdrawn', 'the submission is superseded']]);
    expect(success).not.toHaveBeenCalled();
  });

  it('ends the follow-up as withdrawn, with the reason of the retirement', async () => {
    await writeHistory(w.agreements, AGR, retired);
    expect(await followUp('business-owner', 2)).toEqual(
      ended('business-owner', 2, 'withdrawn', 'the service is being replaced'),
    );
  });

  it('plans nothing for it, naming the submission superseded', async () => {
    await writeHistory(w.agreements, AGR, retired);
    expect(await step({ task: 'plan', agreementId: AGR, version: 2, executionId: EXEC })).toEqual({
      status: 'superseded',
      signOffs: [],
      dueAt: '',
      reason: 'the submission of version 2 is superseded',
    });
  });
});
