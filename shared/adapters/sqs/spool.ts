import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SampleSpool, SpooledBatch } from '../../ports/telemetry.js';

/** A message is at most 256 KiB; a sample is about 200 bytes of JSON, so batches are split to stay well under. */
export const SAMPLES_PER_MESSAGE = 800;

/**
 * The durable fallback on AWS: an SQS queue. append() resolves once SQS has the message (durable across
 * AZs), so an acknowledged sample survives whatever the raw store does. On AWS the queue feeds the replay
 * function (functions/telemetry/replay.ts); replay() here drains it by polling (operations and tests).
 */
export class SqsSampleSpool implements SampleSpool {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async append(batch: SpooledBatch): Promise<void> {
    for (let i = 0, part = 0; i < Math.max(1, batch.samples.length); i += SAMPLES_PER_MESSAGE, part++) {
      const piece: SpooledBatch = {
        ...batch,
        id: `${batch.id}#${part}`,
        samples: batch.samples.slice(i, i + SAMPLES_PER_MESSAGE),
      };
      await this.client.send(
        new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(piece) }),
      );
    }
  }

  async replay(write: (batch: SpooledBatch) => Promise<void>): Promise<number> {
    let n = 0;
    for (;;) {
      const r = await this.client.send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      const messages = r.Messages ?? [];
      if (messages.length === 0) return n;
      for (const m of messages) {
        try {
          await write(JSON.parse(m.Body ?? '{}') as SpooledBatch);
        } catch {
          // Left in the queue: visible again after its visibility timeout, then to the DLQ after maxReceiveCount.
          return n;
        }
        await this.client.send(
          new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: m.ReceiptHandle }),
        );
        n++;
      }
    }
  }

  async pending(): Promise<number> {
    const r = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    return Number(r.Attributes?.ApproximateNumberOfMessages ?? 0);
  }
}
