import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { partyUnitsOf } from '../../domain/access/policy.js';
import { type ChainAgreement, chainView } from '../../domain/chain/graph.js';
import { ConflictError, VersionConflictError } from '../../domain/errors.js';
import type { AgreementListQuery, AgreementStore, Page } from '../../ports/agreements.js';
import type { AgreementVersion } from '../../schemas/agreement.js';
import { AUDIT_ENTITY_ATTR, DOC_ATTR } from '../stream/change-record.js';
import { Expr, type Item, mergeById, queryAll, queryPartitionAfter } from './client.js';
import { cancellationReasons } from './errors.js';
import { DATA_INDEX } from './tables.js';

const CURRENT = 'CURRENT';
const agrPk = (id: string) => `AGR#${id}`;
const versionSk = (v: number) => `V#${String(v).padStart(9, '0')}`;
const edgePk = (depId: string) => `DEP#${depId}`;
const STATUSES: readonly AgreementVersion['status'][] = [
  'draft',
  'submitted',
  'approved',
  'active',
  'expired',
  'sunset',
  'retired',
];
/** One partition holds the date indexes: agreements number in thousands, and these are scheduled reads. */
const RENEWAL_PK = 'AGR_RENEWAL';
const EXPIRY_PK = 'AGR_EXPIRY';
/** Transactions take at most 100 actions: version + current + party marker + 97 edge changes; more follow. */
const MAX_TX_EDGE_OPS = 97;
const PARTY_SK = 'PARTY';

/** The party business unit that does not hold the agreement (the customer of an SLA), if any. */
function counterpartyOf(v: AgreementVersion): string | undefined {
  return partyUnitsOf(v.parties).find((u) => u !== v.businessUnit);
}

/**
 * The party marker `AGR#<id> / PARTY`: a copy of the current item's list attributes and document, indexed on
 * `byBusinessUnit` under `AGR_PARTY#<counterparty>` so that a customer unit lists what it consumes. It carries no
 * `auditEntity` (the stream consumer ignores it) and no other index keys.
 */
function partyMarker(v: AgreementVersion, counterparty: string): Item {
  const { pk, businessUnit, serviceId, status, kind, renewalDate, expiryDate } = currentItem(v) as Item;
  return {
    pk,
    sk: PARTY_SK,
    [DOC_ATTR]: v,
    id: v.id,
    businessUnit,
    serviceId,
    status,
    kind,
    counterparty,
    ...(renewalDate ? { renewalDate } : {}),
    ...(expiryDate ? { expiryDate } : {}),
    buPk: `AGR_PARTY#${counterparty}`,
    buSk: v.id,
  };
}

type Raw = Record<string, unknown>;

/**
 * The current item of an agreement: the record as `doc` (what the stream consumer audits), the attributes lists
 * filter on, and one key pair per index so that each access pattern is a Query.
 */
function currentItem(v: AgreementVersion): Item {
  const renewal = v.renewal?.renewalDate;
  return {
    pk: agrPk(v.id),
    sk: CURRENT,
    [AUDIT_ENTITY_ATTR]: 'agreement',
    [DOC_ATTR]: v,
    id: v.id,
    version: v.version,
    status: v.status,
    kind: v.kind,
    businessUnit: v.businessUnit,
    serviceId: v.serviceId,
    ...(counterpartyOf(v) ? { counterparty: counterpartyOf(v) } : {}),
    buPk: `AGR_BU#${v.businessUnit}`,
    buSk: v.id,
    svcPk: `AGR_SVC#${v.serviceId}`,
    svcSk: v.id,
    statusPk: `AGR_STATUS#${v.status}`,
    statusSk: v.id,
    ...(renewal ? { renewalDate: renewal, renewalPk: RENEWAL_PK, renewalSk: `${renewal}#${v.id}` } : {}),
    ...(v.effectiveTo
      ? { expiryDate: v.effectiveTo, expiryPk: EXPIRY_PK, expirySk: `${v.effectiveTo}#${v.id}` }
      : {}),
  };
}

const docOf = (item: Item | Raw | undefined): AgreementVersion | undefined =>
  item ? (item[DOC_ATTR] as AgreementVersion) : undefined;

/**
 * Agreements on DynamoDB (the data table): immutable version items `AGR#<id> / V#<version>`, a current item
 * `AGR#<id> / CURRENT` guarded by a condition on its version (optimistic locking), and dependency edges
 * `DEP#<dependency> / SLA#<dependant>`, written in one transaction per change.
 */
