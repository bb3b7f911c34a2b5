import type { EventBridgeEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { reportsIn } from '../../shared/usecases/reports/index.js';

/** Opens the commentary window of each scheduled report (shared/schedules.ts): owners of missed objectives are asked. */
export const handler = async (event: EventBridgeEvent<'Scheduled Event', unknown>) => {
  const summary = await reportsIn(await getContainer()).openCommentaryWindows();
  logger.info('report commentary windows opened', { scheduledAt: event.time, ...summary });
  return summary;
};
