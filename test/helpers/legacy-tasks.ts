import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { taskItem } from '../../shared/adapters/dynamodb/workflows.js';
import type { WorkTask } from '../../shared/ports/tasks.js';

/**
 * Writes a task as the DynamoDB task store wrote it before the index by assignee: the task item alone, without its
 * key items or `akeys` (what the `tasks-by-assignee` data migration finds in a table deployed before it).
 */
export function putLegacyTask(doc: DynamoDBDocumentClient, table: string, t: WorkTask) {
  return doc.send(new PutCommand({ TableName: table, Item: taskItem(t) }));
}
