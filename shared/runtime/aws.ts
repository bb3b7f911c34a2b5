import { AgreementObjectivesSource } from '../adapters/agreement-objectives-source.js';
import { DynamoAgreementStore } from '../adapters/dynamodb/agreements.js';
import { DynamoAuditStore } from '../adapters/dynamodb/audit.js';
import { documentClient } from '../adapters/dynamodb/client.js';
import {
  DynamoEvaluationStore,
  DynamoExceptionWindowStore,
  DynamoViolationStore,
} from '../adapters/dynamodb/objectives.js';
import { DynamoServiceReviewStore } from '../adapters/dynamodb/reviews.js';
import { DynamoRollupStore } from '../adapters/dynamodb/rollups.js';
import { DynamoServiceStore } from '../adapters/dynamodb/services.js';
import { DynamoVendorStore } from '../adapters/dynamodb/vendors.js';
import { DynamoWorkTaskStore } from '../adapters/dynamodb/workflows.js';
import { UlidGenerator } from '../adapters/ids.js';
import { ConfiguredMetricSources } from '../adapters/prometheus/metric-source.js';
import { UnavailableError } from '../domain/errors.js';
import { loadChainPolicy } from '../policy/chain.js';
import { loadSignOffRules } from '../policy/index.js';
import { DEFAULT_BURN_WINDOWS, DEFAULT_RETENTION } from '../policy/objectives.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { MetricSources } from '../ports/metric-source.js';
import type { UsagePlans } from '../ports/vendors.js';
import { AgreementUseCases } from '../usecases/agreements.js';
import { AuditQueries, AuditRecorder } from '../usecases/audit.js';
import { ChainUseCases } from '../usecases/chain/index.js';
import { AgreementLifecycleJob } from '../usecases/lifecycle-job.js';
import { PullUseCases } from '../usecases/pull.js';
import { ServiceUseCases } from '../usecases/services.js';
import { VendorUseCases, vendorsIn } from '../usecases/vendors.js';
import { passThroughFinal } from './chain-hooks.js';
import { API_STAGE, AWS_ENV, type Config, dataSourcesOf, readConfig, USAGE_PLAN_PREFIX } from './config.js';
import type { Container } from './container.js';
import { logger } from './powertools.js';

/**
 * Replaced at bundle time (esbuild `define`, infra/aws/bundling.ts): false in functions that serve no telemetry
 * route, so the Timestream and SQS clients drop out of their bundles (about 85 KB). Undefined when unbundled.
 */
declare const __ACCORD_TELEMETRY__: boolean | undefined;
/** Same for the objectives engine: false in functions that serve no objectives route or job. */
declare const __ACCORD_OBJECTIVES__: boolean | undefined;
/** Same for vendors: false in functions that neither authenticate vendors, manage them nor ingest telemetry. */
declare const __ACCORD_VENDORS__: boolean | undefined;
/** Same for reports and the archive (pdfkit, fonts, the S3 client). */
declare const __ACCORD_REPORTS__: boolean | undefined;
/** Same for OpenSLO, Prometheus rules and /metrics (the yaml library): false outside functions/ecosystem/. */
declare const __ACCORD_ECOSYSTEM__: boolean | undefined;
/** Same for the workflows (their use cases and Step Functions client): false in telemetry's functions. */
declare const __ACCORD_WORKFLOWS__: boolean | undefined;

type TableSettings = { data: string; audit: string; vendorKeys: string };

/** The table names this function needs; a missing one stops the cold start with the variable's name. */
export function tablesFrom(config: Config): TableSettings {
  const missing: string[] = [];
  const need = (key: (typeof AWS_ENV)[keyof typeof AWS_ENV]): string => {
    const v = config[key];
    if (!v) missing.push(key);
    return v ?? '';
  };
  const t = {
    data: need(AWS_ENV.dataTable),
    audit: need(AWS_ENV.auditTable),
    vendorKeys: need(AWS_ENV.vendorKeysTable),
  };
  if (missing.length) throw new Error(`bad configuration: ${missing.join(', ')} must be set on AWS`);
  return t;
}

