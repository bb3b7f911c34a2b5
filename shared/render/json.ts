import type { ReportModel } from '../domain/reports/model.js';

/**
 * The JSON format: the report model itself, versioned by its `schema` member (`accord.report/v1`, described by
 * shared/schemas/reports.ts, which the golden tests validate against). Stable key order, two-space indent.
 */
export function renderJson(model: ReportModel): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(model, null, 2)}\n`);
}
