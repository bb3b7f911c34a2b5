import type { Action } from '../../shared/domain/access/policy.js';

/** What a function may do with the deployment's data: least privilege per route action, as data. */
export type Access = 'read' | 'write';
export interface DataGrants {
  data?: Access;
  audit?: Access;
  vendorKeys?: Access;
  rollups?: Access;
  /** The workflows table (tasks, notification queue, execution index). */
  workflows?: Access;
  /** Start executions of the deployment's state machines and answer their task tokens. */
  workflowControl?: true;
  /** Read executions of the deployment's state machines: their state and their history (the visited-state path). */
  workflowRead?: true;
  /** Send notification e-mail through SES (the sender identity and the configuration set only). */
  sendEmail?: true;
  /** Write raw samples to Timestream (when deployed) and to the fallback queue. */
  rawSamples?: true;
  /** The archive bucket: read (get, list, presign) or write (put once with retention; never delete). */
  archive?: Access;
  /** Start executions of the backfill state machine only (infra/aws/constructs/backfill.ts). */
  backfillRuns?: true;
}

const WRITE_DATA: DataGrants = { data: 'write' };
/** Lifecycle steps the approval workflow observes (submit starts it; a sign-off or withdrawal answers it). */
const WRITE_OBSERVED: DataGrants = { data: 'write', workflows: 'write', workflowControl: true };
const READ_DATA: DataGrants = { data: 'read' };

/**
 * Grants by route action. Writers get read too (a write reads the current version first). A handler that
 * serves several routes gets the union of their grants.
 */
export const GRANTS_BY_ACTION: Readonly<Record<Action, DataGrants>> = {
  'service.create': WRITE_DATA,
  'service.update': WRITE_DATA,
  'service.read': READ_DATA,
  'agreement.create': WRITE_DATA,
  'agreement.update': WRITE_DATA,
  'agreement.read': READ_DATA,
  'agreement.submit': WRITE_OBSERVED,
  'agreement.withdraw': WRITE_OBSERVED,
  'agreement.signoff': WRITE_OBSERVED,
  'agreement.activate': WRITE_DATA,
  'agreement.end': WRITE_DATA,
  'agreement.retire': WRITE_DATA,
  'audit.read': { audit: 'read' },
  'telemetry.ingest': { data: 'read', rollups: 'write', rawSamples: true },
  'telemetry.read': { data: 'read', rollups: 'read' },
  'telemetry.mapping.read': { rollups: 'read' },
  'objective.read': { data: 'read', rollups: 'read' },
  // An evaluation that opens a violation starts its remediation (index and tasks in the workflows table), and its
  // burn-rate pages and forecast-breach tasks are queued there too.
  'objective.evaluate': { data: 'write', rollups: 'read', workflows: 'write', workflowControl: true },
  'violation.read': READ_DATA,
  'violation.manage': WRITE_DATA,
  'exception.request': WRITE_DATA,
  'exception.approve': WRITE_DATA,
  'exception.revoke': WRITE_DATA,
  'dispute.resolve': WRITE_DATA,
  // Vendor records live in the data table (audited through its stream), their key index in VendorKeys.
  'vendor.manage': { data: 'write', vendorKeys: 'write' },
  'vendor.read': READ_DATA,
  // Reports read what the objectives engine stored; publishing archives them and queues their e-mail (the
  // notification queue is in the workflows table); the archive chain's recorded head is an item of the audit table.
  'report.read': { data: 'read', rollups: 'read' },
  'report.publish': { data: 'read', rollups: 'read', archive: 'write', workflows: 'write', audit: 'write' },
  // Every retrieval is logged in the audit table.
  'archive.read': { archive: 'read', audit: 'write' },
  'task.read': { data: 'read', workflows: 'read' },
  'task.act': { data: 'write', workflows: 'write', workflowControl: true },
  // A change request is recorded in the workflows table and starts the change-request state machine.
  'change.request': { data: 'write', workflows: 'write', workflowControl: true },
  // A withdrawal rewrites the request and its tasks and fails the callbacks its execution waits on.
  'change.withdraw': { data: 'read', workflows: 'write', workflowControl: true },
  'change.withdraw.any': { data: 'read', workflows: 'write', workflowControl: true },
  /** GET /metrics reads the latest evaluations (data table). */
  'metrics.read': READ_DATA,
  // The backfill import writes samples and rollups and its job's audit entries (entity telemetry-backfill and, for
  // runs, telemetry-backfill-run); the history pull records its run there too.
  'telemetry.backfill': { data: 'write', rollups: 'write', rawSamples: true, audit: 'write' },
};

