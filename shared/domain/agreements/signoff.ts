import { z } from 'zod';
import type { AgreementVersion, SignOffCapacity } from '../../schemas/agreement.js';
import { AgreementKind, SignOffCapacity as Capacity } from '../../schemas/agreement.js';
import { ComplianceTag } from '../../schemas/common.js';
import type { Principal } from '../access/policy.js';

/** Sign-off rules are data: which capacities must sign an agreement, by kind, tier and content. */
export const SignOffRules = z.strictObject({
  version: z.literal(1),
  rules: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9-]+$/),
        description: z.string(),
        when: z.strictObject({
          kinds: z.array(AgreementKind).optional(),
          tiers: z.array(z.number().int().min(1).max(4)).optional(),
          hasCredits: z.boolean().optional(),
          complianceTagsAny: z.array(ComplianceTag).optional(),
        }),
        require: z.array(Capacity).min(1),
      }),
    )
    .min(1)
    .refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, 'rule ids must be unique'),
});
export type SignOffRules = z.infer<typeof SignOffRules>;

export interface RequiredSignOff {
  capacity: SignOffCapacity;
  /** The rules that made this capacity required, so the requirement explains itself. */
  rules: string[];
}

/** The capacities that must approve an agreement about a service of the given tier. */
export function requiredSignOffs(
  rules: SignOffRules,
  agreement: Pick<AgreementVersion, 'kind' | 'credits' | 'complianceTags'>,
  tier: number,
): RequiredSignOff[] {
  const out = new Map<SignOffCapacity, string[]>();
  for (const rule of rules.rules) {
    const w = rule.when;
    if (w.kinds && !w.kinds.includes(agreement.kind)) continue;
    if (w.tiers && !w.tiers.includes(tier)) continue;
    if (w.hasCredits !== undefined && w.hasCredits !== (agreement.credits !== undefined)) continue;
    if (w.complianceTagsAny && !w.complianceTagsAny.some((t) => agreement.complianceTags.includes(t)))
      continue;
    for (const cap of rule.require) out.set(cap, [...(out.get(cap) ?? []), rule.id]);
  }
  return [...out.entries()].map(([capacity, r]) => ({ capacity, rules: r }));
}

/**
 * Whether a principal may sign in a capacity. Approvers sign in the capacities their identity holds;
 * a service owner signs as `service-owner` for the services it owns.
 */
export function mayActInCapacity(
  principal: Principal,
  capacity: SignOffCapacity,
  serviceId: string,
): boolean {
  if (
    capacity === 'service-owner' &&
    principal.roles.includes('service-owner') &&
    principal.services.includes(serviceId)
  ) {
    return true;
  }
  return principal.roles.includes('approver') && principal.signOffCapacities.includes(capacity);
}

/** Capacities still waiting for an approval on this version. */
export function missingSignOffs(
  agreement: Pick<AgreementVersion, 'requiredSignOffs' | 'signOffs'>,
): SignOffCapacity[] {
  const approved = new Set(
    agreement.signOffs.filter((s) => s.decision === 'approved').map((s) => s.capacity),
  );
  return agreement.requiredSignOffs.map((r) => r.capacity).filter((c) => !approved.has(c));
}
