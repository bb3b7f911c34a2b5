/**
 * Archive keys: where each kind of record lives, and what a key may look like. Listing by type, agreement and
 * period reads the manifest entries (which carry those fields), never dates cut out of keys.
 */
import type { ArchiveType } from './chain.js';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Whether a key is one the archive accepts: `/`-separated segments of letters, digits, `.`, `_`, `-`. */
export function isArchiveKey(key: string): boolean {
  if (key.length > 512) return false;
  // An empty key is one empty segment, and `.` and `..` do not start with a letter or digit: SEGMENT refuses them.
  return key.split('/').every((s) => SEGMENT.test(s) && !s.includes('..'));
}

/**
 * The scope segment of a published report's key: `portfolio-<audience>[-<party>]` for the portfolio,
 * `unit.<business unit>-<audience>[-<party>]` for one business unit. The prefix keeps a business unit named
 * "portfolio" out of the portfolio's keys, which the SLA audit reads as the published report.
 */
export function reportScope(businessUnit: string | undefined, audience: string, party?: string): string {
  return `${businessUnit ? `unit.${businessUnit}` : 'portfolio'}-${audience}${party ? `-${party}` : ''}`;
}

/** The segment a free-form value becomes inside a key (a business unit, a scope). */
export function keySegment(value: string): string {
  const s = value
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 100);
  return s || 'none';
}

export interface ArchiveKeyInput {
  type: ArchiveType;
  /** The report type, for reports (`monthly-compliance`…). */
  reportType?: string;
  agreementId?: string;
  period?: string;
  /** What the record covers (portfolio, a business unit, an agreement) and for whom (the audience). */
  scope?: string;
  id: string;
  extension: string;
}

/** The key of a new archive object: `reports/<report type>/<period>/<scope>/<id>.<ext>`, and alike per type. */
export function archiveKey(i: ArchiveKeyInput): string {
  const period = keySegment(i.period ?? 'undated');
  const file = `${keySegment(i.id)}.${keySegment(i.extension)}`;
  switch (i.type) {
    case 'report':
      return `reports/${keySegment(i.reportType ?? 'report')}/${period}/${keySegment(i.scope ?? 'portfolio')}/${file}`;
    case 'credit-statement':
      return `credit-statements/${keySegment(i.agreementId ?? 'portfolio')}/${period}/${file}`;
    case 'violation':
      return `violations/${keySegment(i.agreementId ?? 'unknown')}/${period}/${file}`;
  }
}
