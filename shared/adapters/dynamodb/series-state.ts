import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CounterState } from '../../domain/telemetry/semantics.js';
import type {
  SeriesStateChange,
  SeriesStateStore,
  SliActivityRecord,
  SliActivityStore,
} from '../../ports/telemetry.js';

/** Conditional writes in flight at once. */
const CONCURRENCY = 16;

const statePk = (series: string) => `ctr#${createHash('sha256').update(series).digest('hex')}`;

/**
 * Counter states on AWS: one item per series in the rollups table (`ctr#<sha256 of series>` / `state`), read with
 * consistent BatchGetItem and written with a condition on the version read (`attribute_not_exists(pk)` for a first
 * state). Two Lambdas that read one series' state and both try to advance it: one condition fails, that writer
 * re-reads and recomputes (countCumulative), so no increase is counted twice.
 */
export class DynamoSeriesStateStore implements SeriesStateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async load(series: readonly string[]): Promise<Map<string, CounterState>> {
    const out = new Map<string, CounterState>();
    const byPk = new Map(series.map((s) => [statePk(s), s]));
    const pks = [...byPk.keys()];
    for (let i = 0; i < pks.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = pks
        .slice(i, i + 100)
        .map((pk) => ({ pk, sk: 'state' }));
      while (keys?.length) {
        const r: BatchGetCommandOutput = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of (r.Responses?.[this.table] ?? []) as {
          pk: string;
          lastTs: number;
          lastValue: number;
          version: number;
        }[]) {
          out.set(byPk.get(item.pk)!, {
            lastTs: item.lastTs,
            lastValue: item.lastValue,
            version: item.version,
          });
        }
        keys = r.UnprocessedKeys?.[this.table]?.Keys;
      }
    }
    return out;
  }

  async commit(changes: readonly SeriesStateChange[]): Promise<string[]> {
    const lost: string[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < changes.length; i = next++) {
        const c = changes[i]!;
        const key = { pk: statePk(c.series), sk: 'state' };
        const condition =
          c.expected === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': c.expected } };
        try {
          if (c.next === null)
            await this.db.send(new DeleteCommand({ TableName: this.table, Key: key, ...condition }));
          else {
            await this.db.send(
              new PutCommand({
                TableName: this.table,
                Item: { ...key, lastTs: c.next.lastTs, lastValue: c.next.lastValue, version: c.next.version },
                ...condition,
              }),
            );
          }
        } catch (err) {
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
          lost.push(c.series);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, changes.length) }, worker));
    return lost;
  }
}

/** SLI activity on AWS: one item per (SLI, vendor) under the service's partition (`sliact#<serviceId>`). */
export class DynamoSliActivityStore implements SliActivityStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /**
   * Adds each entry's count and widens its times: first sample = min, last sample and last received = max. The usual
   * in-order batch is one conditional update (it starts no earlier than the first sample, so only the last times move). Otherwise (late data, or a slower
   * writer): the count is added with the times kept when present (ALL_NEW returned), then each time that must still
   * move is set by its own update conditioned on moving it that way, so concurrent writers only ever widen.
   */
  async record(entries: readonly SliActivityRecord[]): Promise<void> {
    await Promise.all(entries.map((e) => this.recordOne(e)));
  }

  private async recordOne(e: SliActivityRecord): Promise<void> {
    const Key = { pk: `sliact#${e.sliKey.split('/')[0]}`, sk: `${e.sliKey}\u0000${e.vendorId}` };
    const values = {
      ':n': e.samples,
      ':k': e.sliKey,
      ':v': e.vendorId,
      ':f': e.firstSampleMs,
      ':l': e.lastSampleMs,
      ':r': e.lastReceivedMs,
    };
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key,
          UpdateExpression:
            'ADD samples :n SET sliKey = :k, vendorId = :v, firstSampleMs = if_not_exists(firstSampleMs, :f), lastSampleMs = :l, lastReceivedMs = :r',
          ConditionExpression:
            'attribute_not_exists(pk) OR (firstSampleMs <= :f AND lastSampleMs <= :l AND lastReceivedMs <= :r)',
          ExpressionAttributeValues: values,
        }),
      );
      return;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
    // The item exists and at least one time must not simply be overwritten.
    const r = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key,
        UpdateExpression:
          'ADD samples :n SET sliKey = :k, vendorId = :v, firstSampleMs = if_not_exists(firstSampleMs, :f), lastSampleMs = if_not_exists(lastSampleMs, :l), lastReceivedMs = if_not_exists(lastReceivedMs, :r)',
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    const now = (r.Attributes ?? {}) as Partial<SliActivityRecord>;
    const widen: [keyof SliActivityRecord, '<' | '>', number][] = [
      ['firstSampleMs', '>', e.firstSampleMs],
      ['lastSampleMs', '<', e.lastSampleMs],
      ['lastReceivedMs', '<', e.lastReceivedMs],
    ];
    await Promise.all(
      widen
        .filter(([name, op, v]) => {
          const stored = now[name] as number | undefined;
          return stored === undefined || (op === '>' ? stored > v : stored < v);
        })
        .map(([name, op, v]) =>
          this.db
            .send(
              new UpdateCommand({
                TableName: this.table,
                Key,
                UpdateExpression: 'SET #a = :x',
                ConditionExpression: `#a ${op} :x`,
                ExpressionAttributeNames: { '#a': name },
                ExpressionAttributeValues: { ':x': v },
              }),
            )
            .catch((err) => {
              // Another writer moved it further already.
              if (!(err instanceof ConditionalCheckFailedException)) throw err;
            }),
        ),
    );
  }

  async listByService(serviceId: string): Promise<SliActivityRecord[]> {
    const out: SliActivityRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': `sliact#${serviceId}` },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const i of (r.Items ?? []) as (SliActivityRecord & { sk: string })[]) {
        out.push({
          sliKey: i.sliKey,
          vendorId: i.vendorId,
          samples: i.samples,
          firstSampleMs: i.firstSampleMs,
          lastSampleMs: i.lastSampleMs,
          lastReceivedMs: i.lastReceivedMs,
        });
      }
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
