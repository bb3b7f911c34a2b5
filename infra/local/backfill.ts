import { SqliteBackfillWriter } from '../../shared/adapters/sqlite/backfill-writer.js';
import type { Db } from '../../shared/adapters/sqlite/db.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import { loadTelemetryPolicy } from '../../shared/policy/telemetry.js';
import { ColumnarBackfill, type ColumnarBackfillDeps } from '../../shared/usecases/backfill-columnar.js';
import type { TelemetryDeps } from '../../shared/usecases/telemetry/ingest.js';
import { sampleStoreIfComposed } from './telemetry.js';

/**
 * The backfill's columnar fast path on the embedded default (docs/backfill.md, "Backfill-4 round"): OpenMetrics chunks
 * of new counter samples written straight into the SQLite tables, the server's sample store told of the chunks.
 */
export function composeColumnarBackfill(
  db: Db,
  pulledSlis?: TelemetryDeps['pulledSlis'],
  admitsSlis?: ColumnarBackfillDeps['admitsSlis'],
): ColumnarBackfill {
  return new ColumnarBackfill({
    policy: loadTelemetryPolicy(),
    services: new SqliteServiceStore(db),
    writer: new SqliteBackfillWriter(db, {
      onChunks: (series, min, max) => sampleStoreIfComposed(db)?.noteChunks(series, min, max),
    }),
    ...(pulledSlis ? { pulledSlis } : {}),
    ...(admitsSlis ? { admitsSlis } : {}),
  });
}
