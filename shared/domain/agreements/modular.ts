import type { AgreementContent, AgreementVersion } from '../../schemas/agreement.js';
import type { FieldProblem } from '../errors.js';

/**
 * Modular agreements (issue 11 item 6): a master agreement per customer carries the corporate-level terms; each
 * service schedule under it inherits them by the precedence policy (shared/policy/modular.json):
 *
 * - `master`: the master's term is the schedule's; a schedule stating a different one is refused (the master
 *   governs, as an MSA's order-of-precedence clause says the master prevails on its own subjects);
 * - `union`: the master's list plus the schedule's own additions (customer responsibilities accumulate);
 * - `lowest`: the lower of the master's cap and the schedule's (a schedule may tighten a cap, never raise it).
 *
 * Every other term (objectives, supported hours, scope, credit tiers, escalation, renewal, …) is the schedule's own.
 * Pure: no I/O.
 */

/** How a master-level term binds a schedule (see above). */
export type TermRule = 'master' | 'union' | 'lowest';

/** The precedence policy: master-level term (a field, or `credits.capPercent`) → its rule. */
export interface ModularPolicy {
  terms: Record<string, TermRule>;
}

/** Statuses in which a master can no longer take or govern schedules. */
const ENDED = new Set(['expired', 'sunset', 'retired']);

/** Where one effective term came from. `from: both` for a union; `rule: own` for the schedule's own terms. */
export interface TermSource {
  from: 'schedule' | 'master' | 'both';
  rule: TermRule | 'own';
  agreementId: string;
  version: number;
}

/** The terms in force for an agreement and, per term, which agreement and version each came from. */
export interface EffectiveTerms {
  terms: Record<string, unknown>;
  sources: Record<string, TermSource>;
}

