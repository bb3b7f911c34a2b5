import { z } from 'zod';
import { TASK_KINDS, TASK_STATUSES } from '../ports/tasks.js';
import { WORKFLOW_NAMES } from '../ports/workflows.js';
import { AgreementId, IsoDateTime, Reason } from './common.js';
import { ProposedTerms } from './governance.js';
import { awaitingTaskFields, closingTaskFields, followUpTaskFields } from './task-events.js';

/** The events Step Functions (or the embedded engine) passes to the approval workflow's handler. */
const base = { agreementId: AgreementId, version: z.number().int().min(1) };
export const ApprovalTaskEvent = z.discriminatedUnion('task', [
  z.object({ task: z.literal('plan'), ...base, executionId: z.string() }),
  z.object({
    task: z.literal('await-signoff'),
    ...base,
    capacity: z.string(),
    ...awaitingTaskFields,
  }),
  z.object({
    task: z.literal('follow-up'),
    ...base,
    capacity: z.string(),
    ...followUpTaskFields,
  }),
  z.object({ task: z.literal('activation-time'), ...base }),
  z.object({ task: z.literal('activate'), ...base }),
  z.object({
    task: z.literal('close'),
    ...base,
    ...closingTaskFields,
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
    /** People separation of duties keeps from acting on it (a request's requester, a change's assessor). */
    except: z.array(z.string()).optional(),
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
  /** A previous page's `nextCursor`, with the same filters: the tasks after that page. */
  cursor: z.string().max(1000).optional(),
});
export type ListTasksQuery = z.infer<typeof ListTasksQuery>;

/** Acting on a task: a decision (a sign-off) with its reason; other kinds add their own fields. */
export const CompleteTaskBody = z.strictObject({
  decision: z.enum(['approved', 'rejected']).optional(),
  reason: Reason,
  comment: z.string().max(2000).optional(),
  /** An `rca` task: the analysis (see RcaBody). */
  rca: z.lazy(() => RcaBody).optional(),
  /** A `capa` task: how the action was carried out. */
  resolution: z.string().min(3).max(2000).optional(),
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

/** The events of the remediation state machine's Tasks (infra/workflows/remediation.asl.json). */
const vio = { violationId: z.string().min(1).max(128) };
export const RemediationTaskEvent = z.discriminatedUnion('task', [
  z.object({ task: z.literal('plan'), ...vio, executionId: z.string() }),
  z.object({
    task: z.literal('await-rca'),
    ...vio,
    ...awaitingTaskFields,
  }),
  z.object({
    task: z.literal('follow-up-rca'),
    ...vio,
    ...followUpTaskFields,
  }),
  z.object({ task: z.literal('plan-capa'), ...vio }),
  z.object({
    task: z.literal('await-capa'),
    ...vio,
    capaId: z.string(),
    ...awaitingTaskFields,
  }),
  z.object({
    task: z.literal('follow-up-capa'),
    ...vio,
    capaId: z.string(),
    ...followUpTaskFields,
  }),
  z.object({ task: z.literal('open-change-request'), ...vio, executionId: z.string() }),
  z.object({ task: z.literal('credit'), ...vio }),
  z.object({ task: z.literal('close'), ...vio, executionId: z.string() }),
]);
export type RemediationTaskEvent = z.infer<typeof RemediationTaskEvent>;

const PersonSchema = z.strictObject({ name: z.string().min(1).max(120), email: z.email() });

/** An RCA as its owner submits it (POST /v1/tasks/{id}/complete on an `rca` task). */
export const RcaBody = z.strictObject({
  timeline: z
    .array(z.strictObject({ at: IsoDateTime, event: z.string().min(1).max(500) }))
    .min(1)
    .max(200),
  rootCause: z.string().min(3).max(5000),
  contributing: z
    .strictObject({
      agreements: z.array(AgreementId).max(50).default([]),
      vendor: z.string().min(1).max(200).optional(),
    })
    .default({ agreements: [] }),
  evidence: z.array(z.string().min(1).max(2000)).max(50).default([]),
  conclusion: z.enum(['fix', 'target-unrealistic']),
  /**
   * With `target-unrealistic`: the target (percent) the RCA finds achievable for the violated objective, and/or
   * other terms to change; together they are the proposed terms of the change request the remediation opens.
   */
  proposedTarget: z.number().gt(0).lt(100).optional(),
  proposedTerms: ProposedTerms.optional(),
  actions: z
    .array(
      z.strictObject({
        kind: z.enum(['corrective', 'preventive']),
        description: z.string().min(3).max(2000),
        owner: PersonSchema,
        dueDate: z.iso.date().optional(),
      }),
    )
    .max(50)
    .default([]),
});
export type RcaBody = z.infer<typeof RcaBody>;

/** What a team's ticketing tool sends to keep an RCA or CAPA item in step (a signed webhook). */
export const InboundTaskWebhook = z.strictObject({
  externalRef: z.string().min(1).max(128),
  status: z.enum(['in-progress', 'closed']),
  note: z.string().max(2000).optional(),
  resolution: z.string().max(2000).optional(),
  by: z.string().max(200).optional(),
});
export type InboundTaskWebhook = z.infer<typeof InboundTaskWebhook>;

/**
 * One ticketing tool allowed to call `POST /v1/webhooks/tasks` (an entry of `ACCORD_INBOUND_WEBHOOK_TOOLS`): its name
 * (recorded with what it does: `closedBy` is `<tool>:<by>`), its signing secrets (Standard Webhooks `whsec_` + base64,
 * several while one rotates) and the RCA and CAPA items it may update, by business unit (`"*"`: every unit) or
 * service. A task outside that scope is answered as one that does not exist (404).
 */
export const InboundWebhookTool = z
  .strictObject({
    tool: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'is a slug: lower-case letters, digits and hyphens, 1 to 40'),
    /** The secrets themselves (the embedded default). */
    secrets: z.array(z.string().min(1).max(200)).min(1).max(4).optional(),
    /**
     * On AWS: Secrets Manager ARNs whose secret strings hold the secrets (comma-separated while one rotates), read by
     * the inbound webhook function alone, never in the template.
     */
    secretArns: z
      .array(
        z
          .string()
          .regex(
            /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
            'is a Secrets Manager secret ARN',
          ),
      )
      .min(1)
      .max(4)
      .optional(),
    businessUnits: z.array(z.string().min(1).max(64)).max(100).optional(),
    services: z.array(z.string().min(1).max(128)).max(500).optional(),
  })
  .refine((t) => (t.businessUnits?.length ?? 0) + (t.services?.length ?? 0) > 0, {
    message:
      'names no business unit and no service: a tool must be scoped ("businessUnits": ["*"] for every unit)',
    path: ['businessUnits'],
  })
  .refine((t) => (t.secrets === undefined) !== (t.secretArns === undefined), {
    message: 'give secrets (the embedded default) or secretArns (AWS), one of the two',
    path: ['secrets'],
  });
export type InboundWebhookTool = z.infer<typeof InboundWebhookTool>;

/**
 * Whether an inbound tool may update a task of this business unit and service.
 * @returns true when its business units hold `"*"` or the task's unit, or its services hold the task's service
 */
export function toolReaches(
  tool: Pick<InboundWebhookTool, 'businessUnits' | 'services'>,
  task: { businessUnit: string; serviceId: string },
): boolean {
  return (
    (tool.businessUnits ?? []).some((u) => u === '*' || u === task.businessUnit) ||
    (tool.services ?? []).includes(task.serviceId)
  );
}

/** The remediation record as the API shows it (shared/ports/remediation.ts). */
export const RemediationView = z.object({
  violationId: z.string(),
  agreementId: z.string(),
  objectiveId: z.string(),
  serviceId: z.string(),
  businessUnit: z.string(),
  severity: z.string(),
  status: z.enum(['rca-due', 'capa', 'change-requested', 'credit', 'closed']),
  owner: z.object({ name: z.string(), email: z.string() }),
  rcaDueAt: z.string(),
  rcaExternalRef: z.string(),
  rca: z.record(z.string(), z.unknown()).optional(),
  capa: z.array(z.record(z.string(), z.unknown())),
  changeRequestTaskId: z.string().optional(),
  changeRequestId: z.string().optional(),
  credit: z.record(z.string(), z.unknown()).optional(),
  escalations: z.array(z.object({ level: z.number(), at: z.string(), step: z.string() })),
  history: z.array(
    z.object({
      at: z.string(),
      step: z.string(),
      by: z.string(),
      detail: z.string(),
      delivery: z.string().optional(),
    }),
  ),
  createdAt: z.string(),
  closedAt: z.string().optional(),
});

export const ChangeGateView = z.object({
  serviceId: z.string(),
  tier: z.number(),
  evaluatedAt: z.string().nullable(),
  allowed: z.boolean(),
  /** The approved freeze exception in force that opens a frozen gate (issue 11 item 7). */
  exception: z
    .object({ id: z.string(), from: z.string(), to: z.string(), change: z.string(), approvedBy: z.string() })
    .optional(),
  reasons: z.array(z.string()),
  consequences: z.array(z.string()),
  objectives: z.array(
    z.object({
      agreementId: z.string(),
      objectiveId: z.string(),
      status: z.string(),
      budgetRemainingRatio: z.number().nullable(),
      consequences: z.array(z.string()),
      because: z.string().nullable(),
    }),
  ),
});
