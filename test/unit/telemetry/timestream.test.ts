import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  InternalServerException,
  RejectedRecordsException,
  ThrottlingException,
  TimestreamWriteClient,
  ValidationException,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryRollupStore } from '../../../shared/adapters/memory/rollups.js';
import { MemorySeriesStateStore } from '../../../shared/adapters/memory/series-state.js';
import { MemorySampleSpool } from '../../../shared/adapters/memory/telemetry.js';
import { SqsSampleSpool } from '../../../shared/adapters/sqs/spool.js';
import { TimestreamSampleWriter } from '../../../shared/adapters/timestream/samples.js';
import { AwsSampleStore } from '../../../shared/adapters/timestream/store.js';
import type { Sample } from '../../../shared/domain/telemetry/model.js';
import { storedSample } from '../../helpers/telemetry.js';

const T0 = Date.UTC(2026, 10, 25, 12);
const samples = (n: number): Sample[] =>
  Array.from({ length: n }, (_, i) => ({
    ...storedSample({
      series: 'prometheus-main|probe_success|job=a',
      sliKey: 'svc_a/availability',
      timestampMs: T0 + i,
    }),
    value: i % 2,
  }));

const ts = mockClient(TimestreamWriteClient);
const sleeps: number[] = [];
const writer = (maxAttempts = 6) =>
  new TimestreamSampleWriter(new TimestreamWriteClient({ region: 'eu-west-1' }), {
    database: 'accord',
    table: 'samples',
    maxAttempts,
    baseDelayMs: 100,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
  });

beforeEach(() => {
  ts.reset();
  sleeps.length = 0;
});

describe('the Timestream raw store', () => {
  it('writes at most 100 records per WriteRecords call, each sample one record in milliseconds', async () => {
    ts.on(WriteRecordsCommand).resolves({});
    const out = await writer().write(samples(250));
    expect(out.written).toBe(250);
    const calls = ts.commandCalls(WriteRecordsCommand);
    expect(calls.map((c) => c.args[0].input.Records!.length)).toEqual([100, 100, 50]);
    expect(calls[0]!.args[0].input).toMatchObject({ DatabaseName: 'accord', TableName: 'samples' });
    expect(calls[0]!.args[0].input.Records![1]).toEqual({
      Dimensions: [
        { Name: 'vendor', Value: 'prometheus-main' },
        { Name: 'sli', Value: 'svc_a/availability' },
        { Name: 'series', Value: 'prometheus-main|probe_success|job=a' },
      ],
      MeasureName: 'ratio',
      MeasureValue: '1',
      MeasureValueType: 'DOUBLE',
      Time: String(T0 + 1),
      TimeUnit: 'MILLISECONDS',
      Version: 1,
    });
  });

  it('reads a RejectedRecordsException record by record: existing records are duplicates, others refused with their reason', async () => {
    ts.on(WriteRecordsCommand).rejects(
      new RejectedRecordsException({
        message: 'rejected',
        $metadata: {},
        RejectedRecords: [
          { RecordIndex: 3, Reason: 'A record with the same dimensions exists', ExistingVersion: 1 },
          {
            RecordIndex: 7,
            Reason: 'The record timestamp is outside the time range of the data ingestion window',
          },
        ],
      }),
    );
    const input = samples(10);
    const out = await writer().write(input);
    expect(out.written).toBe(8);
    expect(out.existing).toEqual([input[3]]);
    expect(out.rejected).toEqual([
      { sample: input[7], reason: expect.stringMatching(/outside the time range/) },
    ]);
    expect(ts.commandCalls(WriteRecordsCommand)).toHaveLength(1);
  });

  it('retries throttling and server errors with jittered exponential backoff, then succeeds', async () => {
    ts.on(WriteRecordsCommand)
      .rejectsOnce(new ThrottlingException({ message: 'slow down', Message: 'slow down', $metadata: {} }))
      .rejectsOnce(new InternalServerException({ message: 'oops', Message: 'oops', $metadata: {} }))
      .rejectsOnce(new ThrottlingException({ message: 'slow down', Message: 'slow down', $metadata: {} }))
      .resolves({});
    const out = await writer().write(samples(5));
    expect(out.written).toBe(5);
    // Full jitter with random() = 0.5: half of 100, 200, 400 ms.
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('gives up after the last attempt and throws, so the caller falls back to the queue', async () => {
    ts.on(WriteRecordsCommand).rejects(
      new ThrottlingException({ message: 'slow down', Message: 'slow down', $metadata: {} }),
    );
    await expect(writer(3).write(samples(5))).rejects.toBeInstanceOf(ThrottlingException);
    expect(ts.commandCalls(WriteRecordsCommand)).toHaveLength(3);
  });

  it('does not retry a validation error', async () => {
    ts.on(WriteRecordsCommand).rejects(
      new ValidationException({ message: 'bad', Message: 'bad', $metadata: {} }),
    );
    await expect(writer().write(samples(1))).rejects.toBeInstanceOf(ValidationException);
    expect(ts.commandCalls(WriteRecordsCommand)).toHaveLength(1);
  });
});

describe('the AWS sample store', () => {
  it('rolls up only what Timestream took as new and sends refused records to the fallback with their reason', async () => {
    ts.on(WriteRecordsCommand).rejects(
      new RejectedRecordsException({
        message: 'rejected',
        $metadata: {},
        RejectedRecords: [
          { RecordIndex: 0, Reason: 'exists', ExistingVersion: 1 },
          { RecordIndex: 1, Reason: 'too old' },
        ],
      }),
    );
    const rollups = new MemoryRollupStore();
    const refused = new MemorySampleSpool();
    const out = await new AwsSampleStore(writer(), rollups, refused, new MemorySeriesStateStore()).write(
      samples(4),
    );
    expect(out).toMatchObject({ stored: 2, duplicates: 1 });
    expect(await refused.pending()).toBe(1);
    const b = await rollups.read('svc_a/availability', T0 - 300_000, T0 + 300_000);
    expect(b[0]).toMatchObject({ good: 1, total: 2 });
  });

  it('works without Timestream (the CDK switch off): rollups only', async () => {
    const rollups = new MemoryRollupStore();
    const out = await new AwsSampleStore(
      undefined,
      rollups,
      new MemorySampleSpool(),
      new MemorySeriesStateStore(),
    ).write(samples(3));
    expect(out.stored).toBe(3);
    expect(ts.commandCalls(WriteRecordsCommand)).toHaveLength(0);
  });
});

describe('the SQS fallback spool', () => {
  const sqs = mockClient(SQSClient);
  beforeEach(() => sqs.reset());

  it('splits a large batch into messages that fit SQS and counts what waits', async () => {
    sqs.on(SendMessageCommand).resolves({});
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '3' } });
    const spool = new SqsSampleSpool(
      new SQSClient({ region: 'eu-west-1' }),
      'https://sqs.eu-west-1.amazonaws.com/1/q',
    );
    // Long label sets (1.5 KB series names) must still fit: pieces are cut by bytes, not by count.
    const wide = samples(2000).map((s, i) =>
      i % 2 ? { ...s, series: `${s.series},${'x'.repeat(1500)}` } : s,
    );
    await spool.append({ id: 'b', vendorId: 'v', receivedAtMs: T0, samples: wide });
    const bodies = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageBody!);
    for (const b of bodies) expect(Buffer.byteLength(b)).toBeLessThan(256 * 1024);
    expect(bodies.flatMap((b) => JSON.parse(b).samples).length).toBe(2000);
    expect(bodies.length).toBeGreaterThan(1);
    expect(await spool.pending()).toBe(3);
  });
});
