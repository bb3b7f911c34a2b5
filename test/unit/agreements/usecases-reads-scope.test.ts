import { describe, expect, it, vi } from 'vitest';
import {
  BusinessRuleError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../../shared/domain/errors.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import { admin, agreementWorld, manager, newId, outsider, viewer } from '../../helpers/agreement-usecases.js';
import { agreementBody, agreementVersion, principal } from '../../helpers/fixtures.js';

const rita = principal({ subject: 'rita', roles: ['sla-manager'], businessUnits: ['retail-banking'] });
const err = (p: Promise<unknown>) => p.catch((e: unknown) => e);
const notFound = (id: string) => ({
  message: `no agreement ${id}`,
  details: [{ path: 'agreementId', problem: 'names no agreement' }],
});
const forbidden = (action: string) =>
  `${action} on this agreement needs the business unit of its service in your scope (or, for sign-off, the capacity or service it needs)`;

describe('reading one agreement', () => {
  it('shows it to its unit and to the units party to it', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ status: 'active' });
    const customer = principal({ subject: 'cara', roles: ['viewer'], businessUnits: ['retail-banking'] });
    expect(await uc.get(manager, a.id)).toStrictEqual(a);
    expect(await uc.get(customer, a.id)).toStrictEqual(a);
  });

  it('answers an agreement outside the caller’s scope exactly as one that does not exist', async () => {
    const { uc, platformOla } = await agreementWorld();
    const hidden = await platformOla();
    const e1 = await err(uc.get(manager, hidden.id));
    const e2 = await err(uc.get(manager, 'agr_01MISSING0000000000'));
    expect(e1).toBeInstanceOf(NotFoundError);
    expect({ message: (e1 as NotFoundError).message, details: (e1 as NotFoundError).details }).toEqual(
      notFound(hidden.id),
    );
    expect(e2).toBeInstanceOf(NotFoundError);
    expect({ message: (e2 as NotFoundError).message, details: (e2 as NotFoundError).details }).toEqual(
      notFound('agr_01MISSING0000000000'),
    );
  });

  it('reads any past version, and says which is missing', async () => {
    const { uc, put, platformOla } = await agreementWorld();
    const a = await put();
    const v2 = await uc.update(manager, a.id, 1, { title: 'Renamed', reason: 'rename' });
    expect(await uc.getVersion(manager, a.id, 1)).toStrictEqual(a);
    expect(await uc.listVersions(manager, a.id)).toStrictEqual([a, v2]);
    const e = await err(uc.getVersion(manager, a.id, 9));
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).message).toBe(`agreement ${a.id} has no version 9`);
    expect((e as NotFoundError).details).toEqual([{ path: 'version', problem: 'no such version' }]);
    const hidden = await platformOla();
    for (const read of [uc.getVersion(manager, hidden.id, 1), uc.listVersions(manager, hidden.id)]) {
      const e2 = await err(read);
      expect(e2).toBeInstanceOf(NotFoundError);
      expect((e2 as NotFoundError).message).toBe(`no agreement ${hidden.id}`);
    }
  });

  it('loads for an action only where the caller may take it', async () => {
    const { uc, put, platformOla } = await agreementWorld();
    const a = await put();
    expect(await uc.load(viewer, 'agreement.read', a.id)).toStrictEqual(a);
    expect(await uc.load(manager, 'agreement.update', a.id)).toStrictEqual(a);
    const e = await err(uc.load(viewer, 'agreement.update', a.id));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).message).toBe(forbidden('agreement.update'));
    const hidden = await platformOla();
    expect(await err(uc.load(manager, 'agreement.update', hidden.id))).toBeInstanceOf(NotFoundError);
  });
});

describe('listing agreements', () => {
  async function listed() {
    const world = await agreementWorld();
    const list = vi.spyOn(world.agreements, 'list');
    const a = await world.put({ status: 'active' });
    const b = await world.put({ kind: 'OLA' });
    await world.platformOla();
    await world.put({ status: 'retired' });
    const c = await world.put({ businessUnit: 'retail-banking' });
    return { ...world, list, a, b, c };
  }
  const paymentsScope = { all: false, businessUnits: ['payments'], serviceIds: [], partyUnits: ['payments'] };

  it('lists what the caller’s scope holds, a page at a time', async () => {
    const { uc, list, a, b, c } = await listed();
    const first = await uc.list(manager, { limit: 2 });
    expect(first.items).toStrictEqual([a, b]);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(list.mock.calls[0]![0]).toStrictEqual({ scope: paymentsScope, limit: 2 });
    const second = await uc.list(manager, { limit: 2, cursor: first.nextCursor! });
    expect(second).toStrictEqual({ items: [c] });
    expect(list.mock.calls[1]![0]).toStrictEqual({ scope: paymentsScope, limit: 2, after: b.id });
  });

  it('passes the filters on, and refuses a cursor issued for other filters', async () => {
    const { uc, list, b } = await listed();
    expect((await uc.list(manager, { kind: 'OLA', limit: 50 })).items).toStrictEqual([b]);
    expect(list.mock.calls[0]![0]).toStrictEqual({ kind: 'OLA', scope: paymentsScope, limit: 50 });
    const { nextCursor } = await uc.list(manager, { limit: 1 });
    const e = await err(uc.list(manager, { kind: 'OLA', limit: 1, cursor: nextCursor! }));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).details).toEqual([
      { path: 'query.cursor', problem: 'was issued for different filters; start again without a cursor' },
    ]);
  });
});

