import type { EventBridgeEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { type PullRun, pullIn } from '../../shared/usecases/pull.js';

/** The 5-minute pull (shared/schedules.ts): every SLI that names a configured data source, over its lookback. */
export const handler = async (event: EventBridgeEvent<'Scheduled Event', unknown>): Promise<PullRun> => {
  const run = await pullIn(await getContainer()).pullScheduled();
  const failed = run.pulled.filter((p) => p.error);
  logger.info('data sources pulled', {
    scheduledAt: event.time,
    slis: run.pulled.length,
    accepted: run.pulled.reduce((n, p) => n + p.accepted, 0),
    failed: failed.map((p) => `${p.sliKey}: ${p.error}`),
    skipped: run.skipped.length,
  });
  return run;
};
