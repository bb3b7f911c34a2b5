import { dirname, join } from 'node:path';
import { AgreementObjectivesSource } from '../../shared/adapters/agreement-objectives-source.js';
import { loadReportFonts } from '../../shared/adapters/fonts.js';
import { FileArchiveStore } from '../../shared/adapters/fs/archive.js';
import { UlidGenerator } from '../../shared/adapters/ids.js';
import { NoUsagePlans } from '../../shared/adapters/memory/vendors.js';
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import { SqliteArchiveAccessLog } from '../../shared/adapters/sqlite/archive-access.js';
import { SqliteArchiveHeadStore } from '../../shared/adapters/sqlite/archive-head.js';
import { SqliteAuditStore } from '../../shared/adapters/sqlite/audit.js';
import { type Db, openDatabase } from '../../shared/adapters/sqlite/db.js';
import {
  SqliteEvaluationStore,
  SqliteExceptionWindowStore,
  SqliteViolationStore,
} from '../../shared/adapters/sqlite/objectives.js';
import { SqliteServiceReviewStore } from '../../shared/adapters/sqlite/reviews.js';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import { SqliteWorkTaskStore } from '../../shared/adapters/sqlite/tasks.js';
import { SqliteVendorStore } from '../../shared/adapters/sqlite/vendors.js';
import { SqliteWriteBatch } from '../../shared/adapters/sqlite/write-batch.js';
import { loadArchivePolicy } from '../../shared/policy/archive.js';
import { loadChainPolicy } from '../../shared/policy/chain.js';
import { loadSignOffRules } from '../../shared/policy/index.js';
import {
  DEFAULT_BURN_WINDOWS,
  DEFAULT_FORECAST,
  DEFAULT_SEVERITY_RULES,
  DEFAULT_TIER_DEFAULTS,
} from '../../shared/policy/objectives.js';
import { loadReportsPolicy } from '../../shared/policy/reports.js';
import { type Clock, systemClock } from '../../shared/ports/clock.js';
import { passThroughFinal } from '../../shared/runtime/chain-hooks.js';
import { type Config, dataSourcesOf } from '../../shared/runtime/config.js';
import type { Container } from '../../shared/runtime/container.js';
import '../../shared/runtime/metrics.js'; // GET /metrics counts every request of the embedded default
import { ConfiguredMetricSources } from '../../shared/adapters/prometheus/metric-source.js';
import { CMDB_POLICY } from '../../shared/policy/cmdb.js';
import { logger } from '../../shared/runtime/powertools.js';
import { AgreementUseCases } from '../../shared/usecases/agreements.js';
import { AuditQueries, AuditRecorder } from '../../shared/usecases/audit.js';
import { BackfillUseCases } from '../../shared/usecases/backfill.js';
import { BackfillRunUseCases } from '../../shared/usecases/backfill-runs.js';
import { ChainUseCases } from '../../shared/usecases/chain/index.js';
import { CmdbSyncUseCases } from '../../shared/usecases/cmdb.js';
import { EcosystemUseCases } from '../../shared/usecases/ecosystem.js';
import { AgreementLifecycleJob } from '../../shared/usecases/lifecycle-job.js';
import { ObjectiveUseCases } from '../../shared/usecases/objectives/index.js';
import { PullUseCases } from '../../shared/usecases/pull.js';
import { ArchiveUseCases } from '../../shared/usecases/reports/archive.js';
import { TaskCommentaryWindow } from '../../shared/usecases/reports/commentary.js';
import { NotifierReportDelivery } from '../../shared/usecases/reports/delivery.js';
import { ReportUseCases } from '../../shared/usecases/reports/index.js';
import { ServiceUseCases } from '../../shared/usecases/services.js';
import { VendorUseCases } from '../../shared/usecases/vendors.js';
import { composeColumnarBackfill } from './backfill.js';
import { composeTelemetry, telemetryStoreMode } from './telemetry.js';
import { composeLocalWorkflows, type LocalWorkflowParts } from './workflows.js';

