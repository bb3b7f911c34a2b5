import { getContainer } from '../../shared/runtime/container.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

/**
 * The Tasks of the change-request state machine (infra/workflows/change-request.asl.json): Step Functions invokes
 * this function with each Task's Parameters (the event names its `task`); the embedded engine calls the same export.
 */
export const handler = async (event: unknown): Promise<unknown> =>
  workflowsIn(await getContainer()).changeRequests.task(event);
