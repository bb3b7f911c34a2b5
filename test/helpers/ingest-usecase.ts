import { MemoryRollupStore } from '../../shared/adapters/memory/rollups.js';
import { MemorySliActivityStore } from '../../shared/adapters/memory/series-state.js';
import { MemoryServiceStore } from '../../shared/adapters/memory/services.js';
import {
  MemoryDiscrepancyStore,
  MemoryIdempotencyStore,
  MemorySampleSpool,
  MemorySampleStore,
  MemoryUnmappedSeriesStore,
} from '../../shared/adapters/memory/telemetry.js';
import { loadTelemetryPolicy } from '../../shared/policy/telemetry.js';
import type { SliReader } from '../../shared/ports/telemetry.js';
import {
  type TelemetryDeps,
  TelemetryIngest,
  TelemetryQueries,
} from '../../shared/usecases/telemetry/ingest.js';
import { TEST_SERVICES } from './telemetry.js';
import { testService } from './telemetry-app.js';

/**
 * The telemetry use cases on memory adapters with every dependency in reach: a settable clock, the services of
 * TEST_SERVICES (lookups counted), objective readers set per service (lookups counted), background errors recorded.
 * `over` replaces any dependency (admit, pulledSlis, a failing store...).
 */
export async function ingestFixture(nowMs: number, over: Partial<TelemetryDeps> = {}) {
  const clock = { ms: nowMs, now: () => new Date(clock.ms) };
  const rollups = new MemoryRollupStore();
  const samples = new MemorySampleStore(rollups);
  const serviceStore = new MemoryServiceStore();
  for (const id of TEST_SERVICES) await serviceStore.create(testService(id));
  const serviceLookups: string[] = [];
  const services = {
    get: (id: string) => {
      serviceLookups.push(id);
      return serviceStore.get(id);
    },
  };
  const readerLists = new Map<string, SliReader[]>();
  const readerLookups: string[] = [];
  const readers = {
    of: async (serviceId: string) => {
      readerLookups.push(serviceId);
      return readerLists.get(serviceId) ?? [];
    },
  };
  const background: [string, unknown][] = [];
  const deps: TelemetryDeps = {
    policy: loadTelemetryPolicy(),
    samples,
    services,
    activity: new MemorySliActivityStore(),
    readers,
    idempotency: new MemoryIdempotencyStore(),
    spool: new MemorySampleSpool(),
    unmapped: new MemoryUnmappedSeriesStore(),
    discrepancies: new MemoryDiscrepancyStore(),
    clock,
    onBackgroundError: (what, err) => background.push([what, err]),
    ...over,
  };
  return {
    ingest: new TelemetryIngest(deps),
    queries: new TelemetryQueries({ ...deps, rollups }),
    deps,
    clock,
    rollups,
    samples,
    serviceStore,
    serviceLookups,
    readerLists,
    readerLookups,
    background,
  };
}

/** An objective reading `sli` (an SliReaders answer). */
export const reader = (sli: string, objectiveId = 'obj-1', agreementId = 'agr-1'): SliReader => ({
  sli,
  agreementId,
  objectiveId,
  status: 'active',
});
