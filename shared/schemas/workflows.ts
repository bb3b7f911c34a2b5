import { z } from 'zod';
import { TASK_KINDS, TASK_STATUSES } from '../ports/tasks.js';
import { WORKFLOW_NAMES } from '../ports/workflows.js';
import { AgreementId, IsoDateTime, Reason } from './common.js';

/** The events Step Functions (or the embedded engine) passes to the approval workflow's handler. */
const base = { agreementId: AgreementId, version: z.number().int().min(1) };
export const ApprovalTaskEvent = z.discriminatedUnion('task', [
  z.object({ task: z.literal('plan'), ...base, executionId: z.string() }),
  z.object({
    task: z.literal('await-signoff'),
    ...base,
    capacity: z.string(),
    dueAt: z.string(),
    round: z.number().int().min(0),
    executionId: z.string(),
    taskToken: z.string().min(1),
  }),
  z.object({
    task: z.literal('follow-up'),
    ...base,
    capacity: z.string(),
    dueAt: z.string(),
    round: z.number().int().min(0),
    reminders: z.number().int().min(0),
    level: z.number().int().min(0),
  }),
  z.object({ task: z.literal('activation-time'), ...base }),
  z.object({ task: z.literal('activate'), ...base }),
  z.object({
    task: z.literal('close'),
    ...base,
    outcome: z.string(),
    reason: z.string(),
    executionId: z.string(),
  }),
]);
export type ApprovalTaskEvent = z.infer<typeof ApprovalTaskEvent>;

export const TaskStatus = z.enum(TASK_STATUSES);
export const TaskKind = z.enum(TASK_KINDS);

export const WorkTaskView = z.object({
  id: z.string(),
  kind: TaskKind,
  workflow: z.enum(WORKFLOW_NAMES),
  executionId: z.string(),
  subject: z.object({ type: z.string(), id: z.string() }),
  businessUnit: z.string(),
  serviceId: z.string(),
  title: z.string(),
  assignees: z.object({
    capacity: z.string().optional(),
    roles: z.array(z.string()).optional(),
    emails: z.array(z.string()).optional(),
  }),
  status: TaskStatus,
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  dueAt: IsoDateTime.optional(),
  externalRef: z.string(),
  data: z.record(z.string(), z.unknown()),
  outcome: z.record(z.string(), z.unknown()).optional(),
  settledBy: z.string().optional(),
  settledAt: IsoDateTime.optional(),
  /** Whether the caller may act on it now. */
  yours: z.boolean(),
});

export const ListTasksQuery = z.strictObject({
  status: TaskStatus.default('pending'),
  /** mine (default): tasks addressed to the caller; all: every task in the caller's read scope. */
  view: z.enum(['mine', 'all']).default('mine'),
  kind: TaskKind.optional(),
  subjectId: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListTasksQuery = z.infer<typeof ListTasksQuery>;

/** Acting on a task: a decision (a sign-off) with its reason; other kinds add their own fields. */
export const CompleteTaskBody = z.strictObject({
  decision: z.enum(['approved', 'rejected']).optional(),
  reason: Reason,
  comment: z.string().max(2000).optional(),
});
export type CompleteTaskBody = z.infer<typeof CompleteTaskBody>;

export const ExecutionView = z.object({
  executionId: z.string(),
  workflow: z.enum(WORKFLOW_NAMES),
  name: z.string(),
  subject: z.object({ type: z.string(), id: z.string() }),
  status: z.enum(['running', 'waiting', 'succeeded', 'failed', 'aborted']),
  startedAt: IsoDateTime,
  stoppedAt: IsoDateTime.optional(),
  output: z.unknown().optional(),
  error: z.object({ error: z.string(), cause: z.string() }).optional(),
  path: z.array(z.string()),
});
