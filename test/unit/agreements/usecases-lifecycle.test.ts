import { describe, expect, it } from 'vitest';
import type { GapFinding } from '../../../shared/domain/chain/gaps.js';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  VersionConflictError,
} from '../../../shared/domain/errors.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import {
  admin,
  agreementWorld,
  approver,
  colleague,
  manager,
  NOW,
  owner,
  signedTier3,
} from '../../helpers/agreement-usecases.js';
import { agreementBody, principal } from '../../helpers/fixtures.js';

const bea = approver('bea', 'business-owner');
const lee = approver('lee', 'legal');
const TITLE = agreementBody().title;

/** A draft created by sam and submitted by tess (tier 3: service-owner and business-owner must sign). */
async function submittedWorld(o: Parameters<typeof agreementWorld>[0] = {}) {
  const world = await agreementWorld(o);
  const v1 = await world.uc.create(manager, agreementBody());
  const v2 = await world.uc.submit(colleague, v1.id, 1, 'ready for sign-off');
  return { ...world, v1, v2 };
}

const finding = (over: Partial<GapFinding>): GapFinding => ({
  rule: 'availability-composition',
  severity: 'major',
  blocksActivation: true,
  agreementId: 'agr_01J000000000001',
  dependencyIds: [],
  message: 'the chain carries 99.5 %, below the 99.9 % promised',
  figures: {},
  ...over,
});

const err = (p: Promise<unknown>) => p.catch((e: unknown) => e);

describe('submitting a draft', () => {
  it('fixes the sign-offs its kind and tier require, names the submitter, and records the chain’s gaps', async () => {
    const gaps = [finding({ blocksActivation: false, rule: 'hours-coverage' })];
    const { uc, agreements, v1, v2 } = await submittedWorld({ gaps: async () => gaps });
    const expected = {
      ...v1,
      status: 'submitted',
      requiredSignOffs: signedTier3.requiredSignOffs,
      signOffs: [],
      submittedBy: 'tess',
      gapFindings: gaps,
      version: 2,
      changedAt: NOW,
      changedBy: 'tess',
      change: 'submit',
      reason: 'ready for sign-off',
    };
    expect(v2).toStrictEqual(expected);
    expect(await agreements.get(v1.id)).toStrictEqual(expected);
    expect(await uc.get(manager, v1.id)).toStrictEqual(expected);
  });

  it('records no gaps where the deployment analyses none', async () => {
    const { v2 } = await submittedWorld();
    expect(Object.hasOwn(v2, 'gapFindings')).toBe(false);
    expect(v2.requiredSignOffs).toStrictEqual(signedTier3.requiredSignOffs);
  });

  it('submits only a draft, naming the status it is in', async () => {
    const { uc, v2 } = await submittedWorld();
    const e = await err(uc.submit(manager, v2.id, 2, 'again'));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      'cannot submit an agreement that is submitted (allowed from: draft)',
    );
    expect((e as ConflictError).details).toEqual([{ path: 'status', problem: 'is submitted' }]);
  });

  it('refuses a step based on a version that is no longer current', async () => {
    const { uc, v1 } = await submittedWorld();
    const e = await err(uc.withdraw(manager, v1.id, 1, 'wait'));
    expect(e).toBeInstanceOf(VersionConflictError);
    expect((e as VersionConflictError).message).toBe(
      'stale write: you sent version 1, the current version is 2',
    );
  });

  it('refuses an agreement whose service is gone', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ serviceId: 'svc_gone' });
    const e = await err(uc.submit(admin, a.id, 1, 'ready'));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe('service svc_gone no longer exists');
  });

  it('refuses a draft that is not ready, its start now past included', async () => {
    const { uc, put, agreements } = await agreementWorld();
    const a = await put({ effectiveFrom: '2026-11-15', scope: { inclusions: [], exclusions: [] } });
    const e = await err(uc.submit(manager, a.id, 1, 'ready'));
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).message).toBe('the agreement is not ready to submit');
    expect((e as BusinessRuleError).details).toEqual([
      { path: 'scope.inclusions', problem: 'say what the agreement covers' },
      {
        path: 'effectiveFrom',
        problem: 'cannot be backdated: 2026-11-15 is before today (2026-12-01 in Europe/London)',
      },
    ]);
    expect(await agreements.listVersions(a.id)).toHaveLength(1);
  });
});