/** The content fields an effective-terms read reports (bookkeeping and lifecycle fields are not terms). */
export const TERM_FIELDS = [
  'title',
  'description',
  'parties',
  'scope',
  'timeZone',
  'supportedHours',
  'objectives',
  'credits',
  'customerResponsibilities',
  'reviewCycle',
  'renewal',
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

/** Deep equality of JSON values, key order ignored. */
export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

function masterCap(master: AgreementVersion): number | undefined {
  return master.module?.role === 'master' ? master.module.caps.creditPercent : undefined;
}

/**
 * What a master agreement may not hold: it is an SLA (customer-facing corporate terms) with no objectives, credit
 * tiers or underpinning of its own (those are each schedule's; its caps are `module.caps`).
 */
export function masterProblems(
  a: Pick<AgreementContent, 'kind' | 'objectives' | 'credits' | 'underpinnedBy'>,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (a.kind !== 'SLA') problems.push({ path: 'kind', problem: 'a master agreement is an SLA' });
  if (a.objectives.length)
    problems.push({ path: 'objectives', problem: 'belong to the schedules: a master agreement has none' });
  if (a.credits)
    problems.push({
      path: 'credits',
      problem: 'belong to the schedules: a master caps them with module.caps',
    });
  if (a.underpinnedBy.length)
    problems.push({
      path: 'underpinnedBy',
      problem: 'belongs to the schedules: a master is underpinned by none',
    });
  return problems;
}

/**
 * Whether a schedule may stand under `master` (its version in force): `master` must be a master agreement not
 * ended, of the same provider unit and the same customer; the schedule is an SLA; each master-ruled term it states
 * equals the master's; its credit cap is not above the master's. `only`, when given, limits the term checks to
 * those fields (an update judges what it changes). Returns one problem per fault, paths as in the body.
 */
export function scheduleProblems(
  schedule: Pick<AgreementContent, 'kind' | 'businessUnit' | 'parties'> & Partial<AgreementContent>,
  master: AgreementVersion | undefined,
  policy: ModularPolicy,
  only?: ReadonlySet<string>,
): FieldProblem[] {
  if (master?.module?.role !== 'master')
    return [{ path: 'module.masterId', problem: 'names no master agreement' }];
  const problems: FieldProblem[] = [];
  if (ENDED.has(master.status))
    problems.push({ path: 'module.masterId', problem: `names a master agreement that is ${master.status}` });
  if (schedule.kind !== 'SLA')
    problems.push({ path: 'kind', problem: 'a schedule under a master is an SLA' });
  if (schedule.businessUnit !== master.businessUnit)
    problems.push({
      path: 'businessUnit',
      problem: 'must be the master agreement’s provider unit',
    });
  if (!same(schedule.parties?.customer, master.parties.customer))
    problems.push({ path: 'parties.customer', problem: 'must be the master agreement’s customer' });
  for (const [term, rule] of Object.entries(policy.terms)) {
    const field = term.split('.')[0]!;
    if (only && !only.has(field)) continue;
    if (term === 'credits.capPercent') {
      const cap = masterCap(master);
      const mine = schedule.credits?.capPercent;
      if (cap === undefined || mine === undefined) continue;
      if (rule === 'lowest' ? mine > cap : mine !== cap)
        problems.push({
          path: term,
          problem: `${mine} is ${rule === 'lowest' ? 'above' : 'not'} the master’s cap of ${cap}% (policy: ${rule})`,
        });
      continue;
    }
    if (rule !== 'master') continue;
    const mine = (schedule as Record<string, unknown>)[term];
    const theirs = (master as Record<string, unknown>)[term];
    if (mine !== undefined && !same(mine, theirs))
      problems.push({
        path: term,
        problem: `differs from master agreement ${master.id} v${master.version}, whose term governs (policy: master)`,
      });
  }
  return problems;
}

/**
 * The master-ruled terms a schedule leaves out, taken from its master (so a schedule body need not repeat
 * jurisdiction, data residency, review cycle): returns the body with those filled.
 */
export function inheritFromMaster<T extends Record<string, unknown>>(
  body: T,
  master: AgreementVersion,
  policy: ModularPolicy,
): T {
  const out: Record<string, unknown> = { ...body };
  for (const [term, rule] of Object.entries(policy.terms)) {
    if (rule === 'master' && !term.includes('.') && out[term] === undefined)
      out[term] = (master as Record<string, unknown>)[term];
  }
  return out as T;
}

/**
 * The effective terms of an agreement. A standalone agreement or a master: its own, every term from itself. A
 * schedule: its own terms with the master's (its version in force) applied by the policy, each term naming the
 * agreement and version it came from; `liabilityCap` is the master's `module.caps.liability` when it has one.
 */
export function effectiveTerms(
  a: AgreementVersion,
  master: AgreementVersion | undefined,
  policy: ModularPolicy,
): EffectiveTerms {
  const terms: Record<string, unknown> = {};
  const sources: Record<string, TermSource> = {};
  const own: TermSource = { from: 'schedule', rule: 'own', agreementId: a.id, version: a.version };
  for (const f of TERM_FIELDS) {
    const v = (a as Record<string, unknown>)[f];
    if (v === undefined) continue;
    terms[f] = v;
    sources[f] = own;
  }
  if (a.module?.role === 'master' && a.module.caps.liability) {
    terms.liabilityCap = a.module.caps.liability;
    sources.liabilityCap = own;
  }
  if (a.module?.role !== 'schedule' || !master || master.module?.role !== 'master') return { terms, sources };
  const fromMaster = (rule: TermRule): TermSource => ({
    from: 'master',
    rule,
    agreementId: master.id,
    version: master.version,
  });
  for (const [term, rule] of Object.entries(policy.terms)) {
    if (term === 'credits.capPercent') {
      const cap = masterCap(master);
      if (cap === undefined || !a.credits) continue;
      if (rule === 'master' || cap < a.credits.capPercent) {
        terms.credits = { ...a.credits, capPercent: cap };
        sources['credits.capPercent'] = fromMaster(rule);
      } else {
        sources['credits.capPercent'] = { ...own, rule };
      }
      continue;
    }
    const theirs = (master as Record<string, unknown>)[term];
    if (rule === 'union') {
      const mine = ((a as Record<string, unknown>)[term] as unknown[] | undefined) ?? [];
      const all = [...((theirs as unknown[] | undefined) ?? [])];
      for (const x of mine) if (!all.some((y) => same(x, y))) all.push(x);
      terms[term] = all;
      sources[term] = {
        ...fromMaster(rule),
        from: all.length > ((theirs as unknown[]) ?? []).length ? 'both' : 'master',
      };
    } else if (theirs !== undefined) {
      terms[term] = theirs;
      sources[term] = fromMaster(rule);
    }
  }
  if (master.module.caps.liability) {
    terms.liabilityCap = master.module.caps.liability;
    sources.liabilityCap = fromMaster('master');
  }
  return { terms, sources };
}
