import { z } from 'zod';
import { AUDIENCES, FORMATS, REPORT_TYPES, SENSITIVE_CLASSES } from '../domain/reports/model.js';
import reportsJson from './reports.json' with { type: 'json' };

const Audience = z.enum(AUDIENCES);
const Kind = z.enum(['SLA', 'OLA', 'UC']);

/** Who is sent a scheduled report: people by role (and sign-off capacity), resolved by the notifier. */
export const Recipients = z.strictObject({
  roles: z.array(z.enum(['admin', 'sla-manager', 'approver', 'service-owner', 'auditor', 'viewer'])).min(1),
  capacities: z.array(z.string().min(1)).default([]),
});

export const ReportScheduleDef = z.strictObject({
  /** Matches a row of shared/schedules.ts (`detail.reportSchedule`). */
  id: z.string().regex(/^[a-z][a-z0-9-]{1,62}$/),
  type: z.enum(REPORT_TYPES),
  audience: Audience,
  scope: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('portfolio') }),
    z.strictObject({ kind: z.literal('business-unit'), businessUnit: z.string().min(1) }),
  ]),
  formats: z.array(z.enum(FORMATS)).min(1),
  recipients: Recipients,
  /**
   * When the window closes with commentary still missing: `publish` (requests expire, the report goes out with what
   * was given) or `hold` (the report waits until every owner has answered; owners and SLA managers are reminded).
   */
  onCommentaryMissing: z.enum(['publish', 'hold']).default('publish'),
  /** Hours the owners of missed objectives have to comment before publication (0: no window). */
  commentaryWindowHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 14),
});
export type ReportScheduleDef = z.infer<typeof ReportScheduleDef>;

/** The reports policy: audiences (redaction), who may ask for which, thresholds, anomaly rules, scheduled reports. */
export const ReportsPolicy = z.strictObject({
  audiences: z.strictObject(
    Object.fromEntries(
      AUDIENCES.map((a) => [
        a,
        z.strictObject({
          description: z.string(),
          kinds: z.array(Kind).min(1),
          rows: z.enum(['all', 'own-customer', 'own-vendor']),
          hide: z.array(z.enum(SENSITIVE_CLASSES)),
        }),
      ]),
    ) as Record<
      (typeof AUDIENCES)[number],
      z.ZodObject<{
        description: z.ZodString;
        kinds: z.ZodArray<typeof Kind>;
        rows: z.ZodEnum<{ all: 'all'; 'own-customer': 'own-customer'; 'own-vendor': 'own-vendor' }>;
        hide: z.ZodArray<z.ZodEnum<{ [K in (typeof SENSITIVE_CLASSES)[number]]: K }>>;
      }>
    >,
  ),
  requestableBy: z.record(z.string(), z.array(Audience)),
  repeatOffenderThreshold: z.number().int().min(1).max(100),
  auditTolerancePoints: z.number().min(0).max(1),
  /** Burn-down charts per report at most (those with the least budget left are drawn). */
  maxCharts: z.number().int().min(1).max(500),
  anomalies: z.strictObject({
    /** A drop in an objective's monthly compliance of at least this many points from the previous month. */
    complianceDropPoints: z.number().gt(0).max(100),
    /** Violations in a month at least this many times the previous month's… */
    violationIncreaseRatio: z.number().gt(1).max(100),
    /** …and at least this many (so 1 → 2 is no alert). */
    violationIncreaseMinimum: z.number().int().min(1),
    notify: z.array(z.enum(['objective-owners', 'governance-board'])).min(1),
  }),
  schedules: z.array(ReportScheduleDef),
  /** Commentary reminders: hours before the window closes, and how often while a report is held for it. */
  commentary: z
    .strictObject({
      remindHoursBefore: z
        .array(
          z
            .number()
            .int()
            .min(1)
            .max(24 * 14),
        )
        .max(5),
      heldRemindEveryHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 7),
    })
    .default({ remindHoursBefore: [24, 4], heldRemindEveryHours: 24 }),
  /** E-mail delivery: files up to this many bytes in all are attached; a larger set is named by archive key only. */
  delivery: z
    .strictObject({
      maxAttachmentBytes: z
        .number()
        .int()
        .min(0)
        .max(40 * 1024 * 1024),
    })
    .default({ maxAttachmentBytes: 10 * 1024 * 1024 }),
});
export type ReportsPolicy = z.infer<typeof ReportsPolicy>;

/** The reports policy, validated: a bad file stops the process at start with the field that is wrong. */
export function loadReportsPolicy(raw: unknown = reportsJson): ReportsPolicy {
  const r = ReportsPolicy.safeParse(raw);
  if (!r.success) {
    throw new Error(
      `shared/policy/reports.json is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const ids = r.data.schedules.map((s) => s.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`shared/policy/reports.json is invalid: schedules: "${dup}" is defined twice`);
  return r.data;
}
