import fc from 'fast-check';
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

    it('merges one late call spanning stored buckets (before, into, between them) and shifts the later ones', async () => {
      await store.add([delta('k/x', 2, 2, 2), delta('k/x', 4, 4, 4), delta('k/x', 8, 8, 8)]);
      await store.add([
        delta('k/x', 0, 1, 1),
        delta('k/x', 4, 1, 2),
        delta('k/x', 3, 0, 0, { count: 1, sum: 7, min: 7, max: 7 }),
        delta('k/x', 5, 1, 1),
        delta('k/x', 4, 1, 1),
      ]);
      const rows = await store.read('k/x', at(0), at(9));
      expect(rows.map((r) => [(r.bucketStart - T0) / BUCKET_MS, r.good, r.total, r.count])).toEqual([
        [0, 1, 1, 0],
        [2, 2, 2, 0],
        [3, 0, 0, 1],
        [4, 6, 7, 0],
        [5, 1, 1, 0],
        [8, 8, 8, 0],
      ]);
      expect(rows[2]).toMatchObject({ sum: 7, min: 7, max: 7 });
      const [c] = await store.cumulative([
        { sliKey: 'k/x', instants: [at(1), at(3), at(4), at(5), at(6), at(9)] },
      ]);
      expect(c!.map((x) => [x.good, x.total, x.count, x.sum, x.filled])).toEqual([
        [1, 1, 0, 0, 1],
        [3, 3, 0, 0, 2],
        [3, 3, 1, 7, 3],
        [9, 10, 1, 7, 4],
        [10, 11, 1, 7, 5],
        [18, 19, 1, 7, 6],
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

    it('adds into its last bucket and later new ones in one call: running totals and the filled count stay right', async () => {
      await store.add([delta('k/x', 0, 1, 1), delta('k/x', 1, 0, 0)]);
      await store.add([delta('k/x', 1, 2, 3), delta('k/x', 3, 1, 1), delta('k/x', 1, 0, 1)]);
      expect((await store.read('k/x', at(0), at(4))).map((r) => [r.good, r.total])).toEqual([
        [1, 1],
        [2, 4],
        [1, 1],
      ]);
      const [c] = await store.cumulative([{ sliKey: 'k/x', instants: [at(1), at(2), at(3), at(4)] }]);
      expect(c!.map((x) => [x.good, x.total, x.filled])).toEqual([
        [1, 1, 1],
        [3, 5, 2],
        [3, 5, 2],
        [4, 6, 3],
      ]);
    });

    it('equals a reference after any sequence of calls: in order, late, repeated buckets, several SLIs (property)', async () => {
      const d = fc.record({
        key: fc.constantFrom('p/a', 'p/b'),
        // Few buckets and many empty deltas: an empty bucket filled later is the case most easily miscounted.
        bucket: fc.integer({ min: 0, max: 4 }),
        good: fc.constantFrom(0, 0, 0, 1, 4),
        bad: fc.constantFrom(0, 0, 0, 2),
        values: fc.oneof(
          fc.constant<number[]>([]),
          fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 3 }),
        ),
      });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(d, { minLength: 1, maxLength: 6 }), { maxLength: 6 }),
          async (calls) => {
            // Each run uses keys of its own: the store is made once per test.
            const tag = `${run++}`;
            const ref = new Map<
              string,
              { good: number; total: number; count: number; sum: number; min: number; max: number }
            >();
            for (const call of calls) {
              await store.add(
                call.map((x) => {
                  const count = x.values.length;
                  const min = count ? Math.min(...x.values) : 0;
                  const max = count ? Math.max(...x.values) : 0;
                  const sum = x.values.reduce((a, v) => a + v, 0);
                  const id = `${x.key}${tag}|${x.bucket}`;
                  const r = ref.get(id) ?? { good: 0, total: 0, count: 0, sum: 0, min: 0, max: 0 };
                  if (count) {
                    r.min = r.count ? Math.min(r.min, min) : min;
                    r.max = r.count ? Math.max(r.max, max) : max;
                  }
                  r.good += x.good;
                  r.total += x.good + x.bad;
                  r.count += count;
                  r.sum += sum;
                  ref.set(id, r);
                  return delta(`${x.key}${tag}`, x.bucket, x.good, x.good + x.bad, { count, sum, min, max });
                }),
              );
            }
            for (const key of ['p/a', 'p/b'].map((k) => `${k}${tag}`)) {
              const want = [];
              const cum = [];
              const c = { good: 0, total: 0, count: 0, sum: 0, filled: 0 };
              for (let b = 0; b < 8; b++) {
                const r = ref.get(`${key}|${b}`);
                if (r) {
                  want.push({ sliKey: key, bucketStart: at(b), ...r });
                  c.good += r.good;
                  c.total += r.total;
                  c.count += r.count;
                  c.sum += r.sum;
                  c.filled += r.total > 0 || r.count > 0 ? 1 : 0;
                }
                cum.push({ ...c });
              }
              const got = (await store.read(key, at(0), at(8))).map((r) => {
                // Min and max mean nothing in a bucket that counted no values.
                return r.count ? r : { ...r, min: 0, max: 0 };
              });
              expect(got).toEqual(want.map((w) => (w.count ? w : { ...w, min: 0, max: 0 })));
              const [c2] = await store.cumulative([{ sliKey: key, instants: cum.map((_, b) => at(b + 1)) }]);
              expect(c2).toEqual(cum);
            }
          },
        ),
        { numRuns: 40 },
      );
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
      const req = (over: Partial<SliceRequest> = {}): SliceRequest => ({
        sliKey: 'k/s',
        sliceMinutes: 60,
        timeZone: 'UTC',
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

      it('counts only the complete slices inside the range, on the local grid of the zone asked for', async () => {
        await seed();
        const [a, b] = await store.sliceStats([
          req({ fromMs: at(6) }),
          // Kolkata is UTC+05:30: its hours start at half past the UTC hour.
          req({ timeZone: 'Asia/Kolkata', fromMs: at(0) }),
        ]);
        expect(a).toMatchObject({ slices: 3, good: 1, bad: 1 });
        // Slices [6,18), [18,30), [30,42): 0.95 mixed → good; 90/100 and half empty → bad; 99 → good.
        expect(b).toMatchObject({ slices: 3, good: 2, bad: 1 });
      });

      it('follows local midnight across the spring change: March 2026 in London is 31 days, the 29th 23 hours', async () => {
        const key = 'k/london';
        const start = Date.UTC(2026, 2, 1); // 00:00 GMT
        const end = Date.UTC(2026, 2, 31, 23); // 1 April 00:00 BST
        // One bucket at noon UTC every day (31 March's bad), and one every hour of 29 March.
        const noons = Array.from({ length: 31 }, (_, d) => Date.UTC(2026, 2, d + 1, 12));
        const hours = Array.from({ length: 23 }, (_, h) => Date.UTC(2026, 2, 29, h, 30));
        await store.add(
          [...noons, ...hours].map((t) => ({
            ...delta(key, 0, t === Date.UTC(2026, 2, 31, 12) ? 90 : 100, 100),
            bucketStart: t,
          })),
        );
        const daily = { sliKey: key, sliceMinutes: 1440, timeZone: 'Europe/London', target: 0.99 };
        const [month, spring] = await store.sliceStats([
          { ...daily, fromMs: start, toMs: end },
          { ...daily, sliceMinutes: 60, fromMs: Date.UTC(2026, 2, 29, 0), toMs: Date.UTC(2026, 2, 29, 23) },
        ]);
        expect(month).toMatchObject({ slices: 31, good: 30, bad: 1 });
        // 29 March local runs 00:00 GMT to 24:00 BST: 23 hourly slices.
        expect(spring).toMatchObject({ slices: 23, good: 23, bad: 0 });
        // A late write into the 23-hour day is counted in that day, by every question after it.
        await store.add([{ ...delta(key, 0, 0, 10_000), bucketStart: Date.UTC(2026, 2, 29, 22, 55) }]);
        expect((await store.sliceStats([{ ...daily, fromMs: start, toMs: end }]))[0]).toMatchObject({
          slices: 31,
          good: 29,
          bad: 2,
        });
      });

      it('follows local midnight across the autumn change: 25 October 2026 in London has 25 hourly slices', async () => {
        const key = 'k/autumn';
        const day = Date.UTC(2026, 9, 24, 23); // 25 October 00:00 BST
        const next = Date.UTC(2026, 9, 26, 0); // 26 October 00:00 GMT
        // One bucket in each of the day's 25 hours; the repeated hour's second occurrence (01:00–02:00 GMT,
        // 01:00–02:00 UTC) is bad.
        await store.add(
          Array.from({ length: 25 }, (_, h) => day + h * 3_600_000 + 10 * 60_000).map((t) => ({
            ...delta(key, 0, t >= Date.UTC(2026, 9, 25, 1) && t < Date.UTC(2026, 9, 25, 2) ? 0 : 1, 1),
            bucketStart: t,
          })),
        );
        const q = { sliKey: key, timeZone: 'Europe/London', target: 0.5, fromMs: day, toMs: next };
        const [hourly, daily, twoHourly] = await store.sliceStats([
          { ...q, sliceMinutes: 60 },
          { ...q, sliceMinutes: 1440 },
          { ...q, sliceMinutes: 120 },
        ]);
        expect(hourly).toMatchObject({ slices: 25, good: 24, bad: 1 });
        // The 25-hour day is one slice: 24 good hours of 25, above the 0.5 slice target.
        expect(daily).toMatchObject({ slices: 1, good: 1, bad: 0 });
        // 00:00–02:00 local holds the change and lasts 3 hours (2 good, 1 bad: ratio 2/3): good.
        expect(twoHourly).toMatchObject({ slices: 12, good: 12, bad: 0 });
        expect(twoHourly!.ratioSum).toBeCloseTo(11 + 2 / 3, 10);
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

    it('answers when an SLI last had data, skipping buckets that hold nothing', async () => {
      await store.add([
        delta('k/q', 0, 1, 1),
        delta('k/q', 3, 0, 2),
        delta('k/q', 5, 0, 0),
        delta('k/v', 7, 0, 0, { count: 1, sum: 5, min: 5, max: 5 }),
      ]);
      expect(
        await store.lastData([
          { sliKey: 'k/q', beforeMs: at(100) },
          { sliKey: 'k/q', beforeMs: at(3) },
          { sliKey: 'k/q', beforeMs: at(0) },
          { sliKey: 'k/v', beforeMs: at(8) },
          { sliKey: 'svc_none/x', beforeMs: at(8) },
        ]),
      ).toEqual([at(3), at(0), null, at(7), null]);
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
