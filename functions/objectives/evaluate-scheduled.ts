import type { EventBridgeEvent } from 'aws-lambda';
import { getContainer } from '../../shared/runtime/container.js';
import { timedEvaluation } from '../../shared/runtime/observe.js';
import { logger } from '../../shared/runtime/powertools.js';
import { type EvaluationRunSummary, objectivesIn } from '../../shared/usecases/objectives/index.js';

/** The 5-minute schedule (shared/schedules.ts): evaluate every active objective. */
export const handler = async (
  event: EventBridgeEvent<'Scheduled Event', unknown>,
): Promise<EvaluationRunSummary> => {
  const deps = await getContainer();
  const summary = await timedEvaluation('scheduled', () => objectivesIn(deps).evaluateAll());
  logger.info('objectives evaluated', { scheduledAt: event.time, ...summary });
  return summary;
};
