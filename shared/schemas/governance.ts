import { z } from 'zod';
import { CHANGE_REQUEST_STATUSES, FREEZE_EXCEPTION_STATUSES } from '../ports/governance.js';
import { AgreementContentFields, AgreementModule } from './agreement.js';
import { AgreementId, Contact, IsoDateTime, Reason } from './common.js';
import { awaitingTaskFields, closingTaskFields, followUpTaskFields } from './task-events.js';

/**
 * The terms a change request proposes: any agreement field an update may change (never `kind`, `serviceId`,
 * `businessUnit` or `module`), each optional and without defaults (a default would propose a value nobody asked for).
 */
const { kind: _k, serviceId: _s, businessUnit: _b, module: _m, ...mutable } = AgreementContentFields;
export const ProposedTerms = z
  .strictObject(
    Object.fromEntries(
      Object.entries(mutable).map(([k, v]) => [
        k,
        (v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : v).optional(),
      ]),
    ) as { [K in keyof typeof mutable]: z.ZodOptional<(typeof mutable)[K]> },
  )
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'names no term to change' });
export type ProposedTerms = z.infer<typeof ProposedTerms>;

/** POST /v1/agreements/{id}/change-requests: what, why, and the proposed terms. */
export const ChangeRequestBody = z.strictObject({
  summary: z.string().max(300).trim().min(3),
  why: Reason,
  proposed: ProposedTerms,
});
export type ChangeRequestBody = z.infer<typeof ChangeRequestBody>;

/** POST /v1/change-requests/{id}/withdraw: why the requester takes the request back. */
export const WithdrawChangeRequestBody = z.strictObject({ reason: Reason });
export type WithdrawChangeRequestBody = z.infer<typeof WithdrawChangeRequestBody>;

/**
 * `GET /v1/agreements/{id}/change-requests`: a page of at most `limit` requests (oldest first), after `cursor` (a
 * previous page's `nextCursor`).
 */
export const ListChangeRequestsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
});
export type ListChangeRequestsQuery = z.infer<typeof ListChangeRequestsQuery>;

const Step = z.object({ at: IsoDateTime, step: z.string(), by: z.string(), detail: z.string() });

export const ChangeRequestView = z.object({
  kind: z.literal('change-request'),
  id: z.string(),
  agreementId: AgreementId,
  serviceId: z.string(),
  businessUnit: z.string(),
  baseVersion: z.number().int(),
  requestedBy: z.string(),
  requestedAt: IsoDateTime,
  source: z.string(),
  summary: z.string(),
  why: z.string(),
  proposed: z.record(z.string(), z.unknown()),
  classification: z.object({ administrative: z.array(z.string()), material: z.array(z.string()) }),
  status: z.enum(CHANGE_REQUEST_STATUSES),
  assessment: z
    .object({
      decision: z.enum(['accepted', 'rejected']),
      by: z.string(),
      at: IsoDateTime,
      reason: z.string(),
    })
    .optional(),
  requiredSignOffs: z.array(z.object({ capacity: z.string(), rules: z.array(z.string()) })),
  signOffs: z.array(
    z.object({
      capacity: z.string(),
      decision: z.enum(['approved', 'rejected']),
      by: z.string(),
      at: IsoDateTime,
      reason: z.string(),
    }),
  ),
  appliedVersion: z.number().int().optional(),
  executionId: z.string().optional(),
  history: z.array(Step),
  revision: z.number().int(),
});

/** POST /v1/services/{id}/freeze-exceptions: the window the change needs, the change, and why. */
export const FreezeExceptionBody = z
  .strictObject({
    from: IsoDateTime,
    to: IsoDateTime,
    change: z.string().max(300).trim().min(3),
    reason: Reason,
  })
  .refine((b) => Date.parse(b.to) > Date.parse(b.from), { message: 'must be after from', path: ['to'] });
export type FreezeExceptionBody = z.infer<typeof FreezeExceptionBody>;

export const FreezeExceptionView = z.object({
  kind: z.literal('freeze-exception'),
  id: z.string(),
  serviceId: z.string(),
  businessUnit: z.string(),
  from: IsoDateTime,
  to: IsoDateTime,
  reason: z.string(),
  change: z.string(),
  requestedBy: z.string(),
  requestedAt: IsoDateTime,
  status: z.enum(FREEZE_EXCEPTION_STATUSES),
  decision: z.object({ by: z.string(), at: IsoDateTime, reason: z.string() }).optional(),
  taskId: z.string(),
  history: z.array(Step),
  revision: z.number().int(),
});