/**
 * Grants a handler needs beyond its routes' actions: readers of what the workflows table holds under an action that
 * is about the agreement or service (change requests, freeze exceptions, the change gate reading exceptions in
 * force), the freeze-exception request that queues its approval task and notification there, and the underpinning
 * chain's vendor triggers and service reviews that open tasks there (docs/chain.md).
 */
export const HANDLER_GRANTS: Readonly<Record<string, DataGrants>> = {
  'workflows/change-request-list': { workflows: 'read' },
  'workflows/change-request-get': { workflows: 'read' },
  'workflows/freeze-exception-list': { workflows: 'read' },
  'workflows/freeze-exception-create': { workflows: 'write' },
  'workflows/change-gate': { workflows: 'read' },
  // The execution lists read the execution index and each execution's state and history from Step Functions.
  'workflows/agreement-executions': { workflows: 'read', workflowRead: true },
  'workflows/violation-executions': { workflows: 'read', workflowRead: true },
  // Decommissioning ends agreements (the approval observer may answer tasks) and queues the parties' notice.
  'workflows/service-sunset': { workflows: 'write', workflowControl: true },
  'chain/vendor-triggers': { workflows: 'write' },
  'chain/review-record': { workflows: 'write' },
  // The one function that starts backfill runs (the Distributed Map over the backfill bucket).
  'ecosystem/backfill-run-start': { backfillRuns: true },
};

/**
 * Scheduled jobs (shared/schedules.ts), by the area of their handler module: the objectives evaluation reads
 * rollups and writes results; the agreement lifecycle job changes agreements. Unknown areas get data reads only.
 */
export function scheduleGrants(handler: string): DataGrants {
  // Renewals write agreements (a renewal, a moved review date) besides tasks and notifications.
  if (handler === 'workflows/renewals-scheduled')
    return { data: 'write', workflows: 'write', workflowControl: true, sendEmail: true };
  // The reconciliation reads agreements and violations, records executions (index, change requests) and starts them.
  if (handler === 'workflows/reconcile-scheduled')
    return { data: 'read', workflows: 'write', workflowControl: true };
  // The notification dispatcher reads the archived report files its e-mails attach.
  if (handler.startsWith('workflows/'))
    return { data: 'read', workflows: 'write', workflowControl: true, sendEmail: true, archive: 'read' };
  if (handler === 'objectives/evaluate-scheduled') return GRANTS_BY_ACTION['objective.evaluate'];
  // Finalising credits and pruning history write the data table only.
  if (handler.startsWith('objectives/')) return { data: 'write', rollups: 'read' };
  if (handler.startsWith('agreements/')) return GRANTS_BY_ACTION['agreement.update'];
  if (handler.startsWith('reports/')) return GRANTS_BY_ACTION['report.publish'];
  if (handler.startsWith('chain/')) return { data: 'read', workflows: 'write' };
  // The scheduled pull writes what it reads from the data sources through telemetry ingest (docs/backfill.md).
  if (handler.startsWith('telemetry/')) return GRANTS_BY_ACTION['telemetry.ingest'];
  return READ_DATA;
}
/**
 * Handlers that change a vendor's usage-plan enrolment (API Gateway API keys, infra/aws/constructs/usage-plan-access.ts):
 * creating a vendor enrols it, revoking it withdraws it. Other vendor writes touch only the tables.
 */
export const USAGE_PLAN_HANDLERS: Readonly<Record<string, 'enrol' | 'withdraw'>> = {
  'vendors/create': 'enrol',
  'vendors/revoke': 'withdraw',
};
/** The vendor authorizer reads key hashes and nothing else. */
export const AUTHORIZER_GRANTS: DataGrants = { vendorKeys: 'read' };
/** The audit consumer writes audit entries (the stream read is granted by its event source). */
export const AUDIT_CONSUMER_GRANTS: DataGrants = { audit: 'write' };

const rank = (a: Access | undefined) => (a === 'write' ? 2 : a === 'read' ? 1 : 0);
const max = (a?: Access, b?: Access): Access | undefined => (rank(a) >= rank(b) ? a : b);

export function unionGrants(list: readonly DataGrants[]): DataGrants {
  const out: DataGrants = {};
  for (const g of list) {
    for (const k of ['data', 'audit', 'vendorKeys', 'rollups', 'archive', 'workflows'] as const) {
      const v = max(out[k], g[k]);
      if (v) out[k] = v;
    }
    if (g.rawSamples) out.rawSamples = true;
    if (g.workflowControl) out.workflowControl = true;
    if (g.workflowRead) out.workflowRead = true;
    if (g.sendEmail) out.sendEmail = true;
    if (g.backfillRuns) out.backfillRuns = true;
  }
  return out;
}