describe('withdrawing a submission', () => {
  it('returns it to draft without its sign-offs or its stale gap findings', async () => {
    const gaps = [finding({ blocksActivation: false })];
    const { uc, v2 } = await submittedWorld({ gaps: async () => gaps });
    const v3 = await uc.signOff(owner, v2.id, 2, {
      capacity: 'service-owner',
      decision: 'approved',
      reason: 'ok',
    });
    const back = await uc.withdraw(manager, v2.id, 3, 'more work');
    const { gapFindings: _g, ...rest } = v3;
    expect(back).toStrictEqual({
      ...rest,
      status: 'draft',
      signOffs: [],
      version: 4,
      changedBy: 'sam',
      changedAt: NOW,
      change: 'withdraw',
      reason: 'more work',
    });
  });

  it('withdraws only what is submitted or approved', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put();
    const e = await err(uc.withdraw(manager, a.id, 1, 'wait'));
    expect((e as ConflictError).message).toBe(
      'cannot withdraw an agreement that is draft (allowed from: submitted, approved)',
    );
    expect((e as ConflictError).details).toEqual([{ path: 'status', problem: 'is draft' }]);
  });
});

describe('signing off', () => {
  it('records each approval, staying submitted until every required capacity has approved', async () => {
    const { uc, v2 } = await submittedWorld();
    const v3 = await uc.signOff(owner, v2.id, 2, {
      capacity: 'service-owner',
      decision: 'approved',
      reason: 'the service can keep this',
      comment: 'checked against last quarter',
    });
    expect(v3).toStrictEqual({
      ...v2,
      signOffs: [
        {
          capacity: 'service-owner',
          decision: 'approved',
          by: 'owen',
          at: NOW,
          comment: 'checked against last quarter',
        },
      ],
      status: 'submitted',
      version: 3,
      changedAt: NOW,
      changedBy: 'owen',
      change: 'signoff:service-owner:approved',
      reason: 'the service can keep this',
    });
    const v4 = await uc.signOff(bea, v2.id, 3, {
      capacity: 'business-owner',
      decision: 'approved',
      reason: 'ok',
    });
    expect(v4.status).toBe('approved');
    expect(v4.change).toBe('signoff:business-owner:approved');
    expect(v4.signOffs[1]).toStrictEqual({
      capacity: 'business-owner',
      decision: 'approved',
      by: 'bea',
      at: NOW,
    });
  });

  it('returns the agreement to draft on a rejection', async () => {
    const { uc, v2 } = await submittedWorld();
    const v3 = await uc.signOff(bea, v2.id, 2, {
      capacity: 'business-owner',
      decision: 'rejected',
      reason: 'too loose',
    });
    expect(v3.status).toBe('draft');
    expect(v3.change).toBe('signoff:business-owner:rejected');
    expect(v3.signOffs).toStrictEqual([
      { capacity: 'business-owner', decision: 'rejected', by: 'bea', at: NOW },
    ]);
  });

  it('refuses a capacity the agreement does not require, listing those it does', async () => {
    const { uc, v2, put } = await submittedWorld();
    const e = await err(uc.signOff(lee, v2.id, 2, { capacity: 'legal', decision: 'approved', reason: 'ok' }));
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).message).toBe('capacity not required');
    expect((e as BusinessRuleError).details).toEqual([
      {
        path: 'capacity',
        problem: 'legal is not a required sign-off here; required: service-owner, business-owner',
      },
    ]);
    const none = await put({ status: 'submitted', submittedBy: 'tess' });
    const e2 = await err(
      uc.signOff(lee, none.id, 1, { capacity: 'legal', decision: 'approved', reason: 'ok' }),
    );
    expect((e2 as BusinessRuleError).details).toEqual([
      { path: 'capacity', problem: 'legal is not a required sign-off here; required: none' },
    ]);
  });

  it('lets only a holder of the capacity sign in it', async () => {
    const { uc, v2 } = await submittedWorld();
    const e = await err(
      uc.signOff(lee, v2.id, 2, { capacity: 'business-owner', decision: 'approved', reason: 'ok' }),
    );
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).message).toBe('you may not sign off as business-owner');
  });

  it('signs off only a submitted agreement', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ requiredSignOffs: signedTier3.requiredSignOffs });
    const e = await err(
      uc.signOff(bea, a.id, 1, { capacity: 'business-owner', decision: 'approved', reason: 'ok' }),
    );
    expect((e as ConflictError).message).toBe(
      'cannot signoff an agreement that is draft (allowed from: submitted)',
    );
  });

  describe('separation of duties', () => {
    const kim = principal({
      subject: 'kim',
      roles: ['sla-manager', 'approver'],
      businessUnits: ['payments'],
      signOffCapacities: ['business-owner'],
    });
    const sod =
      'whoever wrote, changed or submitted this version of the agreement cannot sign it off (separation of duties)';
    const sign = (uc: Awaited<ReturnType<typeof agreementWorld>>['uc'], id: string, expected: number) =>
      uc.signOff(kim, id, expected, { capacity: 'business-owner', decision: 'approved', reason: 'ok' });

    it('keeps out its first author', async () => {
      const { uc } = await agreementWorld();
      const a = await uc.create(kim, agreementBody());
      await uc.submit(colleague, a.id, 1, 'ready');
      const e = await err(sign(uc, a.id, 2));
      expect(e).toBeInstanceOf(ForbiddenError);
      expect((e as ForbiddenError).message).toBe(sod);
    });

    it('keeps out its submitter', async () => {
      const { uc } = await agreementWorld();
      const a = await uc.create(manager, agreementBody());
      await uc.submit(kim, a.id, 1, 'ready');
      const e = await err(sign(uc, a.id, 2));
      expect(e).toBeInstanceOf(ForbiddenError);
      expect((e as ForbiddenError).message).toBe(sod);
    });

    it('keeps out whoever changed its commitment, but not whoever only renamed it', async () => {
      const { uc } = await agreementWorld();
      const a = await uc.create(manager, agreementBody());
      await uc.update(kim, a.id, 1, {
        objectives: [{ ...a.objectives[0]!, target: 99.95 }],
        reason: 'tighter',
      });
      await uc.submit(colleague, a.id, 2, 'ready');
      const e = await err(sign(uc, a.id, 3));
      expect(e).toBeInstanceOf(ForbiddenError);
      expect((e as ForbiddenError).message).toBe(sod);
      const b = await uc.create(manager, agreementBody());
      await uc.update(kim, b.id, 1, { title: 'A better title', reason: 'rename' });
      await uc.submit(colleague, b.id, 2, 'ready');
      expect((await sign(uc, b.id, 3)).signOffs).toHaveLength(1);
    });

    it('lets one person sign at most one capacity', async () => {
      const { uc, v2 } = await submittedWorld();
      const olga = principal({
        subject: 'olga',
        roles: ['service-owner', 'approver'],
        services: ['svc_payments-gateway'],
        signOffCapacities: ['business-owner'],
      });
      await uc.signOff(olga, v2.id, 2, { capacity: 'service-owner', decision: 'approved', reason: 'ok' });
      const e = await err(
        uc.signOff(olga, v2.id, 3, { capacity: 'business-owner', decision: 'approved', reason: 'ok' }),
      );
      expect(e).toBeInstanceOf(ForbiddenError);
      expect((e as ForbiddenError).message).toBe(
        'one person signs at most one capacity of an agreement (four eyes)',
      );
    });
  });

  it('takes one approval per capacity, and a rejected one does not count', async () => {
    const { uc, v2, put } = await submittedWorld();
    const oona = principal({ subject: 'oona', roles: ['service-owner'], services: ['svc_payments-gateway'] });
    await uc.signOff(owner, v2.id, 2, { capacity: 'service-owner', decision: 'approved', reason: 'ok' });
    const e = await err(
      uc.signOff(oona, v2.id, 3, { capacity: 'service-owner', decision: 'approved', reason: 'me too' }),
    );
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe('service-owner has already signed off this agreement');
    const rejected = await put({
      status: 'submitted',
      submittedBy: 'tess',
      requiredSignOffs: signedTier3.requiredSignOffs,
      signOffs: [
        { capacity: 'service-owner', decision: 'rejected', by: 'xena', at: '2026-11-20T09:00:00.000Z' },
      ],
    });
    const after = await uc.signOff(oona, rejected.id, 1, {
      capacity: 'service-owner',
      decision: 'approved',
      reason: 'second look',
    });
    expect(after.status).toBe('submitted');
    expect(after.signOffs.map((s) => `${s.capacity}:${s.decision}:${s.by}`)).toEqual([
      'service-owner:rejected:xena',
      'service-owner:approved:oona',
    ]);
  });
});

