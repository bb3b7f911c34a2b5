/**
 * OpenSLO v1 documents (https://github.com/OpenSLO/OpenSLO, `openslo/v1`): the kinds Accord reads and writes,
 * as zod schemas. Strict: a field Accord does not know is reported (it would otherwise be dropped silently).
 */
import { z } from 'zod';

/** OpenSLO names are DNS labels (RFC 1123). */
export const OsName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lower-case RFC 1123 label (a-z, 0-9, -)');

/** OpenSLO's duration shorthand: a positive integer and one of s m h d w M Q Y. */
export const OsDuration = z
  .string()
  .regex(/^[1-9][0-9]*[smhdwMQY]$/, 'must be a duration shorthand such as 5m, 1h, 28d, 1w, 1M, 1Q');

export const OsMetadata = z.strictObject({
  name: OsName,
  displayName: z.string().min(1).max(200).optional(),
  labels: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type OsMetadata = z.infer<typeof OsMetadata>;

const head = <K extends string>(kind: K) => ({
  apiVersion: z.literal('openslo/v1', { message: 'must be openslo/v1' }),
  kind: z.literal(kind),
  metadata: OsMetadata,
});

export const OsMetricSource = z.strictObject({
  metricSourceRef: OsName.optional(),
  type: z.string().min(1).max(100).optional(),
  spec: z.record(z.string(), z.unknown()),
});
export type OsMetricSource = z.infer<typeof OsMetricSource>;
const Holder = z.strictObject({ metricSource: OsMetricSource });

export const OsSliSpec = z
  .strictObject({
    description: z.string().max(1050).optional(),
    thresholdMetric: Holder.optional(),
    ratioMetric: z
      .strictObject({
        counter: z.boolean(),
        good: Holder.optional(),
        bad: Holder.optional(),
        total: Holder.optional(),
        rawType: z.enum(['success', 'failure']).optional(),
        raw: Holder.optional(),
      })
      .superRefine((r, ctx) => {
        const shape = r.raw
          ? !r.good && !r.bad && !r.total && r.rawType !== undefined
          : r.total !== undefined && (r.good === undefined) !== (r.bad === undefined);
        if (!shape)
          ctx.addIssue({
            code: 'custom',
            message: 'must give total with exactly one of good or bad, or raw with rawType',
          });
      })
      .optional(),
  })
  .refine((s) => (s.thresholdMetric === undefined) !== (s.ratioMetric === undefined), {
    message: 'must give exactly one of thresholdMetric or ratioMetric',
  });
export type OsSliSpec = z.infer<typeof OsSliSpec>;

export const OsSli = z.strictObject({ ...head('SLI'), spec: OsSliSpec });
export type OsSli = z.infer<typeof OsSli>;

export const OsService = z.strictObject({
  ...head('Service'),
  spec: z.strictObject({ description: z.string().max(1050).optional() }),
});
export type OsService = z.infer<typeof OsService>;

export const OsDataSource = z.strictObject({
  ...head('DataSource'),
  spec: z.strictObject({
    description: z.string().max(1050).optional(),
    type: z.string().min(1).max(100),
    connectionDetails: z.record(z.string(), z.unknown()),
  }),
});
export type OsDataSource = z.infer<typeof OsDataSource>;

export const OsAlertConditionSpec = z.strictObject({
  description: z.string().max(1050).optional(),
  severity: z.string().min(1).max(100),
  condition: z.strictObject({
    kind: z.literal('burnrate'),
    op: z.enum(['lt', 'lte', 'gte', 'gt']),
    threshold: z.number().nonnegative(),
    lookbackWindow: OsDuration,
    alertAfter: OsDuration,
  }),
});
export const OsAlertCondition = z.strictObject({ ...head('AlertCondition'), spec: OsAlertConditionSpec });
export type OsAlertCondition = z.infer<typeof OsAlertCondition>;

export const OsAlertNotificationTargetSpec = z.strictObject({
  description: z.string().max(1050).optional(),
  target: z.string().min(1).max(200),
});
export const OsAlertNotificationTarget = z.strictObject({
  ...head('AlertNotificationTarget'),
  spec: OsAlertNotificationTargetSpec,
});
export type OsAlertNotificationTarget = z.infer<typeof OsAlertNotificationTarget>;

export const OsAlertPolicy = z.strictObject({
  ...head('AlertPolicy'),
  spec: z.strictObject({
    description: z.string().max(1050).optional(),
    alertWhenNoData: z.boolean().optional(),
    alertWhenResolved: z.boolean().optional(),
    alertWhenBreaching: z.boolean().optional(),
    conditions: z
      .array(
        z.union([
          z.strictObject({ conditionRef: OsName }),
          z.strictObject({
            kind: z.literal('AlertCondition'),
            metadata: OsMetadata,
            spec: OsAlertConditionSpec,
          }),
        ]),
      )
      .min(1),
    notificationTargets: z
      .array(
        z.union([
          z.strictObject({ targetRef: OsName }),
          z.strictObject({
            kind: z.literal('AlertNotificationTarget'),
            metadata: OsMetadata,
            spec: OsAlertNotificationTargetSpec,
          }),
        ]),
      )
      .default([]),
  }),
});
export type OsAlertPolicy = z.infer<typeof OsAlertPolicy>;

export const OsObjective = z
  .strictObject({
    displayName: z.string().min(1).max(200).optional(),
    op: z.enum(['lt', 'lte', 'gte', 'gt']).optional(),
    value: z.number().optional(),
    target: z.number().gt(0).lt(1).optional(),
    targetPercent: z.number().gt(0).lt(100).optional(),
    timeSliceTarget: z.number().gt(0).max(1).optional(),
    timeSliceWindow: z.union([OsDuration, z.number().int().positive()]).optional(),
    indicatorRef: OsName.optional(),
    compositeWeight: z.number().positive().optional(),
  })
  .refine((o) => (o.target === undefined) !== (o.targetPercent === undefined), {
    message: 'must give exactly one of target or targetPercent',
  })
  .refine((o) => (o.op === undefined) === (o.value === undefined), {
    message: 'op and value go together',
  });
export type OsObjective = z.infer<typeof OsObjective>;

export const OsTimeWindow = z.strictObject({
  duration: OsDuration,
  isRolling: z.boolean(),
  calendar: z
    .strictObject({
      startTime: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'must be "YYYY-MM-DD HH:MM:SS" (local time)'),
      timeZone: z.string().min(1).max(64),
    })
    .optional(),
});
export type OsTimeWindow = z.infer<typeof OsTimeWindow>;

export const OsSlo = z.strictObject({
  ...head('SLO'),
  spec: z
    .strictObject({
      description: z.string().max(1050).optional(),
      service: OsName,
      indicator: z.strictObject({ metadata: OsMetadata, spec: OsSliSpec }).optional(),
      indicatorRef: OsName.optional(),
      timeWindow: z.array(OsTimeWindow).length(1, 'OpenSLO v1 takes exactly one time window'),
      budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']),
      objectives: z.array(OsObjective).min(1).max(50),
      alertPolicies: z
        .array(
          z.union([
            z.strictObject({ alertPolicyRef: OsName }),
            z.strictObject({
              kind: z.literal('AlertPolicy'),
              metadata: OsMetadata,
              spec: OsAlertPolicy.shape.spec,
            }),
          ]),
        )
        .default([]),
    })
    .refine((s) => (s.indicator === undefined) !== (s.indicatorRef === undefined), {
      message: 'must give exactly one of indicator or indicatorRef',
    }),
});
export type OsSlo = z.infer<typeof OsSlo>;

export const OS_KINDS = {
  Service: OsService,
  SLI: OsSli,
  SLO: OsSlo,
  DataSource: OsDataSource,
  AlertPolicy: OsAlertPolicy,
  AlertCondition: OsAlertCondition,
  AlertNotificationTarget: OsAlertNotificationTarget,
} as const;
export type OsKind = keyof typeof OS_KINDS;

export type OsDocument =
  | OsService
  | OsSli
  | OsSlo
  | OsDataSource
  | OsAlertPolicy
  | OsAlertCondition
  | OsAlertNotificationTarget;
