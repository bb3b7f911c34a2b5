import type { EventBridgeEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';
import type { ReconcileSummary } from '../../shared/usecases/workflows/reconcile.js';

/**
 * The `workflow-starts` schedule (shared/schedules.ts): starts the approvals, remediations and change requests whose
 * first start failed. Starts that fail again are logged and the invocation fails (the schedule's retries and its
 * dead-letter queue, and the function's error metric, show it); the next run tries them again.
 */
export const handler = async (
  event: EventBridgeEvent<'Scheduled Event', unknown>,
): Promise<ReconcileSummary> => {
  const summary = await workflowsIn(await getContainer()).reconciliation.run();
  logger.info('workflow starts reconciled', {
    scheduledAt: event.time,
    started: summary.started,
    recorded: summary.recorded,
    present: summary.present,
    failed: summary.failed,
  });
  if (summary.failed.length > 0) {
    throw new Error(
      `${summary.failed.length} workflow start(s) failed again: ${summary.failed.map((f) => f.execution).join(', ')}`,
    );
  }
  return summary;
};
