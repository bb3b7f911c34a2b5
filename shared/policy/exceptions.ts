import { z } from 'zod';
import { ROLES } from '../domain/access/policy.js';
import type { ExceptionRules } from '../domain/agreements/exceptions.js';

const Role = z.enum(ROLES);

/** Exception-window rules as data (shared/domain/agreements/exceptions.ts applies them), validated when loaded. */
export const ExceptionRulesSchema = z.strictObject({
  emergencyBackdateHours: z
    .number()
    .int()
    .min(0)
    .max(24 * 31),
  plannedBackdateMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60),
  maxHours: z.strictObject({
    'planned-maintenance': z.number().positive().max(744),
    emergency: z.number().positive().max(744),
  }),
  maxExcludedHoursPerPeriod: z.number().positive(),
  periodDays: z.number().int().min(1).max(366),
  approvers: z
    .array(
      z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('customer-unit'), role: Role }),
        z.strictObject({ kind: z.literal('capacity'), role: Role, capacities: z.array(z.string()).min(1) }),
      ]),
    )
    .min(1),
}) satisfies z.ZodType<ExceptionRules>;

/**
 * The default: emergencies may be requested up to 72 h after they start, maintenance before it starts; a
 * maintenance window lasts at most 8 h and an emergency 24 h; at most 24 h of an agreement may be excluded in
 * any 30 days (about 3.3 % of the period); the customer unit's SLA manager, or an approver holding the
 * governance-board or business-owner capacity, decides.
 */
export const DEFAULT_EXCEPTION_RULES: ExceptionRules = ExceptionRulesSchema.parse({
  emergencyBackdateHours: 72,
  plannedBackdateMinutes: 5,
  maxHours: { 'planned-maintenance': 8, emergency: 24 },
  maxExcludedHoursPerPeriod: 24,
  periodDays: 30,
  approvers: [
    { kind: 'customer-unit', role: 'sla-manager' },
    { kind: 'capacity', role: 'approver', capacities: ['governance-board', 'business-owner'] },
  ],
});
