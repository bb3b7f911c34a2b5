import type { AgreementVersion } from '../../schemas/agreement.js';

export type AgreementStatus = AgreementVersion['status'];

/**
 * The agreement lifecycle as data: which step may be taken from which status, and where it leads.
 * `signoff` stays in `submitted` until every required capacity has approved (then `approved`),
 * or returns to `draft` on a rejection; the use case decides between those outcomes.
 */
export const LIFECYCLE = {
  update: { from: ['draft', 'submitted', 'approved', 'active', 'expired', 'sunset'], to: null },
  submit: { from: ['draft'], to: 'submitted' },
  withdraw: { from: ['submitted', 'approved'], to: 'draft' },
  signoff: { from: ['submitted'], to: null },
  activate: { from: ['approved'], to: 'active' },
  expire: { from: ['active'], to: 'expired' },
  sunset: { from: ['active'], to: 'sunset' },
  retire: { from: ['draft', 'submitted', 'approved', 'expired', 'sunset'], to: 'retired' },
} as const satisfies Record<string, { from: readonly AgreementStatus[]; to: AgreementStatus | null }>;

export type LifecycleStep = keyof typeof LIFECYCLE;

export function canTake(step: LifecycleStep, from: AgreementStatus): boolean {
  return (LIFECYCLE[step].from as readonly AgreementStatus[]).includes(from);
}

/**
 * Fields whose change alters the commitment itself. They may change only in `draft`: changing them on a
 * submitted, approved or active agreement would bypass sign-off. The escalation matrix is part of the
 * commitment (who is called, how fast); so are the renewal terms (see RENEWAL_TERMS). The rest (title, review
 * dates, the renewal date itself) are administrative and may change in any status but retired.
 */
export const MATERIAL_FIELDS = [
  'parties',
  'scope',
  'timeZone',
  'supportedHours',
  'objectives',
  'credits',
  'customerResponsibilities',
  'jurisdiction',
  'dataResidency',
  'complianceTags',
  'effectiveFrom',
  'effectiveTo',
  'underpinnedBy',
  'escalation',
  'underpinning',
  'indemnification',
] as const;

/** Renewal terms that bind the parties (whether it renews by itself, and the notice to stop it). */
export const RENEWAL_TERMS = ['autoRenew', 'noticeDays'] as const;

export function materialFieldsIn(changed: readonly string[]): string[] {
  return changed.filter((f) => (MATERIAL_FIELDS as readonly string[]).includes(f));
}

/**
 * The material changes a new value of the agreement makes: top-level material fields given, and each renewal
 * term whose value differs (as `renewal.autoRenew`, `renewal.noticeDays`).
 */
export function materialChanges(
  current: { renewal?: Partial<Record<(typeof RENEWAL_TERMS)[number], unknown>> | undefined },
  changes: Record<string, unknown>,
): string[] {
  const given = Object.keys(changes).filter((k) => changes[k] !== undefined);
  const out = materialFieldsIn(given);
  if (given.includes('renewal')) {
    const next = changes.renewal as Partial<Record<(typeof RENEWAL_TERMS)[number], unknown>> | undefined;
    for (const t of RENEWAL_TERMS) {
      if (JSON.stringify(next?.[t]) !== JSON.stringify(current.renewal?.[t])) out.push(`renewal.${t}`);
    }
  }
  return out;
}

/**
 * The people who shaped the version now submitted: every author of a material change (or of the first
 * version) since the previous submission. Versions are given oldest first; `submit` marks a submission.
 */
export function shapersOfSubmission(
  versions: readonly { change: string; changedBy: string; [k: string]: unknown }[],
): string[] {
  const submits = versions.flatMap((v, i) => (v.change === 'submit' ? [i] : []));
  const current = submits.at(-1);
  if (current === undefined) return [];
  const previous = submits.length > 1 ? submits.at(-2)! : -1;
  const out = new Set<string>();
  // Stryker disable next-line EqualityOperator: versions[current] is the submission itself (change 'submit'), which adds nobody
  for (let i = previous + 1; i < current; i++) {
    const v = versions[i]!;
    if (v.change === 'create') out.add(v.changedBy);
    else if (
      // Stryker disable next-line ConditionalExpression: between two submissions only an update changes material fields: withdraw and sign-off change status and sign-offs, and an amendment needs an active agreement, which never returns to draft to be submitted again
      v.change === 'update'
    ) {
      const before: Record<string, unknown> = versions[i - 1] ?? {};
      const changed = Object.keys(v).filter((k) => JSON.stringify(v[k]) !== JSON.stringify(before[k]));
      if (materialChanges(before as never, Object.fromEntries(changed.map((k) => [k, v[k]]))).length > 0)
        out.add(v.changedBy);
    }
  }
  return [...out];
}
