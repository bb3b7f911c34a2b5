import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoAgreementStore } from '../adapters/dynamodb/agreements.js';
import { DynamoArchiveAccessLog } from '../adapters/dynamodb/archive-access.js';
import { DynamoArchiveHeadStore } from '../adapters/dynamodb/archive-head.js';
import {
  DynamoEvaluationStore,
  DynamoExceptionWindowStore,
  DynamoViolationStore,
} from '../adapters/dynamodb/objectives.js';
import type { DynamoServiceStore } from '../adapters/dynamodb/services.js';
import { DynamoWorkTaskStore } from '../adapters/dynamodb/workflows.js';
import { loadReportFonts } from '../adapters/fonts.js';
import { UlidGenerator } from '../adapters/ids.js';
import { LogCommentaryWindow, LogReportDelivery } from '../adapters/log/reports.js';
import { S3ArchiveStore } from '../adapters/s3/archive.js';
import { loadArchivePolicy } from '../policy/archive.js';
import {
  DEFAULT_BURN_WINDOWS,
  DEFAULT_FORECAST,
  DEFAULT_RETENTION,
  DEFAULT_TIER_DEFAULTS,
} from '../policy/objectives.js';
import { loadReportsPolicy } from '../policy/reports.js';
import type { Clock } from '../ports/clock.js';
import type { RollupStore } from '../ports/rollups.js';
import { ArchiveUseCases } from '../usecases/reports/archive.js';
import { TaskCommentaryWindow } from '../usecases/reports/commentary.js';
import { NotifierReportDelivery } from '../usecases/reports/delivery.js';
import { ReportUseCases } from '../usecases/reports/index.js';
import type { Notifications } from '../usecases/workflows/notifications.js';

/**
 * The archive and the reports on AWS, as infra/local/compose.ts wires them on the embedded default: S3 with
 * Object Lock (ACCORD_ARCHIVE_BUCKET), the access log in the audit table, the engine's stores on DynamoDB, the
 * fonts shipped in the bundle's `fonts/` (infra/aws/constructs/function.ts copies them there).
 */
export function composeAwsReports(parts: {
  doc: DynamoDBDocumentClient;
  dataTable: string;
  auditTable: string;
  bucket: string;
  agreements: DynamoAgreementStore;
  services: DynamoServiceStore;
  rollups?: RollupStore | undefined;
  clock: Clock;
  s3?: S3Client;
  /** The workflows' notifier, when deployed (built after the reports: looked up when a report is delivered). */
  notifications?: () => Notifications | undefined;
  /** The workflows table (people's tasks), when deployed: commentary windows are tasks there. */
  workflowsTable?: string | undefined;
  publicUrl?: string | undefined;
}): { archive: ArchiveUseCases; reports?: ReportUseCases } {
  const ids = new UlidGenerator(parts.clock);
  const newId = (prefix: string) => `${prefix}_${ids.next()}`;
  const archive = new ArchiveUseCases({
    store: new S3ArchiveStore(parts.s3 ?? new S3Client({}), parts.bucket, parts.clock),
    accessLog: new DynamoArchiveAccessLog(parts.doc, parts.auditTable),
    heads: new DynamoArchiveHeadStore(parts.doc, parts.auditTable),
    clock: parts.clock,
    policy: loadArchivePolicy(),
    newId,
  });
  if (!parts.rollups) return { archive };
  const root = process.env.LAMBDA_TASK_ROOT;
  const policy = loadReportsPolicy();
  const reports = new ReportUseCases({
    agreements: parts.agreements,
    services: parts.services,
    evaluations: new DynamoEvaluationStore(parts.doc, parts.dataTable, DEFAULT_RETENTION.historyDays),
    violations: new DynamoViolationStore(parts.doc, parts.dataTable),
    exceptions: new DynamoExceptionWindowStore(parts.doc, parts.dataTable),
    rollups: parts.rollups,
    settings: { burnWindows: DEFAULT_BURN_WINDOWS, forecast: DEFAULT_FORECAST, tiers: DEFAULT_TIER_DEFAULTS },
    policy,
    clock: parts.clock,
    newId,
    fonts: loadReportFonts(root ? join(root, 'fonts') : undefined),
    archive,
    delivery: parts.notifications
      ? new NotifierReportDelivery(parts.notifications, policy.delivery)
      : new LogReportDelivery(),
    commentary:
      parts.workflowsTable && parts.notifications
        ? new TaskCommentaryWindow({
            tasks: new DynamoWorkTaskStore(parts.doc, parts.workflowsTable),
            agreements: parts.agreements,
            notifications: parts.notifications,
            clock: parts.clock,
            baseUrl: parts.publicUrl,
          })
        : new LogCommentaryWindow(),
  });
  return { archive, reports };
}