describe('activating', () => {
  it('makes an approved agreement active, stamping when', async () => {
    const { uc, v2 } = await submittedWorld();
    await uc.signOff(owner, v2.id, 2, { capacity: 'service-owner', decision: 'approved', reason: 'ok' });
    const v4 = await uc.signOff(bea, v2.id, 3, {
      capacity: 'business-owner',
      decision: 'approved',
      reason: 'ok',
    });
    const v5 = await uc.activate(manager, v2.id, 4, 'go live');
    expect(v5).toStrictEqual({
      ...v4,
      status: 'active',
      activatedAt: NOW,
      version: 5,
      changedAt: NOW,
      changedBy: 'sam',
      change: 'activate',
      reason: 'go live',
    });
  });

  it('names the sign-offs a submitted agreement still misses', async () => {
    const { uc, v2 } = await submittedWorld();
    await uc.signOff(owner, v2.id, 2, { capacity: 'service-owner', decision: 'approved', reason: 'ok' });
    const e = await err(uc.activate(manager, v2.id, 3, 'go live'));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      `agreement ${v2.id} cannot be activated: sign-off missing from business-owner`,
    );
    expect((e as ConflictError).details).toEqual([
      { path: 'requiredSignOffs[business-owner]', problem: 'not signed off' },
    ]);
    expect((e as ConflictError).context).toEqual({ missingSignOffs: ['business-owner'] });
  });

  it('asks for a sign-off the rules require since submission, a rejection not counting as one', async () => {
    // Submitted and approved while the service was tier 3; it is tier 1 now, where the governance board signs.
    const { uc, put } = await agreementWorld({ tier: 1 });
    const a = await put({
      status: 'approved',
      ...signedTier3,
      signOffs: [
        ...signedTier3.signOffs,
        { capacity: 'governance-board', decision: 'rejected', by: 'gus', at: '2026-11-22T09:00:00.000Z' },
      ],
    });
    const e = await err(uc.activate(manager, a.id, 1, 'go live'));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      `agreement ${a.id} cannot be activated: sign-off missing from governance-board (required since submission: withdraw and resubmit to collect it)`,
    );
    expect((e as ConflictError).details).toEqual([
      { path: 'requiredSignOffs[governance-board]', problem: 'not signed off' },
    ]);
    expect((e as ConflictError).context).toEqual({ missingSignOffs: ['governance-board'] });
  });

  it('activates only an approved agreement', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put();
    const e = await err(uc.activate(manager, a.id, 1, 'go live'));
    expect((e as ConflictError).message).toBe(
      'cannot activate an agreement that is draft (allowed from: approved)',
    );
    expect((e as ConflictError).details).toEqual([{ path: 'status', problem: 'is draft' }]);
  });

  it('waits for the start date in the agreement’s own zone', async () => {
    const { uc, put, clock } = await agreementWorld();
    const a = await put({ status: 'approved', ...signedTier3, effectiveFrom: '2026-12-02' });
    const e = await err(uc.activate(manager, a.id, 1, 'go live'));
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).message).toBe('not yet effective');
    expect((e as BusinessRuleError).details).toEqual([
      { path: 'effectiveFrom', problem: 'the agreement takes effect on 2026-12-02; today is 2026-12-01' },
    ]);
    // Noon UTC on 1 December is already 2 December in Auckland.
    clock.at = '2026-12-01T12:00:00.000Z';
    const b = await put({
      status: 'approved',
      ...signedTier3,
      effectiveFrom: '2026-12-02',
      timeZone: 'Pacific/Auckland',
    });
    expect((await uc.activate(manager, b.id, 1, 'go live')).status).toBe('active');
  });

  it('needs every underpinning agreement approved or active', async () => {
    const { uc, put } = await agreementWorld();
    const approvedOla = await put({ kind: 'OLA', status: 'approved' });
    const draftOla = await put({ kind: 'OLA', status: 'draft' });
    const activeOla = await put({ kind: 'OLA', status: 'active' });
    const missing = 'agr_01MISSING0000000000';
    const a = await put({
      status: 'approved',
      ...signedTier3,
      underpinnedBy: [approvedOla.id, draftOla.id, missing, activeOla.id],
    });
    const e = await err(uc.activate(manager, a.id, 1, 'go live'));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe('underpinning agreements are not in force');
    expect((e as ConflictError).details).toEqual([
      { path: 'underpinnedBy[1]', problem: `${draftOla.id} is draft; it must be approved or active` },
      { path: 'underpinnedBy[2]', problem: `${missing} is missing; it must be approved or active` },
    ]);
    const b = await put({
      status: 'approved',
      ...signedTier3,
      underpinnedBy: [approvedOla.id, activeOla.id],
    });
    expect((await uc.activate(manager, b.id, 1, 'go live')).status).toBe('active');
  });

  describe('a schedule', () => {
    const master = (status: AgreementVersion['status']): Partial<AgreementVersion> => ({
      status,
      title: 'Retail banking master agreement',
      objectives: [],
      module: { role: 'master', caps: {} },
    });
    const schedule = (masterId: string): Partial<AgreementVersion> => ({
      status: 'approved',
      ...signedTier3,
      module: { role: 'schedule', masterId },
    });

    it('waits for a master that never was in force, or is missing', async () => {
      const { uc, put, history } = await agreementWorld();
      const draft = await history(master('draft'));
      const s = await put(schedule(draft.id));
      const e = await err(uc.activate(manager, s.id, 1, 'go live'));
      expect(e).toBeInstanceOf(ConflictError);
      expect((e as ConflictError).message).toBe('the master agreement is not in force');
      expect((e as ConflictError).details).toEqual([
        {
          path: 'module.masterId',
          problem: `master agreement ${draft.id} is draft; it must be approved or active`,
        },
      ]);
      const orphan = await put(schedule('agr_01NOMASTER00000000'));
      const e2 = await err(uc.activate(manager, orphan.id, 1, 'go live'));
      expect((e2 as ConflictError).details).toEqual([
        {
          path: 'module.masterId',
          problem: 'master agreement agr_01NOMASTER00000000 is missing; it must be approved or active',
        },
      ]);
    });

    it.each([
      ['expired', [master('active'), master('expired')]],
      ['sunset', [master('active'), master('sunset')]],
      ['retired', [master('active'), master('sunset'), master('retired')]],
    ])('refuses a master that was in force and is %s now', async (status, versions) => {
      const { uc, put, history } = await agreementWorld();
      const m = await history(...versions);
      const s = await put(schedule(m.id));
      const e = await err(uc.activate(manager, s.id, 1, 'go live'));
      expect(e).toBeInstanceOf(ConflictError);
      expect((e as ConflictError).details).toEqual([
        {
          path: 'module.masterId',
          problem: `master agreement ${m.id} is ${status}; it must be approved or active`,
        },
      ]);
    });

    it.each([
      ['approved', [master('approved')]],
      ['active', [master('active')]],
      ['active while a newer version awaits sign-off', [master('active'), master('submitted')]],
    ])('goes live under a master %s', async (_what, versions) => {
      const { uc, put, history } = await agreementWorld();
      const m = await history(...versions);
      const s = await put(schedule(m.id));
      expect((await uc.activate(manager, s.id, 1, 'go live')).status).toBe('active');
    });
  });

  it('stops where the chain policy blocks activation, and only there', async () => {
    const blocking = [
      finding({ rule: 'underpins-nothing', message: 'the OLA carries no objective' }),
      finding({ rule: 'availability-composition', objectiveId: 'availability', message: 'below target' }),
    ];
    const info = finding({ rule: 'hours-coverage', blocksActivation: false, objectiveId: 'availability' });
    let found = [...blocking, info];
    const { uc, put } = await agreementWorld({ gaps: async () => found });
    const a = await put({ status: 'approved', ...signedTier3 });
    const e = await err(uc.activate(manager, a.id, 1, 'go live'));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      `agreement ${a.id} cannot be activated: its underpinning chain cannot carry it (underpins-nothing, availability-composition); the chain policy blocks activation on these`,
    );
    expect((e as ConflictError).details).toEqual([
      { path: 'underpinnedBy', problem: 'the OLA carries no objective' },
      { path: 'objectives[availability]', problem: 'below target' },
    ]);
    expect((e as ConflictError).context).toEqual({ gapFindings: blocking });
    found = [info];
    expect((await uc.activate(manager, a.id, 1, 'go live')).status).toBe('active');
  });
});

