import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ConflictError, NotFoundError, VersionConflictError } from '../../domain/errors.js';
import type { EvaluationResult } from '../../domain/objectives/types.js';
import { DEFAULT_RETENTION } from '../../policy/objectives.js';
import {
  type BudgetPoint,
  budgetPoint,
  type EvaluationStore,
  type ExceptionWindowRecord,
  type ExceptionWindowStore,
  type ViolationQuery,
  type ViolationRecord,
  type ViolationStore,
} from '../../ports/objectives.js';
import { AUDIT_ENTITY_ATTR, DOC_ATTR } from '../stream/change-record.js';
import { type Item, queryAll } from './client.js';
import { cancellationReasons, isConditionalCheckFailed } from './errors.js';
import { DATA_INDEX } from './tables.js';

/**
 * The objectives engine's records in the data table. Its indexes are overloaded: each item type puts its own
 * values in the generic index keys (see the access-pattern table in docs/aws.md). Time-ordered sort keys use
 * zero-padded epoch milliseconds, so ranges and ordering are exact whatever the ISO spelling of an instant.
 */
const CURRENT = 'CURRENT';
const ms = (iso: string) => String(Date.parse(iso)).padStart(15, '0');
const docOf = <T>(i: Item | Record<string, unknown> | undefined): T | undefined =>
  i ? (i.doc as T) : undefined;

type Index = (typeof DATA_INDEX)[keyof typeof DATA_INDEX];

/** Reads an index partition in sort-key order until `want` items pass `keep` (or the partition ends). */
async function queryKeep(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
  keep: (i: Item) => boolean,
  want: number,
): Promise<Item[]> {
  const out: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({ ...input, Limit: Math.min(Math.max(want * 2, 25), 500), ExclusiveStartKey: start }),
    );
    for (const i of (page.Items ?? []) as Item[]) if (keep(i)) out.push(i);
    start = page.LastEvaluatedKey;
  } while (start && out.length < want);
  return out;
}

