import { UnavailableError } from '../../domain/errors.js';
import type { WorkflowEngine } from '../../ports/workflows.js';
import type { ApprovalWorkflow } from './approval.js';
import type { Notifications } from './notifications.js';
import type { TaskUseCases } from './tasks.js';

/** The workflow side of a container: the engine, the workflows' steps, people's tasks and notifications. */
export interface WorkflowServices {
  engine: WorkflowEngine;
  approval: ApprovalWorkflow;
  tasks: TaskUseCases;
  notifications: Notifications;
}

/** The workflows from a container, or a 503 where this deployment has not wired them. */
export function workflowsIn(container: { workflows?: WorkflowServices | undefined }): WorkflowServices {
  if (!container.workflows) throw new UnavailableError('workflows are not deployed here');
  return container.workflows;
}
