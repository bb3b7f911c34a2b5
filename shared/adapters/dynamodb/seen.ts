import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Sample } from '../../domain/telemetry/model.js';
import type { SeenSampleStore } from '../../ports/telemetry.js';

/** Conditional puts in flight at once: enough to claim a batch of 1,000 in a few round trips. */
const CONCURRENCY = 32;

/**
 * One marker item per sample in the rollups table (`seen#<sha256 of series>` / `<timestamp ms>`, with the value),
 * written with `attribute_not_exists`: the first writer claims the sample; a later one reads the value claimed
 * (a retry when equal, a conflict when not). Markers expire (TTL) after the accepted lateness, past which the sample
 * would be refused anyway. One write unit per sample.
 */
export class DynamoSeenSampleStore implements SeenSampleStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly ttlSeconds: number,
  ) {}

  async claim(
    samples: readonly Sample[],
  ): Promise<{ claimed: Sample[]; held: { sample: Sample; value: number }[] }> {
    const claimed: boolean[] = new Array(samples.length).fill(false);
    const held: { sample: Sample; value: number }[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < samples.length; i = next++) {
        const s = samples[i]!;
        try {
          await this.db.send(
            new PutCommand({
              TableName: this.table,
              Item: {
                ...keyOf(s),
                value: s.value,
                expiresAt: Math.floor(s.timestampMs / 1000) + this.ttlSeconds,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          claimed[i] = true;
        } catch (err) {
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
          const old = await this.db.send(
            new GetCommand({ TableName: this.table, Key: keyOf(s), ConsistentRead: true }),
          );
          held.push({ sample: s, value: Number(old.Item?.value ?? s.value) });
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, samples.length) }, worker));
    } catch (err) {
      // Give back what this call claimed: the batch will be spooled and replayed, and must count then.
      await this.release(samples.filter((_, i) => claimed[i])).catch(() => undefined);
      throw err;
    }
    return { claimed: samples.filter((_, i) => claimed[i]), held };
  }

  async release(samples: readonly Sample[]): Promise<void> {
    for (let i = 0; i < samples.length; i += CONCURRENCY) {
      await Promise.all(
        samples
          .slice(i, i + CONCURRENCY)
          .map((s) => this.db.send(new DeleteCommand({ TableName: this.table, Key: keyOf(s) }))),
      );
    }
  }
}

function keyOf(s: Sample): { pk: string; sk: string } {
  return { pk: `seen#${createHash('sha256').update(s.series).digest('hex')}`, sk: String(s.timestampMs) };
}