function partition(table: string, index: Index, pk: string, range?: { from?: string; to?: string }) {
  const names: Record<string, string> = { '#p': index.partitionKey.name, '#s': index.sortKey.name };
  const values: Record<string, unknown> = { ':p': pk };
  let cond = '#p = :p';
  if (range?.from !== undefined && range?.to !== undefined) {
    cond += ' AND #s BETWEEN :f AND :t';
    values[':f'] = range.from;
    values[':t'] = range.to;
  } else if (range?.from !== undefined) {
    cond += ' AND #s >= :f';
    values[':f'] = range.from;
  } else if (range?.to !== undefined) {
    cond += ' AND #s <= :t';
    values[':t'] = range.to;
  }
  if (!cond.includes('#s')) delete names['#s'];
  return {
    TableName: table,
    IndexName: index.indexName,
    KeyConditionExpression: cond,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The pk of an agreement's exception-window lock item (`writeUnless`). */
const lockPk = (agreementId: string) => `EXC_LOCK#${agreementId}`;

/**
 * Exception windows: `EXC#<id>`, listed by agreement (`byStatus`) or all (`byRenewal`), by start.
 *
 * `writeUnless` (the overlap and period-cap rules, checked atomically with the write) serialises the window writes
 * of one agreement through a lock item, `EXC_LOCK#<agreement id>` / `CURRENT`: a version `v` and `recent`, a map of
 * the windows written through it (id → end, epoch ms). A write reads the lock (consistent), lists the agreement's
 * windows (index), reads back every window of `recent` (consistent: the index lags a write, and a window written a
 * moment ago may be missing from it or show its previous status), lets the use case's rule look at them, and puts
 * the window and the lock's next version in one TransactWriteItems, on condition that `v` is still the value read.
 * Two approvals at the same instant: one transaction wins, the other is cancelled, reads again and meets the rule.
 * One lock per agreement rather than per objective: a window without an objective covers every objective of the
 * agreement and the period cap counts the agreement's windows together, so the rule's reach is the agreement;
 * window writes of one agreement are a few a week, so serialising them costs nothing. `recent` drops a window once
 * it ends before the range the rule reads (the use case reads about periodDays + 400 days each side of now), so it
 * holds about the agreement's windows of the last year or two, a few kilobytes. Windows written before the lock
 * existed are not in `recent`: the index shows them as they are (their last write is long past), and the lock is
 * created by the first write through it (condition: still absent).
 */
export class DynamoExceptionWindowStore implements ExceptionWindowStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** The window's item: `auditEntity` and `doc` put each version of it on the stream, into the audit trail. */
  private item(r: ExceptionWindowRecord): Item {
    const sk = `${ms(r.start)}#${r.id}`;
    return {
      pk: `EXC#${r.id}`,
      sk: CURRENT,
      [AUDIT_ENTITY_ATTR]: 'exception-window',
      [DOC_ATTR]: r,
      id: r.id,
      version: r.version,
      end: ms(r.end),
      statusPk: `EXC_AGR#${r.agreementId}`,
      statusSk: sk,
      renewalPk: 'EXC_ALL',
      renewalSk: sk,
    };
  }

  async create(r: ExceptionWindowRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: this.item(r),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (isConditionalCheckFailed(e)) throw new ConflictError(`exception window ${r.id} already exists`);
      throw e;
    }
  }

  async update(next: ExceptionWindowRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: this.item(next),
          // Windows written before they were versioned carry no version attribute: they are version 1.
          ConditionExpression:
            next.version === 2
              ? 'attribute_exists(pk) AND (attribute_not_exists(version) OR version = :prev)'
              : 'version = :prev',
          ExpressionAttributeValues: { ':prev': next.version - 1 },
        }),
      );
    } catch (e) {
      if (!isConditionalCheckFailed(e)) throw e;
      const current = await this.get(next.id);
      if (!current)
        throw new NotFoundError(`no exception window ${next.id}`, [
          { path: 'exceptionId', problem: `names no exception window (${next.id})` },
        ]);
      throw new VersionConflictError(
        `stale write: version ${next.version - 1} was expected, the current version is ${current.version}`,
        current,
      );
    }
  }

  async writeUnless<T>(
    next: ExceptionWindowRecord,
    around: { from: string; to: string },
    refuse: (windows: ExceptionWindowRecord[]) => T | undefined,
  ): Promise<T | undefined> {
    const Key = { pk: lockPk(next.agreementId), sk: CURRENT };
    const from = Date.parse(around.from);
    const to = Date.parse(around.to);
    for (let attempt = 0; attempt < 20; attempt++) {
      const lock = (await this.db.send(new GetCommand({ TableName: this.table, Key, ConsistentRead: true })))
        .Item;
      const recent = Object.entries((lock?.recent as Record<string, number> | undefined) ?? {}).filter(
        ([, end]) => end > from,
      );
      const listed = await this.list({ agreementId: next.agreementId, ...around });
      const fresh = await Promise.all(recent.map(([id]) => this.get(id)));
      const byId = new Map(listed.map((w) => [w.id, w]));
      for (const w of fresh) if (w) byId.set(w.id, w);
      const windows = [...byId.values()]
        .filter((w) => Date.parse(w.start) < to && Date.parse(w.end) > from)
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id));
      const refused = refuse(windows);
      if (refused !== undefined) return refused;
      const v = Number(lock?.v ?? 0);
      const window =
        next.version === 1
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression:
                next.version === 2
                  ? 'attribute_exists(pk) AND (attribute_not_exists(version) OR version = :prev)'
                  : 'version = :prev',
              ExpressionAttributeValues: { ':prev': next.version - 1 },
            };
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.table, Item: this.item(next), ...window } },
              {
                Put: {
                  TableName: this.table,
                  Item: {
                    ...Key,
                    v: v + 1,
                    recent: Object.fromEntries([...recent, [next.id, Date.parse(next.end)]]),
                  },
                  ...(lock
                    ? { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': v } }
                    : { ConditionExpression: 'attribute_not_exists(pk)' }),
                },
              },
            ],
          }),
        );
        return undefined;
      } catch (e) {
        const reasons = cancellationReasons(e);
        if (!reasons) throw e;
        if (reasons[0]?.Code === 'ConditionalCheckFailed') {
          if (next.version === 1) throw new ConflictError(`exception window ${next.id} already exists`);
          const current = await this.get(next.id);
          if (!current)
            throw new NotFoundError(`no exception window ${next.id}`, [
              { path: 'exceptionId', problem: `names no exception window (${next.id})` },
            ]);
          throw new VersionConflictError(
            `stale write: version ${next.version - 1} was expected, the current version is ${current.version}`,
            current,
          );
        }
        if (!reasons.some((x) => x.Code === 'ConditionalCheckFailed' || x.Code === 'TransactionConflict'))
          throw e;
      }
    }
    throw new ConflictError(
      `the exception windows of agreement ${next.agreementId} kept changing: try again`,
    );
  }

  async get(id: string): Promise<ExceptionWindowRecord | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: `EXC#${id}`, sk: CURRENT }, ConsistentRead: true }),
    );
    return docOf(r.Item);
  }

  async list(q: { agreementId?: string; from?: string; to?: string }): Promise<ExceptionWindowRecord[]> {
    // Overlap: start < to is a key range; end > from is checked on each window.
    const range =
      q.to !== undefined ? { to: `${String(Date.parse(q.to) - 1).padStart(15, '0')}#~` } : undefined;
    const input = q.agreementId
      ? partition(this.table, DATA_INDEX.byStatus, `EXC_AGR#${q.agreementId}`, range)
      : partition(this.table, DATA_INDEX.byRenewal, 'EXC_ALL', range);
    const from = q.from !== undefined ? ms(q.from) : undefined;
    return (await queryAll(this.db, input))
      .filter((i) => from === undefined || String(i.end) > from)
      .map((i) => docOf<ExceptionWindowRecord>(i)!);
  }
}