describe('ending an agreement', () => {
  it('expires an agreement after its end date', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ status: 'active', effectiveFrom: '2025-12-01', effectiveTo: '2026-11-30' });
    expect(await uc.end(manager, a.id, 1, 'expire', 'term over')).toStrictEqual({
      ...a,
      status: 'expired',
      version: 2,
      changedAt: NOW,
      changedBy: 'sam',
      change: 'expire',
      reason: 'term over',
    });
  });

  it('does not expire an agreement on its last day, nor one without an end', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ status: 'active', effectiveFrom: '2025-12-01', effectiveTo: '2026-12-01' });
    const e = await err(uc.end(manager, a.id, 1, 'expire', 'term over'));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      `agreement ${a.id} is effective to 2026-12-01; today is 2026-12-01 in Europe/London. It expires by itself after its end; to end it early, sunset it`,
    );
    expect((e as ConflictError).details).toEqual([
      { path: 'effectiveTo', problem: 'is 2026-12-01, not before 2026-12-01' },
    ]);
    const open = await put({ status: 'active', effectiveTo: undefined });
    const e2 = await err(uc.end(manager, open.id, 1, 'expire', 'term over'));
    expect((e2 as ConflictError).message).toBe(
      `agreement ${open.id} is effective with no end date; today is 2026-12-01 in Europe/London. It expires by itself after its end; to end it early, sunset it`,
    );
    expect((e2 as ConflictError).details).toEqual([{ path: 'effectiveTo', problem: 'is not set' }]);
  });

  it('sunsets an agreement before its end', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ status: 'active' });
    const v2 = await uc.end(manager, a.id, 1, 'sunset', 'service replaced');
    expect(v2.status).toBe('sunset');
    expect(v2.change).toBe('sunset');
  });

  it('ends only an active agreement', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ effectiveTo: '2026-11-30' });
    const e = await err(uc.end(manager, a.id, 1, 'expire', 'term over'));
    expect((e as ConflictError).message).toBe(
      'cannot expire an agreement that is draft (allowed from: active)',
    );
    expect((e as ConflictError).details).toEqual([{ path: 'status', problem: 'is draft' }]);
  });

  describe('what depends on it', () => {
    async function underpinned() {
      const world = await agreementWorld();
      const ola = await world.put({ kind: 'OLA', status: 'active', effectiveTo: '2026-11-30' });
      const sla = await world.put({ status: 'active', underpinnedBy: [ola.id] });
      const platform = await world.platformOla({ underpinnedBy: [ola.id] });
      await world.put({ status: 'draft', underpinnedBy: [ola.id] });
      return { ...world, ola, sla, platform };
    }

    it('refuses to sunset an OLA an active agreement rests on, counting those outside the caller’s scope', async () => {
      const { uc, ola, sla, agreements } = await underpinned();
      const e = await err(uc.end(manager, ola.id, 1, 'sunset', 'replaced'));
      expect(e).toBeInstanceOf(ConflictError);
      expect((e as ConflictError).message).toBe(
        `${ola.id} underpins active agreements: ${sla.id}, 1 outside your scope`,
      );
      expect((e as ConflictError).details).toEqual([
        { path: 'dependants', problem: `${sla.id} (SLA "${TITLE}") is active and depends on it` },
        { path: 'dependants', problem: '1 active agreement(s) outside your scope depend on it' },
      ]);
      expect((e as ConflictError).context).toEqual({ dependants: [sla.id], dependantsOutsideScope: 1 });
      expect(await agreements.listVersions(ola.id)).toHaveLength(1);
    });

    it('names every dependant to a caller who sees them all', async () => {
      const { uc, ola, sla, platform } = await underpinned();
      const e = await err(uc.end(admin, ola.id, 1, 'sunset', 'replaced'));
      expect((e as ConflictError).message).toBe(
        `${ola.id} underpins active agreements: ${sla.id}, ${platform.id}`,
      );
      expect((e as ConflictError).details).toEqual([
        { path: 'dependants', problem: `${sla.id} (SLA "${TITLE}") is active and depends on it` },
        { path: 'dependants', problem: `${platform.id} (OLA "${TITLE}") is active and depends on it` },
      ]);
      expect((e as ConflictError).context).toEqual({
        dependants: [sla.id, platform.id],
        dependantsOutsideScope: 0,
      });
    });

    it('lets an OLA expire after its end though others still rest on it', async () => {
      const { uc, ola } = await underpinned();
      expect((await uc.end(manager, ola.id, 1, 'expire', 'term over')).status).toBe('expired');
    });

    it('sunsets an OLA only drafts rest on, and an SLA whatever lists it', async () => {
      const { uc, put } = await agreementWorld();
      const ola = await put({ kind: 'OLA', status: 'active' });
      await put({ status: 'draft', underpinnedBy: [ola.id] });
      expect((await uc.end(manager, ola.id, 1, 'sunset', 'replaced')).status).toBe('sunset');
      const sla = await put({ status: 'active' });
      await put({ status: 'active', underpinnedBy: [sla.id] });
      expect((await uc.end(manager, sla.id, 1, 'sunset', 'replaced')).status).toBe('sunset');
    });

    it('refuses to retire an OLA an active agreement still rests on', async () => {
      const { uc, put } = await agreementWorld();
      const ola = await put({ kind: 'OLA', status: 'expired' });
      const sla = await put({ status: 'active', underpinnedBy: [ola.id] });
      const e = await err(uc.retire(manager, ola.id, 1, 'tidy up'));
      expect(e).toBeInstanceOf(ConflictError);
      expect((e as ConflictError).context).toEqual({ dependants: [sla.id], dependantsOutsideScope: 0 });
    });
  });
});

