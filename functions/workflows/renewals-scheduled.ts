import type { EventBridgeEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';
import type { RenewalRunSummary } from '../../shared/usecases/workflows/renewals.js';

/** The `agreement-renewals` schedule (shared/schedules.ts): renewal and review reminders, tasks, auto-renewal. */
export const handler = async (
  event: EventBridgeEvent<'Scheduled Event', unknown>,
): Promise<RenewalRunSummary> => {
  const summary = await workflowsIn(await getContainer()).renewals.run();
  logger.info('renewals run', {
    scheduledAt: event.time,
    reminded: summary.reminded.length,
    renewed: summary.renewed,
    notRenewed: summary.notRenewed,
    overdueReviews: summary.overdueReviews,
    held: summary.held,
  });
  return summary;
};