export interface LocalParts {
  db: Db;
  container: Container;
  workflows: LocalWorkflowParts;
}

/** The embedded default's composition root: every port on SQLite in one file; the archive in `archive/` beside it. */
export function composeLocal(
  config: Config,
  dbFile: string,
  clock: Clock = systemClock,
  /** The cap on SLIs per service instead of the policy's (`startLocal`'s option, for tests). */
  tuning: { maxSlisPerService?: number } = {},
): LocalParts {
  const db = openDatabase(dbFile);
  const services = new SqliteServiceStore(db);
  const agreements = new SqliteAgreementStore(db);
  const audit = new SqliteAuditStore(db);
  const telemetry = composeTelemetry(
    db,
    dbFile,
    clock,
    (vendorId, keyId) => vendors.admit(vendorId, keyId),
    () => pull.pulledSlis(),
    config.ACCORD_TELEMETRY_STORE,
    tuning,
  );
  // The columnar backfill writes raw chunks beside the sample store and tells it of them (noteChunks); a store in a
  // worker keeps its heads in another thread, so with it every chunk takes the shared path.
  const columnar =
    telemetryStoreMode(dbFile, config.ACCORD_TELEMETRY_STORE) === 'inline'
      ? composeColumnarBackfill(
          db,
          () => pull.pulledSlis(),
          (sliKeys) => telemetry.ingest.admitsSlis(sliKeys),
        )
      : undefined;
  const pull = new PullUseCases({
    sources: new ConfiguredMetricSources(dataSourcesOf(config)),
    active: new AgreementObjectivesSource(agreements, services),
    agreements,
    ingest: () => telemetry.ingest,
    audit,
    clock,
  });
  const residencyRegion = config.ACCORD_RESIDENCY_REGION;
  const objectiveIds = new UlidGenerator(clock);
  const exceptions = new SqliteExceptionWindowStore(db);
  const serviceUseCases = new ServiceUseCases({ services, agreements, clock, residencyRegion });
  let workflows: LocalWorkflowParts | undefined;
  const batch = new SqliteWriteBatch(db, (error) =>
    logger.error('workflow write batch failed to commit', { error: error as Error }),
  );
  const agreementUseCases = new AgreementUseCases({
    agreements,
    services,
    clock,
    ids: new UlidGenerator(clock),
    signOffRules: loadSignOffRules(),
    residencyRegion,
    observer: { changed: (v) => observe(() => workflows?.services.approval.changed(v)) },
    // A change and what the approval workflow writes about it (a started execution, a settled task) commit together.
    unitOfWork: (work) => batch.unit(work),
    gaps: (a) => chain.findingsFor(a),
  });
  const violations = new SqliteViolationStore(db);
  const archiveStore = new FileArchiveStore(join(dirname(dbFile), 'archive'), clock);
  workflows = composeLocalWorkflows({
    batch,
    readArchive: (key) => archiveStore.get(key),
    violations,
    db,
    dataDir: dirname(dbFile),
    config,
    clock,
    agreements,
    useCases: agreementUseCases,
    services,
  });
  const vendorStore = new SqliteVendorStore(db);
  const vendors = new VendorUseCases({
    vendors: vendorStore,
    services,
    usagePlans: new NoUsagePlans(),
    clock,
    ids: new UlidGenerator(clock),
  });
  const rollups = new SqliteRollupStore(db);
  const evaluations = new SqliteEvaluationStore(db);
  const chain = new ChainUseCases({
    agreements,
    clock,
    policy: loadChainPolicy(),
    violations,
    evaluations,
    tasks: new SqliteWorkTaskStore(db),
    reviews: new SqliteServiceReviewStore(db),
    newId: (prefix) => `${prefix}_${objectiveIds.next()}`,
  });
  const settings = {
    burnWindows: DEFAULT_BURN_WINDOWS,
    forecast: DEFAULT_FORECAST,
    tiers: DEFAULT_TIER_DEFAULTS,
  };
  const newId = (prefix: string) => `${prefix}_${objectiveIds.next()}`;
  const archive = new ArchiveUseCases({
    store: archiveStore,
    accessLog: new SqliteArchiveAccessLog(db),
    heads: new SqliteArchiveHeadStore(db),
    clock,
    policy: loadArchivePolicy(),
    newId,
  });
  const reportsPolicy = loadReportsPolicy();
  const container: Container = {
    config,
    services: serviceUseCases,
    agreements: agreementUseCases,
    lifecycleJob: new AgreementLifecycleJob({ agreements, useCases: agreementUseCases, clock }),
    auditRecorder: new AuditRecorder(audit),
    auditQueries: new AuditQueries(
      audit,
      {
        agreement: (p, id) => agreementUseCases.load(p, 'audit.read', id),
        service: (p, id) => serviceUseCases.get(p, id, 'audit.read'),
        vendor: (p, id) => vendors.get(p, id, 'vendor.read'),
      },
      async (agreementId) => (await exceptions.list({ agreementId })).map((w) => w.id),
    ),
    vendors,
    objectives: new ObjectiveUseCases({
      source: new AgreementObjectivesSource(agreements, services),
      services,
      rollups,
      exceptions,
      violations,
      onViolationOpened: (v) => observe(() => workflows?.services.remediation.opened(v)),
      onEvaluated: (results) => observe(() => workflows?.services.remediation.evaluated(results)),
      onCreditsFinal: (final) => observe(() => passThroughFinal(chain, final)),
      evaluations,
      clock,
      ids: { next: (prefix) => `${prefix}_${objectiveIds.next()}` },
      settings,
      severityRules: DEFAULT_SEVERITY_RULES,
    }),
    telemetry,
    archive,
    reports: new ReportUseCases({
      agreements,
      services,
      evaluations,
      violations,
      exceptions,
      rollups,
      settings,
      policy: reportsPolicy,
      clock,
      newId,
      fonts: loadReportFonts(),
      archive,
      delivery: new NotifierReportDelivery(() => workflows?.services.notifications, reportsPolicy.delivery),
      commentary: new TaskCommentaryWindow({
        tasks: new SqliteWorkTaskStore(db),
        agreements,
        notifications: () => workflows?.services.notifications,
        clock,
        baseUrl: config.ACCORD_PUBLIC_URL,
      }),
    }),
    workflows: workflows.services,
    chain,
    ecosystem: new EcosystemUseCases({
      agreements: agreementUseCases,
      services,
      burnWindows: DEFAULT_BURN_WINDOWS,
      evaluations,
      backfill: new BackfillUseCases({
        ingest: () => telemetry.ingest,
        audit,
        clock,
        vendors: vendorStore,
        columnar: () => columnar,
      }),
    }),
    pull,
    cmdb: new CmdbSyncUseCases({ services: serviceUseCases, policy: CMDB_POLICY }),
    // Runs over S3 chunk objects are AWS's (a Distributed Map): here start answers 503, status reads the trail.
    backfillRuns: new BackfillRunUseCases({
      backfill: new BackfillUseCases({
        ingest: () => telemetry.ingest,
        audit,
        clock,
        vendors: vendorStore,
        columnar: () => columnar,
      }),
      audit,
      clock,
    }),
  };
  return { db, container, workflows };
}

/**
 * A workflow that cannot start or be told of a change must not undo the change the caller made: the error is
 * logged, the change stands, and the workflow's hourly follow-up (or the lifecycle job) picks the state up.
 */
async function observe(f: () => Promise<void> | undefined): Promise<void> {
  try {
    await f();
  } catch (error) {
    logger.error('workflow observer failed', { error: error as Error });
  }
}
