/**
 * Chain policy as data (chain.json): per coverage-gap rule, its severity and whether its findings block an
 * agreement's activation; the horizon over which supported hours are compared. Validated on load.
 */
import { z } from 'zod';
import { GAP_RULES, type GapPolicy } from '../domain/chain/gaps.js';
import chainJson from './chain.json' with { type: 'json' };

const RulePolicy = z.strictObject({
  severity: z.enum(['info', 'minor', 'major', 'critical']),
  blocksActivation: z.boolean(),
});

export const ChainPolicy = z.strictObject({
  version: z.literal(1),
  description: z.string().optional(),
  hoursHorizonDays: z.number().int().min(7).max(731),
  rules: z.strictObject(
    Object.fromEntries(GAP_RULES.map((r) => [r, RulePolicy])) as Record<
      (typeof GAP_RULES)[number],
      typeof RulePolicy
    >,
  ),
});

/** Parses a chain policy document; throws naming the first wrong field. */
export function parseChainPolicy(doc: unknown): GapPolicy {
  const r = ChainPolicy.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`shared/policy/chain.json: ${i.path.join('.') || '(root)'} ${i.message}`);
  }
  return { rules: r.data.rules, hoursHorizonDays: r.data.hoursHorizonDays };
}

/** The deployed chain policy (shared/policy/chain.json). */
export function loadChainPolicy(): GapPolicy {
  return parseChainPolicy(chainJson);
}