export class DynamoAgreementStore implements AgreementStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(first: AgreementVersion): Promise<void> {
    try {
      await this.commit(first, [], undefined);
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') {
        throw new ConflictError(`agreement ${first.id} already exists`);
      }
      throw e;
    }
  }

  async append(next: AgreementVersion): Promise<void> {
    const current = docOf(
      (
        await this.db.send(
          new GetCommand({
            TableName: this.table,
            Key: { pk: agrPk(next.id), sk: CURRENT },
            ConsistentRead: true,
          }),
        )
      ).Item,
    );
    if (!current) throw new ConflictError(`agreement ${next.id} does not exist`);
    if (current.version !== next.version - 1) throw this.stale(next, current);
    try {
      await this.commit(next, current.underpinnedBy, current.version);
    } catch (e) {
      const reasons = cancellationReasons(e);
      const first = reasons?.[0];
      if (first?.Code === 'ConditionalCheckFailed') {
        // Another writer won the race between our read and our commit: report what it wrote.
        const now = first.Item ? docOf(unmarshall(first.Item as never)) : await this.get(next.id);
        if (!now) throw new ConflictError(`agreement ${next.id} does not exist`);
        throw this.stale(next, now);
      }
      if (reasons?.[1]?.Code === 'ConditionalCheckFailed') throw this.stale(next, (await this.get(next.id))!);
      throw e;
    }
  }

  private stale(next: AgreementVersion, current: AgreementVersion): VersionConflictError {
    return new VersionConflictError(
      `stale write: version ${next.version - 1} was expected, the current version is ${current.version}`,
      current,
    );
  }

  /** One transaction: the current item (conditional), the new version item, and the changed edges. */
  private async commit(v: AgreementVersion, oldDeps: readonly string[], prevVersion: number | undefined) {
    const added = v.underpinnedBy.filter((d) => !oldDeps.includes(d));
    const removed = oldDeps.filter((d) => !v.underpinnedBy.includes(d));
    const edgeOps: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      ...added.map((d) => ({
        Put: { TableName: this.table, Item: { pk: edgePk(d), sk: `SLA#${v.id}`, dependantId: v.id } },
      })),
      ...removed.map((d) => ({
        Delete: { TableName: this.table, Key: { pk: edgePk(d), sk: `SLA#${v.id}` } },
      })),
    ];
    const current =
      prevVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: 'version = :prev',
            ExpressionAttributeValues: { ':prev': prevVersion },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
          };
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.table, Item: currentItem(v), ...current } },
          {
            Put: {
              TableName: this.table,
              Item: { pk: agrPk(v.id), sk: versionSk(v.version), [DOC_ATTR]: v },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          counterpartyOf(v)
            ? { Put: { TableName: this.table, Item: partyMarker(v, counterpartyOf(v)!) } }
            : { Delete: { TableName: this.table, Key: { pk: agrPk(v.id), sk: PARTY_SK } } },
          ...edgeOps.slice(0, MAX_TX_EDGE_OPS),
        ],
      }),
    );
    // Edges past the transaction limit: idempotent, and dependants() checks each against the current item.
    for (const op of edgeOps.slice(MAX_TX_EDGE_OPS)) {
      await this.db.send(new TransactWriteCommand({ TransactItems: [op] }));
    }
  }

  async get(id: string): Promise<AgreementVersion | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: agrPk(id), sk: CURRENT }, ConsistentRead: true }),
    );
    return docOf(r.Item);
  }

  async getVersion(id: string, version: number): Promise<AgreementVersion | undefined> {
    const r = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: agrPk(id), sk: versionSk(version) },
        ConsistentRead: true,
      }),
    );
    return docOf(r.Item);
  }

  async listVersions(id: string): Promise<AgreementVersion[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':pk': agrPk(id), ':v': 'V#' },
      ConsistentRead: true,
    });
    return items.map((i) => docOf(i)!);
  }

  async dependants(id: string): Promise<AgreementVersion[]> {
    const edges = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': edgePk(id) },
      ConsistentRead: true,
    });
    const ids = edges.map((e) => String(e.dependantId));
    const out: AgreementVersion[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Raw[] | undefined = ids.slice(i, i + 100).map((d) => ({ pk: agrPk(d), sk: CURRENT }));
      while (keys?.length) {
        const r = await this.db.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }),
        );
        out.push(...((r.Responses?.[this.table] ?? []) as Item[]).map((x) => docOf(x)!));
        keys = r.UnprocessedKeys?.[this.table]?.Keys as Raw[] | undefined;
      }
    }
    return out
      .filter((a) => a.status !== 'retired' && a.underpinnedBy.includes(id))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Every current agreement, page by page (the list's own query), projected: DynamoDB reads whole items anyway. */
  async chainViews(): Promise<ChainAgreement[]> {
    const out: ChainAgreement[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.list({
        scope: { all: true },
        limit: 1000,
        ...(after === undefined ? {} : { after }),
      });
      out.push(...page.items.map(chainView));
      if (page.lastKey === undefined || page.items.length === 0) return out;
      after = page.lastKey;
    }
  }

  async list(q: AgreementListQuery): Promise<Page<AgreementVersion>> {
    if (
      !q.scope.all &&
      q.scope.businessUnits.length === 0 &&
      q.scope.serviceIds.length === 0 &&
      !q.scope.partyUnits?.length
    ) {
      return { items: [] };
    }
    const want = q.limit + 1;
    const filter = this.filterFor(q);
    const byId = (index: (typeof DATA_INDEX)[keyof typeof DATA_INDEX], pk: string) =>
      queryPartitionAfter(this.db, this.table, index, pk, q.after, filter, want);
    let lists: Item[][];
    if (q.serviceId !== undefined) lists = [await byId(DATA_INDEX.byService, `AGR_SVC#${q.serviceId}`)];
    else if (q.businessUnit !== undefined)
      lists = [await byId(DATA_INDEX.byBusinessUnit, `AGR_BU#${q.businessUnit}`)];
    else if (!q.scope.all) {
      lists = await Promise.all([
        ...q.scope.businessUnits.map((bu) => byId(DATA_INDEX.byBusinessUnit, `AGR_BU#${bu}`)),
        ...q.scope.serviceIds.map((s) => byId(DATA_INDEX.byService, `AGR_SVC#${s}`)),
        ...(q.scope.partyUnits ?? []).map((u) => byId(DATA_INDEX.byBusinessUnit, `AGR_PARTY#${u}`)),
      ]);
    } else if (q.status !== undefined) lists = [await byId(DATA_INDEX.byStatus, `AGR_STATUS#${q.status}`)];
    else if (q.renewalFrom !== undefined || q.renewalTo !== undefined) {
      lists = [
        await this.byDate(DATA_INDEX.byRenewal, RENEWAL_PK, q.renewalFrom, q.renewalTo, filter, q.after),
      ];
    } else if (q.expiryFrom !== undefined || q.expiryTo !== undefined) {
      lists = [await this.byDate(DATA_INDEX.byExpiry, EXPIRY_PK, q.expiryFrom, q.expiryTo, filter, q.after)];
    } else {
      lists = await Promise.all(
        STATUSES.filter((s) => s !== 'retired').map((s) => byId(DATA_INDEX.byStatus, `AGR_STATUS#${s}`)),
      );
    }
    const page = mergeById(
      lists.map((l) => l.map((i) => docOf(i)!)),
      q.limit,
    );
    return page;
  }

  /** A date range read whole (it is bounded by the range), then ordered by id for the keyset cursor. */
  private async byDate(
    index: (typeof DATA_INDEX)['byRenewal'],
    pk: string,
    from: string | undefined,
    to: string | undefined,
    filter: Expr,
    after: string | undefined,
  ): Promise<Item[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      IndexName: index.indexName,
      ...filter.input(
        '#ipk = :ipk AND #isk BETWEEN :from AND :to',
        { ':ipk': pk, ':from': from ?? '0000', ':to': `${to ?? '9999-12-31'}#~` },
        { '#ipk': index.partitionKey.name, '#isk': index.sortKey.name },
      ),
    });
    return items.filter((i) => after === undefined || String(i.id) > after);
  }

  private filterFor(q: AgreementListQuery): Expr {
    const f = new Expr();
    const eq = (attr: string, v: string | undefined) => {
      if (v !== undefined) f.add(`${f.name(attr)} = ${f.value(v)}`);
    };
    eq('serviceId', q.serviceId);
    eq('businessUnit', q.businessUnit);
    eq('kind', q.kind);
    if (q.status !== undefined) eq('status', q.status);
    else f.add(`${f.name('status')} <> ${f.value('retired')}`);
    const range = (attr: string, from?: string, to?: string) => {
      if (from !== undefined) f.add(`${f.name(attr)} >= ${f.value(from)}`);
      if (to !== undefined) f.add(`${f.name(attr)} <= ${f.value(to)}`);
    };
    range('renewalDate', q.renewalFrom, q.renewalTo);
    range('expiryDate', q.expiryFrom, q.expiryTo);
    if (!q.scope.all) {
      const parts: string[] = [];
      const inList = (attr: string, vs: string[]) => {
        if (vs.length) parts.push(`${f.name(attr)} IN (${vs.map((v) => f.value(v)).join(', ')})`);
      };
      inList('businessUnit', q.scope.businessUnits);
      inList('serviceId', q.scope.serviceIds);
      inList('counterparty', q.scope.partyUnits ?? []);
      f.add(`(${parts.join(' OR ')})`);
    }
    return f;
  }
}
