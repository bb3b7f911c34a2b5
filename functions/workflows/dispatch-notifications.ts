import { getContainer } from '../../shared/runtime/container.js';
import { workflowsIn } from '../../shared/usecases/workflows/index.js';

/** Scheduled (shared/schedules.ts): delivers queued notifications, retrying with backoff, dead-lettering the last. */
export const handler = async (): Promise<{ sent: number; retried: number; dead: number }> =>
  workflowsIn(await getContainer()).notifications.dispatch();
