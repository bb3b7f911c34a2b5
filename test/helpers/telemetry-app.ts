import Database from 'better-sqlite3';
import { MemoryRollupStore } from '../../shared/adapters/memory/rollups.js';
import {
  MemoryDiscrepancyStore,
  MemoryIdempotencyStore,
  MemorySampleSpool,
  MemorySampleStore,
  MemoryUnmappedSeriesStore,
} from '../../shared/adapters/memory/telemetry.js';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import {
  SqliteDiscrepancyStore,
  SqliteIdempotencyStore,
  SqliteSampleStore,
  SqliteUnmappedSeriesStore,
} from '../../shared/adapters/sqlite/telemetry.js';
import { loadTelemetryPolicy } from '../../shared/policy/telemetry.js';
import type { RollupStore } from '../../shared/ports/rollups.js';
import type { SampleStore } from '../../shared/ports/telemetry.js';
import { TelemetryIngest, TelemetryQueries } from '../../shared/usecases/telemetry/index.js';

/** Telemetry use cases on memory or SQLite (in memory) adapters, at a fixed instant. */
export function telemetryFixture(kind: 'memory' | 'sqlite', nowMs: number) {
  const clock = { now: () => new Date(nowMs) };
  let samples: SampleStore;
  let rollups: RollupStore;
  let memory: MemorySampleStore | undefined;
  const spool = new MemorySampleSpool();
  if (kind === 'memory') {
    rollups = new MemoryRollupStore();
    memory = new MemorySampleStore(rollups);
    samples = memory;
    const unmapped = new MemoryUnmappedSeriesStore();
    const discrepancies = new MemoryDiscrepancyStore();
    const deps = {
      policy: loadTelemetryPolicy(),
      samples,
      idempotency: new MemoryIdempotencyStore(),
      spool,
      unmapped,
      discrepancies,
      clock,
    };
    return {
      ingest: new TelemetryIngest(deps),
      queries: new TelemetryQueries(deps),
      samples,
      rollups,
      spool,
      memory,
    };
  }
  const db = new Database(':memory:');
  const sqliteRollups = new SqliteRollupStore(db);
  rollups = sqliteRollups;
  samples = new SqliteSampleStore(db, sqliteRollups);
  const deps = {
    policy: loadTelemetryPolicy(),
    samples,
    idempotency: new SqliteIdempotencyStore(db),
    spool,
    unmapped: new SqliteUnmappedSeriesStore(db),
    discrepancies: new SqliteDiscrepancyStore(db),
    clock,
  };
  return {
    ingest: new TelemetryIngest(deps),
    queries: new TelemetryQueries(deps),
    samples,
    rollups,
    spool,
    memory,
  };
}
