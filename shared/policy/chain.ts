/**
 * Chain policy as data (chain.json): per coverage-gap rule, its severity and whether its findings block an
 * agreement's activation; the horizon over which supported hours are compared. Validated on load.
 */
import { z } from 'zod';
import { GAP_RULES, type GapPolicy } from '../domain/chain/gaps.js';
import type { VendorTrigger } from '../domain/chain/vendors.js';
import chainJson from './chain.json' with { type: 'json' };

const RulePolicy = z.strictObject({
  severity: z.enum(['info', 'minor', 'major', 'critical']),
  blocksActivation: z.boolean(),
});

export const ChainPolicy = z.strictObject({
  version: z.literal(1),
  description: z.string().optional(),
  hoursHorizonDays: z.number().int().min(7).max(731),
  /** Calendar months a vendor scorecard covers, ending with the current one. */
  scorecardMonths: z.number().int().min(1).max(36),
  vendorTriggers: z
    .array(
      z
        .strictObject({
          id: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/),
          missedInARow: z.number().int().min(1).max(36).optional(),
          missedOf: z
            .strictObject({
              count: z.number().int().min(1).max(36),
              periods: z.number().int().min(1).max(36),
            })
            .refine((m) => m.count <= m.periods, 'count must not exceed periods')
            .optional(),
          task: z.enum(['vendor-remediation', 'renegotiation']),
          because: z.string().min(3).max(300),
        })
        .refine((t) => t.missedInARow !== undefined || t.missedOf !== undefined, 'names no condition'),
    )
    .max(20),
  rules: z.strictObject(
    Object.fromEntries(GAP_RULES.map((r) => [r, RulePolicy])) as Record<
      (typeof GAP_RULES)[number],
      typeof RulePolicy
    >,
  ),
});

/** The chain policy as the use cases read it. */
export interface ChainPolicyData extends GapPolicy {
  scorecardMonths: number;
  vendorTriggers: VendorTrigger[];
}

/** Parses a chain policy document; throws naming the first wrong field. */
export function parseChainPolicy(doc: unknown): ChainPolicyData {
  const r = ChainPolicy.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`shared/policy/chain.json: ${i.path.join('.') || '(root)'} ${i.message}`);
  }
  return {
    rules: r.data.rules,
    hoursHorizonDays: r.data.hoursHorizonDays,
    scorecardMonths: r.data.scorecardMonths,
    vendorTriggers: r.data.vendorTriggers,
  };
}

/** The deployed chain policy (shared/policy/chain.json). */
export function loadChainPolicy(): ChainPolicyData {
  return parseChainPolicy(chainJson);
}