describe('retiring', () => {
  it('retires a draft, stamping when, and keeps it readable', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put();
    const expected = {
      ...a,
      status: 'retired',
      retiredAt: NOW,
      version: 2,
      changedAt: NOW,
      changedBy: 'sam',
      change: 'retire',
      reason: 'abandoned',
    };
    expect(await uc.retire(manager, a.id, 1, 'abandoned')).toStrictEqual(expected);
    expect(await uc.get(manager, a.id)).toStrictEqual(expected);
  });

  it('retires no active agreement', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ status: 'active' });
    const e = await err(uc.retire(manager, a.id, 1, 'tidy up'));
    expect((e as ConflictError).message).toBe(
      'cannot retire an agreement that is active (allowed from: draft, submitted, approved, expired, sunset)',
    );
  });
});

describe('amending an active agreement', () => {
  const input = (changes: Record<string, unknown>) => ({
    changeRequestId: 'chg_01',
    changes,
    requiredSignOffs: signedTier3.requiredSignOffs,
    signOffs: signedTier3.signOffs,
    reason: 'change request approved',
  });

  it('writes the changed terms with the sign-offs the change request collected', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ status: 'active', effectiveFrom: '2026-01-01' });
    const objectives = [{ ...a.objectives[0]!, target: 99.95 }];
    expect(await uc.amend(manager, a.id, 1, input({ objectives }))).toStrictEqual({
      ...a,
      objectives,
      requiredSignOffs: signedTier3.requiredSignOffs,
      signOffs: signedTier3.signOffs,
      version: 2,
      changedAt: NOW,
      changedBy: 'sam',
      change: 'amend:chg_01',
      reason: 'change request approved',
    });
  });

  it('amends only an active agreement', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put();
    const e = await err(uc.amend(manager, a.id, 1, input({ title: 'New' })));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      `agreement ${a.id} is draft: only an active agreement is amended`,
    );
    expect((e as ConflictError).details).toEqual([{ path: 'status', problem: 'is draft' }]);
  });

  it('judges against today only the dates it changes', async () => {
    const { uc, put, agreements } = await agreementWorld();
    const a = await put({ status: 'active', effectiveFrom: '2026-01-01' });
    const v2 = await uc.amend(manager, a.id, 1, input({ title: 'New', effectiveFrom: undefined }));
    expect(v2.effectiveFrom).toBe('2026-01-01');
    const e = await err(uc.amend(manager, a.id, 2, input({ effectiveTo: '2026-11-15' })));
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).message).toBe('the change breaks a rule');
    expect((e as BusinessRuleError).details).toEqual([
      { path: 'effectiveTo', problem: 'cannot be backdated: 2026-11-15 is before today (2026-12-01)' },
    ]);
    expect(await agreements.listVersions(a.id)).toHaveLength(2);
  });

  it('judges the links only when it changes them', async () => {
    const { uc, put } = await agreementWorld();
    const gone = await put({ kind: 'OLA', status: 'retired' });
    const a = await put({ status: 'active', underpinnedBy: [gone.id] });
    expect((await uc.amend(manager, a.id, 1, input({ title: 'New' }))).version).toBe(2);
    const e = await err(uc.amend(manager, a.id, 2, input({ underpinnedBy: ['agr_01MISSING0000000000'] })));
    expect((e as BusinessRuleError).details).toEqual([
      { path: 'underpinnedBy[0]', problem: 'names no agreement' },
    ]);
    const ola = await put({ kind: 'OLA', status: 'active' });
    const b = await put({ status: 'active', underpinnedBy: [ola.id] });
    const edge = {
      objectiveId: 'availability',
      agreementId: ola.id,
      dependencyObjectiveId: 'uptime',
      mode: 'serial',
    };
    const e2 = await err(uc.amend(manager, b.id, 1, input({ underpinning: [edge] })));
    expect((e2 as BusinessRuleError).details).toEqual([
      {
        path: 'underpinning[0].dependencyObjectiveId',
        problem: `names no objective of ${ola.id} ("uptime")`,
      },
    ]);
  });

  it('keeps what the template fixes fixed', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ status: 'active', template: { id: 'tier1-customer-api-sla', version: 1 } });
    const e = await err(
      uc.amend(manager, a.id, 1, input({ objectives: [{ ...a.objectives[0]!, target: 99 }] })),
    );
    expect((e as BusinessRuleError).details).toEqual([
      {
        path: 'objectives',
        problem: 'is fixed by template tier1-customer-api-sla v1 (the agreement was drafted from it)',
      },
    ]);
  });
});

