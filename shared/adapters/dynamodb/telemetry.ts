import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { UnmappedSighting } from '../../domain/telemetry/model.js';
import type { SourceDelta } from '../../domain/telemetry/rollup.js';
import type {
  DiscrepancyStore,
  IdempotencyStore,
  IdempotentRecord,
  SourceBucketTotals,
  UnmappedSeriesStore,
} from '../../ports/telemetry.js';
import type { Discrepancy, UnmappedSeries } from '../../schemas/telemetry.js';
import { queryAll } from './client.js';

/*
 * Telemetry items in the rollups table (generic pk/sk, TTL on expiresAt), by key prefix:
 *   idem#<vendor>          / <Idempotency-Key>          the first answer to a keyed request (expires)
 *   unmapped               / <vendor>␀<metric>␀<labels> a series nothing maps, with its sample count
 *   src#<sliKey>#<bucket>  / <vendor>                   per-source bucket aggregates of a two-source SLI
 *   disc                   / <bucketStart>#<sliKey>     a discrepancy between the two sources
 * The unmapped and discrepancy lists are one partition each: people read them whole, and they stay small
 * (a series stays unmapped until someone writes its rule; discrepancies are exceptions).
 */

const SEP = '\u0000';

/** Idempotency keys with a TTL: DynamoDB deletes them after the retention; a conditional put keeps the first. */
export class DynamoIdempotencyStore implements IdempotencyStore {
  private purgedBefore = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly ttlSeconds = 86_400,
  ) {}

  async get(vendorId: string, key: string): Promise<IdempotentRecord | undefined> {
    const r = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `idem#${vendorId}`, sk: key },
        ConsistentRead: true,
      }),
    );
    const item = r.Item as (IdempotentRecord & { pk: string }) | undefined;
    // TTL deletion lags by up to days: an expired record is treated as gone.
    if (!item || item.createdAtMs < this.purgedBefore) return undefined;
    return {
      requestHash: item.requestHash,
      status: item.status,
      body: item.body,
      createdAtMs: item.createdAtMs,
    };
  }

  async put(vendorId: string, key: string, r: IdempotentRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `idem#${vendorId}`,
            sk: key,
            ...r,
            expiresAt: Math.floor(r.createdAtMs / 1000) + this.ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  /** TTL deletes the items; from now on this process also ignores those created before the instant. */
  async purge(beforeMs: number): Promise<number> {
    this.purgedBefore = Math.max(this.purgedBefore, beforeMs);
    return 0;
  }
}

export class DynamoUnmappedSeriesStore implements UnmappedSeriesStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(sightings: readonly UnmappedSighting[], atMs: number): Promise<void> {
    for (const u of sightings) {
      const labels = Object.fromEntries(
        Object.keys(u.labels)
          .sort()
          .map((k) => [k, u.labels[k]!]),
      );
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: 'unmapped', sk: `${u.vendorId}${SEP}${u.metric}${SEP}${JSON.stringify(labels)}` },
          UpdateExpression:
            'ADD samples :n SET vendorId = :v, metric = :m, labels = :l, firstSeen = if_not_exists(firstSeen, :t), lastSeen = :t',
          ExpressionAttributeValues: {
            ':n': u.samples,
            ':v': u.vendorId,
            ':m': u.metric,
            ':l': labels,
            ':t': atMs,
          },
        }),
      );
    }
  }

  async list(q: { vendorId?: string; limit: number }): Promise<UnmappedSeries[]> {
    const items = (await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': 'unmapped' },
    })) as {
      vendorId: string;
      metric: string;
      labels: Record<string, string>;
      samples: number;
      firstSeen: number;
      lastSeen: number;
      sk: string;
    }[];
    return items
      .filter((i) => q.vendorId === undefined || i.vendorId === q.vendorId)
      .sort((a, b) => b.samples - a.samples || (a.sk < b.sk ? -1 : 1))
      .slice(0, q.limit)
      .map((i) => ({
        vendorId: i.vendorId,
        metric: i.metric,
        labels: i.labels,
        samples: i.samples,
        firstSeen: new Date(i.firstSeen).toISOString(),
        lastSeen: new Date(i.lastSeen).toISOString(),
      }));
  }
}

export class DynamoDiscrepancyStore implements DiscrepancyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async addSourceDeltas(deltas: readonly SourceDelta[]): Promise<SourceBucketTotals[]> {
    const touched = new Map<string, SourceBucketTotals>();
    for (const d of deltas) {
      const pk = `src#${d.sliKey}#${d.bucketStart}`;
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk, sk: d.vendorId },
          UpdateExpression: 'ADD good :g, #total :t, #count :c, #sum :s',
          ExpressionAttributeNames: { '#total': 'total', '#count': 'count', '#sum': 'sum' },
          ExpressionAttributeValues: { ':g': d.good, ':t': d.total, ':c': d.count, ':s': d.sum },
        }),
      );
      touched.set(pk, { sliKey: d.sliKey, bucketStart: d.bucketStart, byVendor: {} });
    }
    for (const [pk, t] of touched) {
      const r = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': pk },
          ConsistentRead: true,
        }),
      );
      for (const i of (r.Items ?? []) as {
        sk: string;
        good: number;
        total: number;
        count: number;
        sum: number;
      }[]) {
        t.byVendor[i.sk] = { good: i.good, total: i.total, count: i.count, sum: i.sum };
      }
    }
    return [...touched.values()];
  }

  async upsert(d: Discrepancy): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: 'disc', sk: `${d.bucketStart}#${d.sliKey}`, record: d },
      }),
    );
  }

  async clear(sliKey: string, bucketStartMs: number): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.table,
        Key: { pk: 'disc', sk: `${new Date(bucketStartMs).toISOString()}#${sliKey}` },
      }),
    );
  }

  async list(q: { sliKey?: string; limit: number }): Promise<Discrepancy[]> {
    const items = (await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': 'disc' },
      ScanIndexForward: false,
    })) as { record: Discrepancy }[];
    return items
      .map((i) => i.record)
      .filter((d) => q.sliKey === undefined || d.sliKey === q.sliKey)
      .slice(0, q.limit);
  }
}
