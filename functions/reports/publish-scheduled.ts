import type { EventBridgeEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { reportsIn } from '../../shared/usecases/reports/index.js';

/** The monthly publication (shared/schedules.ts): every scheduled report, final records archived, anomalies alerted. */
export const handler = async (event: EventBridgeEvent<'Scheduled Event', unknown>) => {
  const summary = await reportsIn(await getContainer()).publishScheduled();
  logger.info('reports published', { scheduledAt: event.time, ...summary });
  return summary;
};
