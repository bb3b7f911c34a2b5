import type { EventBridgeEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { chainIn } from '../../shared/usecases/chain/index.js';

/** The nightly schedule (shared/schedules.ts): the portfolio's coverage gaps and the vendor triggers. */
export const handler = async (event: EventBridgeEvent<'Scheduled Event', unknown>) => {
  const summary = await chainIn(await getContainer()).nightly();
  logger.info('underpinning chain nightly run', { scheduledAt: event.time, ...summary });
  return summary;
};
