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
 * submitted, approved or active agreement would bypass sign-off. The rest (title, review dates, contacts
 * in the escalation matrix) are administrative and may change in any status but retired.
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
] as const;

export function materialFieldsIn(changed: readonly string[]): string[] {
  return changed.filter((f) => (MATERIAL_FIELDS as readonly string[]).includes(f));
}
