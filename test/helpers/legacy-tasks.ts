import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { WorkTask } from '../../shared/ports/tasks.js';

/**
 * Writes a task as the DynamoDB task store wrote it before the index by assignee: the task item alone, without its
 * key items or `akeys` (what the `tasks-by-assignee` data migration finds in a table deployed before it).
 */
export function putLegacyTask(doc: DynamoDBDocumentClient, table: string, t: WorkTask) {
  return doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        pk: `TASK#${t.id}`,
        sk: 'TASK',
        statusPk: `TASKS#${t.status}`,
        statusSk: `${t.createdAt}#${t.id}`,
        subjPk: `TASK_SUBJ#${t.subject.id}`,
        subjSk: `${t.createdAt}#${t.id}`,
        refPk: `TASK_REF#${t.externalRef}`,
        refSk: 'TASK',
        revision: t.revision,
        record: t,
      },
    }),
  );
}