export interface AwsContainerOptions {
  config?: Config;
  /** SDK client settings (an endpoint for DynamoDB Local in tests); the Lambda defaults otherwise. */
  client?: Parameters<typeof documentClient>[0];
  clock?: Clock;
}

/**
 * The AWS composition root: the same use cases as the embedded default (infra/local/compose.ts), on DynamoDB.
 * Built once per cold start. The audit trail is written only by the stream consumer, never by a use case.
 * Telemetry and the objectives engine are wired when the rollups table is configured (the stack always sets it).
 */
export async function createAwsContainer(options: AwsContainerOptions = {}): Promise<Container> {
  const config = options.config ?? readConfig();
  const clock = options.clock ?? systemClock;
  const tables = tablesFrom(config);
  const db = documentClient(options.client ?? {});
  const services = new DynamoServiceStore(db, tables.data);
  const agreements = new DynamoAgreementStore(db, tables.data);
  const audit = new DynamoAuditStore(db, tables.audit);
  let vendors: VendorUseCases | undefined;
  if (typeof __ACCORD_VENDORS__ === 'undefined' || __ACCORD_VENDORS__) {
    vendors = new VendorUseCases({
      vendors: new DynamoVendorStore(db, tables.data, tables.vendorKeys),
      services,
      usagePlans: await usagePlansFor(config, options.client),
      clock,
      ids: new UlidGenerator(clock),
      // Not the Powertools logger: it would be the vendor authorizer's largest dependency for one rare warning.
      onBackgroundError: (what, err) =>
        console.warn(
          JSON.stringify({ level: 'WARN', message: `vendors: ${what} failed`, error: String(err) }),
        ),
    });
  }
  const rollupsTable = config[AWS_ENV.rollupsTable];
  const rollups = rollupsTable ? new DynamoRollupStore(db, rollupsTable) : undefined;
  let telemetry: Container['telemetry'];
  let pull: PullUseCases | undefined;
  if (typeof __ACCORD_TELEMETRY__ === 'undefined' || __ACCORD_TELEMETRY__) {
    const { composeAwsTelemetry } = await import('./telemetry-aws.js');
    if (rollups) {
      telemetry = composeAwsTelemetry({
        config,
        doc: db,
        rollups,
        clock,
        services,
        agreements,
        // Fails closed: a function ingesting telemetry without the vendor use cases admits nobody.
        admit: (vendorId, keyId) => vendorsIn({ vendors }).admit(vendorId, keyId),
        pulledSlis: () => pull!.pulledSlis(),
        ...(options.client ? { clientConfig: options.client as { region?: string; endpoint?: string } } : {}),
      });
    }
  }
  if (telemetry) {
    const ingest = telemetry.ingest;
    // Pull data sources (docs/backfill.md): the scheduled pull's function composes telemetry, so it has them.
    pull = new PullUseCases({
      sources: await pullSources(config),
      active: new AgreementObjectivesSource(agreements, services),
      agreements,
      ingest: () => ingest,
      audit,
      clock,
    });
  }
  // Backfill (docs/backfill.md): in the ecosystem functions that compose telemetry (the backfill routes and the
  // backfill state machine's tasks); compiled out of every other bundle with the CSV and OpenMetrics readers.
  let backfillParts: ReturnType<typeof import('./backfill-aws.js').composeAwsBackfill> | undefined;
  if (telemetry && (typeof __ACCORD_ECOSYSTEM__ === 'undefined' || __ACCORD_ECOSYSTEM__)) {
    const ingest = telemetry.ingest;
    const { composeAwsBackfill } = await import('./backfill-aws.js');
    backfillParts = composeAwsBackfill({
      config,
      ingest: () => ingest,
      audit,
      clock,
      // The store alone (a read of the vendor's record): these functions neither authenticate nor manage vendors.
      vendors: new DynamoVendorStore(db, tables.data, tables.vendorKeys),
      ...(options.client ? { clientConfig: options.client as { region?: string; endpoint?: string } } : {}),
    });
  }
  let objectives: Container['objectives'];
  if (typeof __ACCORD_OBJECTIVES__ === 'undefined' || __ACCORD_OBJECTIVES__) {
    const { composeAwsObjectives } = await import('./objectives-aws.js');
    if (rollups)
      objectives = composeAwsObjectives({
        doc: db,
        table: tables.data,
        agreements,
        services,
        rollups,
        clock,
        // Claims pass through when credits become final (docs/chain.md); `chain` is composed below, before any run.
        onCreditsFinal: (final) =>
          passThroughFinal(chain, final).catch((error: unknown) =>
            logger.error('pass-through observer failed', { error: error as Error }),
          ),
        // As on the embedded default: an opened violation starts its remediation, an evaluation run pages. A start
        // that fails leaves the violation open: the `workflow-starts` schedule starts it later (same name, once).
        // `workflows` is composed below, before any run.
        onViolationOpened: (v) =>
          (workflows?.remediation.opened(v) ?? Promise.resolve()).catch((error: unknown) =>
            logger.error('remediation start failed', { error: error as Error, violationId: v.id }),
          ),
        onEvaluated: (results) =>
          (workflows?.remediation.evaluated(results) ?? Promise.resolve()).catch((error: unknown) =>
            logger.error('evaluation observer failed', { error: error as Error }),
          ),
      });
  }
  let archive: Container['archive'];
  let reports: Container['reports'];
  const bucket = config[AWS_ENV.archiveBucket];
  if ((typeof __ACCORD_REPORTS__ === 'undefined' || __ACCORD_REPORTS__) && bucket) {
    const { composeAwsReports } = await import('./reports-aws.js');
    ({ archive, reports } = composeAwsReports({
      doc: db,
      dataTable: tables.data,
      auditTable: tables.audit,
      bucket,
      agreements,
      services,
      rollups,
      clock,
      notifications: () => workflows?.notifications,
      workflowsTable: config[AWS_ENV.workflowsTable],
      publicUrl: config.ACCORD_PUBLIC_URL,
    }));
  }
  const residencyRegion = config.ACCORD_RESIDENCY_REGION;
  const ecosystemModule =
    typeof __ACCORD_ECOSYSTEM__ === 'undefined' || __ACCORD_ECOSYSTEM__
      ? await import('../usecases/ecosystem.js')
      : undefined;
  // The CMDB sync (csv-parse and its policy) is served by an ecosystem function only.
  const cmdbModules =
    typeof __ACCORD_ECOSYSTEM__ === 'undefined' || __ACCORD_ECOSYSTEM__
      ? await Promise.all([import('../usecases/cmdb.js'), import('../policy/cmdb.js')])
      : undefined;
  const serviceUseCases = new ServiceUseCases({ services, agreements, clock, residencyRegion });
  let workflows: Container['workflows'];
  const reviewIds = new UlidGenerator(clock);
  const chain = new ChainUseCases({
    agreements,
    clock,
    policy: loadChainPolicy(),
    violations: new DynamoViolationStore(db, tables.data),
    evaluations: new DynamoEvaluationStore(db, tables.data),
    reviews: new DynamoServiceReviewStore(db, tables.data),
    newId: (prefix) => `${prefix}_${reviewIds.next()}`,
    ...(config[AWS_ENV.workflowsTable]
      ? { tasks: new DynamoWorkTaskStore(db, config[AWS_ENV.workflowsTable]!) }
      : {}),
  });
  const agreementUseCases = new AgreementUseCases({
    agreements,
    services,
    clock,
    ids: new UlidGenerator(clock),
    signOffRules: loadSignOffRules(),
    residencyRegion,
    observer: {
      // A workflow that cannot be told must not undo the change: logged. A failed start of an approval is made by
      // the `workflow-starts` schedule (WorkflowReconciliation); a failed answer is caught up by its hourly follow-up.
      changed: (v) =>
        (workflows?.approval.changed(v) ?? Promise.resolve()).catch((error: unknown) =>
          logger.error('workflow observer failed', { error: error as Error }),
        ),
    },
    gaps: (a) => chain.findingsFor(a),
  });
  const workflowsTable = config[AWS_ENV.workflowsTable];
  if ((typeof __ACCORD_WORKFLOWS__ === 'undefined' || __ACCORD_WORKFLOWS__) && workflowsTable) {
    const { composeAwsWorkflows } = await import('./workflows-aws.js');
    workflows = composeAwsWorkflows({
      config,
      doc: db,
      table: workflowsTable,
      dataTable: tables.data,
      agreements,
      useCases: () => agreementUseCases,
      services,
      clock,
    });
  }
  return {
    config,
    services: serviceUseCases,
    agreements: agreementUseCases,
    lifecycleJob: new AgreementLifecycleJob({ agreements, useCases: agreementUseCases, clock }),
    ...(telemetry ? { telemetry } : {}),
    ...(pull ? { pull } : {}),
    ...(objectives ? { objectives } : {}),
    ...(archive ? { archive } : {}),
    ...(reports ? { reports } : {}),
    ...(workflows ? { workflows } : {}),
    auditRecorder: new AuditRecorder(audit),
    auditQueries: new AuditQueries(
      audit,
      {
        agreement: (p, id) => agreementUseCases.load(p, 'audit.read', id),
        service: (p, id) => serviceUseCases.get(p, id, 'audit.read'),
        vendor: (p, id) => vendorsIn({ vendors }).get(p, id, 'vendor.read'),
      },
      async (agreementId) =>
        (await new DynamoExceptionWindowStore(db, tables.data).list({ agreementId })).map((w) => w.id),
    ),
    ...(vendors ? { vendors } : {}),
    chain,
    ...(ecosystemModule
      ? {
          ecosystem: new ecosystemModule.EcosystemUseCases({
            agreements: agreementUseCases,
            services,
            burnWindows: DEFAULT_BURN_WINDOWS,
            evaluations: new DynamoEvaluationStore(db, tables.data, DEFAULT_RETENTION.historyDays),
            backfill: backfillParts?.backfill,
          }),
        }
      : {}),
    ...(backfillParts ? { backfillRuns: backfillParts.backfillRuns } : {}),
    ...(cmdbModules
      ? {
          cmdb: new cmdbModules[0].CmdbSyncUseCases({
            services: serviceUseCases,
            policy: cmdbModules[1].CMDB_POLICY,
          }),
        }
      : {}),
  };
}

