import { getContainer } from '../../shared/runtime/container.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

/** The Tasks of the remediation state machine (infra/workflows/remediation.asl.json); the embedded engine calls it too. */
export const handler = async (event: unknown): Promise<unknown> =>
  workflowsIn(await getContainer()).remediation.task(event);
