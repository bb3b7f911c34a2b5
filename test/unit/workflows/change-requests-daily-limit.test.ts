import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ConflictError } from '../../../shared/domain/errors.js';
import { loadWorkflowPolicy } from '../../../shared/policy/workflows.js';
import workflowsJson from '../../../shared/policy/workflows.json' with { type: 'json' };
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import type { NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import {
  activeAgreement,
  customerViewer,
  failure,
  recordNotifications,
} from '../../helpers/change-request-world.js';
import { principal } from '../../helpers/fixtures.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const POLICY_KEY = 'changeRequest.maxPerRequesterPerDay';
const HOUR = 3_600_000;

/**
 * Red team, wave 35: the open-request cap (3) is no bound once a request can be withdrawn at once. Asking and
 * withdrawing in turn, one viewer made 20 requests and 40 mails (each request mails the provider's SLA managers, each
 * withdrawal tells them it closed) on the embedded default. A person may ask at most
 * `changeRequest.maxPerRequesterPerDay` requests on one agreement in any 24 hours, whatever became of them.
 */
describe('change requests: at most changeRequest.maxPerRequesterPerDay asked per person and agreement in 24 h', () => {
  let w: WorkflowWorld;
  let a: AgreementVersion;
  let sent: NotifyRequest[];
  let n = 0;
  const ask = (p = customerViewer) =>
    w.wf.changeRequests.request(p, a.id, {
      summary: `Rename ${++n}`,
      why: 'because',
      proposed: { title: `Title ${n}` },
    } as never);
  const askAndWithdraw = async () => {
    const r = await ask();
    await w.wf.changeRequests.withdraw(customerViewer, r.id, 'never mind');
    return r;
  };

  beforeEach(async () => {
    w = await workflowWorld();
    a = await activeAgreement(w);
    sent = recordNotifications(w);
  });

  it('ships a limit of 10, and refuses a policy without a whole limit from 1 to 1000', () => {
    expect(loadWorkflowPolicy().changeRequest.maxPerRequesterPerDay).toBe(10);
    const raw = structuredClone(workflowsJson) as { changeRequest: Record<string, unknown> };
    for (const bad of [0, 2.5, 1001, undefined]) {
      raw.changeRequest.maxPerRequesterPerDay = bad;
      expect(() => loadWorkflowPolicy(raw)).toThrow(/changeRequest\.maxPerRequesterPerDay/);
    }
  });

  it('refuses the eleventh request of a day asked and withdrawn in turn, naming the limit, the policy key and the day’s requests, and mails nothing', async () => {
    const asked = [];
    for (let i = 0; i < 10; i++) {
      asked.push(await askAndWithdraw());
      w.now.ms += 60_000;
    }
    await w.settle();
    const mails = sent.length;
    const start = vi.spyOn(w.engine, 'start');
    const e = await failure(ask());
    expect(e).toBeInstanceOf(ConflictError);
    const ids = asked.map((r) => r.id);
    const again = new Date(Date.parse(asked[0]!.requestedAt) + 24 * HOUR).toISOString();
    expect(e.message).toBe(
      `you asked for 10 change requests on agreement ${a.id} in the last 24 h, the most one person may (policy ${POLICY_KEY} = 10): ask again from ${again}`,
    );
    expect(e.details).toEqual([
      {
        path: 'requestedBy',
        problem: `asked for 10 change requests in the last 24 h (${ids.join(', ')}); the limit is 10 (${POLICY_KEY})`,
      },
    ]);
    expect(e.context).toEqual({ limit: 10, policy: POLICY_KEY, changeRequestIds: ids });
    await w.settle();
    expect(start).not.toHaveBeenCalled();
    expect(sent).toHaveLength(mails);
    expect(await w.requests.listBySubject(a.id)).toHaveLength(10);
  });

  it('lets the person ask again once the oldest of the day is 24 h old, and lets others ask meanwhile', async () => {
    const first = await askAndWithdraw();
    for (let i = 0; i < 9; i++) await askAndWithdraw();
    await expect(failure(ask())).resolves.toBeInstanceOf(ConflictError);
    const other = principal({
      subject: 'val@retail.example',
      roles: ['viewer'],
      businessUnits: ['retail-banking'],
    });
    expect((await ask(other)).status).toBe('assessing');
    w.now.ms = Date.parse(first.requestedAt) + 24 * HOUR - 1;
    await expect(failure(ask())).resolves.toBeInstanceOf(ConflictError);
    w.now.ms += 1;
    expect((await ask()).status).toBe('assessing');
  });

  it('counts only requests the person asked: ten an RCA opened in their name do not count', async () => {
    for (let i = 0; i < 10; i++) {
      await w.wf.changeRequests.fromRca({
        violationId: `vio_${i}`,
        agreementId: a.id,
        requestedBy: customerViewer.subject,
        summary: `RCA ${i}`,
        why: 'the target is unrealistic',
        proposed: { title: `RCA title ${i}` },
      });
    }
    expect((await ask()).status).toBe('assessing');
  });

  it('lets exactly the limit through when one person asks many times at the same instant (the count and the write are one step)', async () => {
    const policy = structuredClone(w.policy);
    policy.changeRequest.maxOpenPerRequester = 20;
    policy.changeRequest.maxPerRequesterPerDay = 3;
    w = await workflowWorld({ policy });
    a = await activeAgreement(w);
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map(() => ask()));
    const passed = results.filter((r) => r.status === 'fulfilled');
    expect(passed).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(3);
    const ids = (await w.requests.listBySubject(a.id)).map((r) => r.id);
    expect(ids).toHaveLength(3);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(ConflictError);
      expect((r.reason as ConflictError).context).toEqual({
        limit: 3,
        policy: POLICY_KEY,
        changeRequestIds: ids,
      });
      expect((r.reason as ConflictError).details).toEqual([
        {
          path: 'requestedBy',
          problem: `asked for 3 change requests in the last 24 h (${ids.join(', ')}); the limit is 3 (${POLICY_KEY})`,
        },
      ]);
    }
  });

  it('refuses with the same 409 when the store finds the day full at the write though the first look passed', async () => {
    const asked = [{ id: 'chg_x', requestedAt: new Date(w.now.ms - HOUR).toISOString() }];
    vi.spyOn(w.requests, 'recordIfUnder').mockResolvedValue({ status: 'over-recent-limit', asked });
    const e = await failure(ask());
    const again = new Date(w.now.ms + 23 * HOUR).toISOString();
    expect(e.message).toBe(
      `you asked for 1 change requests on agreement ${a.id} in the last 24 h, the most one person may (policy ${POLICY_KEY} = 10): ask again from ${again}`,
    );
    expect(e.context).toEqual({ limit: 10, policy: POLICY_KEY, changeRequestIds: ['chg_x'] });
  });

  it('asks the store to count the day from exactly 24 h before now, under the policy limit', async () => {
    const spy = vi.spyOn(w.requests, 'recordIfUnder');
    await ask();
    expect(spy.mock.calls[0]![3]).toEqual({
      limit: 10,
      since: new Date(w.now.ms - 24 * HOUR).toISOString(),
    });
  });

  it('reads the limit from the policy: with 2, the third request of the day is refused though none is open', async () => {
    const policy = structuredClone(w.policy);
    policy.changeRequest.maxPerRequesterPerDay = 2;
    w = await workflowWorld({ policy });
    a = await activeAgreement(w);
    const one = await askAndWithdraw();
    w.now.ms += 1;
    const two = await askAndWithdraw();
    const e = await failure(ask());
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.context).toEqual({ limit: 2, policy: POLICY_KEY, changeRequestIds: [one.id, two.id] });
  });
});
