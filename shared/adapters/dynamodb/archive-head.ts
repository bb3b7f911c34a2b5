import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ArchiveHead, ArchiveHeadStore } from '../../ports/archive.js';
import { isConditionalCheckFailed } from './errors.js';

/**
 * The archive chain's head in the audit table (one item, `pk = archive-head`, `version = 0`), apart from the
 * archive bucket: hiding the newest manifest entries in S3 (a delete marker over them: S3 Object Lock keeps the
 * locked versions, but ListObjectsV2 and GET no longer show them) leaves this item naming an entry the chain no
 * longer reaches. Conditional put: it only moves to a higher sequence number.
 */
export class DynamoArchiveHeadStore implements ArchiveHeadStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(): Promise<ArchiveHead | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.table, Key: KEY, ConsistentRead: true }));
    return r.Item ? { seq: Number(r.Item.seq), hash: String(r.Item.hash) } : undefined;
  }

  async raise(head: ArchiveHead): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...KEY, seq: head.seq, hash: head.hash },
          ConditionExpression: 'attribute_not_exists(pk) OR seq < :seq',
          ExpressionAttributeValues: { ':seq': head.seq },
        }),
      );
    } catch (e) {
      // The recorded head is already there or further on: it never moves back.
      if (!isConditionalCheckFailed(e)) throw e;
    }
  }
}

const KEY = { pk: 'archive-head', version: 0 };