/** The events of the change-request state machine's Tasks (infra/workflows/change-request.asl.json). */
const cr = { changeRequestId: z.string().min(1).max(80) };
export const ChangeRequestTaskEvent = z.discriminatedUnion('task', [
  z.object({ task: z.literal('plan'), ...cr, executionId: z.string() }),
  z.object({
    task: z.literal('await-assessment'),
    ...cr,
    ...awaitingTaskFields,
  }),
  z.object({
    task: z.literal('follow-up'),
    ...cr,
    step: z.enum(['assessment', 'signoff']),
    capacity: z.string().optional(),
    ...followUpTaskFields,
  }),
  z.object({ task: z.literal('plan-signoffs'), ...cr }),
  z.object({
    task: z.literal('await-signoff'),
    ...cr,
    capacity: z.string(),
    ...awaitingTaskFields,
  }),
  z.object({ task: z.literal('apply'), ...cr }),
  z.object({
    task: z.literal('close'),
    ...cr,
    ...closingTaskFields,
  }),
]);
export type ChangeRequestTaskEvent = z.infer<typeof ChangeRequestTaskEvent>;

/** POST /v1/templates/{id}/drafts: the terms the draft sets (any agreement field the template does not fix). */
export const TemplateDraftBody = z.strictObject({
  /** The template version; the latest when absent. */
  version: z.number().int().min(1).optional(),
  /** The draft's own terms: service, business unit, parties, title, dates, … and overrides of what is not fixed. */
  terms: z.record(z.string(), z.unknown()),
  /** The owner of every objective the template brings. */
  objectiveOwner: Contact,
  /** The customer contact of every objective the template brings. */
  customerContact: Contact,
  reason: Reason,
});
export type TemplateDraftBody = z.infer<typeof TemplateDraftBody>;

export const TemplateQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });

export const TemplateView = z.object({
  id: z.string(),
  version: z.number().int(),
  name: z.string(),
  description: z.string(),
  kind: z.string(),
  fixed: z.array(z.string()),
  content: z.record(z.string(), z.unknown()),
  versions: z.array(z.number().int()),
  latest: z.boolean(),
});

/**
 * A schedule drafted under a master agreement (`POST /v1/agreements/{masterId}/schedules`, issue 11 item 6): an
 * agreement body whose master-ruled terms (jurisdiction, data residency, review cycle), `kind`, `businessUnit` and
 * `parties` may be left out and are then the master's; `module` is set by the route.
 */
const {
  module: _mm,
  kind: _kk,
  businessUnit: _bu,
  parties: _pp,
  jurisdiction: _j,
  dataResidency: _d,
  reviewCycle: _r,
  ...scheduleFields
} = AgreementContentFields;
export const ScheduleBody = z.strictObject({
  ...scheduleFields,
  kind: AgreementContentFields.kind.optional(),
  businessUnit: AgreementContentFields.businessUnit.optional(),
  parties: AgreementContentFields.parties.optional(),
  jurisdiction: AgreementContentFields.jurisdiction.optional(),
  dataResidency: AgreementContentFields.dataResidency.optional(),
  reviewCycle: AgreementContentFields.reviewCycle.optional(),
  reason: Reason,
});
export type ScheduleBody = z.infer<typeof ScheduleBody>;

/** Where one effective term came from: the schedule itself or its master, under which precedence rule. */
export const TermSourceView = z.object({
  from: z.enum(['schedule', 'master', 'both']),
  rule: z.enum(['own', 'master', 'union', 'lowest']),
  agreementId: AgreementId,
  version: z.number().int(),
});

/** The terms in force for an agreement, each naming its source (modular agreements, issue 11 item 6). */
export const EffectiveTermsView = z.object({
  agreementId: AgreementId,
  version: z.number().int(),
  status: z.string(),
  module: z.enum(['standalone', 'master', 'schedule']),
  /** A schedule's master: the version whose terms apply (its version in force) and its current version. */
  master: z
    .object({
      id: AgreementId,
      version: z.number().int(),
      status: z.string(),
      currentVersion: z.number().int(),
      currentStatus: z.string(),
    })
    .optional(),
  moduleTerms: AgreementModule.optional(),
  terms: z.record(z.string(), z.unknown()),
  sources: z.record(z.string(), TermSourceView),
});
export type EffectiveTermsView = z.infer<typeof EffectiveTermsView>;
