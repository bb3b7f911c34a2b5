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

/**
 * How a backend drops old budget history. `prunes`: it offers `pruneHistory`, which the retention job calls.
 * `expires`: the backend deletes items itself once an expiry attribute has passed (a DynamoDB TTL), so the
 * contract checks what that deletion relies on: the expiry written on every history point, none on the latest
 * results, and the TTL switched on for that attribute.
 */
export type HistoryRetention =
  | { kind: 'prunes' }
  | {
      kind: 'expires';
      /** Days a history point is kept after its instant. */
      days: number;
      /** The expiry (epoch seconds) stored on the last made store's history point, or undefined if none. */
      historyExpiry(agreementId: string, objectiveId: string, at: string): Promise<number | undefined>;
      /** The expiry stored on the last made store's latest result, or undefined if none. */
      latestExpiry(agreementId: string, objectiveId: string): Promise<number | undefined>;
      /** The attribute the backend's expiry is switched on for, or undefined when it is off. */
      expiryAttribute(): Promise<string | undefined>;
    };

export function evaluationStoreContract(
  name: string,
  make: () => EvaluationStore,
  retention: HistoryRetention = { kind: 'prunes' },
): void {
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

    if (retention.kind === 'prunes') {
      it('prunes history points older than an instant and keeps the latest results', async () => {
        expect(store.pruneHistory).toBeTypeOf('function');
        await store.save([result('a', '2026-01-01T00:00:00.000Z', 0.9)]);
        await store.save([result('a', '2026-01-02T00:00:00.000Z', 0.8)]);
        expect(await store.pruneHistory!('2026-01-02T00:00:00.000Z')).toBe(1);
        const h = await store.history(
          'agr_0000000001',
          'a',
          '2025-12-01T00:00:00.000Z',
          '2026-02-01T00:00:00.000Z',
        );
        expect(h.map((p) => p.at)).toEqual(['2026-01-02T00:00:00.000Z']);
        expect(await store.latest({ objectiveId: 'a' })).toHaveLength(1);
      });
    } else {
      it('marks every history point to expire the retention days after its instant, and never the latest result', async () => {
        await store.save([result('a', '2026-01-01T00:00:00.000Z', 0.9)]);
        await store.save([result('a', '2026-01-02T06:30:00.000Z', 0.8)]);
        const day = 86_400;
        expect(await retention.historyExpiry('agr_0000000001', 'a', '2026-01-01T00:00:00.000Z')).toBe(
          Date.UTC(2026, 0, 1) / 1000 + retention.days * day,
        );
        expect(await retention.historyExpiry('agr_0000000001', 'a', '2026-01-02T06:30:00.000Z')).toBe(
          Date.UTC(2026, 0, 2, 6, 30) / 1000 + retention.days * day,
        );
        expect(await retention.latestExpiry('agr_0000000001', 'a')).toBeUndefined();
      });

      it('has the backend expire items on the attribute the history points carry', async () => {
        expect(await retention.expiryAttribute()).toBe('expiresAt');
      });
    }

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
