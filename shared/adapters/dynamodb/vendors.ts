import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ConflictError, VersionConflictError } from '../../domain/errors.js';
import { keyRowsOf } from '../../domain/vendors/keys.js';
import type { Page } from '../../ports/agreements.js';
import type { KeyGrant, KeySecret, VendorStore } from '../../ports/vendors.js';
import type { Vendor } from '../../schemas/vendor.js';
import { AUDIT_ENTITY_ATTR, DOC_ATTR } from '../stream/change-record.js';
import { Expr, type Item, queryPartitionAfter } from './client.js';
import { cancellationReasons } from './errors.js';
import { DATA_INDEX } from './tables.js';

const CURRENT = 'CURRENT';
const vendorPk = (id: string) => `VENDOR#${id}`;
/** Every vendor sits in one index partition: vendors number in tens to hundreds. */
const ALL_VENDORS = 'VENDOR';
/** Index rows of keys that stop at `notAfter` expire (DynamoDB TTL) a day later; the authorizer judges `notAfter` itself. */
const EXPIRY_MARGIN_S = 86_400;

type Ops = NonNullable<TransactWriteCommandInput['TransactItems']>;

/**
 * Vendors on DynamoDB. The record is the current item of `VENDOR#<id>` in the data table (its stream feeds the
 * audit consumer, as for services); the key hashes it owns sit beside the record (`keyHashes`, outside `doc`, so
 * the audit trail never shows them). The key index is the VendorKeys table (`keyHash` → vendor, tier, notAfter,
 * usage key): the vendor authorizer's only table. Record and index change in one transaction.
 */
export class DynamoVendorStore implements VendorStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly dataTable: string,
    private readonly keysTable: string,
  ) {}

  async create(vendor: Vendor, secrets: readonly KeySecret[], usageKey?: string): Promise<void> {
    const hashes = Object.fromEntries(secrets.map((s) => [s.keyId, s.hash]));
    const { ops, kept } = this.indexOps(vendor, Date.parse(vendor.changedAt), {}, hashes, usageKey);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.dataTable,
                Item: this.item(vendor, kept, usageKey),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...ops,
          ],
        }),
      );
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') {
        throw new ConflictError(`vendor ${vendor.id} already exists`, [{ path: 'id', problem: 'is taken' }]);
      }
      if (reasons?.some((r) => r.Code === 'ConditionalCheckFailed'))
        throw new ConflictError('the key is already issued');
      throw e;
    }
  }

  async update(next: Vendor, atMs: number, secrets: readonly KeySecret[] = []): Promise<void> {
    const current = await this.current(next.id);
    if (!current) throw new ConflictError(`vendor ${next.id} does not exist`);
    const held = current[DOC_ATTR] as Vendor;
    if (held.version !== next.version - 1) throw stale(held);
    const usageKey = current.usageKey as string | undefined;
    const fresh = Object.fromEntries(secrets.map((s) => [s.keyId, s.hash]));
    const { ops, kept } = this.indexOps(
      next,
      atMs,
      (current.keyHashes ?? {}) as Record<string, string>,
      fresh,
      usageKey,
    );
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.dataTable,
                Item: this.item(next, kept, usageKey),
                ConditionExpression: 'version = :prev',
                ExpressionAttributeValues: { ':prev': held.version },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            ...ops,
          ],
        }),
      );
    } catch (e) {
      const reasons = cancellationReasons(e);
      const first = reasons?.[0];
      if (first?.Code === 'ConditionalCheckFailed') {
        // Another writer committed between our read and our write: report what it wrote.
        const now = first.Item
          ? (unmarshall(first.Item as never)[DOC_ATTR] as Vendor)
          : await this.get(next.id);
        throw stale(now ?? held);
      }
      if (reasons?.some((r) => r.Code === 'ConditionalCheckFailed'))
        throw new ConflictError('the key is already issued');
      throw e;
    }
  }

  async get(id: string): Promise<Vendor | undefined> {
    return (await this.current(id))?.[DOC_ATTR] as Vendor | undefined;
  }

  async list(q: { limit: number; after?: string }): Promise<Page<Vendor>> {
    const items = await queryPartitionAfter(
      this.db,
      this.dataTable,
      DATA_INDEX.byStatus,
      ALL_VENDORS,
      q.after,
      new Expr(),
      q.limit + 1,
    );
    const page = items.slice(0, q.limit).map((i) => i[DOC_ATTR] as Vendor);
    return { items: page, ...(items.length > q.limit ? { lastKey: page[page.length - 1]!.id } : {}) };
  }

  async findKey(hash: string): Promise<KeyGrant | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.keysTable, Key: { keyHash: hash }, ConsistentRead: true }),
    );
    const i = r.Item;
    if (!i) return undefined;
    return {
      keyId: String(i.keyId),
      vendorId: String(i.vendorId),
      tier: String(i.tier),
      ...(typeof i.notAfter === 'string' ? { notAfter: i.notAfter } : {}),
      ...(typeof i.usageKey === 'string' ? { usageKey: i.usageKey } : {}),
    };
  }

  private async current(id: string): Promise<Item | undefined> {
    const r = await this.db.send(
      new GetCommand({
        TableName: this.dataTable,
        Key: { pk: vendorPk(id), sk: CURRENT },
        ConsistentRead: true,
      }),
    );
    return r.Item as Item | undefined;
  }

  private item(v: Vendor, keyHashes: Record<string, string>, usageKey: string | undefined): Item {
    return {
      pk: vendorPk(v.id),
      sk: CURRENT,
      [AUDIT_ENTITY_ATTR]: 'vendor',
      [DOC_ATTR]: v,
      id: v.id,
      version: v.version,
      statusPk: ALL_VENDORS,
      statusSk: v.id,
      keyHashes,
      ...(usageKey !== undefined ? { usageKey } : {}),
    };
  }

  /**
   * The index writes that bring the VendorKeys table to `keyRowsOf(vendor)`: a put per usable key (new keys
   * only where their hash is not indexed yet), a delete per key no longer usable. `kept`: the hashes still owned.
   */
  private indexOps(
    vendor: Vendor,
    atMs: number,
    held: Record<string, string>,
    fresh: Record<string, string>,
    usageKey: string | undefined,
  ): { ops: Ops; kept: Record<string, string> } {
    const rows = new Map(keyRowsOf(vendor, atMs).map((r) => [r.keyId, r]));
    const ops: Ops = [];
    const kept: Record<string, string> = {};
    for (const [keyId, hash] of Object.entries({ ...held, ...fresh })) {
      const row = rows.get(keyId);
      if (!row) {
        if (held[keyId] !== undefined)
          ops.push({ Delete: { TableName: this.keysTable, Key: { keyHash: hash } } });
        continue;
      }
      kept[keyId] = hash;
      ops.push({
        Put: {
          TableName: this.keysTable,
          Item: {
            keyHash: hash,
            ...row,
            ...(usageKey !== undefined ? { usageKey } : {}),
            ...(row.notAfter !== undefined
              ? { expiresAt: Math.ceil(Date.parse(row.notAfter) / 1000) + EXPIRY_MARGIN_S }
              : {}),
          },
          ...(held[keyId] === undefined ? { ConditionExpression: 'attribute_not_exists(keyHash)' } : {}),
        },
      });
    }
    return { ops, kept };
  }
}

function stale(current: Vendor): VersionConflictError {
  return new VersionConflictError(`stale write: the current version is ${current.version}`, current);
}
