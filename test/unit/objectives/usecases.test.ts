import { beforeEach, describe, expect, it } from 'vitest';
import {
  AgreementObjectivesSource,
  StaticObjectivesSource,
} from '../../../shared/adapters/agreement-objectives-source.js';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryEvaluationStore, MemoryViolationStore } from '../../../shared/adapters/memory/objectives.js';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import type { Principal } from '../../../shared/domain/access/policy.js';
import { ObjectiveUseCases } from '../../../shared/usecases/objectives/index.js';
import { agreementVersion } from '../../helpers/fixtures.js';
import {
  agreement,
  breachedOver,
  D,
  H,
  KEY,
  party,
  principal,
  START,
} from '../../helpers/objectives-usecases.js';
import { contact, fill, objectiveDeps } from './helpers.js';

describe('the objectives use cases', () => {
  let rollups: MemoryRollupStore;
  let violations: MemoryViolationStore;
  let evaluations: MemoryEvaluationStore;
  let now: number;
  let uc: ObjectiveUseCases;

  beforeEach(async () => {
    rollups = new MemoryRollupStore();
    violations = new MemoryViolationStore();
    evaluations = new MemoryEvaluationStore();
    now = START + 7 * D;
    const source = new StaticObjectivesSource([agreement]);
    uc = new ObjectiveUseCases(objectiveDeps(source, () => now, { rollups, violations, evaluations }));
    // A week at 0.5% errors against a 0.1% budget: breached.
    await fill(rollups, KEY, START, now, () => [995, 1000]);
  });

  it('opens one violation for a breach, however many times it is evaluated', async () => {
    const first = await uc.evaluateAll();
    now += 5 * 60_000;
    await fill(rollups, KEY, now - 5 * 60_000, now, () => [995, 1000]);
    const second = await uc.evaluateAll();
    expect([first.violationsOpened, second.violationsOpened, second.violationsUpdated]).toEqual([1, 0, 1]);
    const { items } = await uc.listViolations(principal(['viewer']), { limit: 100 });
    expect(items).toHaveLength(1);
    const v = items[0]!;
    expect(v).toMatchObject({
      status: 'open',
      severity: 'critical',
      detectedAt: new Date(START + 7 * D).toISOString(),
      evidence: {
        compliance: 99.5,
        target: 99.9,
        window: { type: 'rolling', start: new Date(START + 5 * 60_000).toISOString() },
      },
      escalation: [
        { level: 1, role: 'service manager', by: new Date(START + 7 * D + 15 * 60_000).toISOString() },
      ],
    });
    // 0.5% errors against a 0.1% budget: five times the budget, which the rules call critical at any tier.
    expect(v.severityReason).toContain('twice the error budget is spent (rule 2');
  });

  it('stores the credit calculation with the violation, from the month’s compliance', async () => {
    await uc.evaluateAll();
    const [v] = (await uc.listViolations(principal(['viewer']), { limit: 100 })).items;
    // April 1–7 at 99.5%: below 99.9 (10%), not below 99 → 100 EUR, provisional while April runs.
    expect(v!.credit).toMatchObject({
      compliancePercent: 99.5,
      creditPercent: 10,
      amount: 100,
      period: { start: '2026-04-01T00:00:00.000Z', final: false },
    });
    expect(v!.credit!.steps).toHaveLength(4);
  });

  it('resolves the violation once the rolling window recovers', async () => {
    await uc.evaluateAll();
    rollups = new MemoryRollupStore();
    await fill(rollups, KEY, START, now, () => [1000, 1000]);
    const fresh = new ObjectiveUseCases(
      objectiveDeps(new StaticObjectivesSource([agreement]), () => now, {
        rollups,
        violations,
        evaluations,
        ids: { next: (p) => `${p}_x` },
      }),
    );
    const run = await fresh.evaluateAll();
    expect(run.violationsResolved).toBe(1);
    expect((await violations.list({}))[0]).toMatchObject({ status: 'resolved' });
  });

  it('closes a violation with its month and makes the month’s credit final; the breach goes on in a new one', async () => {
    const may = Date.UTC(2026, 4, 1);
    await fill(rollups, KEY, now, may + 5 * 60_000, () => [995, 1000]);
    now = may - 12 * H;
    await uc.evaluateAll();
    now = may + 5 * 60_000;
    const turn = await uc.evaluateAll();
    expect([turn.violationsResolved, turn.violationsOpened]).toEqual([1, 1]);
    const [mayV, aprilV] = (await uc.listViolations(principal(['viewer']), { limit: 100 })).items;
    expect(aprilV).toMatchObject({
      status: 'resolved',
      credit: { period: { start: '2026-04-01T00:00:00.000Z', final: false } },
    });
    expect(mayV).toMatchObject({
      status: 'open',
      credit: { period: { start: '2026-05-01T00:00:00.000Z', final: false } },
    });
    now = may + 10 * 60_000;
    expect(await uc.finalizeCredits()).toEqual({ finalized: 1, skipped: 0 });
    const final = await uc.getViolation(principal(['viewer']), aprilV!.id);
    expect(final.credit).toMatchObject({
      compliancePercent: 99.5,
      amount: 100,
      period: { end: '2026-05-01T00:00:00.000Z', final: true },
    });
    expect(await uc.finalizeCredits()).toEqual({ finalized: 0, skipped: 0 });
  });

  it('closes the violations of an agreement that is no longer in force', async () => {
    await uc.evaluateAll();
    const after = new ObjectiveUseCases(
      objectiveDeps(new StaticObjectivesSource([]), () => now + 5 * 60_000, {
        rollups,
        violations,
        evaluations,
        ids: { next: (p) => `${p}_y` },
      }),
    );
    expect((await after.evaluateAll()).violationsResolved).toBe(1);
    expect((await violations.list({ status: 'open' })).length).toBe(0);
  });

  it('records a dispute against a credit, decided by someone other than who raised it', async () => {
    await uc.evaluateAll();
    const [v] = (await uc.listViolations(principal(['viewer']), { limit: 100 })).items;
    const raised = await uc.raiseDispute(principal(['sla-manager'], 'customer@example.com'), v!.id, {
      reason: 'the outage was caused by our own firewall change',
    });
    const d = raised.disputes[0]!;
    expect(d).toMatchObject({ status: 'open', raisedBy: 'customer@example.com' });
    await expect(
      uc.resolveDispute(principal(['sla-manager'], 'customer@example.com'), v!.id, d.id, {
        decision: 'accepted',
        resolution: 'ok',
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      uc.raiseDispute(principal(['sla-manager']), v!.id, { reason: 'again please' }),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
    const decided = await uc.resolveDispute(principal(['admin'], 'head@example.com'), v!.id, d.id, {
      decision: 'rejected',
      resolution: 'the firewall is in the provider’s scope',
    });
    expect(decided.disputes[0]).toMatchObject({ status: 'rejected', resolvedBy: 'head@example.com' });
  });

  it('evaluates an agreement on demand for a manager of its business unit, not for a viewer', async () => {
    const view = await uc.evaluateAgreement(principal(['sla-manager']), agreement.agreementId);
    expect(view).toMatchObject({
      status: 'breached',
      objectives: [{ objectiveId: 'avail', compliance: 99.5 }],
    });
    await expect(uc.evaluateAgreement(principal(['viewer']), agreement.agreementId)).rejects.toMatchObject({
      code: 'forbidden',
    });
    // Outside its scope, the agreement answers as one that does not exist.
    await expect(
      uc.evaluateAgreement({ ...principal(['sla-manager']), businessUnits: ['hr'] }, agreement.agreementId),
    ).rejects.toMatchObject({ code: 'not_found', message: `no active agreement ${agreement.agreementId}` });
  });

  it('excludes an approved exception window from the next evaluation', async () => {
    await fill(rollups, KEY, now, now + H, () => [0, 1000]);
    now += H;
    const mgr = principal(['sla-manager']);
    expect(
      (await uc.evaluateAgreement(mgr, agreement.agreementId)).objectives[0]!.window.excludedMinutes,
    ).toBe(0);
    const exc = await uc.requestException(mgr, agreement.agreementId, {
      kind: 'emergency',
      start: new Date(now - H).toISOString(),
      end: new Date(now).toISOString(),
      changeReference: 'CHG-0042',
      reason: 'emergency patch for a zero-day',
    });
    expect(exc).toMatchObject({
      id: 'exc_2',
      status: 'requested',
      requestedBy: mgr.subject,
      changeReference: 'CHG-0042',
      createdBy: mgr.subject,
    });
    expect(exc.approver).toBeUndefined();
    // Requested is not approved: the hour still counts.
    expect(
      (await uc.evaluateAgreement(mgr, agreement.agreementId)).objectives[0]!.window.excludedMinutes,
    ).toBe(0);
    const board: Principal = {
      ...principal(['approver'], 'board-subject'),
      businessUnits: [],
      signOffCapacities: ['governance-board'],
    };
    const approved = await uc.decideException(board, agreement.agreementId, exc.id, 1, {
      decision: 'approved',
      reason: 'the zero-day patch was agreed with the customer',
    });
    expect(approved).toMatchObject({ status: 'approved', version: 2, approver: 'board-subject' });
    const after = await uc.evaluateAgreement(mgr, agreement.agreementId);
    expect(after.objectives[0]!.window.excludedMinutes).toBe(60);
    expect(after.objectives[0]!.compliance).toBe(99.5);
  });

  it('answers the budget history as a time series and the status of the service', async () => {
    await uc.evaluateAll();
    now += 5 * 60_000;
    await uc.evaluateAll();
    const h = await uc.budgetHistory(principal(['viewer']), agreement.agreementId, 'avail', {});
    expect(h.points.map((p) => p.at)).toEqual([
      new Date(START + 7 * D).toISOString(),
      new Date(now).toISOString(),
    ]);
    expect(h.points[0]).toMatchObject({ status: 'breached', compliance: 99.5 });
    const s = await uc.statusOfService(principal(['viewer']), 'svc_pay');
    expect(s.status).toBe('breached');
    expect(s.reasons[0]).toMatch(/^avail: error budget exhausted/);
    // Out of scope and unknown get the same answer (without a service store, a service is known by its results).
    const outsider = uc.statusOfService({ ...principal(['viewer']), businessUnits: ['hr'] }, 'svc_pay');
    await expect(outsider).rejects.toMatchObject({ code: 'not_found', message: 'no service svc_pay' });
    const unknown = uc.statusOfService(principal(['viewer']), 'svc_nowhere');
    await expect(unknown).rejects.toMatchObject({ code: 'not_found', message: 'no service svc_nowhere' });
  });
});

describe('violations as a party to the agreement reads them (its customer unit, which does not hold it)', () => {
  async function breached() {
    // Held by retail, consumed by wealth: the stored agreement names its parties, the violation does not.
    const { uc, violations, v } = await breachedOver(
      new StaticObjectivesSource([{ ...agreement, partyUnits: ['retail', 'wealth'] }]),
    );
    await violations.update({ ...v, passThrough: { claims: [], totalClaimed: 0 } as never });
    return { uc, v };
  }

  it('lists and answers the violation to the customer unit without internal contacts or pass-through claims', async () => {
    const { uc, v } = await breached();
    expect(v.escalation[0]!.who.email).toBe(contact.email);
    const listed = (await uc.listViolations(party(['wealth']), { limit: 100 })).items;
    expect(listed.map((x) => x.id)).toEqual([v.id]);
    const got = await uc.getViolation(party(['wealth']), v.id);
    expect(got).toMatchObject({ id: v.id, agreementId: agreement.agreementId, status: 'open' });
    expect(got.escalation.map((s) => s.who)).toEqual(
      v.escalation.map(() => ({ name: 'the service provider', email: '' })),
    );
    expect(got).not.toHaveProperty('passThrough');
    expect(listed[0]).toEqual(got);
  });

  it('answers the owning unit the whole violation, and a unit that is no party nothing', async () => {
    const { uc, v } = await breached();
    const whole = await uc.getViolation(principal(['viewer']), v.id);
    expect(whole.escalation[0]!.who.email).toBe(contact.email);
    expect(whole.passThrough).toBeDefined();
    await expect(uc.getViolation(party(['treasury']), v.id)).rejects.toThrow(`no violation ${v.id}`);
    expect((await uc.listViolations(party(['treasury']), { limit: 100 })).items).toEqual([]);
  });

  it("keeps the violation's remediation and disputes to its owner: a party reading it gets 404 there", async () => {
    const { uc, v } = await breached();
    await expect(uc.getOwnViolation(party(['wealth']), v.id)).rejects.toThrow(`no violation ${v.id}`);
    await expect(
      uc.raiseDispute(party(['wealth']), v.id, { reason: 'we disagree' } as never),
    ).rejects.toThrow(`no violation ${v.id}`);
  });
});

describe('violations of agreements no longer in force, as the parties of the time read them', () => {
  /** Held by retail, consumed by wealth, breached in force (version 1), then changed and ended as `later` says. */
  async function breachedThenEnded(later: { status: 'expired' | 'sunset' | 'retired'; customer?: string }) {
    const agreements = new MemoryAgreementStore();
    const first = agreementVersion({
      id: agreement.agreementId,
      status: 'active',
      serviceId: 'svc_pay',
      businessUnit: 'retail',
      parties: {
        provider: { type: 'business-unit', businessUnit: 'retail' },
        customer: { type: 'business-unit', businessUnit: 'wealth' },
      },
      timeZone: 'UTC',
      objectives: agreement.objectives as never,
      escalation: agreement.escalation as never,
    });
    await agreements.create(first);
    const { uc, v } = await breachedOver(new AgreementObjectivesSource(agreements, new MemoryServiceStore()));
    let version = first.version;
    if (later.customer) {
      version += 1;
      await agreements.append({
        ...first,
        version,
        parties: { ...first.parties, customer: { type: 'business-unit', businessUnit: later.customer } },
      });
    }
    await agreements.append({
      ...first,
      ...(await agreements.get(first.id)),
      version: version + 1,
      status: later.status,
    });
    return { uc, v };
  }

  it.each(['expired', 'sunset', 'retired'] as const)(
    'lists and answers the violation of an agreement now %s to its customer unit, redacted as a party reads it',
    async (status) => {
      const { uc, v } = await breachedThenEnded({ status });
      expect(v.agreementVersion).toBe(1);
      const listed = (await uc.listViolations(party(['wealth']), { limit: 100 })).items;
      expect(listed.map((x) => x.id)).toEqual([v.id]);
      const got = await uc.getViolation(party(['wealth']), v.id);
      expect(got).toMatchObject({ id: v.id, agreementId: agreement.agreementId });
      expect(got.escalation.map((s) => s.who)).toEqual(
        v.escalation.map(() => ({ name: 'the service provider', email: '' })),
      );
      expect(listed[0]).toEqual(got);
      // Still the owner's own record: the party gets no remediation view of it.
      await expect(uc.getOwnViolation(party(['wealth']), v.id)).rejects.toThrow(`no violation ${v.id}`);
    },
  );

  it('keeps the owning unit the whole violation and shows a unit that was never a party nothing', async () => {
    const { uc, v } = await breachedThenEnded({ status: 'expired' });
    expect((await uc.getViolation(principal(['viewer']), v.id)).escalation[0]!.who.email).toBe(contact.email);
    await expect(uc.getViolation(party(['treasury']), v.id)).rejects.toThrow(`no violation ${v.id}`);
    expect((await uc.listViolations(party(['treasury']), { limit: 100 })).items).toEqual([]);
  });

  it('decides by the parties of the version the violation was recorded under, not by who became a party later', async () => {
    // The customer changed from wealth to treasury after the breach, then the agreement expired.
    const { uc, v } = await breachedThenEnded({ status: 'expired', customer: 'treasury' });
    await expect(uc.getViolation(party(['treasury']), v.id)).rejects.toThrow(`no violation ${v.id}`);
    expect((await uc.listViolations(party(['treasury']), { limit: 100 })).items).toEqual([]);
    expect((await uc.getViolation(party(['wealth']), v.id)).id).toBe(v.id);
  });
});
