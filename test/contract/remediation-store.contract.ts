import { beforeEach, describe, expect, it } from 'vitest';
import type { RemediationRecord, RemediationStore } from '../../shared/ports/remediation.js';

const rec = (over: Partial<RemediationRecord> = {}): RemediationRecord => ({
  violationId: 'vio_1',
  agreementId: 'agr_1',
  objectiveId: 'availability',
  serviceId: 'svc_cards',
  businessUnit: 'payments',
  severity: 'major',
  status: 'rca-due',
  owner: { name: 'Owen', email: 'owen@accord.local' },
  rcaDueAt: '2026-03-07T09:00:00.000Z',
  rcaExternalRef: 'RCA-1',
  capa: [],
  escalations: [],
  history: [{ at: '2026-03-02T09:00:00.000Z', step: 'opened', by: 'system', detail: 'violation opened' }],
  createdAt: '2026-03-02T09:00:00.000Z',
  revision: 0,
  ...over,
});

export function remediationStoreContract(
  name: string,
  make: () => Promise<RemediationStore> | RemediationStore,
): void {
  describe(`RemediationStore contract: ${name}`, () => {
    let store: RemediationStore;
    beforeEach(async () => {
      store = await make();
    });

    it('creates a record once at revision 1; a second create loses', async () => {
      expect(await store.put(rec(), 0)).toBe(true);
      expect(await store.put(rec({ severity: 'critical' }), 0)).toBe(false);
      expect(await store.get('vio_1')).toMatchObject({ severity: 'major', revision: 1 });
      expect(await store.get('vio_other')).toBeUndefined();
    });

    it('replaces a record only from the revision it read, keeping every history step written', async () => {
      await store.put(rec(), 0);
      const r = (await store.get('vio_1'))!;
      const next = {
        ...r,
        status: 'capa' as const,
        history: [
          ...r.history,
          { at: '2026-03-03T09:00:00.000Z', step: 'rca-submitted', by: 'owen', detail: 'root cause found' },
        ],
      };
      expect(await store.put(next, 1)).toBe(true);
      expect(await store.put({ ...r, status: 'closed' }, 1)).toBe(false);
      expect(await store.get('vio_1')).toMatchObject({
        status: 'capa',
        revision: 2,
        history: [{ step: 'opened' }, { step: 'rca-submitted' }],
      });
    });
  });
}
