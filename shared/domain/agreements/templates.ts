import type { FieldProblem } from '../errors.js';
import { same } from './modular.js';

/** Where an agreement was drafted from, and the fields that template version fixes. */
export interface TemplateBinding {
  id: string;
  version: number;
  fixed: readonly string[];
}

/** People on an objective are the draft's (a template's objectives carry none): they never count as a change. */
const PEOPLE = ['owner', 'customerContact'];

function fixedView(field: string, v: unknown): unknown {
  if (field !== 'objectives' || !Array.isArray(v)) return v;
  return v.map((o) =>
    // Stryker disable next-line ConditionalExpression: objectives reach here validated by the agreement schema as objects; for a primitive both sides of the comparison would be mapped alike, so only a number could tell (never sent)
    o && typeof o === 'object'
      ? Object.fromEntries(Object.entries(o as Record<string, unknown>).filter(([k]) => !PEOPLE.includes(k)))
      : o,
  );
}

/**
 * The fields a template fixes that a change would alter (issue 11 item 5): an agreement drafted from a template stays
 * bound by what that template version fixes on every later edit and every new version (an update, an amendment by a
 * change request), not only at drafting. `changes` are the fields given, `current` the version they apply to (its
 * fixed fields are the template's, bound at drafting and kept since); a field given with the value it already has is
 * no change. An objective's people (`owner`, `customerContact`) are the agreement's, not the template's. One problem
 * per field, at `prefix + field`.
 */
export function templateFixedProblems(
  current: Readonly<Record<string, unknown>>,
  changes: Readonly<Record<string, unknown>>,
  binding: TemplateBinding | undefined,
  prefix = '',
): FieldProblem[] {
  if (!binding) return [];
  return binding.fixed
    .filter((f) => changes[f] !== undefined && !same(fixedView(f, changes[f]), fixedView(f, current[f])))
    .map((f) => ({
      path: `${prefix}${f}`,
      problem: `is fixed by template ${binding.id} v${binding.version} (the agreement was drafted from it)`,
    }));
}
