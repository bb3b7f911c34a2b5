import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as auditConsumer } from '../../functions/audit/consumer.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { DynamoAuditStore } from '../../shared/adapters/dynamodb/audit.js';
import { DynamoServiceStore } from '../../shared/adapters/dynamodb/services.js';
import { DynamoVendorStore } from '../../shared/adapters/dynamodb/vendors.js';
import { NoUsagePlans } from '../../shared/adapters/memory/vendors.js';
import { type Container, setContainer } from '../../shared/runtime/container.js';
import { AuditQueries, AuditRecorder } from '../../shared/usecases/audit.js';
import { hashApiKey, VendorUseCases } from '../../shared/usecases/vendors.js';
import { readStream, useDynamoLocal } from '../helpers/dynamodb-local.js';
import { principal, service } from '../helpers/fixtures.js';

const local = useDynamoLocal();
const ADMIN = principal({ roles: ['admin'], subject: 'admin@accord.local' });

describe('vendor changes audited from the DynamoDB stream (DynamoDB Local)', () => {
  it('writes one entry per change of a vendor, with neither its keys nor their hashes', async () => {
    const dl = local();
    const t = await dl.createTables();
    const services = new DynamoServiceStore(dl.doc, t.Data!);
    await services.create(service());
    let n = 0;
    const vendors = new VendorUseCases({
      vendors: new DynamoVendorStore(dl.doc, t.Data!, t.VendorKeys!),
      services,
      usagePlans: new NoUsagePlans(),
      clock: { now: () => new Date() },
      ids: { next: () => `01AUDIT${String(++n).padStart(7, '0')}` },
    });
    const made = await vendors.create(ADMIN, {
      id: 'acme-mon',
      name: 'Acme',
      tier: 'standard',
      bindings: [],
      reason: 'onboarding',
    });
    await vendors.bind(ADMIN, 'acme-mon', 1, {
      bindings: [{ serviceId: 'svc_payments-gateway' }],
      reason: 'takes over the gateway',
    });
    const rotated = await vendors.rotate(ADMIN, 'acme-mon', 2, { reason: 'rotation' });
    await vendors.revokeKey(ADMIN, 'acme-mon', made.keyId, 3, { reason: 'old key leaked' });

    const audit = new DynamoAuditStore(dl.doc, t.Audit!);
    setContainer({
      auditRecorder: new AuditRecorder(audit),
      auditQueries: new AuditQueries(audit, {
        agreement: async () => undefined,
        service: async () => undefined,
        vendor: (p, id) => vendors.get(p, id),
      }),
    } as unknown as Container);
    const records = await readStream(dl, t.Data!);
    const res = (await auditConsumer(
      { Records: records } as DynamoDBStreamEvent,
      lambdaContext('audit-consumer'),
    )) as DynamoDBBatchResponse;
    expect(res).toEqual({ batchItemFailures: [] });

    const trail = (
      await new AuditQueries(audit, {
        agreement: async () => undefined,
        service: async () => undefined,
        vendor: (p, id) => vendors.get(p, id),
      }).trail(ADMIN, 'vendor', 'acme-mon', { limit: 50 })
    ).items;
    expect(trail.map((e) => [e.version, e.change, e.reason, e.by])).toEqual([
      [1, 'create', 'onboarding', 'admin@accord.local'],
      [2, 'bind', 'takes over the gateway', 'admin@accord.local'],
      [3, 'rotate-key', 'rotation', 'admin@accord.local'],
      [4, 'revoke-key', 'old key leaked', 'admin@accord.local'],
    ]);
    expect(trail[1]!.diff).toEqual([
      { path: 'bindings[0]', op: 'added', after: { serviceId: 'svc_payments-gateway' } },
    ]);
    const text = JSON.stringify(trail);
    for (const key of [made.apiKey, rotated.apiKey]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(hashApiKey(key));
    }
  });
});
