import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SampleSpool, SpooledBatch } from '../../ports/telemetry.js';

/** A message is at most 256 KiB: pieces are cut by their serialised size, with room for the envelope. */
export const MAX_MESSAGE_BYTES = 240 * 1024;

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
    // Samples carry label sets of any length, so a piece is filled up to a byte budget, not a sample count.
    const envelope = Buffer.byteLength(JSON.stringify({ ...batch, id: `${batch.id}#000000`, samples: [] }));
    const pieces: SpooledBatch['samples'][] = [[]];
    let bytes = envelope;
    for (const s of batch.samples) {
      const size = Buffer.byteLength(JSON.stringify(s)) + 1;
      if (size + envelope > MAX_MESSAGE_BYTES) throw new Error('one sample is larger than an SQS message');
      if (bytes + size > MAX_MESSAGE_BYTES && pieces[pieces.length - 1]!.length > 0) {
        pieces.push([]);
        bytes = envelope;
      }
      pieces[pieces.length - 1]!.push(s);
      bytes += size;
    }
    for (const [part, samples] of pieces.entries()) {
      const piece: SpooledBatch = { ...batch, id: `${batch.id}#${part}`, samples };
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
