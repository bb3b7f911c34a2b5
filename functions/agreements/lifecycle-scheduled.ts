import type { EventBridgeEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import type { LifecycleRunSummary } from '../../shared/usecases/lifecycle-job.js';

/** The hourly schedule (shared/schedules.ts): activate agreements that take effect, expire those that ended. */
export const handler = async (
  event: EventBridgeEvent<'Scheduled Event', unknown>,
): Promise<LifecycleRunSummary> => {
  const { lifecycleJob } = await getContainer();
  const summary = await lifecycleJob.run();
  logger.info('agreement lifecycle run', {
    scheduledAt: event.time,
    activated: summary.activated.length,
    expired: summary.expired.length,
    held: summary.held,
  });
  return summary;
};
