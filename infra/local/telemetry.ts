import { join } from 'node:path';
import { AgreementSliReaders } from '../../shared/adapters/agreement-sli-readers.js';
import { FileSampleSpool } from '../../shared/adapters/fs/spool.js';
import { MemorySampleSpool } from '../../shared/adapters/memory/telemetry.js';
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import type { Db } from '../../shared/adapters/sqlite/db.js';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import {
  SqliteDiscrepancyStore,
  SqliteIdempotencyStore,
  SqliteSampleStore,
  SqliteSliActivityStore,
  SqliteUnmappedSeriesStore,
} from '../../shared/adapters/sqlite/telemetry.js';
import { loadTelemetryPolicy } from '../../shared/policy/telemetry.js';
import type { Clock } from '../../shared/ports/clock.js';
import { logger } from '../../shared/runtime/powertools.js';
import {
  TelemetryIngest,
  TelemetryQueries,
  type TelemetryServices,
} from '../../shared/usecases/telemetry/index.js';
import type { TelemetryDeps } from '../../shared/usecases/telemetry/ingest.js';

/**
 * The raw sample store of each open database: one per database, however often telemetry is composed on it (the demo
 * loader composes it a second time on the server's database). Its heads are the only memory of the samples not yet
 * in chunks, so a second store would neither see the first one's samples as retries nor keep them.
 */
const sampleStores = new WeakMap<Db, SqliteSampleStore>();
function sampleStoreOf(db: Db, rollups: SqliteRollupStore): SqliteSampleStore {
  let store = sampleStores.get(db);
  if (store === undefined) {
    store = new SqliteSampleStore(db, rollups);
    sampleStores.set(db, store);
  }
  return store;
}

/**
 * Telemetry on the embedded default: raw samples, counter states, rollups, idempotency keys, unmapped series, SLI
 * activity and discrepancies in the one SQLite file; the fallback spool as files beside it (`<dataDir>/spool`).
 */
export function composeTelemetry(
  db: Db,
  dbFile: string,
  clock: Clock,
  admit?: TelemetryDeps['admit'],
  pulledSlis?: TelemetryDeps['pulledSlis'],
): TelemetryServices {
  const unmapped = new SqliteUnmappedSeriesStore(db);
  const discrepancies = new SqliteDiscrepancyStore(db);
  const services = new SqliteServiceStore(db);
  const activity = new SqliteSliActivityStore(db);
  const readers = new AgreementSliReaders(new SqliteAgreementStore(db));
  const rollups = new SqliteRollupStore(db);
  const spool =
    dbFile === ':memory:' ? new MemorySampleSpool() : new FileSampleSpool(join(dbFile, '..', 'spool'));
  return {
    ingest: new TelemetryIngest({
      policy: loadTelemetryPolicy(),
      samples: sampleStoreOf(db, rollups),
      services,
      activity,
      readers,
      idempotency: new SqliteIdempotencyStore(db),
      spool,
      unmapped,
      discrepancies,
      clock,
      onBackgroundError: (what, err) => logger.warn(`telemetry: ${what} failed`, { error: err as Error }),
      ...(admit ? { admit } : {}),
      ...(pulledSlis ? { pulledSlis } : {}),
    }),
    queries: new TelemetryQueries({ unmapped, discrepancies, services, activity, readers, rollups }),
  };
}

/**
 * The raw sample store composed on a database, if telemetry was composed on it: for a writer beside it (the backfill's
 * columnar writer) to tell it of chunks it wrote.
 */
export function sampleStoreIfComposed(db: Db): SqliteSampleStore | undefined {
  return sampleStores.get(db);
}
