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

/** POST /v1/telemetry/backfills: whose mapping rules read the file, why, and which job the chunk belongs to. */
export const BackfillQuery = z.strictObject({
  vendor: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a vendor id'),
  reason: Reason.default('backfill import'),
  job: z.string().max(60).optional(),
  total: z.coerce.number().int().min(0).max(1e12).optional(),
});
export type BackfillQuery = z.infer<typeof BackfillQuery>;

/** POST /v1/telemetry/pulls: an agreement's SLI history pulled from its data sources over [from, to]. */
export const PullHistoryBody = z.strictObject({
  agreementId: z.string().regex(/^agr_[0-9A-Za-z]{1,40}$/, 'must be an agreement id'),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  reason: Reason,
});
export type PullHistoryBody = z.infer<typeof PullHistoryBody>;

const SliPull = z.looseObject({
  sliKey: z.string(),
  dataSource: z.string(),
  from: z.string(),
  to: z.string(),
  series: z.number().int(),
  submitted: z.number().int(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  rejectedByReason: z.record(z.string(), z.number().int()),
  error: z.string().optional(),
});
export const PullRunResponse = z.looseObject({
  id: z.string(),
  pulled: z.array(SliPull),
  skipped: z.array(z.object({ sliKey: z.string(), reason: z.string() })),
});

export const BackfillJobResponse = z.looseObject({
  id: z.string(),
  vendorId: z.string(),
  chunks: z.number().int(),
  declaredTotal: z.number().int().nullable(),
  submitted: z.number().int(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  rejectedByReason: z.record(z.string(), z.number().int()),
  rejections: z.array(z.looseObject({ chunk: z.number().int(), path: z.string(), reason: z.string() })),
});

/** POST /v1/telemetry/backfill-runs: a run over the chunk objects under `prefix` in the backfill bucket (AWS). */
export const BackfillRunBody = z.strictObject({
  vendor: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a vendor id'),
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9!_.*'()/-]{1,512}$/, "must be an S3 key prefix (letters, digits and !_.*'()/-)")
    .refine((p) => !p.startsWith('results'), 'must not be under results/, where the map writes its results'),
  reason: Reason,
  total: z.number().int().min(0).max(1e12).optional(),
  concurrency: z.number().int().min(1).max(40).default(1),
});
export type BackfillRunBody = z.infer<typeof BackfillRunBody>;

export const BackfillRunResponse = z.looseObject({
  id: z.string(),
  vendorId: z.string(),
  prefix: z.string(),
  state: z.enum(['running', 'finished', 'failed']),
  objects: z.looseObject({ imported: z.number().int(), failed: z.number().int() }).nullable(),
  failures: z.array(z.looseObject({ key: z.string(), code: z.string(), message: z.string() })),
  error: z.string().nullable(),
  job: BackfillJobResponse.nullable(),
});

/** POST /v1/cmdb/sync: apply (default: a dry run that only reports the plan) and the export's file name. */
export const CmdbSyncQuery = z.strictObject({
  apply: z.enum(['true', 'false']).default('false'),
  /** On an apply: write at most this many rows and report the rest as `remaining` (docs/cmdb.md, "Big files"). */
  maxWrites: z.coerce.number().int().min(1).optional(),
  file: z
    .string()
    .regex(/^[A-Za-z0-9._ -]{1,200}$/, 'must be a file name')
    .optional(),
});
export type CmdbSyncQuery = z.infer<typeof CmdbSyncQuery>;

export const CmdbSyncResponse = z.looseObject({
  dryRun: z.boolean(),
  sha256: z.string(),
  reason: z.string(),
  rows: z.number().int(),
  create: z.array(z.looseObject({ serviceId: z.string(), path: z.string() })),
  update: z.array(z.looseObject({ serviceId: z.string(), path: z.string() })),
  drift: z.array(z.looseObject({ kind: z.string(), serviceId: z.string() })),
  unchanged: z.array(z.string()),
  problems: z.array(Problem),
  outOfScope: z.array(z.looseObject({ serviceId: z.string(), path: z.string() })),
  applied: z.looseObject({ created: z.array(z.string()), updated: z.array(z.string()) }).optional(),
  remaining: z.number().int().optional(),
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
  {
    id: 'ecosystem.backfill-import',
    method: 'POST',
    path: '/v1/telemetry/backfills',
    auth: 'user',
    action: 'telemetry.backfill',
    handler: 'ecosystem/backfill-import',
    summary:
      'Admin-only, audited import of history older than the ingest lateness limit: one chunk (at most 200,000 samples, 10 MB) of an OpenMetrics text file (application/openmetrics-text) or CSV file (text/csv), mapped by `vendor`’s rules with live ingest’s semantics (counters become increases), back to 400 days. `job` adds the chunk to a job; the answer is the job’s counts.',
    query: BackfillQuery,
    response: BackfillJobResponse,
    binary: true,
    maxBodyBytes: 10 * 1024 * 1024,
  },
  {
    id: 'ecosystem.backfill-job',
    method: 'GET',
    path: '/v1/telemetry/backfills/{jobId}',
    auth: 'user',
    action: 'telemetry.backfill',
    handler: 'ecosystem/backfill-job',
    summary:
      "A backfill job's progress: chunks, samples submitted, accepted, duplicates and rejections by reason",
    response: BackfillJobResponse,
  },
  {
    id: 'ecosystem.pull-history',
    method: 'POST',
    path: '/v1/telemetry/pulls',
    auth: 'user',
    action: 'telemetry.backfill',
    handler: 'ecosystem/pull-history',
    summary:
      "Admin-only, audited pull of an agreement's SLI history (draft or active) from the Prometheus data sources its objectives name (query_range over [from, to], back to 400 days), through live ingest's semantics: counters become increases, resets are seen, points read twice count once.",
    body: PullHistoryBody,
    response: PullRunResponse,
  },
  {
    id: 'ecosystem.cmdb-sync',
    method: 'POST',
    path: '/v1/cmdb/sync',
    auth: 'user',
    action: 'service.create',
    handler: 'ecosystem/cmdb-sync',
    summary:
      'Sync the service catalogue from a ServiceNow cmdb_ci_service export (Table API JSON `{"result": [...]}` as application/json, or text/csv), mapped by shared/policy/cmdb.json, over the services in the caller\'s units (admin: all). A dry run (default) reports the plan and drift (in the CMDB not in Accord, the reverse, mismatched tier, owner, business unit, residency) and every bad row by path; `apply=true` creates new services and writes only CMDB-owned fields (audited with the reason `CMDB sync <file> sha256:<hash>`), never governed ones.',
    query: CmdbSyncQuery,
    response: CmdbSyncResponse,
    binary: true,
    maxBodyBytes: 5 * 1024 * 1024,
  },
  {
    id: 'ecosystem.backfill-run-start',
    method: 'POST',
    path: '/v1/telemetry/backfill-runs',
    auth: 'user',
    action: 'telemetry.backfill',
    handler: 'ecosystem/backfill-run-start',
    summary:
      'AWS: admin-only, audited backfill of a large file uploaded as chunk objects (OpenMetrics `.om`/`.txt`/`.prom` or `.csv`, each at most 200,000 samples and 10 MB) under `prefix` in the backfill bucket: a Step Functions Distributed Map imports each object as a chunk of one job (`concurrency` 1 keeps key order, so counters may span objects). Answers 202 with the run; 503 on the embedded default (send chunks to POST /v1/telemetry/backfills).',
    body: BackfillRunBody,
    response: BackfillRunResponse,
    successStatus: 202,
  },
  {
    id: 'ecosystem.backfill-run-get',
    method: 'GET',
    path: '/v1/telemetry/backfill-runs/{runId}',
    auth: 'user',
    action: 'telemetry.backfill',
    handler: 'ecosystem/backfill-run-get',
    summary:
      "A backfill run's progress: running, finished (objects imported and failed, each failure by key with its reason) or failed, with its import job's sample counts",
    response: BackfillRunResponse,
  },
];