/** The pull data sources; tokens configured by secret ARN are read on first use (AWS: no plain tokens). */
async function pullSources(config: Config): Promise<MetricSources> {
  const sources = dataSourcesOf(config);
  if (!sources.some((s) => s.bearerTokenSecretArn)) return new ConfiguredMetricSources(sources);
  const { SecretTokenMetricSources } = await import('./data-sources-aws.js');
  return new SecretTokenMetricSources(sources);
}

/**
 * API Gateway usage plans, in the functions that enrol vendors (the stack gives only them the REST API id and the
 * IAM to do it); elsewhere enrolling is refused as not deployed here. The client loads only where it is used.
 */
async function usagePlansFor(config: Config, client: AwsContainerOptions['client']): Promise<UsagePlans> {
  const restApiId = config[AWS_ENV.restApiId];
  if (!restApiId) {
    return {
      enrol: async () => {
        throw new UnavailableError('vendor usage plans are not configured for this function');
      },
      withdraw: async () => {
        throw new UnavailableError('vendor usage plans are not configured for this function');
      },
    };
  }
  const [{ APIGatewayClient }, { ApiGatewayUsagePlans }] = await Promise.all([
    import('@aws-sdk/client-api-gateway'),
    import('../adapters/apigateway/usage-plans.js'),
  ]);
  const region = (client as { region?: string } | undefined)?.region;
  return new ApiGatewayUsagePlans(new APIGatewayClient(region ? { region } : {}), {
    restApiId,
    stage: API_STAGE,
    planNamePrefix: USAGE_PLAN_PREFIX,
  });
}
