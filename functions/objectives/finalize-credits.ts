import type { EventBridgeEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

/** Hourly (shared/schedules.ts): make final the credits of calendar months that have closed. */
export const handler = async (
  event: EventBridgeEvent<'Scheduled Event', unknown>,
): Promise<{ finalized: number; skipped: number }> => {
  const result = await objectivesIn(await getContainer()).finalizeCredits();
  logger.info('credits finalized', { scheduledAt: event.time, ...result });
  return result;
};
