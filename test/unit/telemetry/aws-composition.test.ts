import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  RejectedRecordsException,
  TimestreamWriteClient,
  ValidationException,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { documentClient } from '../../../shared/adapters/dynamodb/client.js';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { readConfig } from '../../../shared/runtime/config.js';
import { composeAwsTelemetry } from '../../../shared/runtime/telemetry-aws.js';
import { promRequest, TEST_SERVICES } from '../../helpers/telemetry.js';
import { testService } from '../../helpers/telemetry-app.js';

const NOW = Date.UTC(2026, 10, 25, 12);
const ts = mockClient(TimestreamWriteClient);
const sqs = mockClient(SQSClient);
const ddb = mockClient(DynamoDBDocumentClient);
const env = {
  ACCORD_ROLLUPS_TABLE: 'rollups',
  ACCORD_RAW_FALLBACK_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/fallback',
  ACCORD_RAW_REFUSED_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/fallback-dlq',
  ACCORD_TIMESTREAM_DATABASE: 'accord',
  ACCORD_TIMESTREAM_TABLE: 'samples',
};
let rollups = new MemoryRollupStore();
const compose = (e: Record<string, string> = env) =>
  composeAwsTelemetry({
    config: readConfig(e),
    doc: documentClient({ region: 'eu-west-1' }),
    rollups,
    clock: { now: () => new Date(NOW) },
    clientConfig: { region: 'eu-west-1' },
    services: { get: async (id: string) => (TEST_SERVICES.includes(id) ? testService(id) : undefined) },
    agreements: { list: async () => ({ items: [] }) },
  });
const request = () =>
  promRequest([
    {
      labels: { __name__: 'probe_success', job: 'payments-gateway' },
      samples: [{ value: 1, timestampMs: NOW }],
    },
  ]);

beforeEach(() => {
  ts.reset();
  sqs.reset();
  ddb.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
});

describe('telemetry composed for AWS', () => {
  it('stops the cold start naming the missing settings', () => {
    expect(() => compose({})).toThrow(
      /ACCORD_ROLLUPS_TABLE, ACCORD_RAW_FALLBACK_QUEUE_URL, ACCORD_RAW_REFUSED_QUEUE_URL/,
    );
  });

  it('writes raw samples to Timestream and answers 200', async () => {
    ts.on(WriteRecordsCommand).resolves({});
    const r = await compose().ingest.ingest({ vendorId: 'prometheus-main', ...request() });
    expect(r.status).toBe(200);
    expect(ts.commandCalls(WriteRecordsCommand)).toHaveLength(1);
  });

  it('acknowledges through the SQS fallback with 202 when Timestream fails', async () => {
    ts.on(WriteRecordsCommand).rejects(
      new ValidationException({ message: 'down', Message: 'down', $metadata: {} }),
    );
    sqs.on(SendMessageCommand).resolves({});
    const r = await compose().ingest.ingest({ vendorId: 'prometheus-main', ...request() });
    expect(r).toMatchObject({ status: 202, body: { durability: 'spooled', accepted: 1 } });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('sends records Timestream refuses for good to the refused queue, never back to the replayed one', async () => {
    ts.on(WriteRecordsCommand).rejects(
      new RejectedRecordsException({
        message: 'rejected',
        $metadata: {},
        RejectedRecords: [{ RecordIndex: 0, Reason: 'The record timestamp is outside the time range' }],
      }),
    );
    sqs.on(SendMessageCommand).resolves({});
    const r = await compose().ingest.ingest({ vendorId: 'prometheus-main', ...request() });
    expect(r.status).toBe(200);
    const sent = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.QueueUrl);
    expect(sent).toEqual([env.ACCORD_RAW_REFUSED_QUEUE_URL]);
  });

  it('counts a sample re-sent without an Idempotency-Key once in the rollups (Timestream takes it silently)', async () => {
    rollups = new MemoryRollupStore();
    ts.on(WriteRecordsCommand).resolves({});
    // The seen-sample marker: the first put claims the sample, the second finds it there.
    const claimed = new Set<string>();
    ddb.on(PutCommand).callsFake((input: { Item: { pk: string; sk: string } }) => {
      const k = `${input.Item.pk}/${input.Item.sk}`;
      if (input.Item.pk.startsWith('seen#') && claimed.has(k)) {
        throw new ConditionalCheckFailedException({ message: 'seen', $metadata: {} });
      }
      claimed.add(k);
      return {};
    });
    const t = compose();
    await t.ingest.ingest({ vendorId: 'prometheus-main', ...request() });
    const again = await t.ingest.ingest({ vendorId: 'prometheus-main', ...request() });
    expect(again.status).toBe(200);
    const buckets = await rollups.read('svc_payments-gateway/availability', NOW - 3_600_000, NOW + 3_600_000);
    expect(buckets.reduce((n, b) => n + b.total, 0)).toBe(1);
  });

  it('runs without Timestream (the CDK switch off)', async () => {
    const { ACCORD_TIMESTREAM_DATABASE: _d, ACCORD_TIMESTREAM_TABLE: _t, ...without } = env;
    const r = await compose(without).ingest.ingest({ vendorId: 'prometheus-main', ...request() });
    expect(r.status).toBe(200);
    expect(ts.commandCalls(WriteRecordsCommand)).toHaveLength(0);
  });
});
