import { z } from 'zod';
import { AgreementKind, AgreementStatus, GapFindingView } from './agreement.js';
import { Contact, Email, IsoDate, Reason } from './common.js';

export { GapFindingView };

/** How one linked agreement supports one objective of the upper one. */
export const EdgeSupportView = z.object({
  objectiveId: z.string(),
  dependencyObjectiveId: z.string().optional(),
  mode: z.enum(['serial', 'redundant']),
  group: z.string().optional(),
  handoffMinutes: z.number().optional(),
});

/** The underpinning chain around one agreement, as far as the caller may see it. */
export const ChainGraph = z.object({
  agreementId: z.string(),
  nodes: z.array(
    z.object({
      id: z.string(),
      kind: AgreementKind,
      title: z.string(),
      status: AgreementStatus,
      serviceId: z.string(),
      businessUnit: z.string(),
      /** 0 for the agreement asked about; 1, 2 … for what it rests on; −1, −2 … for what rests on it. */
      level: z.number().int(),
      objectives: z.array(
        z.object({
          id: z.string(),
          sliType: z.string(),
          target: z.number(),
          thresholdMs: z.number().optional(),
        }),
      ),
    }),
  ),
  edges: z.array(z.object({ from: z.string(), to: z.string(), supports: z.array(EdgeSupportView) })),
  /** What lies in the chain outside the caller's scope: counted, never named. */
  outsideScope: z.object({ agreements: z.number().int(), edges: z.number().int() }),
});
export type ChainGraph = z.infer<typeof ChainGraph>;

export const GapReport = z.object({
  asOf: z.string(),
  /** Agreements analysed (the chain under the ones asked about included). */
  analysed: z.number().int(),
  findings: z.array(GapFindingView),
  /** Findings about agreements outside the caller's scope: counted, never shown. */
  outsideScope: z.number().int(),
});
export type GapReport = z.infer<typeof GapReport>;

const Term = z.object({
  agreementId: z.string(),
  objectiveId: z.string(),
  mode: z.enum(['serial', 'redundant']).optional(),
  group: z.string().optional(),
});

/** A breach and what was failing under it in the same period, ranked: the RCA's starting point. */
export const BreachAnalysisView = z.object({
  violationId: z.string(),
  agreementId: z.string(),
  objectiveId: z.string(),
  period: z.object({ start: z.string(), end: z.string() }),
  targetPercent: z.number(),
  compliancePercent: z.number().nullable(),
  examined: z.number().int(),
  contributors: z.array(
    z.object({
      rank: z.number().int(),
      agreementId: z.string(),
      kind: z.enum(['OLA', 'UC']),
      objectiveId: z.string(),
      depth: z.number().int(),
      mode: z.enum(['serial', 'redundant']),
      group: z.string().optional(),
      violationId: z.string(),
      severity: z.string(),
      status: z.enum(['open', 'resolved']),
      targetPercent: z.number(),
      compliancePercent: z.number().nullable(),
      marginPoints: z.number().nullable(),
      overlap: z.object({ from: z.string(), to: z.string(), minutes: z.number() }),
      overlapRatio: z.number(),
      path: z.array(Term),
    }),
  ),
  outsideScope: z.number().int(),
});

const PeriodScoreView = z.object({
  period: z.string(),
  compliancePercent: z.number().nullable(),
  missed: z.boolean(),
  violationIds: z.array(z.string()),
  creditsOwed: z.array(z.object({ currency: z.string(), amount: z.number() })),
});

/** A vendor's scorecard across its UCs: compliance per period, misses in a row, credits owed, triggers firing. */
export const VendorScorecardView = z.object({
  vendorId: z.string(),
  asOf: z.string(),
  periods: z.array(z.string()),
  objectives: z.array(
    z.object({
      agreementId: z.string(),
      title: z.string(),
      status: AgreementStatus,
      objectiveId: z.string(),
      targetPercent: z.number(),
      periods: z.array(PeriodScoreView),
      missedInARow: z.number().int(),
      missedPeriods: z.number().int(),
      triggers: z.array(
        z.object({ id: z.string(), task: z.string(), because: z.string(), taskId: z.string() }),
      ),
    }),
  ),
  creditsOwed: z.array(z.object({ currency: z.string(), amount: z.number() })),
  outsideScope: z.number().int(),
});

/** Opening the tasks of the triggers that fire: a reason is recorded with the request. */
export const VendorTriggersBody = z.strictObject({ reason: Reason });

export const VendorTriggersResponse = z.object({
  opened: z.array(z.string()),
  existing: z.array(z.string()),
  scorecard: VendorScorecardView,
});

/** Computing pass-through claims: the reason is stored with them. */
export const PassThroughBody = z.strictObject({ reason: Reason });

/** Recording a joint service review of an OLA or UC; each action becomes a task for its owner. */
export const RecordReviewBody = z.strictObject({
  date: IsoDate,
  attendees: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(120),
        email: Email,
        party: z.enum(['provider', 'customer', 'other']),
      }),
    )
    .min(2, 'a joint review has at least two attendees')
    .max(50),
  findings: z.array(z.string().min(1).max(2000)).max(100).default([]),
  actions: z
    .array(
      z.strictObject({
        description: z.string().min(3).max(2000),
        owner: Contact,
        dueDate: IsoDate,
      }),
    )
    .max(50)
    .default([]),
  reason: Reason,
});
export type RecordReviewBody = z.infer<typeof RecordReviewBody>;

export const ServiceReviewView = z.object({
  id: z.string(),
  agreementId: z.string(),
  date: z.string(),
  attendees: z.array(z.object({ name: z.string(), email: z.string(), party: z.string() })),
  findings: z.array(z.string()),
  actions: z.array(
    z.object({
      id: z.string(),
      description: z.string(),
      owner: z.object({ name: z.string(), email: z.string() }),
      dueDate: z.string(),
      taskId: z.string(),
    }),
  ),
  recordedAt: z.string(),
  recordedBy: z.string(),
  reason: z.string(),
});
