import { describe, expect, it } from 'vitest';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import {
  MemoryDiscrepancyStore,
  MemoryUnmappedSeriesStore,
} from '../../../shared/adapters/memory/telemetry.js';
import { ForbiddenError } from '../../../shared/domain/errors.js';
import { TelemetryQueries } from '../../../shared/usecases/telemetry/ingest.js';
import { principal, service } from '../../helpers/fixtures.js';

async function setup() {
  const services = new MemoryServiceStore();
  await services.create(service({ id: 'svc_payments-gateway', businessUnit: 'payments' }));
  await services.create(service({ id: 'svc_statements', businessUnit: 'retail-banking' }));
  const discrepancies = new MemoryDiscrepancyStore();
  for (const sliKey of ['svc_payments-gateway/availability', 'svc_statements/availability']) {
    await discrepancies.upsert({
      sliKey,
      bucketStart: '2026-11-25T10:00:00.000Z',
      primary: 'prometheus-main',
      secondary: 'datadog-eu',
      primaryValue: 1,
      secondaryValue: 0.9,
      difference: 0.1,
      tolerance: 0.01,
      authoritative: 'prometheus-main',
      detectedAt: '2026-11-25T10:05:00.000Z',
    });
  }
  return new TelemetryQueries({ unmapped: new MemoryUnmappedSeriesStore(), discrepancies, services });
}

describe('reading telemetry diagnostics within the caller scope', () => {
  it('shows a business-unit manager the discrepancies of its own services only', async () => {
    const q = await setup();
    const retail = principal({ roles: ['sla-manager'], businessUnits: ['retail-banking'] });
    expect((await q.discrepancies(retail, { limit: 10 })).map((d) => d.sliKey)).toEqual([
      'svc_statements/availability',
    ]);
    const owner = principal({ roles: ['service-owner'], services: ['svc_payments-gateway'] });
    expect((await q.discrepancies(owner, { limit: 10 })).map((d) => d.sliKey)).toEqual([
      'svc_payments-gateway/availability',
    ]);
    expect(await q.discrepancies(principal({ roles: ['auditor'] }), { limit: 10 })).toHaveLength(2);
  });

  it('keeps unmapped series, which belong to no service yet, to portfolio-wide roles', async () => {
    const q = await setup();
    await expect(
      q.unmapped(principal({ roles: ['sla-manager'], businessUnits: ['payments'] }), { limit: 10 }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(await q.unmapped(principal({ roles: ['auditor'] }), { limit: 10 })).toEqual([]);
  });
});
