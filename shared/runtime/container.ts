import type { AgreementUseCases } from '../usecases/agreements.js';
import type { AuditQueries, AuditRecorder } from '../usecases/audit.js';
import type { BackfillRunUseCases } from '../usecases/backfill-runs.js';
import type { ChainUseCases } from '../usecases/chain/index.js';
import type { CmdbSyncUseCases } from '../usecases/cmdb.js';
import type { EcosystemUseCases } from '../usecases/ecosystem.js';
import type { AgreementLifecycleJob } from '../usecases/lifecycle-job.js';
import type { ObjectiveUseCases } from '../usecases/objectives/index.js';
import type { PullUseCases } from '../usecases/pull.js';
import type { ArchiveUseCases } from '../usecases/reports/archive.js';
import type { ReportUseCases } from '../usecases/reports/index.js';
import type { ServiceUseCases } from '../usecases/services.js';
import type { TelemetryServices } from '../usecases/telemetry/index.js';
import type { VendorUseCases } from '../usecases/vendors.js';
import type { WorkflowServices } from '../usecases/workflows/index.js';
import type { Config } from './config.js';

/**
 * What handlers get: the use cases, wired to one backend. Built once per process by a composition root:
 * infra/local/compose.ts for the embedded default, shared/runtime/aws.ts on Lambda.
 */
export interface Container {
  config: Config;
  agreements: AgreementUseCases;
  services: ServiceUseCases;
  auditRecorder: AuditRecorder;
  auditQueries: AuditQueries;
  /**
   * Monitoring vendors, their bindings and keys; the vendor authorizer's lookups; ingestion's key re-check and
   * scope. Absent in Lambda functions that need none of these (compiled out; `vendorsIn` answers 503).
   */
  vendors?: VendorUseCases;
  /** The calendar side of the lifecycle (scheduled). */
  lifecycleJob: AgreementLifecycleJob;
  /** The objectives engine; absent where a composition root has not wired it (handlers then answer 503). */
  objectives?: ObjectiveUseCases;
  /** Telemetry ingestion and its read side; absent where a composition root has not wired it. */
  telemetry?: TelemetryServices;
  /** The WORM archive (reports, credit statements, violations); absent where a composition root has not wired it. */
  archive?: ArchiveUseCases;
  /** Reports (on demand, scheduled publication); absent where a composition root has not wired them. */
  reports?: ReportUseCases;
  /** Workflows, people's tasks and notifications; absent where a composition root has not wired them. */
  workflows?: WorkflowServices;
  /** The underpinning chain: graph and coverage gaps (issue 13). */
  chain?: ChainUseCases;
  /** OpenSLO import and export, Prometheus rules (docs/openslo.md); absent where a composition root has not wired it. */
  ecosystem?: EcosystemUseCases;
  /** Pull data sources (Prometheus query_range on the schedule, history pulls; docs/backfill.md). */
  pull?: PullUseCases;
  /** CMDB sync of the service catalogue (docs/cmdb.md). */
  cmdb?: CmdbSyncUseCases;
  /** Backfill runs over S3 chunk objects (AWS: a Distributed Map; docs/backfill.md); start answers 503 elsewhere. */
  backfillRuns?: BackfillRunUseCases;
}

let current: Promise<Container> | undefined;

/** The embedded default (and tests) install their container before any handler runs. */
export function setContainer(container: Container): void {
  current = Promise.resolve(container);
}

/** On Lambda nothing is installed: the AWS composition root is loaded on first use (cold start). */
export function getContainer(): Promise<Container> {
  if (!current) current = import('./aws.js').then((m) => m.createAwsContainer());
  return current;
}
