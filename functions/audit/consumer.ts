import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { changeFromStreamRecord } from '../../shared/adapters/stream/change-record.js';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';

/**
 * Writes the audit trail from the change stream: one entry per committed change. Idempotent, so a batch
 * delivered twice writes nothing twice; a failed record is reported so that only it (and what follows) is retried.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const { auditRecorder } = await getContainer();
    for (const record of event.Records) {
      try {
        const change = changeFromStreamRecord(record);
        if (change) await auditRecorder.record(change);
      } catch (error) {
        logger.error('audit record failed', { eventID: record.eventID, error: error as Error });
        // Stream order matters: report the first failure; Lambda retries from there.
        return {
          batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' }],
        };
      }
    }
    return { batchItemFailures: [] };
  });
