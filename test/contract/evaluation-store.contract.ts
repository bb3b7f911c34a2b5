import { beforeEach, describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../shared/domain/objectives/types.js';
import type { EvaluationStore } from '../../shared/ports/objectives.js';

const result = (
  objectiveId: string,
  at: string,
  remaining: number,
  over: Partial<EvaluationResult> = {},
): EvaluationResult =>
  ({
    agreementId: 'agr_0000000001',
    agreementVersion: 1,
    objectiveId,
    serviceId: 'svc_pay',
    businessUnit: 'retail',
    sliKey: 'svc_pay/availability',
    evaluatedAt: at,
    method: 'occurrences',
    target: 99,
    data: { goodEvents: 99, totalEvents: 100, coverage: 1, empty: false },
    compliance: 99,
    budget: {
      unit: 'events',
      total: 1,
      consumed: 1 - remaining,
      remaining,
      consumedRatio: 1 - remaining,
      remainingRatio: remaining,
      minutes: { total: 10, consumed: 10 * (1 - remaining), remaining: 10 * remaining },
    },
    burnRates: [
      {
        name: 'page-fast',
        action: 'page',
        threshold: 14.4,
        long: { minutes: 60, burnRate: 2 },
        short: { minutes: 5, burnRate: 1 },
        firing: false,
      },
    ],
    forecast: null,
    status: 'healthy',
    reasons: [],
    ...over,
  }) as EvaluationResult;

export function evaluationStoreContract(name: string, make: () => EvaluationStore): void {
  describe(`EvaluationStore contract: ${name}`, () => {
    let store: EvaluationStore;
    beforeEach(() => {
      store = make();
    });

    it('keeps the latest result per objective', async () => {
      await store.save([
        result('a', '2026-01-01T00:00:00.000Z', 0.9),
        result('b', '2026-01-01T00:00:00.000Z', 0.8),
      ]);
      await store.save([result('a', '2026-01-01T00:05:00.000Z', 0.7, { status: 'at-risk' })]);
      const latest = await store.latest({ agreementId: 'agr_0000000001' });
      expect(latest.map((r) => [r.objectiveId, r.evaluatedAt, r.status])).toEqual([
        ['a', '2026-01-01T00:05:00.000Z', 'at-risk'],
        ['b', '2026-01-01T00:00:00.000Z', 'healthy'],
      ]);
      expect(await store.latest({ serviceId: 'svc_none' })).toEqual([]);
      expect((await store.latest({ objectiveId: 'b' })).length).toBe(1);
    });

    it('prunes history points older than an instant and keeps the latest results (when it prunes)', async () => {
      if (!store.pruneHistory) return; // a backend with its own expiry (TTL)
      await store.save([result('a', '2026-01-01T00:00:00.000Z', 0.9)]);
      await store.save([result('a', '2026-01-02T00:00:00.000Z', 0.8)]);
      expect(await store.pruneHistory('2026-01-02T00:00:00.000Z')).toBe(1);
      const h = await store.history(
        'agr_0000000001',
        'a',
        '2025-12-01T00:00:00.000Z',
        '2026-02-01T00:00:00.000Z',
      );
      expect(h.map((p) => p.at)).toEqual(['2026-01-02T00:00:00.000Z']);
      expect(await store.latest({ objectiveId: 'a' })).toHaveLength(1);
    });

    it('answers the budget history of an objective as a time series, once per instant', async () => {
      await store.save([result('a', '2026-01-01T00:05:00.000Z', 0.7)]);
      await store.save([result('a', '2026-01-01T00:00:00.000Z', 0.9)]);
      await store.save([result('a', '2026-01-01T00:05:00.000Z', 0.6)]);
      await store.save([result('a', '2026-01-01T00:10:00.000Z', 0.5)]);
      const h = await store.history(
        'agr_0000000001',
        'a',
        '2026-01-01T00:00:00.000Z',
        '2026-01-01T00:10:00.000Z',
      );
      expect(h.map((p) => [p.at, p.budgetRemainingRatio, p.maxBurnRate])).toEqual([
        ['2026-01-01T00:00:00.000Z', 0.9, 2],
        ['2026-01-01T00:05:00.000Z', 0.6, 2],
      ]);
    });
  });
}