describe('renewing', () => {
  const renewal = { renewalDate: '2027-10-01', noticeDays: 90, autoRenew: true };

  it('moves the renewal date and the end date on by the term', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ status: 'active', renewal, effectiveTo: '2027-11-30' });
    expect(await uc.renew(manager, a.id, 1, 12, 'another year')).toStrictEqual({
      ...a,
      renewal: { ...renewal, renewalDate: '2028-10-01' },
      effectiveTo: '2028-11-30',
      version: 2,
      changedAt: NOW,
      changedBy: 'sam',
      change: 'renew',
      reason: 'another year',
    });
    const open = await put({ status: 'active', renewal, effectiveTo: undefined });
    const v2 = await uc.renew(manager, open.id, 1, 6, 'half a year');
    expect(v2.renewal).toStrictEqual({ ...renewal, renewalDate: '2028-04-01' });
    expect(v2.effectiveTo).toBeUndefined();
  });

  it('renews only an active agreement that renews by itself, saying which it is not', async () => {
    const { uc, put } = await agreementWorld();
    const manual = await put({ status: 'active', renewal: { ...renewal, autoRenew: false } });
    const e = await err(uc.renew(manager, manual.id, 1, 12, 'another year'));
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).message).toBe(
      `agreement ${manual.id} is active and does not renew by itself: it cannot be renewed`,
    );
    expect((e as ConflictError).details).toEqual([
      { path: 'renewal.autoRenew', problem: 'does not allow a renewal' },
    ]);
    const draft = await put({ renewal });
    const e2 = await err(uc.renew(manager, draft.id, 1, 12, 'another year'));
    expect((e2 as ConflictError).message).toBe(`agreement ${draft.id} is draft: it cannot be renewed`);
    expect((e2 as ConflictError).details).toEqual([{ path: 'status', problem: 'does not allow a renewal' }]);
  });
});
