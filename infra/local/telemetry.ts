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
import { type WorkerEntry, WorkerSampleStore } from '../../shared/adapters/sqlite/telemetry-worker.js';
import { loadTelemetryPolicy } from '../../shared/policy/telemetry.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { SampleStore } from '../../shared/ports/telemetry.js';
import { logger } from '../../shared/runtime/powertools.js';
import { fromRoot } from '../../shared/runtime/project-root.js';
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
const sampleStores = new WeakMap<Db, SampleStore>();
function sampleStoreOf(
  db: Db,
  dbFile: string,
  rollups: SqliteRollupStore,
  asked: 'worker' | 'inline' | undefined,
): SampleStore {
  let store = sampleStores.get(db);
  if (store === undefined) {
    store =
      telemetryStoreMode(dbFile, asked) === 'worker'
        ? new WorkerSampleStore(
            dbFile,
            telemetryWorkerEntry(),
            () => rollups.journaledElsewhere(),
            {},
            (e) => logger.error('telemetry: the store worker stopped; starting another', { error: e }),
          )
        : new SqliteSampleStore(db, rollups);
    sampleStores.set(db, store);
  }
  return store;
}

/** True in the local server's build (an esbuild `define`); undefined from the sources (tsx, vitest). */
declare const __ACCORD_LOCAL_BUILD__: boolean | undefined;

/**
 * Where the raw sample store runs: `inline` (the default: on the main thread's connection) or `worker` (one worker
 * thread owns the telemetry writes, see WorkerSampleStore), chosen by `ACCORD_TELEMETRY_STORE` (the config). The
 * worker did not pay on the project's shared 2-core machine (docs/telemetry.md, "The store in a worker"), so it is
 * opt-in until measured on a quiet one. `:memory:` is always inline: a second connection cannot open it.
 */
export function telemetryStoreMode(dbFile: string, asked?: 'worker' | 'inline'): 'worker' | 'inline' {
  if (dbFile === ':memory:') return 'inline';
  return asked ?? 'inline';
}

/** The worker's entry: the build's `telemetry-worker.js`, or from the sources the TypeScript file through tsx. */
function telemetryWorkerEntry(): WorkerEntry {
  if (typeof __ACCORD_LOCAL_BUILD__ !== 'undefined')
    return { file: fromRoot('dist', 'local', 'telemetry-worker.js') };
  return {
    file: new URL('../../shared/adapters/sqlite/telemetry-worker-thread.ts', import.meta.url),
    tsx: true,
  };
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
  storeMode?: 'worker' | 'inline',
  /** The cap on SLIs per service, instead of the policy's (a test sets a small one). */
  tuning: Pick<TelemetryDeps, 'maxSlisPerService'> = {},
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
      samples: sampleStoreOf(db, dbFile, rollups, storeMode),
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
      ...(tuning.maxSlisPerService === undefined ? {} : { maxSlisPerService: tuning.maxSlisPerService }),
    }),
    queries: new TelemetryQueries({ unmapped, discrepancies, services, activity, readers, rollups }),
  };
}

/**
 * The raw sample store composed on a database, if telemetry was composed on it: for a writer beside it (the backfill's
 * columnar writer) to tell it of chunks it wrote.
 */
export function sampleStoreIfComposed(db: Db): SqliteSampleStore | undefined {
  const store = sampleStores.get(db);
  return store instanceof SqliteSampleStore ? store : undefined;
}
