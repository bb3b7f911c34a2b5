import { z } from 'zod';
import {
  ChangeGateView,
  CompleteTaskBody,
  ExecutionView,
  InboundTaskWebhook,
  ListTasksQuery,
  RemediationView,
  WorkTaskView,
} from '../../schemas/workflows.js';
import type { RouteSpec } from '../routes.js';

/** Routes of the workflows area (issue 11): people's tasks and the executions of an agreement; spread into ROUTES. */
export const WORKFLOW_ROUTES: readonly RouteSpec[] = [
  {
    id: 'tasks.list',
    method: 'GET',
    path: '/v1/tasks',
    auth: 'user',
    action: 'task.read',
    handler: 'tasks/list',
    summary:
      'My pending tasks (sign-offs, RCAs, CAPA items, change requests, reviews), or every task I may see',
    query: ListTasksQuery,
    response: z.object({ items: z.array(WorkTaskView) }),
  },
  {
    id: 'tasks.get',
    method: 'GET',
    path: '/v1/tasks/{taskId}',
    auth: 'user',
    action: 'task.read',
    handler: 'tasks/get',
    summary: 'One task, with whether it is yours to act on',
    response: WorkTaskView,
  },
  {
    id: 'tasks.complete',
    method: 'POST',
    path: '/v1/tasks/{taskId}/complete',
    auth: 'user',
    action: 'task.act',
    handler: 'tasks/complete',
    summary:
      "Act on a task addressed to you (403 on someone else's; 409 naming its state when it no longer waits)",
    body: CompleteTaskBody,
    response: WorkTaskView,
  },
  {
    id: 'agreements.workflows',
    method: 'GET',
    path: '/v1/agreements/{agreementId}/workflows',
    auth: 'user',
    action: 'agreement.read',
    handler: 'workflows/agreement-executions',
    summary: 'Every workflow execution of an agreement: state, the states it went through, its outcome',
    response: z.object({ items: z.array(ExecutionView) }),
  },
  {
    id: 'violations.remediation',
    method: 'GET',
    path: '/v1/violations/{violationId}/remediation',
    auth: 'user',
    action: 'violation.read',
    handler: 'workflows/violation-remediation',
    summary: 'The remediation of a violation: RCA, CAPA items, escalations, credit and every step taken',
    response: RemediationView,
  },
  {
    id: 'violations.workflows',
    method: 'GET',
    path: '/v1/violations/{violationId}/workflows',
    auth: 'user',
    action: 'violation.read',
    handler: 'workflows/violation-executions',
    summary: 'Every workflow execution of a violation',
    response: z.object({ items: z.array(ExecutionView) }),
  },
  {
    id: 'services.change-gate',
    method: 'GET',
    path: '/v1/services/{serviceId}/change-gate',
    auth: 'user',
    action: 'objective.read',
    handler: 'workflows/change-gate',
    summary:
      "Whether changes to a service may proceed now and why: its objectives' remaining error budgets against the error-budget policy of its tier (for deployment pipelines)",
    response: ChangeGateView,
  },
  {
    id: 'webhooks.tasks',
    method: 'POST',
    path: '/v1/webhooks/tasks',
    auth: 'none',
    handler: 'webhooks/tasks',
    summary:
      "Inbound webhook from a team's ticketing tool, authenticated by its Standard Webhooks signature (no token): updates an RCA or CAPA item by its external reference",
    body: InboundTaskWebhook,
    response: z.object({ taskId: z.string(), status: z.string() }),
    maxBodyBytes: 16 * 1024,
  },
];
