import { describe, expect, it } from 'vitest';
import { DynamoServiceStore } from '../../shared/adapters/dynamodb/services.js';
import { DynamoVendorStore } from '../../shared/adapters/dynamodb/vendors.js';
import type { Principal } from '../../shared/domain/access/policy.js';
import { ValidationError } from '../../shared/domain/errors.js';
import type { Vendor } from '../../shared/schemas/vendor.js';
import { awsContainerOnLocal, useDynamoLocal } from '../helpers/dynamodb-local.js';
import { testService } from '../helpers/telemetry-app.js';

/**
 * The AWS composition root's backfill (shared/runtime/aws.ts → backfill-aws.ts) reads the vendor's record from the data
 * table on DynamoDB Local: an unknown vendor is refused naming `vendor`; a vendor's bindings scope the file
 * (docs/backfill.md, "Vendor scope"), as on the embedded default.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const local = useDynamoLocal();
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const admin: Principal = {
  subject: 'ada',
  roles: ['admin'],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
};

function vendor(id: string, serviceId: string): Vendor {
  const at = new Date(NOW - 86_400_000).toISOString();
  return {
    id,
    name: `Vendor ${id}`,
    tier: 'standard',
    status: 'active',
    bindings: [{ serviceId }],
    keys: [],
    version: 1,
    createdAt: at,
    createdBy: 'ada',
    changedAt: at,
    changedBy: 'ada',
    change: 'create',
    reason: 'imports history',
  };
}

describe('backfill on the AWS composition root (DynamoDB Local)', () => {
  it('refuses a vendor that does not exist and applies a vendor’s bindings to a CSV chunk', async () => {
    const dl = local();
    const { container, tables: t } = await awsContainerOnLocal(dl, NOW);
    const services = new DynamoServiceStore(dl.doc, t.Data!);
    for (const id of ['svc_payments-gateway', 'svc_core-ledger']) await services.create(testService(id));
    await new DynamoVendorStore(dl.doc, t.Data!, t.VendorKeys!).create(
      vendor('apm-payments', 'svc_payments-gateway'),
      [],
    );
    const backfill = container.ecosystem!.backfill;
    // Two hours ago: a good counter of each service, two rows each (the first row of a counter is its baseline).
    const t0 = (NOW - 2 * 3_600_000) / 1000;
    const csv = Buffer.from(
      [
        'timestamp,metric,value,type,service,sli',
        `${t0},accord_sli_good_total,1,counter,svc_payments-gateway,checkout`,
        `${t0 + 60},accord_sli_good_total,5,counter,svc_payments-gateway,checkout`,
        `${t0},accord_sli_good_total,1,counter,svc_core-ledger,checkout`,
        `${t0 + 60},accord_sli_good_total,5,counter,svc_core-ledger,checkout`,
        '',
      ].join('\n'),
    );
    const chunk = (vendorId: string) =>
      backfill.importChunk(admin, { vendorId, contentType: 'text/csv', body: csv, reason: 'history' });
    const unknown = await chunk('apm-payment').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ValidationError);
    expect((unknown as ValidationError).details).toEqual([
      { path: 'vendor', problem: expect.stringContaining('names no vendor') },
    ]);
    const job = await chunk('apm-payments');
    // 4 rows: the payments gateway's 2 accepted, the core ledger's 2 rejected (rows 4 and 5 of the file).
    expect(job).toMatchObject({
      submitted: 4,
      accepted: 2,
      rejected: 2,
      rejectedByReason: { not_your_service: 2 },
    });
    expect(job.rejections.map((r) => r.reason)).toEqual(['not_your_service', 'not_your_service']);
  });
});
