import { z } from 'zod';
import { Reason } from '../../schemas/common.js';
import type { RouteSpec } from '../routes.js';

/**
 * POST …/openslo: why the objectives change (the new version's reason; "import from OpenSLO" when not given), and
 * whether only to validate.
 */
export const OpenSloImportQuery = z.strictObject({
  reason: Reason.default('import from OpenSLO'),
  dryRun: z.enum(['true', 'false']).default('false'),
});
export type OpenSloImportQuery = z.infer<typeof OpenSloImportQuery>;

const Problem = z.object({ path: z.string(), problem: z.string() });
export const OpenSloImportResponse = z.looseObject({
  dryRun: z.boolean(),
  agreement: z.looseObject({ id: z.string(), version: z.number().int() }),
  added: z.array(z.string()),
  replaced: z.array(z.string()),
  kept: z.array(z.string()),
  mappingRules: z.array(z.looseObject({ vendor: z.string(), sliName: z.string() })),
  notes: z.array(Problem),
});

/** Routes of the SLO ecosystem (OpenSLO, Prometheus rules, /metrics); spread into ROUTES. */
export const ECOSYSTEM_ROUTES: readonly RouteSpec[] = [
  {
    id: 'ecosystem.openslo-export',
    method: 'GET',
    path: '/v1/agreements/{agreementId}/openslo',
    auth: 'user',
    action: 'agreement.read',
    handler: 'ecosystem/openslo-export',
    summary:
      "The agreement's objectives as OpenSLO v1 YAML (application/yaml): Service, SLIs, DataSources, SLOs and Accord's burn-rate AlertPolicy; what OpenSLO cannot carry is listed in the leading comment and the X-Accord-Not-Expressed header",
  },
  {
    id: 'ecosystem.openslo-import',
    method: 'POST',
    path: '/v1/agreements/{agreementId}/openslo',
    auth: 'user',
    action: 'agreement.update',
    handler: 'ecosystem/openslo-import',
    summary:
      'Import an OpenSLO v1 YAML stream (application/yaml) into a draft agreement: objectives with the same id are replaced, new ones added; every problem is named with its path and line (400); `dryRun=true` validates only. Reports proposed mapping rules and what was not taken.',
    query: OpenSloImportQuery,
    response: OpenSloImportResponse,
    ifMatch: true,
    binary: true,
    maxBodyBytes: 5 * 1024 * 1024,
  },
  {
    id: 'ecosystem.prometheus-rules',
    method: 'GET',
    path: '/v1/agreements/{agreementId}/prometheus-rules',
    auth: 'user',
    action: 'agreement.read',
    handler: 'ecosystem/prometheus-rules',
    summary:
      'Prometheus recording rules (error ratio and events over each burn-rate window) and multi-window, multi-burn-rate alerting rules for the objectives whose SLI comes from Prometheus, from the burn-rate table the engine uses (application/yaml, a rule file for promtool)',
  },
  {
    id: 'ecosystem.metrics',
    method: 'GET',
    path: '/metrics',
    auth: 'user',
    action: 'metrics.read',
    handler: 'ecosystem/metrics',
    summary:
      "Prometheus exposition format: requests and latencies by route, telemetry samples and rejections by reason, evaluation durations, and each objective's compliance, target, remaining budget, burn rates, alerts and status as gauges. Scrape with a Bearer token of an admin or auditor.",
  },
];
