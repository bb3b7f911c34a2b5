import { z } from 'zod';
import { SLICE_MINUTES, sliceMinutesProblem } from '../domain/objectives/slices.js';
import {
  AgreementId,
  BusinessUnitId,
  ComplianceTag,
  Contact,
  IsoDate,
  IsoDateTime,
  Reason,
  Region,
  ServiceId,
  Slug,
  TimeZone,
} from './common.js';

export const AgreementKind = z.enum(['SLA', 'OLA', 'UC']);
export const AgreementStatus = z.enum([
  'draft',
  'submitted',
  'approved',
  'active',
  'expired',
  'sunset',
  'retired',
]);

/** Who gives and who receives the service. A UC's provider is a vendor; an OLA's both sides are internal teams. */
export const Party = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('business-unit'),
    businessUnit: BusinessUnitId,
    team: z.string().max(120).optional(),
  }),
  z.strictObject({ type: z.literal('vendor'), vendorId: Slug, name: z.string().min(1).max(200) }),
]);

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM (24-hour)');
export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

export const SupportedHours = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('always') }),
  z.strictObject({
    kind: z.literal('calendar'),
    windows: z
      .array(
        z
          .strictObject({ days: z.array(Weekday).min(1), start: HhMm, end: HhMm })
          .refine((w) => w.start < w.end, { message: 'end must be after start', path: ['end'] }),
      )
      .min(1),
    holidays: z.array(IsoDate).max(400).default([]),
  }),
]);

export const SliType = z.enum(['availability', 'response-time', 'resolution-time', 'custom']);

export const ObjectiveWindow = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('rolling'), days: z.number().int().min(1).max(366) }),
  z.strictObject({ type: z.literal('calendar'), unit: z.enum(['week', 'month', 'quarter']) }),
]);

const FINER_THAN_ROLLUPS =
  'slices finer than the 5-minute rollups (1-minute slices, for example) cannot be counted: use a multiple of 5 minutes';

export const BudgetingMethod = z.enum(['occurrences', 'timeslices', 'ratio-timeslices']);

/** One metric of an SLI as its data source reads it: OpenSLO's `metricSource.spec` (a PromQL `query`, …), kept as written. */
export const SliMetricSpec = z.record(z.string(), z.unknown());

/**
 * Where an SLI's figures come from, as OpenSLO states it (`SLI.spec.ratioMetric` or `thresholdMetric`): the data
 * source's type and name and each metric's spec. Kept so that the SLI exports as it was imported and so that
 * Prometheus rules can be generated for it (`docs/openslo.md`). Telemetry still reaches Accord through mapping
 * rules; this says what the SLI means at its source.
 */
export const SliSource = z.strictObject({
  /** The metric source type, as OpenSLO writes it: `Prometheus`, `Datadog`, `CloudWatch`, … */
  type: z.string().min(1).max(100),
  /** The OpenSLO DataSource it names (`metricSourceRef`), when it names one. */
  dataSource: z.string().min(1).max(253).optional(),
  /** ratioMetric.counter: the metrics are monotonic counters (true) or per-window values (false). */
  counter: z.boolean().optional(),
  /** For a raw ratio: whether it is the share of successes or of failures. */
  rawType: z.enum(['success', 'failure']).optional(),
  good: SliMetricSpec.optional(),
  bad: SliMetricSpec.optional(),
  total: SliMetricSpec.optional(),
  raw: SliMetricSpec.optional(),
  /** thresholdMetric: each reading is compared with the objective's threshold. */
  threshold: SliMetricSpec.optional(),
});

