/**
 * Workflow policy as data: sign-off deadlines per tier and kind, reminder offsets, escalation cadence, RCA due
 * dates by severity, renewal reminders, notification retries (workflows.json); distribution lists by role, sign-off
 * capacity, business unit and agreement, and webhook subscriptions (distribution-lists.json). Validated on load.
 */
import { z } from 'zod';
import { CONSEQUENCES } from '../domain/workflows/change-gate.js';
import { SignOffCapacity } from '../schemas/agreement.js';
import distributionJson from './distribution-lists.json' with { type: 'json' };
import workflowsJson from './workflows.json' with { type: 'json' };

const Hours = z
  .number()
  .positive()
  .max(24 * 366);
const ByKind = z.strictObject({ SLA: Hours, OLA: Hours, UC: Hours });
const Offsets = z
  .array(
    z
      .number()
      .positive()
      .max(24 * 366),
  )
  .max(10)
  .refine((a) => a.every((x, i) => i === 0 || x < a[i - 1]!), 'must be in decreasing order');

const Thresholds = z
  .array(
    z.strictObject({
      atOrBelowRemaining: z.number().min(-100).max(1),
      consequences: z.array(z.enum(CONSEQUENCES)).min(1),
      because: z.string().min(3).max(300),
    }),
  )
  .max(10)
  .refine(
    (a) => a.every((x, i) => i === 0 || x.atOrBelowRemaining > a[i - 1]!.atOrBelowRemaining),
    'thresholds go from the lowest remaining budget (most severe) up',
  );

export const WorkflowPolicy = z.strictObject({
  version: z.literal(1),
  approval: z.strictObject({
    description: z.string().optional(),
    deadlineHours: z.strictObject({ '1': ByKind, '2': ByKind, '3': ByKind, '4': ByKind }),
    remindBeforeHours: Offsets,
    escalateEveryHours: Hours,
    activationDelayMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60),
  }),
  remediation: z.strictObject({
    description: z.string().optional(),
    rcaDueHours: z.strictObject({ critical: Hours, major: Hours, minor: Hours }),
    capaDays: z.number().int().min(1).max(365),
    remindBeforeHours: Offsets,
    escalateEveryHours: Hours,
    pageGroupMinutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60),
  }),
  renewal: z.strictObject({
    description: z.string().optional(),
    remindDaysBefore: z
      .array(z.number().int().min(1).max(730))
      .min(1)
      .max(10)
      .refine((a) => a.every((x, i) => i === 0 || x < a[i - 1]!), 'must be in decreasing order'),
    termMonths: z.number().int().min(1).max(120),
  }),
  errorBudget: z
    .strictObject({
      description: z.string().optional(),
      tiers: z.strictObject({ '1': Thresholds, '2': Thresholds, '3': Thresholds, '4': Thresholds }),
    })
    .transform((e) => e.tiers),
  changeRequest: z.strictObject({
    description: z.string().optional(),
    assessmentHours: z.strictObject({ '1': Hours, '2': Hours, '3': Hours, '4': Hours }),
    signOffHours: z.strictObject({ '1': Hours, '2': Hours, '3': Hours, '4': Hours }),
    remindBeforeHours: Offsets,
    escalateEveryHours: Hours,
    /** Open (assessing or signing) requests one person may have on one agreement; the next is refused (409). */
    maxOpenPerRequester: z.number().int().min(1).max(100),
    /**
     * Requests (any status) one person may ask on one agreement in any 24 hours; the next is refused (409). Bounds
     * asking and withdrawing in turn, which the open cap alone does not (red team wave 35).
     */
    maxPerRequesterPerDay: z.number().int().min(1).max(1000),
    rules: z
      .array(
        z.strictObject({
          id: z.string().regex(/^[a-z0-9-]+$/),
          description: z.string().optional(),
          when: z.strictObject({
            fieldsAny: z.array(z.string().min(1).max(60)).min(1).optional(),
            tiers: z.array(z.number().int().min(1).max(4)).optional(),
            kinds: z.array(z.enum(['SLA', 'OLA', 'UC'])).optional(),
          }),
          require: z.array(SignOffCapacity).min(1),
        }),
      )
      .min(1)
      .refine((r) => new Set(r.map((x) => x.id)).size === r.length, 'rule ids must be unique'),
  }),
  freezeExceptions: z.strictObject({
    description: z.string().optional(),
    maxHours: Hours,
    decisionHours: Hours,
    /** Pending (undecided) exceptions one person may have on one service; the next is refused (409). */
    maxPendingPerRequester: z.number().int().min(1).max(100),
  }),
  notifications: z.strictObject({
    description: z.string().optional(),
    maxAttempts: z.number().int().min(1).max(20),
    backoffSeconds: z.array(z.number().int().min(1).max(86_400)).min(1).max(20),
  }),
});
export type WorkflowPolicy = z.infer<typeof WorkflowPolicy>;

const Member = z.strictObject({ name: z.string().min(1).max(120), email: z.email() });

/** A distribution list receives a notification when every field its `match` names equals the notification's. */
export const DistributionList = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/),
  description: z.string().optional(),
  match: z
    .strictObject({
      role: z.string().min(1).max(40).optional(),
      capacity: z.string().min(1).max(40).optional(),
      businessUnit: z.string().min(1).max(41).optional(),
      agreementId: z.string().min(1).max(60).optional(),
    })
    .refine(
      (m) => Object.keys(m).length > 0,
      'names at least one of role, capacity, businessUnit, agreementId',
    ),
  members: z.array(Member).min(1).max(200),
});

export const WebhookSubscription = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/),
  url: z.url({ protocol: /^https?$/ }),
  /** Event names, `*` at the end matching any suffix (`remediation.*`). */
  events: z.array(z.string().regex(/^[a-z.*-]+$/)).min(1),
  /** The environment variable that holds the signing secret (`whsec_…`); never the secret itself. */
  secretEnv: z.string().regex(/^[A-Z][A-Z0-9_]{2,80}$/),
  businessUnit: z.string().optional(),
});

export const DistributionPolicy = z.strictObject({
  version: z.literal(1),
  from: Member,
  lists: z.array(DistributionList).max(1000),
  webhooks: z.array(WebhookSubscription).max(100),
});
export type DistributionPolicy = z.infer<typeof DistributionPolicy>;
export type DistributionList = z.infer<typeof DistributionList>;
export type WebhookSubscription = z.infer<typeof WebhookSubscription>;

function load<T>(schema: z.ZodType<T>, raw: unknown, file: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new Error(
      `shared/policy/${file} is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return r.data;
}

export function loadWorkflowPolicy(raw: unknown = workflowsJson): WorkflowPolicy {
  return load(WorkflowPolicy, raw, 'workflows.json');
}

export function loadDistributionPolicy(raw: unknown = distributionJson): DistributionPolicy {
  return load(DistributionPolicy, raw, 'distribution-lists.json');
}
