import { z } from 'zod';
import { AgreementId, IsoDateTime, Reason, ServiceId, Slug } from './common.js';

const before = (a: string, b: string) => Date.parse(a) < Date.parse(b);

export const ExceptionKind = z.enum(['planned-maintenance', 'emergency']);

/** An exception window (planned maintenance, emergency): approved time that does not count against objectives. */
export const CreateExceptionWindowBody = z
  .strictObject({
    /** The one objective it covers; the whole agreement when absent. */
    objectiveId: Slug.optional(),
    kind: ExceptionKind,
    start: IsoDateTime,
    end: IsoDateTime,
    /** The change record it was approved under (a CAB or change ticket), when there is one. */
    changeReference: z.string().max(200).trim().min(1).optional(),
    reason: Reason,
  })
  .refine((b) => before(b.start, b.end), { path: ['end'], message: 'must be after start' })
  .refine((b) => Date.parse(b.end) - Date.parse(b.start) <= 31 * 86_400_000, {
    path: ['end'],
    message: 'an exception window may last at most 31 days',
  });
export type CreateExceptionWindowBody = z.infer<typeof CreateExceptionWindowBody>;

/** Approving or rejecting a requested exception window (If-Match: its version). */
export const DecideExceptionBody = z.strictObject({
  decision: z.enum(['approved', 'rejected']),
  reason: Reason,
});
export type DecideExceptionBody = z.infer<typeof DecideExceptionBody>;

/** Revoking an exception window: soft (the record stays, marked revoked) and audited. */
export const RevokeExceptionBody = z.strictObject({ reason: Reason });
export type RevokeExceptionBody = z.infer<typeof RevokeExceptionBody>;

export const TimeRangeQuery = z
  .strictObject({ from: IsoDateTime.optional(), to: IsoDateTime.optional() })
  .refine((q) => !q.from || !q.to || before(q.from, q.to), { path: ['to'], message: 'must be after from' });
export type TimeRangeQuery = z.infer<typeof TimeRangeQuery>;

