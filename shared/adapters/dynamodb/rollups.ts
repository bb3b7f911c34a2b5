import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../../domain/errors.js';
import {
  BUCKET_MS,
  type Cumulative,
  type CumulativeRequest,
  isFilled,
  type LastDataRequest,
  type RollupBucket,
  type RollupDelta,
  type RollupStore,
  type SliceRequest,
  type SliceStats,
  sliceStatsOf,
} from '../../ports/rollups.js';
import { type Item, queryAll } from './client.js';
import { cancellationReasons } from './errors.js';

/** Buckets per day-aggregate item, and days per block-aggregate item. */
const BUCKETS_PER_DAY = 288;
const DAYS_PER_BLOCK = 32;
/** Buckets per transaction: each brings its own item plus at most one day and one block item (≤ 100 actions). */
const BUCKETS_PER_TX = 30;
const MAX_ATTEMPTS = 8;

const pad = (n: number) => String(n).padStart(12, '0');
const bucketPk = (sli: string) => `rb#${sli}`;
const dayPk = (sli: string) => `rd#${sli}`;
const blockPk = (sli: string) => `rm#${sli}`;

type Sums = Omit<Cumulative, 'filled'>;
const zero = (): Cumulative => ({ good: 0, total: 0, count: 0, sum: 0, filled: 0 });
const addInto = (c: Cumulative, x: Partial<Cumulative>) => {
  c.good += Number(x.good ?? 0);
  c.total += Number(x.total ?? 0);
  c.count += Number(x.count ?? 0);
  c.sum += Number(x.sum ?? 0);
  c.filled += Number(x.filled ?? 0);
};

/** Applies one delta to a bucket row the way every RollupStore does: counts add, min and max widen. */
function apply(row: RollupBucket | undefined, d: RollupDelta): RollupBucket {
  if (!row) return { ...d };
  const next = { ...row };
  if (d.count > 0) {
    next.min = row.count > 0 ? Math.min(row.min, d.min) : d.min;
    next.max = row.count > 0 ? Math.max(row.max, d.max) : d.max;
  }
  next.good += d.good;
  next.total += d.total;
  next.count += d.count;
  next.sum += d.sum;
  return next;
}

/**
 * Rollups on DynamoDB (the rollups table), with running totals that cost the same for any window length:
 * bucket items `rb#<sli> / <bucket>` plus two levels of partial sums, per day (`rd#<sli> / <day>`) and per
 * 32-day block (`rm#<sli> / <block>`), kept in the same transaction as the bucket. A running total before an
 * instant is the blocks before its block, the days before its day within the block, and the buckets before
 * it within the day: three bounded Queries (a few dozen, at most 32 and at most 288 small items).
 * A bucket is written under a condition on its version (min/max need the old row), so concurrent writers
 * retry instead of losing an update. Slice statistics read the buckets of the range and count them on the
 * local-calendar grid (`sliceStatsOf`): no running slice counts here, so their cost grows with the range.
 */
