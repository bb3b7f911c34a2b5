import type { EventBridgeEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';
import type { ReconcileSummary } from '../../shared/usecases/workflows/reconcile.js';

/** Records the data migrations may read in one run (a few seconds of DynamoDB work; the rest waits 10 minutes). */
export const MIGRATION_BUDGET = 2_000;

/**
 * The `workflow-starts` schedule (shared/schedules.ts): starts the approvals, remediations and change requests whose
 * first start failed, then moves the workflows table's pending data migrations a bounded step on (AWS). Starts that
 * fail again, or a migration that fails, are logged and the invocation fails (the schedule's retries and its
 * dead-letter queue, and the function's error metric, show it); the next run tries them again.
 */
export const handler = async (
  event: EventBridgeEvent<'Scheduled Event', unknown>,
): Promise<ReconcileSummary> => {
  const workflows = workflowsIn(await getContainer());
  const summary = await workflows.reconciliation.run();
  logger.info('workflow starts reconciled', {
    scheduledAt: event.time,
    started: summary.started,
    recorded: summary.recorded,
    present: summary.present,
    failed: summary.failed,
  });
  if (workflows.migrations) {
    const progress = await workflows.migrations.run(MIGRATION_BUDGET);
    if (progress.some((m) => m.read > 0)) logger.info('data migrations moved on', { progress });
  }
  if (summary.failed.length > 0) {
    throw new Error(
      `${summary.failed.length} workflow start(s) failed again: ${summary.failed.map((f) => f.execution).join(', ')}`,
    );
  }
  return summary;
};
