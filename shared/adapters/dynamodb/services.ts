import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ConflictError, VersionConflictError } from '../../domain/errors.js';
import type { Page } from '../../ports/agreements.js';
import type { ServiceListQuery, ServiceStore } from '../../ports/services.js';
import type { Service } from '../../schemas/service.js';
import { AUDIT_ENTITY_ATTR, DOC_ATTR } from '../stream/change-record.js';
import { Expr, type Item, mergeById, queryPartitionAfter } from './client.js';
import { isConditionalCheckFailed } from './errors.js';
import { DATA_INDEX } from './tables.js';

const CURRENT = 'CURRENT';
const svcPk = (id: string) => `SVC#${id}`;
/** Every service sits in one index partition: services number in hundreds to thousands. */
const ALL_SERVICES = 'SVC';

function item(s: Service): Item {
  return {
    pk: svcPk(s.id),
    sk: CURRENT,
    [AUDIT_ENTITY_ATTR]: 'service',
    [DOC_ATTR]: s,
    id: s.id,
    version: s.version,
    businessUnit: s.businessUnit,
    tier: s.tier,
    buPk: `SVC_BU#${s.businessUnit}`,
    buSk: s.id,
    statusPk: ALL_SERVICES,
    statusSk: s.id,
  };
}

const docOf = (i: Record<string, unknown> | undefined): Service | undefined =>
  i ? (i[DOC_ATTR] as Service) : undefined;

/** Services on DynamoDB (the data table): one current item per service, written under a version condition. */
export class DynamoServiceStore implements ServiceStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(service: Service): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: item(service),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (isConditionalCheckFailed(e)) {
        throw new ConflictError(`service ${service.id} already exists`, [
          { path: 'id', problem: 'is taken' },
        ]);
      }
      throw e;
    }
  }

  async update(next: Service): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: item(next),
          ConditionExpression: 'version = :prev',
          ExpressionAttributeValues: { ':prev': next.version - 1 },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (e) {
      if (!isConditionalCheckFailed(e)) throw e;
      const current = e.Item ? docOf(unmarshall(e.Item as never)) : await this.get(next.id);
      if (!current) throw new ConflictError(`service ${next.id} does not exist`);
      throw new VersionConflictError(`stale write: the current version is ${current.version}`, current);
    }
  }

  async get(id: string): Promise<Service | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: svcPk(id), sk: CURRENT }, ConsistentRead: true }),
    );
    return docOf(r.Item);
  }

  async list(q: ServiceListQuery): Promise<Page<Service>> {
    if (!q.scope.all && q.scope.businessUnits.length === 0 && q.scope.serviceIds.length === 0) {
      return { items: [] };
    }
    const want = q.limit + 1;
    const f = new Expr();
    if (q.businessUnit !== undefined) f.add(`${f.name('businessUnit')} = ${f.value(q.businessUnit)}`);
    if (q.tier !== undefined) f.add(`${f.name('tier')} = ${f.value(q.tier)}`);
    const partition = (index: (typeof DATA_INDEX)[keyof typeof DATA_INDEX], pk: string) =>
      queryPartitionAfter(this.db, this.table, index, pk, q.after, f, want);
    let lists: Item[][];
    if (q.scope.all) {
      lists = [
        await (q.businessUnit !== undefined
          ? partition(DATA_INDEX.byBusinessUnit, `SVC_BU#${q.businessUnit}`)
          : partition(DATA_INDEX.byStatus, ALL_SERVICES)),
      ];
    } else {
      const bus =
        q.businessUnit === undefined
          ? q.scope.businessUnits
          : q.scope.businessUnits.filter((b) => b === q.businessUnit);
      lists = await Promise.all([
        ...bus.map((bu) => partition(DATA_INDEX.byBusinessUnit, `SVC_BU#${bu}`)),
        this.byIds(q.scope.serviceIds, q),
      ]);
    }
    return mergeById(
      lists.map((l) => l.map((i) => docOf(i)!)),
      q.limit,
    );
  }

  /** The services a principal is scoped to by id: a batch of gets, filtered like the query. */
  private async byIds(ids: string[], q: ServiceListQuery): Promise<Item[]> {
    const out: Item[] = [];
    const wanted = ids.filter((id) => q.after === undefined || id > q.after);
    for (let i = 0; i < wanted.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = wanted
        .slice(i, i + 100)
        .map((id) => ({ pk: svcPk(id), sk: CURRENT }));
      while (keys?.length) {
        const r = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys } } }));
        out.push(...((r.Responses?.[this.table] ?? []) as Item[]));
        keys = r.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return out.filter(
      (i) =>
        (q.businessUnit === undefined || i.businessUnit === q.businessUnit) &&
        (q.tier === undefined || i.tier === q.tier),
    );
  }
}