export const ViolationsQuery = z
  .strictObject({
    agreementId: AgreementId.optional(),
    serviceId: ServiceId.optional(),
    objectiveId: Slug.optional(),
    severity: z.enum(['minor', 'major', 'critical']).optional(),
    status: z.enum(['open', 'resolved']).optional(),
    from: IsoDateTime.optional(),
    to: IsoDateTime.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .refine((q) => !q.from || !q.to || before(q.from, q.to), { path: ['to'], message: 'must be after from' });
export type ViolationsQuery = z.infer<typeof ViolationsQuery>;

export const DisputeBody = z.strictObject({ reason: Reason });
export type DisputeBody = z.infer<typeof DisputeBody>;

export const ResolveDisputeBody = z.strictObject({
  decision: z.enum(['accepted', 'rejected']),
  resolution: Reason,
});
export type ResolveDisputeBody = z.infer<typeof ResolveDisputeBody>;

export const BaselineBody = z
  .strictObject({
    /** The SLI's name within the service (telemetry key `<serviceId>/<sliName>`). */
    sliName: Slug,
    from: IsoDateTime,
    to: IsoDateTime,
    sliceMinutes: z.number().int().min(5).max(1440).multipleOf(5).default(60),
    /** Propose the target met in (100 − percentile)% of slices. */
    percentile: z.number().gt(0).lt(100).default(10),
    /** Peak or seasonal periods to leave out of the history. */
    exclude: z
      .array(
        z
          .strictObject({ start: IsoDateTime, end: IsoDateTime, label: z.string().max(120).trim().min(1) })
          .refine((x) => before(x.start, x.end), { path: ['end'], message: 'must be after start' }),
      )
      .max(100)
      .default([]),
  })
  .refine((b) => before(b.from, b.to), { path: ['to'], message: 'must be after from' })
  .refine((b) => Date.parse(b.to) - Date.parse(b.from) <= 400 * 86_400_000, {
    path: ['to'],
    message: 'the history may span at most 400 days',
  });
export type BaselineBody = z.infer<typeof BaselineBody>;

/** Response shapes (for the OpenAPI document; the domain types are the precise contract). */
export const ObjectiveStatusSchema = z.enum(['healthy', 'at-risk', 'breached', 'unknown']);
export const EvaluationResultSchema = z.looseObject({
  agreementId: z.string(),
  objectiveId: z.string(),
  serviceId: z.string(),
  evaluatedAt: IsoDateTime,
  compliance: z.number().nullable(),
  status: ObjectiveStatusSchema,
  reasons: z.array(z.string()),
});
export const StatusResponse = z.object({
  status: ObjectiveStatusSchema,
  reasons: z.array(z.string()),
  objectives: z.array(EvaluationResultSchema),
});
export const BudgetHistoryResponse = z.object({
  agreementId: z.string(),
  objectiveId: z.string(),
  points: z.array(
    z.object({
      at: IsoDateTime,
      status: ObjectiveStatusSchema,
      compliance: z.number().nullable(),
      budgetRemainingRatio: z.number().nullable(),
      budgetRemainingMinutes: z.number().nullable(),
      maxBurnRate: z.number().nullable(),
      coverage: z.number(),
    }),
  ),
});
export const ViolationSchema = z.looseObject({
  id: z.string(),
  agreementId: z.string(),
  objectiveId: z.string(),
  severity: z.enum(['minor', 'major', 'critical']),
  status: z.enum(['open', 'resolved']),
  detectedAt: IsoDateTime,
});
export const ExceptionWindowSchema = z.looseObject({
  id: z.string(),
  agreementId: z.string(),
  kind: ExceptionKind,
  start: IsoDateTime,
  end: IsoDateTime,
  /** Only an approved window excludes time; requested ones wait for a decision; revoked ones count again. */
  status: z.enum(['requested', 'approved', 'rejected', 'revoked']),
  /** The version to send in If-Match when deciding or revoking it. */
  version: z.number().int(),
  requestedBy: z.string(),
  approver: z.string().optional(),
  reason: z.string(),
});

/** `GET /v1/status`: one page of the caller's portfolio, in order of time to budget exhaustion. */
export const PortfolioStatusQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  cursor: z.string().max(1000).optional(),
});
export type PortfolioStatusQuery = z.infer<typeof PortfolioStatusQuery>;

const PortfolioItemSchema = z.object({
  agreementId: z.string(),
  agreementVersion: z.number().int(),
  title: z.string().nullable(),
  kind: z.string().nullable(),
  serviceId: z.string(),
  businessUnit: z.string(),
  objectiveId: z.string(),
  name: z.string(),
  status: ObjectiveStatusSchema,
  evaluatedAt: IsoDateTime.nullable(),
  target: z.number().nullable(),
  compliance: z.number().nullable(),
  budget: z
    .object({ remainingRatio: z.number(), remainingMinutes: z.number(), totalMinutes: z.number() })
    .nullable(),
  burnRates: z.array(
    z.object({
      name: z.string(),
      windowMinutes: z.number(),
      burnRate: z.number().nullable(),
      unit: z.enum(['events', 'slices']),
      threshold: z.number(),
      firing: z.boolean(),
    }),
  ),
  timeToExhaustionMinutes: z.number().nullable(),
  exhaustionLookbackMinutes: z.number().nullable(),
  reasons: z.array(z.string()),
});
/** One row of the portfolio as the API answers it (the console reads this type). */
export type PortfolioItem = z.infer<typeof PortfolioItemSchema>;
const StatusCounts = z.object({
  healthy: z.number().int(),
  'at-risk': z.number().int(),
  breached: z.number().int(),
  unknown: z.number().int(),
});
export const PortfolioStatusResponse = z.object({
  /** The worst status over every objective in the caller's scope (every page, not this page only). */
  status: ObjectiveStatusSchema,
  /** Objectives in the caller's scope, by status (every page). */
  counts: StatusCounts,
  total: z.number().int(),
  /** Active agreements and objectives outside the caller's scope: counted, never named. */
  outOfScope: z.object({ agreements: z.number().int(), objectives: z.number().int() }),
  items: z.array(PortfolioItemSchema),
  nextCursor: z.string().optional(),
});
