import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as ingest } from '../../functions/telemetry/ingest.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { DynamoRollupStore } from '../../shared/adapters/dynamodb/rollups.js';
import { DynamoServiceStore } from '../../shared/adapters/dynamodb/services.js';
import { DynamoVendorStore } from '../../shared/adapters/dynamodb/vendors.js';
import { NoUsagePlans } from '../../shared/adapters/memory/vendors.js';
import { setContainer } from '../../shared/runtime/container.js';
import { VendorUseCases } from '../../shared/usecases/vendors.js';
import { awsContainerOnLocal, useDynamoLocal } from '../helpers/dynamodb-local.js';
import { sampleEvent } from '../helpers/events.js';
import { testService } from '../helpers/telemetry-app.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const local = useDynamoLocal();
const T = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('telemetry on the AWS composition root (DynamoDB Local, no Timestream)', () => {
  it('ingests the sample remote write into DynamoDB rollups, and a replayed request adds nothing', async () => {
    const dl = local();
    const { container, tables: t } = await awsContainerOnLocal(dl, T + 1000);
    expect(container.telemetry).toBeDefined();
    // Samples for a service that does not exist are rejected: register the one the event feeds.
    await new DynamoServiceStore(dl.doc, t.Data!).create(testService('svc_payments-gateway'));
    setContainer(container);
    const event = sampleEvent('telemetry/remote-write');
    event.headers = { ...event.headers, 'Idempotency-Key': 'batch-0001' };
    // The vendor the sample request's authorizer context names, bound to the service its samples are for
    // (registered in the same tables; no usage plan to enrol it in here).
    const vendors = new VendorUseCases({
      vendors: new DynamoVendorStore(dl.doc, t.Data!, t.VendorKeys!),
      services: { get: async () => undefined },
      usagePlans: new NoUsagePlans(),
      clock: { now: () => new Date(T) },
      ids: { next: () => '01SAMPLEVENDOR01' },
    });
    const vendor = await vendors.provision(
      {
        id: 'prometheus-main',
        name: 'Prometheus',
        tier: 'standard',
        bindings: [{ serviceId: 'svc_payments-gateway' }],
        apiKey: event.headers['X-Api-Key']!,
      },
      'test',
    );
    (event.requestContext.authorizer as Record<string, unknown>).keyId = vendor!.vendor.keys[0]!.keyId;
    const res = (await ingest(event, lambdaContext('telemetry-ingest', 'r1'))) as APIGatewayProxyResult;
    expect(res.statusCode, res.body).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ submitted: 4, accepted: 3 });
    // Verification only (not a request path): which SLIs got buckets, through a raw client.
    const raw = new DynamoDBClient(dl.config);
    const scanned = await raw.send(new ScanCommand({ TableName: t.Rollups! }));
    const slis = [
      ...new Set((scanned.Items ?? []).map((i) => i.pk?.S ?? '').filter((pk) => pk.startsWith('rb#'))),
    ];
    raw.destroy();
    expect(slis.length).toBeGreaterThan(0);
    const rollups = new DynamoRollupStore(dl.doc, t.Rollups!);
    const totals = async () =>
      rollups.cumulative(slis.map((pk) => ({ sliKey: pk.slice(3), instants: [T + 86_400_000] })));
    const first = await totals();
    expect(first.flat().reduce((n, c) => n + c.total + c.count, 0)).toBe(3);
    const again = (await ingest(event, lambdaContext('telemetry-ingest', 'r2'))) as APIGatewayProxyResult;
    expect(again.statusCode).toBe(200);
    expect(await totals()).toEqual(first);
    expect(dl.commands).not.toContain('ScanCommand');
  });
});
