import { beforeEach, describe, expect, it } from 'vitest';
import { StaticObjectivesSource } from '../../../shared/adapters/agreement-objectives-source.js';
import { MemoryViolationStore } from '../../../shared/adapters/memory/objectives.js';
import type { Principal } from '../../../shared/domain/access/policy.js';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
} from '../../../shared/domain/errors.js';
import { partyViewOfViolation } from '../../../shared/domain/objectives/violations.js';
import type { ObjectiveAgreement, ViolationRecord } from '../../../shared/ports/objectives.js';
import { ObjectiveUseCases } from '../../../shared/usecases/objectives/index.js';
import { agreement, breachedOver, D, H, party, principal, START } from '../../helpers/objectives-usecases.js';
import { objectiveDeps } from './helpers.js';

const iso = (t: number) => new Date(t).toISOString();
const T = START + 7 * D;

describe('disputes of a violation’s credit', () => {
  let uc: ObjectiveUseCases;
  let violations: MemoryViolationStore;
  let v: ViolationRecord;
  const admin = principal(['admin'], 'head@example.com');
  const customer = principal(['sla-manager'], 'customer@example.com');

  beforeEach(async () => {
    ({ uc, violations, v } = await breachedOver(new StaticObjectivesSource([agreement])));
  });

  it('stores a dispute raised by the caller, open, at the clock’s time', async () => {
    const raised = await uc.raiseDispute(customer, v.id, { reason: 'our own firewall change' });
    const [d] = raised.disputes;
    expect(d).toEqual({
      id: d!.id,
      raisedBy: 'customer@example.com',
      raisedAt: iso(T),
      reason: 'our own firewall change',
      status: 'open',
    });
    expect(d!.id).toMatch(/^dsp_/);
    expect(await violations.get(v.id)).toEqual(raised);
  });

  it('refuses a second dispute while one is open, and takes one again once it is decided', async () => {
    const first = (await uc.raiseDispute(customer, v.id, { reason: 'first' })).disputes[0]!;
    const e = await uc.raiseDispute(customer, v.id, { reason: 'again' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as Error).message).toBe('a dispute of this credit is already open');
    await uc.resolveDispute(admin, v.id, first.id, { decision: 'rejected', resolution: 'no' });
    const second = (await uc.raiseDispute(customer, v.id, { reason: 'new facts' })).disputes[1]!;
    // Deciding the second finds the second, not the first (already decided).
    const decided = await uc.resolveDispute(admin, v.id, second.id, {
      decision: 'accepted',
      resolution: 'yes',
    });
    expect(decided.disputes.map((d) => [d.id, d.status])).toEqual([
      [first.id, 'rejected'],
      [second.id, 'accepted'],
    ]);
  });

  it('refuses a dispute of a violation that carries no credit, naming the violation', async () => {
    ({ uc, v } = await breachedOver(new StaticObjectivesSource([{ ...agreement, credits: undefined }])));
    expect(v.credit).toBeUndefined();
    const e = await uc.raiseDispute(customer, v.id, { reason: 'x' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as Error).message).toBe('this violation carries no service credit to dispute');
    expect((e as BusinessRuleError).details).toEqual([
      { path: 'violationId', problem: 'has no credit calculation' },
    ]);
  });

  it('refuses a reader of the violation who may not manage it, naming the action', async () => {
    const e = await uc.raiseDispute(principal(['viewer']), v.id, { reason: 'x' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as Error).message).toBe('your roles and scope do not allow violation.manage on this agreement');
  });

  it('stores the decision with who decided it, when and how', async () => {
    const d = (await uc.raiseDispute(customer, v.id, { reason: 'x' })).disputes[0]!;
    const decided = await uc.resolveDispute(admin, v.id, d.id, {
      decision: 'accepted',
      resolution: 'credited in full',
    });
    expect(decided.disputes).toEqual([
      {
        ...d,
        status: 'accepted',
        resolution: 'credited in full',
        resolvedBy: 'head@example.com',
        resolvedAt: iso(T),
      },
    ]);
    expect(await violations.get(v.id)).toEqual(decided);
    const e = await uc
      .resolveDispute(admin, v.id, d.id, { decision: 'rejected', resolution: 'changed my mind' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as Error).message).toBe(`dispute ${d.id} is already accepted`);
  });

  it('refuses the person who raised a dispute as its decider, and an unknown dispute', async () => {
    const d = (await uc.raiseDispute(admin, v.id, { reason: 'x' })).disputes[0]!;
    const e = await uc
      .resolveDispute(admin, v.id, d.id, { decision: 'accepted', resolution: 'mine' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as Error).message).toBe('the person who raised a dispute cannot decide it');
    const f = await uc
      .resolveDispute(principal(['admin'], 'other@example.com'), v.id, 'dsp_nope', {
        decision: 'accepted',
        resolution: 'x',
      })
      .catch((x: unknown) => x);
    expect(f).toBeInstanceOf(NotFoundError);
    expect((f as Error).message).toBe(`no dispute dsp_nope on ${v.id}`);
  });
});