describe('writes follow the service’s unit', () => {
  it('lets the unit owning the service change an agreement another unit holds, and not that unit', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ businessUnit: 'retail-banking' });
    expect(await uc.get(rita, a.id)).toStrictEqual(a);
    const e = await err(uc.update(rita, a.id, 1, { title: 'Renamed', reason: 'rename' }));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).message).toBe(forbidden('agreement.update'));
    expect((await uc.update(manager, a.id, 1, { title: 'Renamed', reason: 'rename' })).version).toBe(2);
  });

  it('falls back on the unit holding the agreement when its service is gone', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ serviceId: 'svc_gone', businessUnit: 'retail-banking' });
    // Payments is only a party now: a party reads, it does not retire.
    const e = await err(uc.retire(manager, a.id, 1, 'service gone'));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).message).toBe(forbidden('agreement.retire'));
    expect((await uc.retire(rita, a.id, 1, 'service gone')).status).toBe('retired');
  });

  it('answers a write outside the caller’s scope as not found, before any version check', async () => {
    const { uc, platformOla } = await agreementWorld();
    const hidden = await platformOla();
    const e = await err(uc.update(manager, hidden.id, 7, { title: 'Renamed', reason: 'rename' }));
    expect(e).toBeInstanceOf(NotFoundError);
    expect((e as NotFoundError).details).toEqual(notFound(hidden.id).details);
  });
});

describe('linking the underpinning chain, as far as the caller may see it', () => {
  it('reads a linked agreement outside the caller’s scope as absent', async () => {
    const { uc, put, platformOla } = await agreementWorld();
    const hidden = await platformOla();
    const a = await put();
    const e = await err(uc.update(manager, a.id, 1, { underpinnedBy: [hidden.id], reason: 'link' }));
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).details).toEqual([
      { path: 'underpinnedBy[0]', problem: 'names no agreement' },
    ]);
    expect((await uc.update(admin, a.id, 1, { underpinnedBy: [hidden.id], reason: 'link' })).version).toBe(2);
  });

  async function loop() {
    const world = await agreementWorld();
    const a = await world.put({ kind: 'OLA' });
    const x = await world.platformOla({ underpinnedBy: [a.id] });
    const b = await world.put({ kind: 'OLA', status: 'active', underpinnedBy: [x.id] });
    const c = await world.put({ kind: 'OLA', status: 'active' });
    return { ...world, a, b, c, x };
  }

  it('names a cycle the link would close, hiding the agreements outside the caller’s scope', async () => {
    const { uc, a, b, c, x } = await loop();
    const e = await err(uc.update(manager, a.id, 1, { underpinnedBy: [c.id, b.id], reason: 'link' }));
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).details).toEqual([
      {
        path: 'underpinnedBy[1]',
        problem: `would close a cycle in the underpinning chain: ${a.id} → ${b.id} → an agreement outside your scope → ${a.id}`,
      },
    ]);
    const e2 = await err(uc.update(admin, a.id, 1, { underpinnedBy: [c.id, b.id], reason: 'link' }));
    expect((e2 as BusinessRuleError).details).toEqual([
      {
        path: 'underpinnedBy[1]',
        problem: `would close a cycle in the underpinning chain: ${a.id} → ${b.id} → ${x.id} → ${a.id}`,
      },
    ]);
  });

  it('reports a link to nothing without looking for cycles', async () => {
    const { uc, a, b } = await loop();
    const e = await err(
      uc.update(manager, a.id, 1, { underpinnedBy: [b.id, 'agr_01MISSING0000000000'], reason: 'link' }),
    );
    expect((e as BusinessRuleError).details).toEqual([
      { path: 'underpinnedBy[1]', problem: 'names no agreement' },
    ]);
  });

  it('names a new draft itself in the cycle it would close', async () => {
    const { uc, put } = await agreementWorld();
    // Written before the draft existed, naming the id it is about to get.
    const b = await put({ kind: 'OLA', status: 'active', underpinnedBy: [newId(1)] });
    const e = await err(uc.create(manager, agreementBody({ kind: 'OLA', underpinnedBy: [b.id] })));
    expect(e).toBeInstanceOf(BusinessRuleError);
    expect((e as BusinessRuleError).details).toEqual([
      {
        path: 'underpinnedBy[0]',
        problem: `would close a cycle in the underpinning chain: ${newId(1)} → ${b.id} → ${newId(1)}`,
      },
    ]);
  });

  it('names the new draft even when its own parties would keep it from the caller', async () => {
    const { uc, put } = await agreementWorld();
    const b = await put({ kind: 'OLA', status: 'active', underpinnedBy: [newId(1)] });
    const body = agreementBody({
      kind: 'OLA',
      businessUnit: 'platform',
      parties: {
        provider: { type: 'business-unit', businessUnit: 'platform' },
        customer: { type: 'business-unit', businessUnit: 'retail-banking' },
      },
      underpinnedBy: [b.id],
    });
    const e = await err(uc.create(manager, body));
    expect((e as BusinessRuleError).details).toEqual([
      {
        path: 'parties',
        problem:
          "the business unit of the agreement's service must be one of its parties (the provider of an SLA or OLA, the customer of a UC)",
      },
      {
        path: 'underpinnedBy[0]',
        problem: `would close a cycle in the underpinning chain: ${newId(1)} → ${b.id} → ${newId(1)}`,
      },
    ]);
  });

  it('walks a cycle already stored below the link once, and links', async () => {
    const { uc, agreements, put } = await agreementWorld();
    // Two OLAs resting on each other, written before links were checked.
    const x = await put({ kind: 'OLA', status: 'active' });
    const y = await put({ kind: 'OLA', status: 'active', underpinnedBy: [x.id] });
    await agreements.append({ ...x, version: 2, underpinnedBy: [y.id] } as AgreementVersion);
    const made = await uc.create(manager, agreementBody({ underpinnedBy: [x.id] }));
    expect(made.underpinnedBy).toEqual([x.id]);
  });
});

