import { z } from 'zod';

/**
 * The fields the workflows' Task events share (infra/workflows/*.asl.json: approval, change request, remediation),
 * spread into each workflow's own discriminated union (shared/schemas/workflows.ts, shared/schemas/governance.ts)
 * after the fields that name its subject.
 */

/** A callback Task (`.waitForTaskToken`): when the step is due (ISO 8601), which round of it, and the token to answer. */
export const awaitingTaskFields = {
  dueAt: z.string(),
  round: z.number().int().min(0),
  executionId: z.string(),
  taskToken: z.string().min(1),
};

/** A follow-up of an awaited step: when it is due, which round, reminders sent so far and the escalation level reached. */
export const followUpTaskFields = {
  dueAt: z.string(),
  round: z.number().int().min(0),
  reminders: z.number().int().min(0),
  level: z.number().int().min(0),
};

/** The Task that ends a workflow with an outcome (`approved`, `rejected`, …) and its reason. */
export const closingTaskFields = { outcome: z.string(), reason: z.string(), executionId: z.string() };
