import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MigrationCheckpoint, MigrationCheckpointStore } from '../../ports/migrations.js';

/**
 * The data migrations' checkpoints, one item each in the workflows table: pk `MIGRATION#<id>`, sk `MIGRATION`,
 * `record` the checkpoint. Only the `workflow-starts` function writes them, one run at a time (the schedule's
 * invocations do not overlap in practice; if two did, both repeat safe steps and the later checkpoint stands).
 */
export class DynamoMigrationCheckpoints implements MigrationCheckpointStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(id: string): Promise<MigrationCheckpoint | undefined> {
    const r = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: `MIGRATION#${id}`, sk: 'MIGRATION' },
        ConsistentRead: true,
      }),
    );
    return r.Item?.record as MigrationCheckpoint | undefined;
  }

  async put(checkpoint: MigrationCheckpoint): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `MIGRATION#${checkpoint.id}`, sk: 'MIGRATION', record: checkpoint },
      }),
    );
  }
}
