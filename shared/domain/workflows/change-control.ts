/**
 * The change guard of issue 11 item 4: what may change in an agreement without re-approval and what needs a new
 * version and sign-off, and which sign-offs the change control path asks for (policy data by tier and content).
 * Pure: no I/O, no clock.
 */
import { materialChanges } from '../agreements/lifecycle.js';

/** One rule of the change control path: when a change touches these fields (at these tiers), these must sign. */
export interface ChangeControlRule {
  id: string;
  description?: string | undefined;
  when: {
    /** Any of these material fields changing (`objectives`, `credits`, `renewal.autoRenew` …). Absent: any. */
    fieldsAny?: readonly string[] | undefined;
    tiers?: readonly number[] | undefined;
    kinds?: readonly ('SLA' | 'OLA' | 'UC')[] | undefined;
  };
  require: readonly string[];
}

export interface ChangeControlPolicy {
  rules: readonly ChangeControlRule[];
}

/** The guard's verdict on a proposed change: which of its fields are administrative, which material. */
export interface ChangeClassification {
  /** Fields whose new value differs and that may change in force, without re-approval (title, review dates …). */
  administrative: string[];
  /**
   * Fields whose change alters the commitment (MATERIAL_FIELDS, and the renewal terms as `renewal.autoRenew`,
   * `renewal.noticeDays`): they need a new version signed off by the change control path.
   */
  material: string[];
  /** Fields proposed with the value they already have: no change. */
  unchanged: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Classifies a proposed change against the terms in force. A field proposed with its current value is unchanged;
 * of the others, the material ones are those `materialChanges` names (the lifecycle's one list), everything else
 * is administrative. `renewal` counts as administrative only when just its date moves.
 */
export function classifyChange(
  current: Record<string, unknown> & { renewal?: Record<string, unknown> | undefined },
  proposed: Record<string, unknown>,
): ChangeClassification {
  const given = Object.keys(proposed).filter((k) => proposed[k] !== undefined);
  const unchanged = given.filter((k) => same(current[k], proposed[k]));
  const differing = given.filter((k) => !unchanged.includes(k));
  const material = materialChanges(current, Object.fromEntries(differing.map((k) => [k, proposed[k]])));
  const materialTop = new Set(material.map((f) => f.split('.')[0]!));
  const administrative = differing.filter((k) => !materialTop.has(k));
  return { administrative, material, unchanged };
}

/**
 * The sign-offs a material change needs: every rule whose fields (any), tiers and kinds match adds its capacities,
 * each with the rules that asked for it. An administrative change needs none.
 */
export function changeSignOffs(
  policy: ChangeControlPolicy,
  material: readonly string[],
  tier: number,
  kind: 'SLA' | 'OLA' | 'UC',
): { capacity: string; rules: string[] }[] {
  if (material.length === 0) return [];
  const out = new Map<string, string[]>();
  for (const r of policy.rules) {
    const w = r.when;
    if (w.tiers && !w.tiers.includes(tier)) continue;
    if (w.kinds && !w.kinds.includes(kind)) continue;
    if (
      w.fieldsAny &&
      !w.fieldsAny.some((f) => material.includes(f) || material.some((m) => m.startsWith(`${f}.`)))
    )
      continue;
    for (const c of r.require) out.set(c, [...(out.get(c) ?? []), r.id]);
  }
  return [...out.entries()].map(([capacity, rules]) => ({ capacity, rules }));
}

/**
 * Fields the request changes that were changed in the agreement since the version it was made against: applying it
 * would override a change nobody who decided on the request saw.
 */
export function changedSince(
  base: Record<string, unknown>,
  current: Record<string, unknown>,
  proposed: Record<string, unknown>,
): string[] {
  return Object.keys(proposed).filter((k) => !same(base[k], current[k]));
}