const matches = (v: ViolationRecord, q: ViolationQuery): boolean =>
  (!q.agreementId || v.agreementId === q.agreementId) &&
  (!q.serviceId || v.serviceId === q.serviceId) &&
  (!q.objectiveId || v.objectiveId === q.objectiveId) &&
  (!q.severity || v.severity === q.severity) &&
  (!q.status || v.status === q.status) &&
  (!q.from || Date.parse(v.detectedAt) >= Date.parse(q.from)) &&
  (!q.to || Date.parse(v.detectedAt) < Date.parse(q.to)) &&
  (!q.scope || q.scope.businessUnits.includes(v.businessUnit) || q.scope.serviceIds.includes(v.serviceId));

/**
 * Violations: `VIO#<id>` plus a `VIOKEY#<key>` item that makes the key unique (both in one transaction).
 * By agreement and objective (`byStatus`: `VIO_AGR#<agreement>` / `<objective>#<status>#<detected>#<id>`), by
 * service (`byService`), by business unit (`byBusinessUnit`) and by status (`byRenewal`: `VIO_ALL#<status>`),
 * each newest first.
 */
export class DynamoViolationStore implements ViolationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private item(v: ViolationRecord): Item {
    const at = `${ms(v.detectedAt)}#${v.id}`;
    return {
      pk: `VIO#${v.id}`,
      sk: CURRENT,
      doc: v,
      key: v.key,
      statusPk: `VIO_AGR#${v.agreementId}`,
      statusSk: `${v.objectiveId}#${v.status}#${at}`,
      svcPk: `VIO_SVC#${v.serviceId}`,
      svcSk: at,
      buPk: `VIO_BU#${v.businessUnit}`,
      buSk: at,
      renewalPk: `VIO_ALL#${v.status}`,
      renewalSk: at,
    };
  }

  async record(v: ViolationRecord): Promise<{ violation: ViolationRecord; created: boolean }> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { pk: `VIOKEY#${v.key}`, sk: 'KEY', violationId: v.id },
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: this.item(v),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return { violation: v, created: true };
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') {
        const keyItem = reasons[0].Item
          ? unmarshall(reasons[0].Item as never)
          : (
              await this.db.send(
                new GetCommand({
                  TableName: this.table,
                  Key: { pk: `VIOKEY#${v.key}`, sk: 'KEY' },
                  ConsistentRead: true,
                }),
              )
            ).Item;
        const existing = keyItem ? await this.get(String(keyItem.violationId)) : undefined;
        if (existing) return { violation: existing, created: false };
      }
      if (reasons?.[1]?.Code === 'ConditionalCheckFailed')
        throw new ConflictError(`violation ${v.id} already exists`);
      throw e;
    }
  }

  async update(v: ViolationRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: this.item(v),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (e) {
      if (isConditionalCheckFailed(e))
        throw new NotFoundError(`violation ${v.id} not found`, [
          { path: 'violationId', problem: `names no violation (${v.id})` },
        ]);
      throw e;
    }
  }

  /** Atomic for up to 100 violations (one transaction); larger sets commit in transactions of 100. */
  async updateMany(vs: readonly ViolationRecord[]): Promise<void> {
    for (let i = 0; i < vs.length; i += 100) {
      const chunk = vs.slice(i, i + 100);
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: chunk.map((v) => ({
              Put: { TableName: this.table, Item: this.item(v), ConditionExpression: 'attribute_exists(pk)' },
            })),
          }),
        );
      } catch (e) {
        const reasons = cancellationReasons(e);
        const at = reasons?.findIndex((r) => r.Code === 'ConditionalCheckFailed') ?? -1;
        if (at >= 0)
          throw new NotFoundError(`violation ${chunk[at]!.id} not found`, [
            { path: 'violationId', problem: `names no violation (${chunk[at]!.id})` },
          ]);
        throw e;
      }
    }
  }

  async get(id: string): Promise<ViolationRecord | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: `VIO#${id}`, sk: CURRENT }, ConsistentRead: true }),
    );
    return docOf(r.Item);
  }

  async findOpen(agreementId: string, objectiveId: string): Promise<ViolationRecord | undefined> {
    const r = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: DATA_INDEX.byStatus.indexName,
        KeyConditionExpression: 'statusPk = :p AND begins_with(statusSk, :s)',
        ExpressionAttributeValues: { ':p': `VIO_AGR#${agreementId}`, ':s': `${objectiveId}#open#` },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return docOf(r.Items?.[0]);
  }

  async list(q: ViolationQuery): Promise<ViolationRecord[]> {
    const limit = q.limit ?? 100;
    const range = {
      ...(q.from ? { from: ms(q.from) } : {}),
      ...(q.to ? { to: `${String(Date.parse(q.to) - 1).padStart(15, '0')}#~` } : {}),
    };
    const desc = (input: QueryCommandInput): QueryCommandInput => ({ ...input, ScanIndexForward: false });
    let inputs: QueryCommandInput[];
    if (q.agreementId) {
      inputs = [partition(this.table, DATA_INDEX.byStatus, `VIO_AGR#${q.agreementId}`)];
    } else if (q.serviceId) {
      inputs = [desc(partition(this.table, DATA_INDEX.byService, `VIO_SVC#${q.serviceId}`, range))];
    } else if (q.scope) {
      inputs = [
        ...q.scope.businessUnits.map((b) =>
          desc(partition(this.table, DATA_INDEX.byBusinessUnit, `VIO_BU#${b}`, range)),
        ),
        ...q.scope.serviceIds.map((s) =>
          desc(partition(this.table, DATA_INDEX.byService, `VIO_SVC#${s}`, range)),
        ),
      ];
    } else {
      const statuses = q.status ? [q.status] : (['open', 'resolved'] as const);
      inputs = statuses.map((s) => desc(partition(this.table, DATA_INDEX.byRenewal, `VIO_ALL#${s}`, range)));
    }
    const keep = (i: Item) => matches(docOf<ViolationRecord>(i)!, q);
    const seen = new Set<string>();
    return (await Promise.all(inputs.map((input) => queryKeep(this.db, input, keep, limit))))
      .flat()
      .map((i) => docOf<ViolationRecord>(i)!)
      .filter((v) => {
        if (seen.has(v.id)) return false;
        seen.add(v.id);
        return true;
      })
      .sort((a, b) => Date.parse(b.detectedAt) - Date.parse(a.detectedAt) || b.id.localeCompare(a.id))
      .slice(0, limit);
  }
}