export const Objective = z
  .strictObject({
    id: Slug,
    name: z.string().min(1).max(200),
    sli: z.strictObject({
      type: SliType,
      /** The SLI's name within the service; telemetry maps to `<serviceId>/<name>`. Defaults to the type. */
      name: Slug.optional(),
      /** For latency-like SLIs: an event is good when it completes within this many milliseconds. */
      thresholdMs: z
        .number()
        .positive()
        .max(31 * 24 * 3600 * 1000)
        .optional(),
      /** Where the SLI's figures come from at their source (OpenSLO import); absent for SLIs defined in Accord. */
      source: SliSource.optional(),
    }),
    /** Target in percent, for example 99.9. */
    target: z.number().gt(0).lt(100),
    window: ObjectiveWindow,
    budgetingMethod: BudgetingMethod.default('occurrences'),
    timeSlice: z
      .strictObject({
        /**
         * Slice length in minutes: a whole number of 5-minute rollup buckets that divides a day (5, 10, 15, 20,
         * 30, 40, 45, 60, … 1440), so that slices follow the agreement's local midnight. Finer slices (1-minute,
         * as OpenSLO and Datadog allow) cannot be counted from 5-minute rollups and are refused.
         */
        minutes: z
          .number()
          .int()
          .min(5, FINER_THAN_ROLLUPS)
          .max(1440, 'slices may last at most a day (1440 minutes)')
          .multipleOf(5, FINER_THAN_ROLLUPS)
          .refine((m) => sliceMinutesProblem(m) === null, {
            message: `must divide a day so that slices follow local midnight: one of ${SLICE_MINUTES.join(', ')}`,
          }),
        /** A slice is good when its own ratio meets this, 0 < x ≤ 1. */
        target: z.number().gt(0).max(1),
        /**
         * What a slice without events counts as: `excluded` (the default: neither good nor bad, left out of
         * compliance and budget alike), `good` or `bad`.
         */
        emptySlices: z.enum(['excluded', 'good', 'bad']).optional(),
      })
      .optional(),
    monitoring: z.enum(['alerted', 'reported']).default('alerted'),
    owner: Contact,
    customerContact: Contact,
    supportedHoursOnly: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    if (o.budgetingMethod !== 'occurrences' && !o.timeSlice) {
      ctx.addIssue({
        code: 'custom',
        path: ['timeSlice'],
        message: `is required when budgetingMethod is ${o.budgetingMethod}`,
      });
    }
    if (o.sli.type === 'custom' && !o.sli.name) {
      ctx.addIssue({ code: 'custom', path: ['sli', 'name'], message: 'is required for a custom SLI' });
    }
    if (
      (o.sli.type === 'response-time' || o.sli.type === 'resolution-time') &&
      o.sli.thresholdMs === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['sli', 'thresholdMs'],
        message: `is required for a ${o.sli.type} SLI`,
      });
    }
  });

/** Service-credit tiers: when measured compliance falls below `belowPercent`, the customer is credited. */
export const Credits = z
  .strictObject({
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
    monthlyCharge: z.number().nonnegative().max(1e12),
    /** Which objective the tiers apply to; all objectives when absent. */
    objectiveId: Slug.optional(),
    tiers: z
      .array(
        z.strictObject({
          belowPercent: z.number().gt(0).max(100),
          creditPercent: z.number().gt(0).max(100),
        }),
      )
      .min(1)
      .max(20),
    capPercent: z.number().gt(0).max(100).default(100),
  })
  .superRefine((c, ctx) => {
    const sorted = [...c.tiers].sort((a, b) => b.belowPercent - a.belowPercent);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i]!.belowPercent === sorted[i - 1]!.belowPercent) {
        ctx.addIssue({ code: 'custom', path: ['tiers'], message: 'two tiers share the same belowPercent' });
      } else if (sorted[i]!.creditPercent < sorted[i - 1]!.creditPercent) {
        ctx.addIssue({
          code: 'custom',
          path: ['tiers'],
          message: 'a lower compliance tier must not credit less than a higher one',
        });
      }
    }
  });

export const EscalationStep = z.strictObject({
  level: z.number().int().min(1).max(10),
  afterMinutes: z
    .number()
    .int()
    .min(0)
    .max(60 * 24 * 90),
  contact: Contact,
  role: z.string().min(1).max(80),
});

export const ReviewCycle = z.strictObject({
  everyMonths: z.number().int().min(1).max(36),
  nextReviewDate: IsoDate,
});

export const Renewal = z.strictObject({
  renewalDate: IsoDate,
  noticeDays: z.number().int().min(0).max(730).default(90),
  autoRenew: z.boolean().default(false),
});

export const Jurisdiction = z.strictObject({
  governingLaw: z.string().min(2).max(120),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
});

export const DataResidency = z.strictObject({
  /** The region where the agreement's data and telemetry live; a deployment refuses any other. */
  region: Region,
  /** Regions the provider may process data in, beyond the home region. */
  processingRegions: z.array(Region).max(30).default([]),
});

/**
 * One edge of the underpinning chain, held by the upper agreement (an SLA, or an OLA resting on OLAs/UCs): which of
 * its objectives a linked OLA/UC supports, through which objective of the linked agreement, and how. `serial`:
 * every serial dependency of the objective must be up (availabilities multiply); `redundant`: any one member of the
 * named `group` suffices (1 − ∏(1 − a) over the group). `handoffMinutes` is the time an incident takes to pass
 * from the upper party to this one (time rules add it along the path).
 */
