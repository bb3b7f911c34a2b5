import Database from 'better-sqlite3';
import { AgreementSliReaders } from '../../shared/adapters/agreement-sli-readers.js';
import { MemoryAgreementStore } from '../../shared/adapters/memory/agreements.js';
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
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import {
  SqliteDiscrepancyStore,
  SqliteIdempotencyStore,
  SqliteSampleStore,
  SqliteSliActivityStore,
  SqliteUnmappedSeriesStore,
} from '../../shared/adapters/sqlite/telemetry.js';
import type { CompiledPolicy } from '../../shared/domain/telemetry/mapping.js';
import { loadTelemetryPolicy } from '../../shared/policy/telemetry.js';
import type { AgreementStore } from '../../shared/ports/agreements.js';
import type { RollupStore } from '../../shared/ports/rollups.js';
import type { ServiceStore } from '../../shared/ports/services.js';
import type { SampleStore } from '../../shared/ports/telemetry.js';
import type { Service } from '../../shared/schemas/service.js';
import { TelemetryIngest, TelemetryQueries } from '../../shared/usecases/telemetry/index.js';
import type { TelemetryDeps } from '../../shared/usecases/telemetry/ingest.js';
import { TEST_SERVICES } from './telemetry.js';

/** A registered service, as the telemetry tests need one (samples for an unknown service are rejected). */
export function testService(id: string, businessUnit = 'payments'): Service {
  return {
    id,
    name: id.slice(4),
    tier: 2,
    businessUnit,
    residencyRegion: 'eu-west-1',
    owner: { name: 'Owen Service', email: 'owen.service@accord.local' },
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'test',
    changedAt: '2026-01-01T00:00:00.000Z',
    changedBy: 'test',
    change: 'create',
    reason: 'telemetry tests send samples for it',
  };
}

/**
 * Telemetry use cases on memory or SQLite (in memory) adapters, at a fixed instant, with the services of
 * TEST_SERVICES registered (and `services` to register more).
 */
export async function telemetryFixture(
  kind: 'memory' | 'sqlite',
  nowMs: number,
  options: { policy?: CompiledPolicy; services?: readonly string[] } = {},
) {
  const clock = { now: () => new Date(nowMs) };
  const policy = options.policy ?? loadTelemetryPolicy();
  const spool = new MemorySampleSpool();
  let samples: SampleStore;
  let rollups: RollupStore;
  let services: ServiceStore;
  let agreements: AgreementStore;
  let memory: MemorySampleStore | undefined;
  let stores: Pick<TelemetryDeps, 'idempotency' | 'unmapped' | 'discrepancies' | 'activity'>;
  if (kind === 'memory') {
    rollups = new MemoryRollupStore();
    memory = new MemorySampleStore(rollups);
    samples = memory;
    services = new MemoryServiceStore();
    agreements = new MemoryAgreementStore();
    stores = {
      idempotency: new MemoryIdempotencyStore(),
      unmapped: new MemoryUnmappedSeriesStore(),
      discrepancies: new MemoryDiscrepancyStore(),
      activity: new MemorySliActivityStore(),
    };
  } else {
    const db = new Database(':memory:');
    const sqliteRollups = new SqliteRollupStore(db);
    rollups = sqliteRollups;
    samples = new SqliteSampleStore(db, sqliteRollups);
    services = new SqliteServiceStore(db);
    agreements = new SqliteAgreementStore(db);
    stores = {
      idempotency: new SqliteIdempotencyStore(db),
      unmapped: new SqliteUnmappedSeriesStore(db),
      discrepancies: new SqliteDiscrepancyStore(db),
      activity: new SqliteSliActivityStore(db),
    };
  }
  for (const id of [...TEST_SERVICES, ...(options.services ?? [])]) await services.create(testService(id));
  const readers = new AgreementSliReaders(agreements);
  const deps = { policy, samples, spool, clock, services, readers, rollups, ...stores };
  return {
    ingest: new TelemetryIngest(deps),
    queries: new TelemetryQueries(deps),
    samples,
    rollups,
    spool,
    memory,
    services,
    agreements,
  };
}