describe('the walk below a link', () => {
  it('stops after 100,000 agreements, however far the chain goes', async () => {
    const { uc, agreements, put } = await agreementWorld();
    const a = await put();
    // Endless chains of OLAs, a hundred side by side under one, numbered in the order a breadth-first walk meets
    // them; the 100,001st of them rests on the draft being linked, closing a cycle the walk does not go that far for.
    const root = agreementVersion({ id: 'agr_N0000000000', kind: 'OLA', status: 'active' });
    const node = (i: number) => `agr_N${String(i).padStart(10, '0')}`;
    const stored = agreements.get.bind(agreements);
    agreements.get = async (id: string) => {
      if (!id.startsWith('agr_N')) return stored(id);
      const i = Number(id.slice(5));
      if (i === 0) return { ...root, underpinnedBy: Array.from({ length: 100 }, (_, k) => node(k + 1)) };
      return { underpinnedBy: i === 100_000 ? [a.id] : [node(i + 100)] } as AgreementVersion;
    };
    const v2 = await uc.update(manager, a.id, 1, { underpinnedBy: [root.id], reason: 'link' });
    expect(v2.underpinnedBy).toEqual([root.id]);
    // About 0.3 s on an idle machine: 100,000 loads; a loaded one needs more than the default 5 s.
  }, 30_000);
});

describe('a master agreement’s version in force', () => {
  it('is its current version when active or never active, else its latest active one', async () => {
    const { uc, history } = await agreementWorld();
    const master = (status: AgreementVersion['status'], title: string): Partial<AgreementVersion> => ({
      status,
      title,
      objectives: [],
      module: { role: 'master', caps: {} },
    });
    expect(await uc.masterInForce('agr_01MISSING0000000000')).toBeUndefined();
    const active = await history(master('active', 'first'), master('active', 'second'));
    expect(await uc.masterInForce(active.id)).toStrictEqual({ inForce: active, current: active });
    const draft = await history(master('draft', 'first'));
    expect(await uc.masterInForce(draft.id)).toStrictEqual({ inForce: draft, current: draft });
    const amended = await history(
      master('active', 'first'),
      master('active', 'second'),
      master('active', 'third'),
      master('submitted', 'fourth'),
    );
    const inForce = await uc.masterInForce(amended.id);
    expect(inForce?.current).toStrictEqual(amended);
    expect(inForce?.inForce.title).toBe('third');
    expect(inForce?.inForce.version).toBe(3);
  });
});

describe('a caller with no grant', () => {
  it('is refused every write on what it may read', async () => {
    const { uc, put } = await agreementWorld();
    const a = await put({ status: 'submitted' });
    const e = await err(uc.withdraw(viewer, a.id, 1, 'wait'));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).message).toBe(forbidden('agreement.withdraw'));
    expect(await err(uc.withdraw(outsider, a.id, 1, 'wait'))).toBeInstanceOf(NotFoundError);
  });
});
