import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.js';
import type { ServiceReview, ServiceReviewStore } from '../../ports/reviews.js';
import { cancellationReasons } from './errors.js';

/**
 * Joint service reviews in the data table: the record under `REVIEW#<id>` (get), and a copy under the agreement's
 * partition `REVIEW_AGR#<agreementId>`, sorted by review date, recording time and id (list: one query). Both are
 * written in one transaction, conditional on the id being new.
 */
export class DynamoServiceReviewStore implements ServiceReviewStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(r: ServiceReview): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { pk: `REVIEW#${r.id}`, sk: 'REVIEW', doc: r },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: { pk: `REVIEW_AGR#${r.agreementId}`, sk: `${r.date}#${r.recordedAt}#${r.id}`, doc: r },
              },
            },
          ],
        }),
      );
    } catch (e) {
      if (cancellationReasons(e)?.[0]?.Code === 'ConditionalCheckFailed')
        throw new ConflictError(`review ${r.id} exists`);
      throw e;
    }
  }

  async get(id: string): Promise<ServiceReview | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: `REVIEW#${id}`, sk: 'REVIEW' } }),
    );
    return r.Item?.doc as ServiceReview | undefined;
  }

  async list(agreementId: string): Promise<ServiceReview[]> {
    const out: ServiceReview[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `REVIEW_AGR#${agreementId}` },
          ScanIndexForward: false,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      out.push(...(r.Items ?? []).map((i) => i.doc as ServiceReview));
      start = r.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
