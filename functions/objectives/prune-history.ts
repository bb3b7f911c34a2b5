import type { EventBridgeEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { objectivesIn } from '../../shared/usecases/objectives/index.js';

/** Daily (shared/schedules.ts): drop budget-history points older than the retention policy. */
export const handler = async (
  event: EventBridgeEvent<'Scheduled Event', unknown>,
): Promise<{ removed: number; before: string }> => {
  const result = await objectivesIn(await getContainer()).pruneHistory();
  logger.info('objective history pruned', { scheduledAt: event.time, ...result });
  return result;
};
