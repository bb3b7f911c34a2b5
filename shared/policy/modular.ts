import { z } from 'zod';
import type { TermRule as DomainTermRule } from '../domain/agreements/modular.js';
import modularJson from './modular.json' with { type: 'json' };

/** How one master-level term binds a schedule: see shared/domain/agreements/modular.ts. */
export const TermRule = z.enum(['master', 'union', 'lowest']) satisfies z.ZodType<DomainTermRule>;
type TermRule = DomainTermRule;

/** The terms a master may rule and the rules they may take (others are not corporate-level terms). */
const RULABLE = {
  jurisdiction: ['master'],
  dataResidency: ['master'],
  reviewCycle: ['master'],
  customerResponsibilities: ['master', 'union'],
  'credits.capPercent': ['master', 'lowest'],
} as const satisfies Record<string, readonly TermRule[]>;

export const ModularPolicy = z
  .strictObject({
    version: z.literal(1),
    description: z.string().optional(),
    terms: z.record(z.string(), TermRule),
  })
  .superRefine((p, ctx) => {
    for (const [term, rule] of Object.entries(p.terms)) {
      const allowed = (RULABLE as Record<string, readonly TermRule[]>)[term];
      if (!allowed)
        ctx.addIssue({
          code: 'custom',
          path: ['terms', term],
          message: `is not a master-level term (one of ${Object.keys(RULABLE).join(', ')})`,
        });
      else if (!allowed.includes(rule))
        ctx.addIssue({
          code: 'custom',
          path: ['terms', term],
          message: `may take ${allowed.join(' or ')}, not ${rule}`,
        });
    }
  });
export type ModularPolicy = z.infer<typeof ModularPolicy>;

/** The precedence policy of modular agreements (shared/policy/modular.json), validated; throws naming the term. */
export function loadModularPolicy(raw: unknown = modularJson): ModularPolicy {
  const r = ModularPolicy.safeParse(raw);
  if (!r.success)
    throw new Error(
      `shared/policy/modular.json: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}
