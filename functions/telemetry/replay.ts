import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SpooledBatch } from '../../shared/ports/telemetry.js';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { telemetryIn } from '../../shared/usecases/telemetry/index.js';

/**
 * Replays the fallback queue into the raw store (SQS event source, reportBatchItemFailures): a batch that
 * still fails stays in the queue and is retried, then goes to the dead-letter queue after maxReceiveCount.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const { ingest } = telemetryIn(await getContainer());
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await ingest.storeSpooled(JSON.parse(record.body) as SpooledBatch);
    } catch (error) {
      logger.warn('replay failed; the message stays in the queue', {
        messageId: record.messageId,
        error: error as Error,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