export const UnderpinningEdge = z
  .strictObject({
    /** The upper agreement's objective this edge supports. */
    objectiveId: Slug,
    /** The OLA or UC; it must also be listed in `underpinnedBy`. */
    agreementId: AgreementId,
    /** The linked agreement's objective that carries this one; by default its first objective of the same SLI type. */
    dependencyObjectiveId: Slug.optional(),
    mode: z.enum(['serial', 'redundant']).default('serial'),
    /** The redundant group's name: members of one group back each other up. Required for `redundant`. */
    group: Slug.optional(),
    /** Minutes to hand an incident from the upper party to this one (time rules), 0 to 30 days. */
    handoffMinutes: z
      .number()
      .min(0)
      .max(30 * 24 * 60)
      .optional(),
  })
  .superRefine((e, ctx) => {
    if (e.mode === 'redundant' && e.group === undefined)
      ctx.addIssue({ code: 'custom', path: ['group'], message: 'is required for a redundant edge' });
    if (e.mode === 'serial' && e.group !== undefined)
      ctx.addIssue({ code: 'custom', path: ['group'], message: 'belongs to redundant edges only' });
  });
export type UnderpinningEdge = z.infer<typeof UnderpinningEdge>;

/**
 * An indemnification clause of an OLA or UC: when its objective `objectiveId` contributed to a breach of an agreement
 * it underpins, its provider bears `sharePercent` of the downstream service credit, at most `capAmount` per credit
 * (in `currency`). Pass-through claims are computed per clause when the downstream credit is final (docs/chain.md).
 */
export const IndemnificationClause = z.strictObject({
  id: Slug,
  objectiveId: Slug,
  sharePercent: z.number().gt(0).max(100),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  capAmount: z.number().nonnegative().max(1e12),
});
export type IndemnificationClause = z.infer<typeof IndemnificationClause>;

/**
 * Modular agreements (issue 11 item 6): a master agreement holds a customer's corporate-level terms (jurisdiction,
 * data residency, review cycle, customer responsibilities, the credit and liability caps); a schedule is the
 * service-specific agreement under it, inheriting those terms by the precedence of shared/policy/modular.json.
 * Fixed at creation (a schedule never changes master, an agreement never becomes a master later).
 */
export const AgreementModule = z.discriminatedUnion('role', [
  z.strictObject({
    role: z.literal('master'),
    /** Caps binding every schedule: at most this percent of a month's charge credited; liability per claim. */
    caps: z
      .strictObject({
        creditPercent: z.number().gt(0).max(100).optional(),
        liability: z
          .strictObject({
            currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
            amount: z.number().nonnegative().max(1e12),
          })
          .optional(),
      })
      .default({}),
  }),
  z.strictObject({ role: z.literal('schedule'), masterId: AgreementId }),
]);
export type AgreementModule = z.infer<typeof AgreementModule>;

/** The content of an agreement that its owner writes. Lifecycle and bookkeeping fields are the system's. */
export const AgreementContentFields = {
  kind: AgreementKind,
  title: z.string().max(200).trim().min(3),
  description: z.string().max(5000).optional(),
  serviceId: ServiceId,
  businessUnit: BusinessUnitId,
  parties: z.strictObject({ provider: Party, customer: Party }),
  scope: z.strictObject({
    inclusions: z.array(z.string().min(1).max(500)).max(100).default([]),
    exclusions: z.array(z.string().min(1).max(500)).max(100).default([]),
  }),
  timeZone: TimeZone,
  supportedHours: SupportedHours,
  objectives: z.array(Objective).max(50).default([]),
  credits: Credits.optional(),
  customerResponsibilities: z.array(z.string().min(1).max(500)).max(100).default([]),
  reviewCycle: ReviewCycle,
  renewal: Renewal.optional(),
  jurisdiction: Jurisdiction,
  dataResidency: DataResidency,
  complianceTags: z.array(ComplianceTag).max(20).default([]),
  effectiveFrom: IsoDate,
  effectiveTo: IsoDate.optional(),
  underpinnedBy: z.array(AgreementId).max(100).default([]),
  escalation: z.array(EscalationStep).max(10).default([]),
  /** How each linked OLA/UC supports this agreement's objectives (the underpinning chain); absent: not stated. */
  underpinning: z.array(UnderpinningEdge).max(200).optional(),
  /** OLAs and UCs: who bears which share of a downstream SLA credit, with caps. */
  indemnification: z.array(IndemnificationClause).max(20).optional(),
  /** A master agreement, or a schedule under one (modular agreements); absent: a standalone agreement. */
  module: AgreementModule.optional(),
};

export const AgreementContent = z.strictObject(AgreementContentFields);
export type AgreementContent = z.infer<typeof AgreementContent>;

