import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/domain/errors.js';
import type { ServiceReview, ServiceReviewStore } from '../../shared/ports/reviews.js';

const review = (id: string, agreementId: string, date: string, recordedAt: string): ServiceReview => ({
  id,
  agreementId,
  date,
  attendees: [{ name: 'Pat Provider', email: 'pat@vendor.example', party: 'provider' }],
  findings: ['March availability 99.2% against 99.9%'],
  actions: [
    {
      id: 'act-1',
      description: 'Send a remediation plan',
      owner: { name: 'Pat Provider', email: 'pat@vendor.example' },
      dueDate: '2027-04-30',
      taskId: `tsk_${id}`,
    },
  ],
  recordedAt,
  recordedBy: 'sam',
  reason: 'quarterly review',
});

/** The ServiceReviewStore contract, passed by every adapter. */
export function serviceReviewStoreContract(
  name: string,
  make: () => Promise<ServiceReviewStore> | ServiceReviewStore,
) {
  describe(`ServiceReviewStore contract: ${name}`, () => {
    it('keeps a review whole and lists an agreement’s reviews, the latest review date first', async () => {
      const s = await make();
      const a = review('rev_a', 'agr_01UC0000000000000001', '2027-01-15', '2027-01-16T09:00:00.000Z');
      await s.create(a);
      await s.create(review('rev_b', 'agr_01UC0000000000000001', '2027-04-10', '2027-04-10T15:00:00.000Z'));
      await s.create(review('rev_c', 'agr_01UC0000000000000002', '2027-02-01', '2027-02-01T10:00:00.000Z'));
      expect(await s.get('rev_a')).toEqual(a);
      expect((await s.list('agr_01UC0000000000000001')).map((r) => r.id)).toEqual(['rev_b', 'rev_a']);
      expect(await s.list('agr_01UC0000000000000009')).toEqual([]);
      expect(await s.get('rev_none')).toBeUndefined();
    });

    it('refuses a second review with the same id and keeps the first', async () => {
      const s = await make();
      const a = review('rev_d', 'agr_01UC0000000000000001', '2027-01-15', '2027-01-16T09:00:00.000Z');
      await s.create(a);
      await expect(s.create({ ...a, findings: ['rewritten'] })).rejects.toBeInstanceOf(ConflictError);
      expect((await s.get('rev_d'))!.findings).toEqual(a.findings);
      expect(await s.list('agr_01UC0000000000000001')).toHaveLength(1);
    });
  });
}
