import type { EventBridgeEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { reportsIn } from '../../shared/usecases/reports/index.js';

/** Hourly (shared/schedules.ts): commentary reminders, and held reports published once every owner has answered. */
export const handler = async (event: EventBridgeEvent<'Scheduled Event', unknown>) => {
  const summary = await reportsIn(await getContainer()).followUpCommentary();
  logger.info('report commentary followed up', { scheduledAt: event.time, ...summary });
  return summary;
};