export const CreateAgreementBody = z.strictObject({ ...AgreementContentFields, reason: Reason });
export type CreateAgreementBody = z.infer<typeof CreateAgreementBody>;

/** A partial update: only the fields given change. `kind`, `serviceId`, `businessUnit`, `module` are fixed at creation. */
const { kind: _k, serviceId: _s, businessUnit: _b, module: _m, ...mutable } = AgreementContentFields;
export const UpdateAgreementBody = z
  .strictObject({
    // A default must not fill a field the caller left out: that would silently overwrite stored data.
    ...Object.fromEntries(
      Object.entries(mutable).map(([k, v]) => [
        k,
        (v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : v).optional(),
      ]),
    ),
    reason: Reason,
  } as { [K in keyof typeof mutable]: z.ZodOptional<(typeof mutable)[K]> } & { reason: typeof Reason })
  .refine((b) => Object.keys(b).some((k) => k !== 'reason'), { message: 'names no field to change' });
export type UpdateAgreementBody = z.infer<typeof UpdateAgreementBody>;

export const SignOffCapacity = z.enum([
  'service-owner',
  'business-owner',
  'legal',
  'procurement',
  'security',
  'finance',
  'governance-board',
]);
export type SignOffCapacity = z.infer<typeof SignOffCapacity>;

export const SignOff = z.strictObject({
  capacity: SignOffCapacity,
  decision: z.enum(['approved', 'rejected']),
  by: z.string(),
  at: IsoDateTime,
  comment: z.string().max(2000).optional(),
});

export const RequiredSignOff = z.strictObject({ capacity: SignOffCapacity, rules: z.array(z.string()) });

/** One coverage gap of the underpinning chain (docs/chain.md): the rule, the objectives, the figures. */
export const GapFindingView = z.object({
  rule: z.string(),
  severity: z.enum(['info', 'minor', 'major', 'critical']),
  blocksActivation: z.boolean(),
  agreementId: z.string(),
  objectiveId: z.string().optional(),
  dependencyIds: z.array(z.string()),
  message: z.string(),
  figures: z.record(z.string(), z.unknown()),
});

/** One immutable version of an agreement, as stored and as returned by the API. */
export const AgreementVersion = z.strictObject({
  id: AgreementId,
  version: z.number().int().min(1),
  status: AgreementStatus,
  ...AgreementContentFields,
  requiredSignOffs: z.array(RequiredSignOff).default([]),
  signOffs: z.array(SignOff).default([]),
  createdAt: IsoDateTime,
  createdBy: z.string(),
  changedAt: IsoDateTime,
  changedBy: z.string(),
  change: z.string(),
  reason: z.string(),
  submittedBy: z.string().optional(),
  activatedAt: IsoDateTime.optional(),
  retiredAt: IsoDateTime.optional(),
  /** The coverage gaps of its underpinning chain found when it was submitted, for the approvers. */
  gapFindings: z.array(GapFindingView).optional(),
  /** The template version it was drafted from (issue 11 item 5); a later template version never changes it. */
  template: z.strictObject({ id: z.string(), version: z.number().int().min(1) }).optional(),
});
export type AgreementVersion = z.infer<typeof AgreementVersion>;

export const LifecycleBody = z.strictObject({ reason: Reason });
export const SignOffBody = z.strictObject({
  capacity: SignOffCapacity,
  decision: z.enum(['approved', 'rejected']),
  reason: Reason,
  comment: z.string().max(2000).optional(),
});

export const ListAgreementsQuery = z.strictObject({
  serviceId: ServiceId.optional(),
  businessUnit: BusinessUnitId.optional(),
  status: AgreementStatus.optional(),
  kind: AgreementKind.optional(),
  renewalFrom: IsoDate.optional(),
  renewalTo: IsoDate.optional(),
  expiryFrom: IsoDate.optional(),
  expiryTo: IsoDate.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type ListAgreementsQuery = z.infer<typeof ListAgreementsQuery>;

export const AuditEntry = z.strictObject({
  /** An agreement's trail also holds the acts on its exception windows (entity `exception-window`). */
  entity: z.enum([
    'agreement',
    'service',
    'exception-window',
    'vendor',
    'telemetry-backfill',
    'telemetry-backfill-run',
  ]),
  entityId: z.string(),
  version: z.number().int(),
  eventId: z.string(),
  at: IsoDateTime,
  by: z.string(),
  reason: z.string(),
  change: z.string(),
  diff: z.array(
    z.strictObject({
      path: z.string(),
      op: z.enum(['added', 'removed', 'changed']),
      before: z.unknown().optional(),
      after: z.unknown().optional(),
    }),
  ),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
