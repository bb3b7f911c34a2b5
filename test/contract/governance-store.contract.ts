import { beforeEach, describe, expect, it } from 'vitest';
import type {
  ChangeRequestRecord,
  FreezeExceptionRecord,
  GovernanceRequestStore,
} from '../../shared/ports/governance.js';

const change = (over: Partial<ChangeRequestRecord> = {}): ChangeRequestRecord => ({
  kind: 'change-request',
  id: 'chg_1',
  agreementId: 'agr_1',
  serviceId: 'svc_cards',
  businessUnit: 'payments',
  baseVersion: 4,
  requestedBy: 'vera',
  requestedAt: '2026-03-02T09:00:00.000Z',
  source: 'api',
  summary: 'Lower the availability target',
  why: 'the RCA found the target unrealistic',
  proposed: { title: 'Cards API SLA' },
  classification: { administrative: ['title'], material: [] },
  status: 'assessing',
  requiredSignOffs: [],
  signOffs: [],
  history: [{ at: '2026-03-02T09:00:00.000Z', step: 'requested', by: 'vera', detail: 'requested' }],
  revision: 0,
  ...over,
});

const freeze = (over: Partial<FreezeExceptionRecord> = {}): FreezeExceptionRecord => ({
  kind: 'freeze-exception',
  id: 'frx_1',
  serviceId: 'svc_cards',
  businessUnit: 'payments',
  from: '2026-03-02T10:00:00.000Z',
  to: '2026-03-02T14:00:00.000Z',
  reason: 'security fix',
  change: 'release 4.2.1',
  requestedBy: 'olga',
  requestedAt: '2026-03-02T09:30:00.000Z',
  status: 'pending',
  taskId: 'tsk_1',
  history: [],
  revision: 0,
  ...over,
});

export function governanceStoreContract(
  name: string,
  make: () => Promise<GovernanceRequestStore> | GovernanceRequestStore,
): void {
  describe(`GovernanceRequestStore contract: ${name}`, () => {
    let store: GovernanceRequestStore;
    beforeEach(async () => {
      store = await make();
    });

    it('creates a request once at revision 1; a second create of the same id loses', async () => {
      expect(await store.put(change(), 0)).toBe(true);
      expect(await store.put(change({ summary: 'other' }), 0)).toBe(false);
      expect(await store.get('chg_1')).toMatchObject({
        summary: 'Lower the availability target',
        revision: 1,
      });
      expect(await store.get('chg_none')).toBeUndefined();
    });

    it('replaces a request only from the revision it read', async () => {
      await store.put(change(), 0);
      const r = (await store.get('chg_1')) as ChangeRequestRecord;
      expect(await store.put({ ...r, status: 'signing' }, 1)).toBe(true);
      expect(await store.put({ ...r, status: 'rejected' }, 1)).toBe(false);
      expect(await store.get('chg_1')).toMatchObject({ status: 'signing', revision: 2 });
    });

    it('lists the requests about one subject oldest first, change requests by agreement and exceptions by service', async () => {
      await store.put(change({ id: 'chg_2', requestedAt: '2026-03-03T09:00:00.000Z' }), 0);
      await store.put(change(), 0);
      await store.put(change({ id: 'chg_3', agreementId: 'agr_other' }), 0);
      await store.put(freeze(), 0);
      const r = (await store.get('chg_2'))!;
      await store.put({ ...r, status: 'applied' } as ChangeRequestRecord, 1);
      const byAgreement = await store.listBySubject('agr_1');
      expect(byAgreement.map((x) => [x.id, x.status, x.revision])).toEqual([
        ['chg_1', 'assessing', 1],
        ['chg_2', 'applied', 2],
      ]);
      expect((await store.listBySubject('svc_cards')).map((x) => x.id)).toEqual(['frx_1']);
      expect(await store.listBySubject('agr_none')).toEqual([]);
    });
  });
}