describe('listing violations as the owner and as a party reads them', () => {
  let violations: MemoryViolationStore;
  let uc: ObjectiveUseCases;
  const wealth = party(['wealth']);

  const held = (
    agreementId: string,
    over: Partial<ObjectiveAgreement> = { partyUnits: ['retail', 'wealth'] },
  ): ObjectiveAgreement => ({ ...agreement, agreementId, version: 1, ...over });

  /** Writes a violation of `agreementId` detected `hours` after T, as the engine stores one. */
  async function put(
    template: ViolationRecord,
    id: string,
    agreementId: string,
    hours: number,
    over: Partial<ViolationRecord> = {},
  ): Promise<ViolationRecord> {
    const v = {
      ...template,
      id,
      key: `${agreementId}/avail/${id}`,
      agreementId,
      agreementVersion: 1,
      detectedAt: iso(T + hours * H),
      ...over,
    };
    await violations.record(v);
    return v;
  }

  let byId: Record<string, ViolationRecord>;

  beforeEach(async () => {
    const { v: template } = await breachedOver(new StaticObjectivesSource([agreement]));
    violations = new MemoryViolationStore();
    const source = new StaticObjectivesSource(
      [
        held('agr_1'),
        held('agr_2', { serviceId: 'svc_card', partyUnits: ['retail', 'wealth'] }),
        held('agr_3', { partyUnits: ['retail'] }),
        held('agr_4', { businessUnit: 'wealth', serviceId: 'svc_wealth', partyUnits: ['wealth', 'retail'] }),
      ],
      [held('agr_5'), held('agr_6')],
    );
    uc = new ObjectiveUseCases(objectiveDeps(source, () => T + D, { violations }));
    byId = {};
    for (const v of [
      await put(template, 'vio_a', 'agr_1', 1),
      await put(template, 'vio_b', 'agr_2', 2, { serviceId: 'svc_card' }),
      await put(template, 'vio_c', 'agr_3', 3),
      await put(template, 'vio_d', 'agr_4', 0, { businessUnit: 'wealth', serviceId: 'svc_wealth' }),
      await put(template, 'vio_e', 'agr_5', 4),
      await put(template, 'vio_f', 'agr_6', 5, { status: 'resolved' }),
    ])
      byId[v.id] = v;
  });

  const asParty = (...ids: string[]) => ids.map((id) => partyViewOfViolation(byId[id]!));

  it('lists its own violations whole and those it is a party to as a party reads them, newest first, once each', async () => {
    expect((await uc.listViolations(wealth, { limit: 100 })).items).toEqual([
      ...asParty('vio_f', 'vio_e', 'vio_b', 'vio_a'),
      byId.vio_d,
    ]);
  });

  it('keeps to the agreement asked for, in force or ended', async () => {
    expect((await uc.listViolations(wealth, { agreementId: 'agr_1', limit: 100 })).items).toEqual(
      asParty('vio_a'),
    );
    expect((await uc.listViolations(wealth, { agreementId: 'agr_5', limit: 100 })).items).toEqual(
      asParty('vio_e'),
    );
  });

  it('keeps to the service asked for', async () => {
    expect((await uc.listViolations(wealth, { serviceId: 'svc_card', limit: 100 })).items).toEqual(
      asParty('vio_b'),
    );
  });

  it('keeps to the status asked for', async () => {
    expect((await uc.listViolations(wealth, { status: 'open', limit: 100 })).items).toEqual([
      ...asParty('vio_e', 'vio_b', 'vio_a'),
      byId.vio_d,
    ]);
  });

  it('answers at most the limit, the newest', async () => {
    expect((await uc.listViolations(wealth, { limit: 2 })).items).toEqual(asParty('vio_f', 'vio_e'));
  });

  it('orders violations detected at the same time by id, last first', async () => {
    await put(byId.vio_a!, 'vio_g', 'agr_4', 9, { businessUnit: 'wealth', serviceId: 'svc_wealth' });
    await put(byId.vio_a!, 'vio_h', 'agr_1', 9);
    const ids = (await uc.listViolations(wealth, { limit: 2 })).items.map((x) => x.id);
    expect(ids).toEqual(['vio_h', 'vio_g']);
  });

  it('answers an unknown violation as absent', async () => {
    const e = await uc.getViolation(wealth, 'vio_zz').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as Error).message).toBe('no violation vio_zz');
  });

  it('shows a unit that is no party nothing', async () => {
    const treasury: Principal = party(['treasury']);
    expect((await uc.listViolations(treasury, { limit: 100 })).items).toEqual([]);
  });
});
