import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditStore } from '../../ports/audit.js';
import type { AuditEntry } from '../../schemas/agreement.js';
import { isConditionalCheckFailed } from './errors.js';

/**
 * The audit trail on DynamoDB: `<entity>#<id>` / version. A conditional put makes recording idempotent, so a
 * stream record delivered twice writes one entry.
 */
export class DynamoAuditStore implements AuditStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(entry: AuditEntry): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `${entry.entity}#${entry.entityId}`, version: entry.version, entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (e) {
      if (isConditionalCheckFailed(e)) return false;
      throw e;
    }
  }

  async list(
    entity: AuditEntry['entity'],
    entityId: string,
    o: { limit: number; afterVersion?: number },
  ): Promise<AuditEntry[]> {
    const r = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND version > :after',
        ExpressionAttributeValues: { ':pk': `${entity}#${entityId}`, ':after': o.afterVersion ?? 0 },
        Limit: o.limit,
        ConsistentRead: true,
      }),
    );
    return (r.Items ?? []).map((i) => i.entry as AuditEntry);
  }
}
