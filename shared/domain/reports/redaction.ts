/**
 * Redaction per audience, as data (shared/policy/reports.json, validated by shared/policy/reports.ts):
 * 1. rows: which agreements an audience may see at all (kinds; only its own customer's or vendor's), applied
 *    to the figures before a report is built, so no total counts what was left out;
 * 2. columns: which sensitive classes it may not see, removed from the built model.
 */
import type { AgreementInfo } from './figures.js';
import type { Audience, ReportModel, SensitiveClass } from './model.js';

export interface AudienceRule {
  kinds: ('SLA' | 'OLA' | 'UC')[];
  /** all: every agreement in the caller's scope; own-customer / own-vendor: only the named party's. */
  rows: 'all' | 'own-customer' | 'own-vendor';
  hide: SensitiveClass[];
}

/** Whether an audience (for a party: a customer business unit, a vendor id) may see an agreement at all. */
export function visibleTo(rule: AudienceRule, party: string | undefined, a: AgreementInfo): boolean {
  if (!rule.kinds.includes(a.kind)) return false;
  switch (rule.rows) {
    case 'all':
      return true;
    // Without a party nothing matches: an agreement's party id is always a string, never undefined.
    case 'own-customer':
      return a.customer.type === 'business-unit' && a.customer.id === party;
    case 'own-vendor':
      return a.provider.type === 'vendor' && a.provider.id === party;
  }
}

/** Who commentary is signed by when the audience may not see the provider's people. */
export const PROVIDER_SIGNATURE = 'the service provider';

/**
 * The model without the columns (header and cells) whose class the audience may not see; commentary keeps its
 * text but is signed by the provider, not the person, when internal contacts are hidden.
 */
export function maskColumns(model: ReportModel, hide: readonly SensitiveClass[]): ReportModel {
  if (hide.length === 0) return model;
  return {
    ...model,
    commentary: hide.includes('internal-contact')
      ? model.commentary.map((c) => ({ ...c, author: PROVIDER_SIGNATURE }))
      : model.commentary,
    sections: model.sections.map((s) => ({
      ...s,
      tables: s.tables.map((t) => {
        const keep = t.columns.map((c) => c.class === undefined || !hide.includes(c.class));
        return {
          ...t,
          columns: t.columns.filter((_, i) => keep[i]),
          rows: t.rows.map((r) => r.filter((_, i) => keep[i])),
        };
      }),
    })),
  };
}

/** The audiences a set of roles may ask for (the union over the roles). */
export function requestableAudiences(
  requestableBy: Readonly<Record<string, readonly Audience[]>>,
  roles: readonly string[],
): Audience[] {
  return [...new Set(roles.flatMap((r) => requestableBy[r] ?? []))];
}
