import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  RejectedRecordsException,
  TimestreamWriteClient,
  ValidationException,
  WriteRecordsCommand,
} from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoAgreementStore } from '../../shared/adapters/dynamodb/agreements.js';
import { DynamoRollupStore } from '../../shared/adapters/dynamodb/rollups.js';
import { DynamoServiceStore } from '../../shared/adapters/dynamodb/services.js';
import { AWS_ENV, readConfig } from '../../shared/runtime/config.js';
import { composeAwsTelemetry } from '../../shared/runtime/telemetry-aws.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { promRequest } from '../helpers/telemetry.js';
import { testService } from '../helpers/telemetry-app.js';

// Telemetry as the AWS composition root builds it, on DynamoDB Local: the seen-sample markers, idempotency keys
// and rollups are the real DynamoDB adapters on the stack's rollups table (conditional puts and transactions
// as DynamoDB runs them). Timestream and SQS have no local emulator (FACTS.md): those two stay SDK mocks.
const local = useDynamoLocal();
const NOW = Date.UTC(2026, 10, 25, 12);
const SLI = 'svc_payments-gateway/availability';
const ts = mockClient(TimestreamWriteClient);
const sqs = mockClient(SQSClient);
const QUEUES = {
  [AWS_ENV.rawFallbackQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/000000000000/fallback',
  [AWS_ENV.rawRefusedQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/000000000000/fallback-dlq',
};
const TIMESTREAM = {
  [AWS_ENV.timestreamDatabase]: 'accord',
  [AWS_ENV.timestreamTable]: 'samples',
};

/** A fresh rollups table and the telemetry composed over it, with the given settings besides the table. */
async function compose(env: Record<string, string> = { ...QUEUES, ...TIMESTREAM }) {
  const dl = local();
  const tables = await dl.createTables();
  const table = tables.Rollups!;
  const rollups = new DynamoRollupStore(dl.doc, table);
  // Samples for a service that does not exist are rejected: the probe's service is registered.
  const services = new DynamoServiceStore(dl.doc, tables.Data!);
  await services.create(testService('svc_payments-gateway'));
  const telemetry = composeAwsTelemetry({
    config: readConfig({ [AWS_ENV.rollupsTable]: table, ...env }),
    doc: dl.doc,
    rollups,
    services,
    agreements: new DynamoAgreementStore(dl.doc, tables.Data!),
    clock: { now: () => new Date(NOW) },
    clientConfig: { region: 'eu-west-1' },
  });
  /** Events counted in the SLI's rollups up to a day after NOW. */
  const counted = async () =>
    (await rollups.cumulative([{ sliKey: SLI, instants: [NOW + 86_400_000] }]))
      .flat()
      .reduce((n, c) => n + c.total, 0);
  return { telemetry, counted };
}
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
});

describe('telemetry composed for AWS (DynamoDB Local)', () => {
  it('stops the cold start naming the missing settings', () => {
    expect(() =>
      composeAwsTelemetry({
        config: readConfig({}),
        doc: local().doc,
        rollups: new DynamoRollupStore(local().doc, 'unused'),
        services: new DynamoServiceStore(local().doc, 'unused'),
        agreements: new DynamoAgreementStore(local().doc, 'unused'),
        clock: { now: () => new Date(NOW) },
      }),
    ).toThrow(/ACCORD_ROLLUPS_TABLE, ACCORD_RAW_FALLBACK_QUEUE_URL, ACCORD_RAW_REFUSED_QUEUE_URL/);
  });

  it('writes raw samples to Timestream, counts them in the DynamoDB rollups and answers 200', async () => {
    ts.on(WriteRecordsCommand).resolves({});
    const { telemetry, counted } = await compose();
    const r = await telemetry.ingest.ingest({ vendorId: 'prometheus-main', ...request() });
    expect(r.status).toBe(200);
    expect(ts.commandCalls(WriteRecordsCommand)).toHaveLength(1);
    expect(await counted()).toBe(1);
  });

  it('acknowledges through the SQS fallback with 202 when Timestream fails', async () => {
    ts.on(WriteRecordsCommand).rejects(
      new ValidationException({ message: 'down', Message: 'down', $metadata: {} }),
    );
    sqs.on(SendMessageCommand).resolves({});
    const { telemetry } = await compose();
    const r = await telemetry.ingest.ingest({ vendorId: 'prometheus-main', ...request() });
    expect(r).toMatchObject({ status: 202, body: { durability: 'spooled', accepted: 1 } });
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([
      QUEUES[AWS_ENV.rawFallbackQueueUrl],
    ]);
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
    const { telemetry } = await compose();
    const r = await telemetry.ingest.ingest({ vendorId: 'prometheus-main', ...request() });
    expect(r.status).toBe(200);
    const sent = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.QueueUrl);
    expect(sent).toEqual([QUEUES[AWS_ENV.rawRefusedQueueUrl]]);
  });

  it('counts a sample re-sent without an Idempotency-Key once in the rollups (Timestream takes it silently)', async () => {
    ts.on(WriteRecordsCommand).resolves({});
    const { telemetry, counted } = await compose();
    await telemetry.ingest.ingest({ vendorId: 'prometheus-main', ...request() });
    const again = await telemetry.ingest.ingest({ vendorId: 'prometheus-main', ...request() });
    expect(again.status).toBe(200);
    // The second put of the seen-sample marker failed DynamoDB's own condition, so the sample counted once.
    expect(await counted()).toBe(1);
  });

  it('counts the sample once when two requests carrying it race (the conditional put decides)', async () => {
    ts.on(WriteRecordsCommand).resolves({});
    const { telemetry, counted } = await compose();
    const rs = await Promise.all(
      [1, 2, 3].map(() => telemetry.ingest.ingest({ vendorId: 'prometheus-main', ...request() })),
    );
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await counted()).toBe(1);
  });

  it('runs without Timestream (the CDK switch off)', async () => {
    const { telemetry, counted } = await compose({ ...QUEUES });
    const r = await telemetry.ingest.ingest({ vendorId: 'prometheus-main', ...request() });
    expect(r.status).toBe(200);
    expect(ts.commandCalls(WriteRecordsCommand)).toHaveLength(0);
    expect(await counted()).toBe(1);
  });
});
