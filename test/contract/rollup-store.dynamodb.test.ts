import { describe, expect, it } from 'vitest';
import { DynamoRollupStore } from '../../shared/adapters/dynamodb/rollups.js';
import { MemoryRollupStore } from '../../shared/adapters/memory/rollups.js';
import { BUCKET_MS } from '../../shared/ports/rollups.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { rollupStoreContract } from './rollup-store.contract.js';

const local = useDynamoLocal();

rollupStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoRollupStore(doc, (await createTables(['Rollups'])).Rollups!);
});

describe('DynamoDB rollups under concurrency', () => {
  it('loses no update when writers add into the same buckets at once, and its running totals match the reference', async () => {
    const { doc, createTables } = local();
    const store = new DynamoRollupStore(doc, (await createTables(['Rollups'])).Rollups!);
    const reference = new MemoryRollupStore();
    const day = 288 * BUCKET_MS;
    const t0 = 20_000 * day; // a day index far from zero, across a block boundary below
    const calls = Array.from({ length: 8 }, (_, w) =>
      Array.from({ length: 12 }, (_, i) => ({
        sliKey: i % 2 ? 'svc_a/availability' : 'svc_b/latency',
        bucketStart: t0 + ((i * 7 + w) % 5) * BUCKET_MS + (i % 3) * 40 * day,
        good: i + w,
        total: i + w + 1,
        count: i % 4,
        sum: (i % 4) * 10,
        min: 10 - (w % 3),
        max: 10 + w,
      })),
    );
    await Promise.all(calls.map((c) => store.add(c)));
    for (const c of calls) await reference.add(c);
    const instants = [t0, t0 + 3 * BUCKET_MS, t0 + day, t0 + 41 * day, t0 + 81 * day, t0 + 400 * day];
    for (const sli of ['svc_a/availability', 'svc_b/latency']) {
      expect(await store.cumulative([{ sliKey: sli, instants }])).toEqual(
        await reference.cumulative([{ sliKey: sli, instants }]),
      );
      expect(await store.read(sli, t0, t0 + 400 * day)).toEqual(
        await reference.read(sli, t0, t0 + 400 * day),
      );
    }
  });
});
