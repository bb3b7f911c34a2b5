import { describe, expect, it } from 'vitest';
import { chainView } from '../../shared/domain/chain/graph.js';
import { ConflictError, VersionConflictError } from '../../shared/domain/errors.js';
import type { AgreementStore } from '../../shared/ports/agreements.js';
import { agreementVersion } from '../helpers/fixtures.js';

const ALL = { all: true } as const;

/** The AgreementStore contract: every adapter (SQLite, DynamoDB, the in-memory fake) passes it. */
export function agreementStoreContract(
  name: string,
  make: () => Promise<AgreementStore> | AgreementStore,
): void {
  describe(`AgreementStore contract: ${name}`, () => {
    it('returns the version it stored, field for field', async () => {
      const store = await make();
      const a = agreementVersion();
      await store.create(a);
      expect(await store.get(a.id)).toEqual(a);
      expect(await store.getVersion(a.id, 1)).toEqual(a);
    });

    it('refuses to create the same id twice', async () => {
      const store = await make();
      const a = agreementVersion();
      await store.create(a);
      await expect(store.create(a)).rejects.toBeInstanceOf(ConflictError);
    });

    it('returns undefined for an unknown id or version', async () => {
      const store = await make();
      expect(await store.get('agr_01JNOPE00000000000')).toBeUndefined();
      const a = agreementVersion();
      await store.create(a);
      expect(await store.getVersion(a.id, 2)).toBeUndefined();
    });

    it('appends versions and keeps every earlier one readable and unchanged', async () => {
      const store = await make();
      const v1 = agreementVersion();
      await store.create(v1);
      const v2 = { ...v1, version: 2, title: 'Renamed', change: 'update', reason: 'rename' };
      const v3 = { ...v2, version: 3, status: 'submitted' as const, change: 'submit', reason: 'ready' };
      await store.append(v2);
      await store.append(v3);
      expect(await store.get(v1.id)).toEqual(v3);
      expect(await store.getVersion(v1.id, 1)).toEqual(v1);
      expect((await store.listVersions(v1.id)).map((v) => v.version)).toEqual([1, 2, 3]);
    });

    it('refuses a stale append with a version conflict that carries the current version', async () => {
      const store = await make();
      const v1 = agreementVersion();
      await store.create(v1);
      await store.append({ ...v1, version: 2, title: 'First writer' });
      const err = await store.append({ ...v1, version: 2, title: 'Second writer' }).catch((e) => e);
      expect(err).toBeInstanceOf(VersionConflictError);
      expect((err as VersionConflictError).current).toMatchObject({ version: 2, title: 'First writer' });
      expect((await store.get(v1.id))?.title).toBe('First writer');
    });

    it('lets exactly one of two concurrent writers of the same version win', async () => {
      const store = await make();
      const v1 = agreementVersion();
      await store.create(v1);
      const results = await Promise.allSettled([
        store.append({ ...v1, version: 2, title: 'A' }),
        store.append({ ...v1, version: 2, title: 'B' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((await store.listVersions(v1.id)).map((v) => v.version)).toEqual([1, 2]);
    });

    it('filters by service, business unit, status, kind, renewal and expiry date ranges', async () => {
      const store = await make();
      const a = agreementVersion({
        serviceId: 'svc_a',
        businessUnit: 'bu-one',
        status: 'active',
        kind: 'SLA',
        effectiveTo: '2027-03-31',
        renewal: { renewalDate: '2027-01-31', noticeDays: 60, autoRenew: false },
      });
      const b = agreementVersion({
        serviceId: 'svc_b',
        businessUnit: 'bu-two',
        status: 'draft',
        kind: 'OLA',
        effectiveTo: '2027-09-30',
      });
      const c = agreementVersion({
        serviceId: 'svc_a',
        businessUnit: 'bu-two',
        status: 'active',
        kind: 'UC',
        effectiveTo: '2028-01-31',
        renewal: { renewalDate: '2027-10-31', noticeDays: 90, autoRenew: true },
      });
      for (const x of [a, b, c]) await store.create(x);
      const ids = async (q: Parameters<AgreementStore['list']>[0]) =>
        (await store.list(q)).items.map((x) => x.id);
      expect(await ids({ scope: ALL, limit: 10, serviceId: 'svc_a' })).toEqual([a.id, c.id]);
      expect(await ids({ scope: ALL, limit: 10, businessUnit: 'bu-two' })).toEqual([b.id, c.id]);
      expect(await ids({ scope: ALL, limit: 10, status: 'active' })).toEqual([a.id, c.id]);
      expect(await ids({ scope: ALL, limit: 10, kind: 'OLA' })).toEqual([b.id]);
      expect(
        await ids({ scope: ALL, limit: 10, renewalFrom: '2027-01-01', renewalTo: '2027-06-30' }),
      ).toEqual([a.id]);
      expect(await ids({ scope: ALL, limit: 10, expiryFrom: '2027-06-01' })).toEqual([b.id, c.id]);
      expect(await ids({ scope: ALL, limit: 10, expiryTo: '2027-12-31', businessUnit: 'bu-two' })).toEqual([
        b.id,
      ]);
    });

    it('lists an agreement by what its latest version says after appends that change some filter fields and not others', async () => {
      const store = await make();
      const v1 = agreementVersion({
        serviceId: 'svc_a',
        businessUnit: 'bu-one',
        status: 'draft',
        effectiveTo: '2027-03-31',
        renewal: { renewalDate: '2027-01-31', noticeDays: 60, autoRenew: false },
      });
      await store.create(v1);
      const v2 = { ...v1, version: 2, status: 'submitted' as const }; // status only
      await store.append(v2);
      const v3 = { ...v2, version: 3, title: 'Renamed' }; // no filter field
      await store.append(v3);
      const { renewal: _gone, ...rest } = v3;
      const v4 = { ...rest, version: 4, serviceId: 'svc_b', effectiveTo: '2028-06-30' }; // service, expiry, renewal
      await store.append(v4);
      const ids = async (q: Omit<Parameters<AgreementStore['list']>[0], 'scope' | 'limit'>) =>
        (await store.list({ scope: ALL, limit: 10, ...q })).items.map((x) => x.id);
      expect(await ids({ status: 'submitted', serviceId: 'svc_b', businessUnit: 'bu-one' })).toEqual([v1.id]);
      expect(await ids({ status: 'draft' })).toEqual([]);
      expect(await ids({ serviceId: 'svc_a' })).toEqual([]);
      expect(await ids({ renewalFrom: '2027-01-01' })).toEqual([]);
      expect(await ids({ expiryFrom: '2028-01-01', expiryTo: '2028-12-31' })).toEqual([v1.id]);
      expect((await store.list({ scope: ALL, limit: 10, status: 'submitted' })).items).toEqual([v4]);
    });

    it('restricts a list to the caller scope: any of its business units or services', async () => {
      const store = await make();
      const a = agreementVersion({ serviceId: 'svc_a', businessUnit: 'bu-one' });
      const b = agreementVersion({ serviceId: 'svc_b', businessUnit: 'bu-two' });
      const c = agreementVersion({ serviceId: 'svc_c', businessUnit: 'bu-three' });
      for (const x of [a, b, c]) await store.create(x);
      const page = await store.list({
        scope: { all: false, businessUnits: ['bu-one'], serviceIds: ['svc_c'] },
        limit: 10,
      });
      expect(page.items.map((x) => x.id)).toEqual([a.id, c.id]);
      const none = await store.list({ scope: { all: false, businessUnits: [], serviceIds: [] }, limit: 10 });
      expect(none.items).toEqual([]);
    });

    it('lists for a business unit the agreements it is a party to (scope.partyUnits), following a change of parties', async () => {
      const store = await make();
      const parties = (provider: string, customer: string) => ({
        provider: { type: 'business-unit' as const, businessUnit: provider },
        customer: { type: 'business-unit' as const, businessUnit: customer },
      });
      const consumed = agreementVersion({ businessUnit: 'payments', parties: parties('payments', 'retail') });
      const other = agreementVersion({ businessUnit: 'payments', parties: parties('payments', 'wealth') });
      const held = agreementVersion({ businessUnit: 'retail', parties: parties('retail', 'wealth') });
      for (const x of [consumed, other, held]) await store.create(x);
      const asRetail = {
        all: false as const,
        businessUnits: ['retail'],
        serviceIds: [],
        partyUnits: ['retail'],
      };
      expect((await store.list({ scope: asRetail, limit: 10 })).items.map((x) => x.id)).toEqual([
        consumed.id,
        held.id,
      ]);
      // Without party reach (another action), only what the unit holds.
      const holdOnly = { all: false as const, businessUnits: ['retail'], serviceIds: [] };
      expect((await store.list({ scope: holdOnly, limit: 10 })).items.map((x) => x.id)).toEqual([held.id]);
      // The explicit businessUnit filter means "held by"; the scope still decides what may be seen.
      expect(
        (await store.list({ scope: asRetail, businessUnit: 'payments', limit: 10 })).items.map((x) => x.id),
      ).toEqual([consumed.id]);
      // The customer changes: the old customer no longer sees it, the new one does, exactly once.
      await store.append({ ...consumed, version: 2, parties: parties('payments', 'wealth') });
      expect((await store.list({ scope: asRetail, limit: 10 })).items.map((x) => x.id)).toEqual([held.id]);
      const asWealth = {
        all: false as const,
        businessUnits: ['wealth'],
        serviceIds: [],
        partyUnits: ['wealth'],
      };
      expect((await store.list({ scope: asWealth, limit: 10 })).items.map((x) => x.id)).toEqual([
        consumed.id,
        other.id,
        held.id,
      ]);
    });

    it('leaves retired agreements out of lists unless asked for them', async () => {
      const store = await make();
      const a = agreementVersion();
      await store.create(a);
      await store.append({ ...a, version: 2, status: 'retired' });
      expect((await store.list({ scope: ALL, limit: 10 })).items).toEqual([]);
      expect((await store.list({ scope: ALL, limit: 10, status: 'retired' })).items.map((x) => x.id)).toEqual(
        [a.id],
      );
    });

    it('pages in id order with no duplicates or gaps while others insert', async () => {
      const store = await make();
      const created: string[] = [];
      for (let i = 0; i < 7; i++) {
        const x = agreementVersion();
        await store.create(x);
        created.push(x.id);
      }
      const seen: string[] = [];
      let after: string | undefined;
      for (let round = 0; round < 10; round++) {
        const page = await store.list({ scope: ALL, limit: 3, ...(after ? { after } : {}) });
        seen.push(...page.items.map((x) => x.id));
        const late = agreementVersion();
        await store.create(late);
        created.push(late.id);
        if (!page.lastKey) break;
        after = page.lastKey;
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(created.slice(0, seen.length));
      expect(seen.length).toBeGreaterThanOrEqual(7);
    });

    it('says a page is the last by giving no lastKey', async () => {
      const store = await make();
      for (let i = 0; i < 3; i++) await store.create(agreementVersion());
      const full = await store.list({ scope: ALL, limit: 3 });
      expect(full.items).toHaveLength(3);
      expect(full.lastKey).toBeUndefined();
      const partial = await store.list({ scope: ALL, limit: 2 });
      expect(partial.lastKey).toBe(partial.items[1]!.id);
    });

    it('finds the live agreements that an OLA or UC underpins, and forgets a link once removed', async () => {
      const store = await make();
      const ola = agreementVersion({ kind: 'OLA' });
      const uc = agreementVersion({ kind: 'UC' });
      await store.create(ola);
      await store.create(uc);
      const sla = agreementVersion({ kind: 'SLA', underpinnedBy: [ola.id, uc.id] });
      await store.create(sla);
      expect((await store.dependants(ola.id)).map((d) => d.id)).toEqual([sla.id]);
      await store.append({ ...sla, version: 2, underpinnedBy: [uc.id] });
      expect(await store.dependants(ola.id)).toEqual([]);
      expect((await store.dependants(uc.id)).map((d) => d.version)).toEqual([2]);
      await store.append({ ...sla, version: 3, underpinnedBy: [uc.id], status: 'retired' });
      expect(await store.dependants(uc.id)).toEqual([]);
    });

    it("answers the chain's projection of every current agreement but the retired, in id order, after each write", async () => {
      const store = await make();
      const uc = agreementVersion({ kind: 'UC' });
      const ola = agreementVersion({ kind: 'OLA', underpinnedBy: [uc.id] });
      const old = agreementVersion({ kind: 'OLA' });
      for (const a of [uc, ola, old]) await store.create(a);
      const ola2 = {
        ...ola,
        version: 2,
        change: 'update',
        underpinning: [
          {
            objectiveId: ola.objectives[0]!.id,
            agreementId: uc.id,
            mode: 'serial' as const,
            handoffMinutes: 15,
          },
        ],
      };
      await store.append(ola2);
      await store.append({ ...old, version: 2, status: 'retired' as const });
      const views = await store.chainViews();
      expect(views.map((v) => v.id)).toEqual([uc.id, ola.id].sort());
      expect(views.find((v) => v.id === ola.id)).toEqual(chainView(ola2));
      expect(views.find((v) => v.id === uc.id)).toEqual(chainView(uc));
      // The projection carries what the chain reads and not the rest of the document.
      expect(views[0]).not.toHaveProperty('scope');
      expect(views[0]!.objectives[0]).not.toHaveProperty('owner');
    });
  });
}
