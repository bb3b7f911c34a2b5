import { beforeEach, describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../shared/domain/objectives/types.js';
import type { ViolationRecord, ViolationStore } from '../../shared/ports/objectives.js';

const evidence = { compliance: 98.5, target: 99 } as unknown as EvaluationResult;

const violation = (id: string, over: Partial<ViolationRecord> = {}): ViolationRecord => ({
  id,
  key: `agr_0000000001/avail/${id}`,
  agreementId: 'agr_0000000001',
  agreementVersion: 1,
  objectiveId: 'avail',
  serviceId: 'svc_pay',
  businessUnit: 'retail',
  tier: 2,
  status: 'open',
  severity: 'major',
  severityReason: 'a tier-2 service missed its objective',
  detectedAt: '2026-01-02T00:00:00.000Z',
  lastEvaluatedAt: '2026-01-02T00:00:00.000Z',
  evidence,
  escalation: [],
  disputes: [],
  ...over,
});

export function violationStoreContract(name: string, make: () => ViolationStore): void {
  describe(`ViolationStore contract: ${name}`, () => {
    let store: ViolationStore;
    beforeEach(() => {
      store = make();
    });

    it('records a violation once: recording the same key again answers the first one', async () => {
      const first = await store.record(violation('vio_1', { key: 'k1' }));
      const again = await store.record(violation('vio_2', { key: 'k1', severity: 'critical' }));
      expect(first.created).toBe(true);
      expect(again).toMatchObject({ created: false, violation: { id: 'vio_1', severity: 'major' } });
      expect(await store.list({})).toHaveLength(1);
    });

    it('keeps the evidence, escalation, credit and disputes as recorded', async () => {
      const v = violation('vio_1', {
        escalation: [
          {
            level: 1,
            role: 'owner',
            who: { name: 'A', email: 'a@example.com' },
            by: '2026-01-02T00:30:00.000Z',
            source: 'agreement',
          },
        ],
        disputes: [
          {
            id: 'dsp_1',
            raisedBy: 'c@example.com',
            raisedAt: '2026-01-03T00:00:00.000Z',
            reason: 'outage was ours',
            status: 'open',
          },
        ],
      });
      await store.record(v);
      expect(await store.get('vio_1')).toEqual(v);
    });

    it('updates a violation in place and finds the open one of an objective', async () => {
      await store.record(violation('vio_1'));
      expect((await store.findOpen('agr_0000000001', 'avail'))?.id).toBe('vio_1');
      await store.update(violation('vio_1', { status: 'resolved', resolvedAt: '2026-01-04T00:00:00.000Z' }));
      expect(await store.findOpen('agr_0000000001', 'avail')).toBeUndefined();
      expect((await store.get('vio_1'))?.status).toBe('resolved');
    });

    it('refuses to update a violation that does not exist', async () => {
      await expect(store.update(violation('vio_404'))).rejects.toMatchObject({ code: 'not_found' });
    });

    it('updates several violations at once, and none when one of them does not exist', async () => {
      await store.record(violation('vio_1', { key: 'k1' }));
      await store.record(violation('vio_2', { key: 'k2' }));
      await store.updateMany([
        violation('vio_1', { key: 'k1', severity: 'minor' }),
        violation('vio_2', { key: 'k2', severity: 'critical' }),
      ]);
      expect((await store.list({})).map((v) => [v.id, v.severity]).sort()).toEqual([
        ['vio_1', 'minor'],
        ['vio_2', 'critical'],
      ]);
      await expect(
        store.updateMany([
          violation('vio_1', { key: 'k1', severity: 'major' }),
          violation('vio_404', { key: 'k4' }),
        ]),
      ).rejects.toMatchObject({ code: 'not_found' });
      expect((await store.get('vio_1'))?.severity).toBe('minor');
    });

    it('filters by service, severity, status and detection time, newest first', async () => {
      await store.record(violation('vio_1', { detectedAt: '2026-01-01T00:00:00.000Z' }));
      await store.record(
        violation('vio_2', { detectedAt: '2026-01-03T00:00:00.000Z', severity: 'critical' }),
      );
      await store.record(
        violation('vio_3', {
          detectedAt: '2026-01-02T00:00:00.000Z',
          serviceId: 'svc_other',
          businessUnit: 'hr',
        }),
      );
      await store.record(violation('vio_4', { detectedAt: '2026-01-04T00:00:00.000Z', status: 'resolved' }));
      expect((await store.list({})).map((v) => v.id)).toEqual(['vio_4', 'vio_2', 'vio_3', 'vio_1']);
      expect((await store.list({ serviceId: 'svc_pay', status: 'open' })).map((v) => v.id)).toEqual([
        'vio_2',
        'vio_1',
      ]);
      expect((await store.list({ severity: 'critical' })).map((v) => v.id)).toEqual(['vio_2']);
      expect(
        (await store.list({ from: '2026-01-02T00:00:00.000Z', to: '2026-01-04T00:00:00.000Z' })).map(
          (v) => v.id,
        ),
      ).toEqual(['vio_2', 'vio_3']);
      expect(
        (await store.list({ scope: { businessUnits: ['hr'], serviceIds: [] } })).map((v) => v.id),
      ).toEqual(['vio_3']);
      expect(await store.list({ limit: 2 })).toHaveLength(2);
    });
  });
}
