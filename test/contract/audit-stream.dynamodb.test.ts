import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as auditConsumer } from '../../functions/audit/consumer.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { DynamoAgreementStore } from '../../shared/adapters/dynamodb/agreements.js';
import { DynamoAuditStore } from '../../shared/adapters/dynamodb/audit.js';
import { DynamoServiceStore } from '../../shared/adapters/dynamodb/services.js';
import type { AuditStore } from '../../shared/ports/audit.js';
import { createAwsContainer } from '../../shared/runtime/aws.js';
import { AWS_ENV, readConfig } from '../../shared/runtime/config.js';
import { type Container, setContainer } from '../../shared/runtime/container.js';
import { principal } from '../helpers/fixtures.js';

const ADMIN = principal({ roles: ['admin'] });

import { AuditRecorder } from '../../shared/usecases/audit.js';
import { readStream, useDynamoLocal } from '../helpers/dynamodb-local.js';
import { agreementVersion, service } from '../helpers/fixtures.js';

const local = useDynamoLocal();

const deliver = async (records: DynamoDBRecord[]) =>
  (await auditConsumer(
    { Records: records } as DynamoDBStreamEvent,
    lambdaContext('audit-consumer'),
  )) as DynamoDBBatchResponse;

/** An audit store that fails the first write of one version: a transient error in the middle of a batch. */
class FailOnce implements AuditStore {
  private failed = false;
  constructor(
    private readonly inner: AuditStore,
    private readonly version: number,
  ) {}
  async record(entry: Parameters<AuditStore['record']>[0]): Promise<boolean> {
    if (!this.failed && entry.entity === 'agreement' && entry.version === this.version) {
      this.failed = true;
      throw new Error('ProvisionedThroughputExceededException (injected)');
    }
    return this.inner.record(entry);
  }
  list: AuditStore['list'] = (...a) => this.inner.list(...a);
}

describe('audit from the DynamoDB stream (DynamoDB Local)', () => {
  let tables: Record<string, string>;
  let container: Container;
  let records: DynamoDBRecord[];
  const v1 = agreementVersion();
  const changes = 5; // service v1, v2; agreement v1, v2, v3

  beforeAll(async () => {
    const dl = local();
    tables = await dl.createTables();
    const config = readConfig({
      [AWS_ENV.dataTable]: tables.Data,
      [AWS_ENV.auditTable]: tables.Audit,
      [AWS_ENV.vendorKeysTable]: tables.VendorKeys,
    });
    container = await createAwsContainer({ config, client: dl.config });
    setContainer(container);
    const services = new DynamoServiceStore(dl.doc, tables.Data!);
    const agreements = new DynamoAgreementStore(dl.doc, tables.Data!);
    const s1 = service();
    await services.create(s1);
    await services.update({
      ...s1,
      version: 2,
      name: 'Payments gateway (EU)',
      change: 'update',
      reason: 'rename',
    });
    await agreements.create(v1);
    await agreements.append({
      ...v1,
      version: 2,
      title: 'Payments availability',
      change: 'update',
      reason: 'title',
    });
    await agreements.append({ ...v1, version: 3, status: 'submitted', change: 'submit', reason: 'ready' });
    records = await readStream(dl, tables.Data!);
  });

  const entries = async () => [
    ...(await container.auditQueries.trail(ADMIN, 'service', 'svc_payments-gateway', { limit: 50 })).items,
    ...(await container.auditQueries.trail(ADMIN, 'agreement', v1.id, { limit: 50 })).items,
  ];

  it('writes exactly one audit entry per committed change, from the old and new images', async () => {
    // Version items and edges are on the stream too: the consumer must skip them.
    expect(records.length).toBeGreaterThan(changes);
    expect(await deliver(records)).toEqual({ batchItemFailures: [] });
    const all = await entries();
    expect(all.map((e) => `${e.entity}:v${e.version}:${e.change}`)).toEqual([
      'service:v1:register',
      'service:v2:update',
      'agreement:v1:create',
      'agreement:v2:update',
      'agreement:v3:submit',
    ]);
    const v2 = all.find((e) => e.entity === 'agreement' && e.version === 2)!;
    expect(v2.diff).toEqual([
      { path: 'title', op: 'changed', before: v1.title, after: 'Payments availability' },
    ]);
  });

  it('writes nothing twice when the same batch is delivered again', async () => {
    expect(await deliver(records)).toEqual({ batchItemFailures: [] });
    expect(await entries()).toHaveLength(changes);
  });

  it('reports a failed record and, retried from there, ends with one entry per change', async () => {
    const dl = local();
    const fresh = await dl.createTables();
    const failing = new FailOnce(new DynamoAuditStore(dl.doc, fresh.Audit!), 2);
    setContainer({
      ...container,
      auditRecorder: new AuditRecorder(failing),
      auditQueries: container.auditQueries,
    });
    const res = await deliver(records);
    const failedSeq = res.batchItemFailures[0]?.itemIdentifier;
    const failedAt = records.findIndex((r) => r.dynamodb?.SequenceNumber === failedSeq);
    expect(res.batchItemFailures).toHaveLength(1);
    expect(failedAt).toBeGreaterThan(0);
    // Lambda retries from the failed record (bisecting if needed); earlier records may be delivered again too.
    expect(await deliver(records.slice(failedAt))).toEqual({ batchItemFailures: [] });
    expect(await deliver(records)).toEqual({ batchItemFailures: [] });
    const written = [
      ...(await failing.list('service', 'svc_payments-gateway', { limit: 50 })),
      ...(await failing.list('agreement', v1.id, { limit: 50 })),
    ];
    expect(written.map((e) => `${e.entity}:v${e.version}`)).toEqual([
      'service:v1',
      'service:v2',
      'agreement:v1',
      'agreement:v2',
      'agreement:v3',
    ]);
    setContainer(container);
  });
});
