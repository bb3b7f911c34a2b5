import { beforeEach, describe, expect, it } from 'vitest';
import {
  BUCKET_MS,
  type RollupDelta,
  type RollupStore,
  type SliceRequest,
} from '../../shared/ports/rollups.js';

const T0 = Date.UTC(2026, 0, 1);
const at = (bucket: number) => T0 + bucket * BUCKET_MS;
const delta = (
  key: string,
  bucket: number,
  good: number,
  total: number,
  extra: Partial<RollupDelta> = {},
) => ({
  sliKey: key,
  bucketStart: at(bucket),
  good,
  total,
  count: 0,
  sum: 0,
  min: 0,
  max: 0,
  ...extra,
});

/** The one contract every RollupStore adapter passes. */
export function rollupStoreContract(name: string, make: () => RollupStore | Promise<RollupStore>): void {
  describe(`RollupStore contract: ${name}`, () => {
    let store: RollupStore;
    beforeEach(async () => {
      store = await make();
    });

    it('adds deltas into the same bucket rather than replacing it', async () => {
      await store.add([delta('svc_a/availability', 0, 90, 100)]);
      await store.add([delta('svc_a/availability', 0, 5, 10)]);
      const rows = await store.read('svc_a/availability', at(0), at(1));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ bucketStart: at(0), good: 95, total: 110 });
    });

    it('reads buckets in ascending order within the half-open range only', async () => {
      await store.add([3, 1, 2, 0, 4].map((b) => delta('svc_a/availability', b, b, 10)));
      const rows = await store.read('svc_a/availability', at(1), at(4));
      expect(rows.map((r) => r.bucketStart)).toEqual([at(1), at(2), at(3)]);
    });

    it('keeps series apart by SLI key', async () => {
      await store.add([delta('svc_a/availability', 0, 1, 1), delta('svc_b/availability', 0, 0, 5)]);
      expect(await store.read('svc_b/availability', at(0), at(1))).toMatchObject([{ good: 0, total: 5 }]);
    });

    it('answers running totals before each instant, so a range sum is a difference of two reads', async () => {
      await store.add([delta('k/x', 0, 9, 10), delta('k/x', 1, 8, 10), delta('k/x', 3, 10, 10)]);
      const [c] = await store.cumulative([
        { sliKey: 'k/x', instants: [at(0), at(1), at(2), at(3), at(4), at(100)] },
      ]);
      expect(c!.map((x) => x.good)).toEqual([0, 9, 17, 17, 27, 27]);
      expect(c!.map((x) => x.total)).toEqual([0, 10, 20, 20, 30, 30]);
      expect(c!.map((x) => x.filled)).toEqual([0, 1, 2, 2, 3, 3]);
    });

    it('keeps running totals right when data arrives late and out of order', async () => {
      await store.add([delta('k/x', 5, 5, 5), delta('k/x', 9, 1, 2)]);
      await store.add([delta('k/x', 2, 3, 4)]);
      await store.add([delta('k/x', 5, 0, 5)]);
      const [c] = await store.cumulative([{ sliKey: 'k/x', instants: [at(3), at(6), at(10)] }]);
      expect(c!.map((x) => [x.good, x.total, x.filled])).toEqual([
        [3, 4, 1],
        [8, 14, 2],
        [9, 16, 3],
      ]);
    });

    it('counts a bucket as filled once, however many deltas it receives', async () => {
      await store.add([delta('k/x', 0, 0, 0), delta('k/x', 1, 1, 1)]);
      await store.add([delta('k/x', 0, 1, 1), delta('k/x', 0, 1, 1)]);
      const [c] = await store.cumulative([{ sliKey: 'k/x', instants: [at(2)] }]);
      expect(c![0]).toMatchObject({ filled: 2, good: 3, total: 3 });
    });

    it('merges several deltas for the same new bucket within one call', async () => {
      await store.add([delta('k/x', 0, 1, 1)]);
      await store.add([delta('k/x', 2, 1, 2), delta('k/x', 1, 3, 3), delta('k/x', 2, 4, 4)]);
      expect((await store.read('k/x', at(0), at(3))).map((r) => [r.good, r.total])).toEqual([
        [1, 1],
        [3, 3],
        [5, 6],
      ]);
      const [c] = await store.cumulative([{ sliKey: 'k/x', instants: [at(2), at(3)] }]);
      expect(c!.map((x) => [x.good, x.total, x.filled])).toEqual([
        [4, 4, 2],
        [9, 10, 3],
      ]);
    });

    it('merges value aggregates: counts and sums add, min and max widen', async () => {
      await store.add([delta('k/lat', 0, 0, 0, { count: 2, sum: 300, min: 100, max: 200 })]);
      await store.add([delta('k/lat', 0, 0, 0, { count: 1, sum: 50, min: 50, max: 50 })]);
      const [row] = await store.read('k/lat', at(0), at(1));
      expect(row).toMatchObject({ count: 3, sum: 350, min: 50, max: 200 });
      const [c] = await store.cumulative([{ sliKey: 'k/lat', instants: [at(1)] }]);
      expect(c![0]).toMatchObject({ count: 3, sum: 350, filled: 1 });
    });

    it('answers zeros for an SLI it has never seen', async () => {
      expect(await store.read('svc_none/x', at(0), at(10))).toEqual([]);
      const [c] = await store.cumulative([{ sliKey: 'svc_none/x', instants: [at(5)] }]);
      expect(c).toEqual([{ good: 0, total: 0, count: 0, sum: 0, filled: 0 }]);
    });

    it('refuses a bucket that does not start on a 5-minute boundary, naming the delta', async () => {
      await expect(
        store.add([delta('k/x', 0, 1, 1), { ...delta('k/x', 0, 1, 1), bucketStart: T0 + 1 }]),
      ).rejects.toMatchObject({ details: [{ path: '[1].bucketStart' }] });
    });

    describe('slice counts for the timeslice methods', () => {
      const HOUR = 12 * BUCKET_MS;
      const req = (over: Partial<SliceRequest> = {}): SliceRequest => ({
        sliKey: 'k/s',
        sliceMs: HOUR,
        anchorMs: 0,
        target: 0.95,
        fromMs: at(0),
        toMs: at(48),
        ...over,
      });
      // Hour 0: 100/100 per bucket; hour 1: 90/100; hour 2: no data; hour 3: 99/100.
      const seed = () =>
        store.add(
          Array.from({ length: 48 }, (_, b) => b)
            .filter((b) => b < 24 || b >= 36)
            .map((b) => delta('k/s', b, b < 12 ? 100 : b < 24 ? 90 : 99, 100)),
        );

      it('counts good, bad and empty slices and sums the ratios', async () => {
        await seed();
        const [s] = await store.sliceStats([req()]);
        expect(s).toMatchObject({ slices: 4, good: 2, bad: 1 });
        expect(s!.ratioSum).toBeCloseTo(2.89, 10);
      });

      it('counts only the complete slices inside the range, on the grid asked for', async () => {
        await seed();
        const [a, b] = await store.sliceStats([
          req({ fromMs: at(6) }),
          req({ anchorMs: at(6), fromMs: at(0) }),
        ]);
        expect(a).toMatchObject({ slices: 3, good: 1, bad: 1 });
        // Slices [6,18), [18,30), [30,42): 0.95 mixed → good; 90/100 and half empty → bad; 99 → good.
        expect(b).toMatchObject({ slices: 3, good: 2, bad: 1 });
      });

      it('answers the same whatever was asked before, and follows late writes into counted slices', async () => {
        await seed();
        const [short] = await store.sliceStats([req({ toMs: at(24) })]);
        expect(short).toMatchObject({ slices: 2, good: 1, bad: 1 });
        expect((await store.sliceStats([req()]))[0]).toMatchObject({ good: 2, bad: 1 });
        await store.add([delta('k/s', 3, 0, 1000)]);
        await store.add([delta('k/s', 30, 100, 100)]);
        const [after] = await store.sliceStats([req()]);
        // Hour 0 is now bad (1100 of 2200), hour 2 has data and is good.
        expect(after).toMatchObject({ slices: 4, good: 2, bad: 2 });
        await store.add([delta('k/s', 60, 1, 1)]);
        expect((await store.sliceStats([req({ toMs: at(72) })]))[0]).toMatchObject({
          slices: 6,
          good: 3,
          bad: 2,
        });
      });

      it('answers a question reaching further back than the ones before it', async () => {
        await seed();
        expect((await store.sliceStats([req({ fromMs: at(24) })]))[0]).toMatchObject({
          slices: 2,
          good: 1,
          bad: 0,
        });
        expect((await store.sliceStats([req()]))[0]).toMatchObject({ slices: 4, good: 2, bad: 1 });
        await store.add([delta('k/s', 0, 0, 10_000)]);
        expect((await store.sliceStats([req({ fromMs: at(12) })]))[0]).toMatchObject({
          slices: 3,
          good: 1,
          bad: 1,
        });
        expect((await store.sliceStats([req()]))[0]).toMatchObject({ slices: 4, good: 1, bad: 2 });
      });

      it('answers empty slices for an SLI it has never seen', async () => {
        expect(await store.sliceStats([req({ sliKey: 'svc_none/x' })])).toEqual([
          { slices: 4, good: 0, bad: 0, ratioSum: 0 },
        ]);
      });
    });

    it('answers a batch of requests in the order asked', async () => {
      await store.add([delta('a/x', 0, 1, 1), delta('b/x', 0, 2, 2)]);
      const res = await store.cumulative([
        { sliKey: 'b/x', instants: [at(1)] },
        { sliKey: 'a/x', instants: [at(1), at(0)] },
      ]);
      expect(res.map((r) => r.map((c) => c.good))).toEqual([[2], [1, 0]]);
    });
  });
}