/**
 * Evaluations: the latest result per objective (`EVL#<agreement>` / `<objective>`; by service on `byService`,
 * all on `byStatus` `EVL_ALL`) and one history point per objective and instant (`EVH#<agreement>#<objective>`
 * / `<epoch ms>`), so a re-evaluation of the same instant overwrites its point. History points carry a TTL
 * (`expiresAt`, the retention policy's days after the instant): DynamoDB expires them, so this adapter offers
 * no pruneHistory.
 */
export class DynamoEvaluationStore implements EvaluationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly historyDays: number = DEFAULT_RETENTION.historyDays,
  ) {}

  async save(results: readonly EvaluationResult[]): Promise<void> {
    const puts = results.flatMap((r) => {
      const obj = `${r.agreementId}#${r.objectiveId}`;
      return [
        {
          pk: `EVL#${r.agreementId}`,
          sk: r.objectiveId,
          doc: r,
          svcPk: `EVL_SVC#${r.serviceId}`,
          svcSk: obj,
          statusPk: 'EVL_ALL',
          statusSk: obj,
        },
        {
          pk: `EVH#${obj}`,
          sk: ms(r.evaluatedAt),
          doc: budgetPoint(r),
          expiresAt: Math.floor(Date.parse(r.evaluatedAt) / 1000) + this.historyDays * 86_400,
        },
      ];
    });
    // Later results for the same objective win: keep the last item per key within a request.
    const byKey = new Map(puts.map((p) => [`${p.pk}\u0000${p.sk}`, p]));
    const items = [...byKey.values()];
    for (let i = 0; i < items.length; i += 25) {
      let pending: Record<string, unknown>[] | undefined = items
        .slice(i, i + 25)
        .map((Item) => ({ PutRequest: { Item } }));
      while (pending?.length) {
        const r = await this.db.send(
          new BatchWriteCommand({ RequestItems: { [this.table]: pending as never } }),
        );
        pending = r.UnprocessedItems?.[this.table] as Record<string, unknown>[] | undefined;
      }
    }
  }

  async latest(q: {
    agreementId?: string;
    serviceId?: string;
    objectiveId?: string;
  }): Promise<EvaluationResult[]> {
    let items: Item[];
    if (q.agreementId) {
      items = await queryAll(this.db, {
        TableName: this.table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': `EVL#${q.agreementId}` },
        ConsistentRead: true,
      });
    } else if (q.serviceId) {
      items = await queryAll(this.db, partition(this.table, DATA_INDEX.byService, `EVL_SVC#${q.serviceId}`));
    } else {
      items = await queryAll(this.db, partition(this.table, DATA_INDEX.byStatus, 'EVL_ALL'));
    }
    return items
      .map((i) => docOf<EvaluationResult>(i)!)
      .filter(
        (r) =>
          (!q.serviceId || r.serviceId === q.serviceId) &&
          (!q.objectiveId || r.objectiveId === q.objectiveId),
      )
      .sort(
        (a, b) => a.agreementId.localeCompare(b.agreementId) || a.objectiveId.localeCompare(b.objectiveId),
      );
  }

  async history(agreementId: string, objectiveId: string, from: string, to: string): Promise<BudgetPoint[]> {
    const hi = Date.parse(to) - 1;
    if (hi < Date.parse(from)) return [];
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :p AND sk BETWEEN :f AND :t',
      ExpressionAttributeValues: {
        ':p': `EVH#${agreementId}#${objectiveId}`,
        ':f': ms(from),
        ':t': String(hi).padStart(15, '0'),
      },
      ConsistentRead: true,
    });
    return items.map((i) => docOf<BudgetPoint>(i)!);
  }
}