export class DynamoRollupStore implements RollupStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async add(deltas: readonly RollupDelta[]): Promise<void> {
    deltas.forEach((d, i) => {
      if (d.bucketStart % BUCKET_MS !== 0) {
        throw new ValidationError('a rollup bucket must start on a 5-minute boundary', [
          { path: `[${i}].bucketStart`, problem: `${d.bucketStart} is not a multiple of ${BUCKET_MS}` },
        ]);
      }
    });
    const byBucket = new Map<string, RollupDelta[]>();
    for (const d of deltas) {
      const k = `${d.sliKey}\u0000${d.bucketStart}`;
      byBucket.set(k, [...(byBucket.get(k) ?? []), d]);
    }
    const groups = [...byBucket.values()];
    // Each chunk is one transaction: atomic for calls of up to 30 distinct buckets (a typical batch).
    for (let i = 0; i < groups.length; i += BUCKETS_PER_TX) {
      await this.commit(groups.slice(i, i + BUCKETS_PER_TX));
    }
  }

  private async commit(groups: RollupDelta[][]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const keys = groups.map((g) => ({
        pk: bucketPk(g[0]!.sliKey),
        sk: pad(g[0]!.bucketStart / BUCKET_MS),
      }));
      const old = await this.getMany(keys);
      const actions: NonNullable<TransactWriteCommandInput['TransactItems']> = [];
      const days = new Map<string, { pk: string; sk: string; c: Cumulative }>();
      const blocks = new Map<string, { pk: string; sk: string; c: Cumulative }>();
      for (const [i, group] of groups.entries()) {
        const key = keys[i]!;
        const prev = old.get(`${key.pk}\u0000${key.sk}`);
        const before = prev ? rowOf(prev) : undefined;
        const after = group.reduce<RollupBucket | undefined>((row, d) => apply(row, d), before)!;
        const delta = zero();
        addInto(delta, {
          good: after.good - (before?.good ?? 0),
          total: after.total - (before?.total ?? 0),
          count: after.count - (before?.count ?? 0),
          sum: group.reduce((s, d) => s + d.sum, 0),
          filled: !(before && isFilled(before)) && isFilled(after) ? 1 : 0,
        });
        const version = Number(prev?.v ?? 0);
        actions.push({
          Put: {
            TableName: this.table,
            Item: { ...key, v: version + 1, ...after },
            ...(prev
              ? { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': version } }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          },
        });
        const bucket = after.bucketStart / BUCKET_MS;
        const day = Math.floor(bucket / BUCKETS_PER_DAY);
        const block = Math.floor(day / DAYS_PER_BLOCK);
        for (const [map, pk, sk] of [
          [days, dayPk(after.sliKey), pad(day)],
          [blocks, blockPk(after.sliKey), pad(block)],
        ] as const) {
          const k = `${pk}\u0000${sk}`;
          const agg = map.get(k) ?? { pk, sk, c: zero() };
          addInto(agg.c, delta);
          map.set(k, agg);
        }
      }
      for (const { pk, sk, c } of [...days.values(), ...blocks.values()]) {
        actions.push({
          Update: {
            TableName: this.table,
            Key: { pk, sk },
            UpdateExpression: 'ADD good :g, #total :t, #count :c, #sum :s, filled :f',
            ExpressionAttributeNames: { '#total': 'total', '#count': 'count', '#sum': 'sum' },
            ExpressionAttributeValues: {
              ':g': c.good,
              ':t': c.total,
              ':c': c.count,
              ':s': c.sum,
              ':f': c.filled,
            },
          },
        });
      }
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: actions }));
        return;
      } catch (e) {
        const reasons = cancellationReasons(e);
        const retryable =
          reasons?.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict') ||
          (e instanceof Error && e.name === 'TransactionConflictException');
        if (!retryable || attempt >= MAX_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
  }

  private async getMany(keys: { pk: string; sk: string }[]): Promise<Map<string, Item>> {
    const out = new Map<string, Item>();
    let pending: Record<string, unknown>[] | undefined = keys;
    while (pending?.length) {
      const r = await this.db.send(
        new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const it of (r.Responses?.[this.table] ?? []) as Item[]) out.set(`${it.pk}\u0000${it.sk}`, it);
      pending = r.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined;
    }
    return out;
  }

  async read(sliKey: string, fromMs: number, toMs: number): Promise<RollupBucket[]> {
    const lo = Math.ceil(fromMs / BUCKET_MS);
    const hi = Math.ceil(toMs / BUCKET_MS);
    if (hi <= lo) return [];
    return (await this.range(bucketPk(sliKey), lo, hi - 1)).map(rowOf);
  }

  async cumulative(requests: readonly CumulativeRequest[]): Promise<Cumulative[][]> {
    return Promise.all(requests.map((r) => this.cumulativeOf(r)));
  }

  private async cumulativeOf(r: CumulativeRequest): Promise<Cumulative[]> {
    // One read per level and distinct block or day the instants fall in, shared by every instant.
    const blocks = await this.range(blockPk(r.sliKey), 0, Number.MAX_SAFE_INTEGER);
    const daysOf = new Map<number, Promise<Item[]>>();
    const bucketsOf = new Map<number, Promise<Item[]>>();
    return Promise.all(
      r.instants.map(async (t) => {
        const b = Math.ceil(t / BUCKET_MS); // buckets with index < b
        const day = Math.floor(b / BUCKETS_PER_DAY);
        const block = Math.floor(day / DAYS_PER_BLOCK);
        if (!daysOf.has(block)) {
          daysOf.set(
            block,
            this.range(dayPk(r.sliKey), block * DAYS_PER_BLOCK, (block + 1) * DAYS_PER_BLOCK - 1),
          );
        }
        if (!bucketsOf.has(day)) {
          bucketsOf.set(
            day,
            this.range(bucketPk(r.sliKey), day * BUCKETS_PER_DAY, (day + 1) * BUCKETS_PER_DAY - 1),
          );
        }
        const c = zero();
        for (const it of blocks) if (Number(it.sk) < block) addInto(c, it as Partial<Cumulative>);
        for (const it of await daysOf.get(block)!)
          if (Number(it.sk) < day) addInto(c, it as Partial<Cumulative>);
        for (const it of await bucketsOf.get(day)!) {
          if (Number(it.sk) < b) addInto(c, { ...(it as Sums), filled: isFilled(rowOf(it)) ? 1 : 0 });
        }
        return c;
      }),
    );
  }

  async sliceStats(requests: readonly SliceRequest[]): Promise<SliceStats[]> {
    return Promise.all(
      requests.map(async (r) => sliceStatsOf(await this.read(r.sliKey, r.fromMs, r.toMs), r)),
    );
  }

  async lastData(requests: readonly LastDataRequest[]): Promise<(number | null)[]> {
    return Promise.all(requests.map((r) => this.lastDataOf(r)));
  }

  /** Newest first from the instant back, a page at a time, until a bucket holding data (usually the first). */
  private async lastDataOf(r: LastDataRequest): Promise<number | null> {
    const before = Math.ceil(r.beforeMs / BUCKET_MS);
    if (before <= 0) return null;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk < :b',
          ExpressionAttributeValues: { ':pk': bucketPk(r.sliKey), ':b': pad(before) },
          ScanIndexForward: false,
          Limit: 50,
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const it of (page.Items ?? []) as Item[]) {
        const row = rowOf(it);
        if (isFilled(row)) return row.bucketStart;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return null;
  }

  private range(pk: string, from: number, to: number): Promise<Item[]> {
    return queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':pk': pk, ':a': pad(from), ':b': pad(Math.min(to, 999_999_999_999)) },
      ConsistentRead: true,
    });
  }
}

function rowOf(it: Item): RollupBucket {
  return {
    sliKey: String(it.pk).slice(3),
    bucketStart: Number(it.sk) * BUCKET_MS,
    good: Number(it.good),
    total: Number(it.total),
    count: Number(it.count),
    sum: Number(it.sum),
    min: Number(it.min),
    max: Number(it.max),
  };
}
