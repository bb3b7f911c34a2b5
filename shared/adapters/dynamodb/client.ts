import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** One document client per process: records go in and out as plain objects; undefined fields are dropped. */
export function documentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
}

export type Item = Record<string, unknown>;

/**
 * Reads a query's pages until `want` items passed the filter or the partition ends. Limit counts items read
 * before the filter, so a selective filter takes several pages; each page is bounded.
 */
export async function queryUpTo(
  db: DynamoDBDocumentClient,
  input: QueryCommandInput,
  want: number,
): Promise<Item[]> {
  const out: Item[] = [];
  let start: Record<string, unknown> | undefined;
  const limit = Math.min(Math.max(want * 2, 25), 500);
  do {
    const page = await db.send(
      new QueryCommand({ ...input, Limit: limit, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    out.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start && out.length < want);
  return out.slice(0, want);
}

/**
 * One keyset page of an index partition: items of partition `pk` whose sort key follows `after`, through the
 * filter, up to `want`. Lists that merge several partitions (scope: any of these units) call it per partition.
 */
export function queryPartitionAfter(
  db: DynamoDBDocumentClient,
  table: string,
  index: { indexName: string; partitionKey: { name: string }; sortKey: { name: string } },
  pk: string,
  after: string | undefined,
  filter: Expr,
  want: number,
): Promise<Item[]> {
  return queryUpTo(
    db,
    {
      TableName: table,
      IndexName: index.indexName,
      ...filter.input(
        after === undefined ? '#ipk = :ipk' : '#ipk = :ipk AND #isk > :after',
        { ':ipk': pk, ...(after === undefined ? {} : { ':after': after }) },
        { '#ipk': index.partitionKey.name, ...(after === undefined ? {} : { '#isk': index.sortKey.name }) },
      ),
    },
    want,
  );
}

/** Every item of a query (bounded ranges only: version lists, a date range). */
export async function queryAll(db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  return queryUpTo(db, input, Number.MAX_SAFE_INTEGER);
}

/**
 * Merges partitions each read in id order into one id-ordered page: the keyset cursor of the ports (`after` =
 * the last id) works across partitions because every partition is sorted by the same id.
 */
export function mergeById<T extends { id: string }>(
  lists: T[][],
  limit: number,
): { items: T[]; lastKey?: string } {
  const seen = new Set<string>();
  const all = lists
    .flat()
    .filter((x) => {
      if (seen.has(x.id)) return false;
      seen.add(x.id);
      return true;
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const more = all.length > limit;
  const items = more ? all.slice(0, limit) : all;
  return { items, ...(more ? { lastKey: items[items.length - 1]!.id } : {}) };
}

/** Builds a filter expression from conditions that each name their own placeholders. */
export class Expr {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private readonly parts: string[] = [];
  private n = 0;

  name(attr: string): string {
    const k = `#${attr}`;
    this.names[k] = attr;
    return k;
  }

  value(v: unknown): string {
    const k = `:v${this.n++}`;
    this.values[k] = v;
    return k;
  }

  add(condition: string): void {
    this.parts.push(condition);
  }

  get filter(): string | undefined {
    return this.parts.length ? this.parts.join(' AND ') : undefined;
  }

  /** The expression parts of a QueryCommandInput, with the key condition's own names and values merged in. */
  input(keyCondition: string, keyValues: Record<string, unknown>, keyNames: Record<string, string> = {}) {
    const names = { ...this.names, ...keyNames };
    const values = { ...this.values, ...keyValues };
    return {
      KeyConditionExpression: keyCondition,
      ...(this.filter ? { FilterExpression: this.filter } : {}),
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    };
  }
}
