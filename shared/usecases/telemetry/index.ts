import { UnavailableError } from '../../domain/errors.js';
import type { TelemetryIngest, TelemetryQueries } from './ingest.js';

export { TelemetryIngest, TelemetryQueries } from './ingest.js';

/** The telemetry services a composition root wires. */
export interface TelemetryServices {
  ingest: TelemetryIngest;
  queries: TelemetryQueries;
}

export function telemetryIn(container: { telemetry?: TelemetryServices | undefined }): TelemetryServices {
  if (!container.telemetry) throw new UnavailableError('telemetry ingestion is not deployed here');
  return container.telemetry;
}
