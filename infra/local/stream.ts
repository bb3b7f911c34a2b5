import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { handler as auditConsumer } from '../../functions/audit/consumer.js';
import type { SqliteChangeFeed } from '../../shared/adapters/sqlite/changes.js';
import { streamRecordFor } from '../../shared/adapters/stream/change-record.js';
import { lambdaContext } from './lambda-context.js';

const CONSUMER = 'audit';
const BATCH = 100;

/**
 * The embedded default's DynamoDB stream: committed changes from the change log, in commit order, delivered
 * in batches to the same audit consumer Lambda runs on AWS, with the same partial-batch failure contract.
 */
export class LocalStream {
  private draining: Promise<void> | undefined;
  constructor(private readonly feed: SqliteChangeFeed) {}

  /** Delivers everything committed so far; concurrent callers share one pass. */
  drain(): Promise<void> {
    this.draining ??= this.pass().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async pass(): Promise<void> {
    for (let attempt = 0; attempt < 3; ) {
      const from = this.feed.checkpoint(CONSUMER);
      const rows = this.feed.read(from, BATCH);
      if (rows.length === 0) return;
      const event: DynamoDBStreamEvent = {
        Records: rows.map((r) =>
          streamRecordFor(r.seq, r.entity, r.oldDoc ? JSON.parse(r.oldDoc) : undefined, JSON.parse(r.newDoc)),
        ),
      };
      const res = (await auditConsumer(event, lambdaContext('audit-consumer'))) as DynamoDBBatchResponse;
      const failed = res.batchItemFailures[0]?.itemIdentifier;
      if (failed === undefined) {
        this.feed.advance(CONSUMER, rows[rows.length - 1]!.seq);
        attempt = 0;
        continue;
      }
      const failedSeq = Number(failed);
      const delivered = rows.filter((r) => r.seq < failedSeq);
      if (delivered.length) this.feed.advance(CONSUMER, delivered[delivered.length - 1]!.seq);
      attempt++;
    }
  }
}
