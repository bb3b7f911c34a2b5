/**
 * Coverage-gap analysis of the underpinning chain: whether the OLAs and UCs under an agreement can carry what it
 * promises, before anything breaches. Pure: the caller passes the agreements, the policy and the instant to judge
 * supported hours from.
 *
 * Rules (each finding names its rule, the objectives and the figures):
 * - `availability-composition`: serial dependencies multiply, a redundant group gives 1 − ∏(1 − aᵢ) (the standard
 *   reliability-block composition, e.g. Google SRE book ch. 3 "availability of dependencies", and ITIL's
 *   component availability); a dependency that itself rests on others carries min(its target, its composition).
 *   Below the upper objective's target is a gap.
 * - `time-path`: along each path down the chain, the hand-off minutes plus each level's time objective
 *   (resolution or response threshold) add up; the slowest path (the fastest member of a redundant group) beyond
 *   the upper objective's threshold is a gap.
 * - `hours-coverage`: the upper agreement's supported hours (its zone, its holidays) less the dependency's (its
 *   zone, its holidays) over the policy's horizon; anything left is time the upper promises and nobody under it
 *   supports.
 * - `incomparable`: an availability objective over a different window or budgeting method than the one it rests
 *   on (a calendar month under a rolling 28 days); named, and that composition is not judged.
 * - `unmatched-objective`: a linked agreement has no objective of the kind the edge needs.
 * - `unsupported-objective`: an SLA objective no edge supports.
 * - `underpins-nothing`: an active OLA/UC no active agreement rests on (portfolio only).
 */
import { type Interval, normalize, subtract, totalLength } from '../objectives/intervals.js';
import { addDays, DAY_MS, HOUR_MS, supportedIntervals, zonedToUtc } from '../objectives/time.js';
import type { ChainAgreement, ChainObjective, EdgeSupport } from './graph.js';

type Objective = ChainObjective;

export const GAP_RULES = [
  'availability-composition',
  'time-path',
  'hours-coverage',
  'incomparable',
  'unmatched-objective',
  'unsupported-objective',
  'underpins-nothing',
] as const;
export type GapRule = (typeof GAP_RULES)[number];
export type GapSeverity = 'info' | 'minor' | 'major' | 'critical';

/** What the policy says of one rule: how grave its findings are, and whether they stop activation. */
export interface GapRulePolicy {
  severity: GapSeverity;
  blocksActivation: boolean;
}

/** The gap policy (shared/policy/chain.json, validated when loaded). */
export interface GapPolicy {
  rules: Record<GapRule, GapRulePolicy>;
  /** Days of supported hours compared from the analysis instant (364 = 52 whole weeks). */
  hoursHorizonDays: number;
}

/** One term of a composition or one step of a path: which agreement's objective, with what figure. */
export interface GapTerm {
  agreementId: string;
  objectiveId: string;
  mode?: 'serial' | 'redundant';
  group?: string;
  /** Availability target in percent (availability rules). */
  percent?: number;
  /** Hand-off minutes into this level, and this level's own minutes (time rules). */
  handoffMinutes?: number;
  minutes?: number;
}

/** One coverage gap. `agreementId`/`objectiveId` name the upper objective that is not carried. */
export interface GapFinding {
  rule: GapRule;
  severity: GapSeverity;
  blocksActivation: boolean;
  agreementId: string;
  objectiveId?: string;
  /** The linked agreements the finding is about. */
  dependencyIds: string[];
  message: string;
  figures: Record<string, unknown>;
}

/** The analysis of one or more agreements: findings in a stable order (agreement, objective, rule). */
export interface GapAnalysis {
  analysed: number;
  findings: GapFinding[];
}

/** One edge supporting one objective, with the linked objective it resolves to (found once, on first use). */
interface Support {
  to: string;
  s: EdgeSupport;
  /** The upper objective `resolved` was found for, and what it resolved to (null: no such objective). */
  for?: Objective;
  resolved?: { d: ChainAgreement; o: Objective } | null;
}

const NONE: readonly Support[] = [];
const round = (x: number, dp = 4) => Math.round(x * 10 ** dp) / 10 ** dp;
const fmtMinutes = (m: number) => {
  const h = Math.floor(m / 60);
  const r = round(m - h * 60, 2);
  return h && r ? `${h} h ${r} min` : h ? `${h} h` : `${r} min`;
};

function windowText(o: Objective): string {
  const w = o.window.type === 'rolling' ? `rolling ${o.window.days} days` : `calendar ${o.window.unit}`;
  const slice = o.timeSlice ? ` (${o.timeSlice.minutes}-minute slices at ${o.timeSlice.target})` : '';
  return `${w}, ${o.budgetingMethod}${slice}`;
}

/** Whether two percent-over-window objectives may be composed: same window, same budgeting method and slices. */
export function comparable(a: Objective, b: Objective): boolean {
  // Field by field what `windowText` says in words (no text built: this runs for every term of every composition).
  const wa = a.window;
  const wb = b.window;
  if (a.budgetingMethod !== b.budgetingMethod) return false;
  if (wa.type === 'rolling') {
    // Stryker disable next-line ConditionalExpression: a calendar window has no `days`, so `wa.days !== wb.days` is already true when wb is not rolling
    if (wb.type !== 'rolling' || wa.days !== wb.days) return false;
    // Stryker disable next-line ConditionalExpression: a rolling window has no `unit`, so `wa.unit !== wb.unit` is already true when wb is not calendar
  } else if (wb.type !== 'calendar' || wa.unit !== wb.unit) return false;
  const sa = a.timeSlice;
  const sb = b.timeSlice;
  if (!sa || !sb) return !sa && !sb;
  return sa.minutes === sb.minutes && sa.target === sb.target;
}

/**
 * The analyser over one set of agreements (by id). Results are remembered per agreement and objective, so a
 * portfolio that shares OLAs and UCs analyses each once.
 */
export class GapAnalyser {
  // Remembered per objective (an objective belongs to one agreement of the set, so it names both): each
  // sub-chain is composed once however many paths reach it.
  private readonly effective = new Map<Objective, number | undefined>();
  private readonly slowest = new Map<Objective, { minutes: number; path: GapTerm[] } | undefined>();
  private readonly hours = new Map<string, Record<string, unknown> | undefined>();
  private readonly hoursKeys = new Map<ChainAgreement, string>();
  private readonly analysedIds = new Set<string>();
  private readonly supportIndex = new Map<string, Map<string, Support[]>>();
  private readonly out: GapFinding[] = [];
  private readonly from: number;
  private readonly to: number;

  constructor(
    private readonly byId: ReadonlyMap<string, ChainAgreement>,
    private readonly policy: GapPolicy,
    asOf: Date,
  ) {
    this.from = asOf.getTime();
    this.to = this.from + policy.hoursHorizonDays * DAY_MS;
  }

  /** Analyses an agreement and everything under it (once each); findings accumulate in `result()`. */
  analyse(id: string): void {
    if (this.analysedIds.has(id)) return;
    this.analysedIds.add(id);
    const a = this.byId.get(id);
    if (!a || a.kind === 'UC') return;
    for (const o of a.objectives) {
      const supports = this.supportsOf(a, o.id);
      if (supports.length === 0) {
        if (a.kind === 'SLA')
          this.add('unsupported-objective', a.id, o.id, [], {
            message: `${a.id} objective "${o.id}" (${o.name}) is underpinned by nothing${a.underpinnedBy.length ? ': its linked agreements do not say which objective they support' : ''}`,
            figures: { linkedAgreements: a.underpinnedBy.length },
          });
        continue;
      }
      if (o.sli.type === 'availability') this.checkAvailability(a, o);
      else if (o.sli.type === 'response-time' || o.sli.type === 'resolution-time') this.checkTime(a, o);
    }
    for (const to of new Set(a.underpinnedBy)) {
      this.checkHours(a, to);
      this.analyse(to);
    }
  }

  /** OLAs/UCs among `ids` that are active and that no active agreement of the set rests on. */
  orphans(ids: Iterable<string>): void {
    const restedOn = new Set<string>();
    for (const a of this.byId.values())
      if (a.status === 'active') for (const d of a.underpinnedBy) restedOn.add(d);
    for (const id of ids) {
      const a = this.byId.get(id);
      if (!a || a.kind === 'SLA' || a.status !== 'active' || restedOn.has(id)) continue;
      this.add('underpins-nothing', id, undefined, [], {
        message: `${a.kind} ${id} ("${a.title}") is active and underpins no active agreement`,
        figures: { kind: a.kind },
      });
    }
  }

  result(): GapAnalysis {
    const keyed = this.out.map((f) => ({
      f,
      // Stryker disable next-line StringLiteral: objective ids are slugs starting with a lower-case letter, which sort after both '' and the mutant's capital S, so the order is the same
      k: `${f.agreementId} ${f.objectiveId ?? ''} ${f.rule} ${f.dependencyIds.join(',')}`,
    }));
    keyed.sort((x, y) =>
      x.k < y.k
        ? -1
        : // Stryker disable next-line EqualityOperator,ConditionalExpression: Array.prototype.sort only asks whether the comparator is below 0, so 1 and 0 here order alike
          x.k > y.k
          ? 1
          : 0,
    );
    const findings = keyed.map((x) => x.f);
    return { analysed: this.analysedIds.size, findings };
  }

  private add(
    rule: GapRule,
    agreementId: string,
    objectiveId: string | undefined,
    dependencyIds: string[],
    f: { message: string; figures: Record<string, unknown> },
  ): void {
    const p = this.policy.rules[rule];
    this.out.push({
      rule,
      severity: p.severity,
      blocksActivation: p.blocksActivation,
      agreementId,
      ...(objectiveId === undefined ? {} : { objectiveId }),
      dependencyIds,
      ...f,
    });
  }

  /** The linked agreement's objective an edge rests on: the named one, else its first of the same SLI type. */
  private target(x: Support, o: Objective): { d: ChainAgreement; o: Objective } | undefined {
    // Stryker disable next-line ConditionalExpression: resolving again gives the same answer (performance only: each edge is resolved once)
    if (x.for !== o) {
      x.for = o;
      x.resolved = this.findTarget(x.s, x.to, o) ?? null;
    }
    return x.resolved ?? undefined;
  }

  private findTarget(
    s: EdgeSupport,
    to: string,
    o: Objective,
  ): { d: ChainAgreement; o: Objective } | undefined {
    const d = this.byId.get(to);
    if (!d) return undefined;
    const dep =
      s.dependencyObjectiveId === undefined
        ? d.objectives.find((x) => x.sli.type === o.sli.type)
        : d.objectives.find((x) => x.id === s.dependencyObjectiveId);
    return dep ? { d, o: dep } : undefined;
  }

  /** The edges supporting one objective of an agreement (indexed once per agreement). */
  private supportsOf(a: ChainAgreement, objectiveId: string): readonly Support[] {
    let index = this.supportIndex.get(a.id);
    // Stryker disable next-line ConditionalExpression: rebuilding the index gives the same lists (performance only)
    if (!index) {
      // As `edgesOf` orders them (linked agreement by linked agreement, then the edges' own order), without
      // building the edges: an edge's terms are read from the stored edge itself.
      index = new Map();
      // Stryker disable next-line ArrayDeclaration: a fallback list filled with a string holds no edge whose agreementId is a link, so it adds nothing
      const edges = a.underpinning ?? [];
      // Stryker disable next-line ConditionalExpression: the Set of a one-link list is the list itself (performance only; more links are deduplicated either way)
      const links = a.underpinnedBy.length === 1 ? a.underpinnedBy : [...new Set(a.underpinnedBy)];
      for (const to of links)
        for (const s of edges) {
          if (s.agreementId !== to) continue;
          const list = index.get(s.objectiveId);
          if (list) list.push({ to, s });
          else index.set(s.objectiveId, [{ to, s }]);
        }
      this.supportIndex.set(a.id, index);
    }
    return index.get(objectiveId) ?? NONE;
  }

  /**
   * The composed availability (fraction) of what supports objective `o` of `a`, or undefined when it cannot be
   * composed (nothing supports it, a term is unmatched or incomparable). Findings for those are raised by `analyse`.
   */
  private compose(a: ChainAgreement, o: Objective): { value: number; terms: GapTerm[] } | undefined {
    const supports = this.supportsOf(a, o.id);
    // Stryker disable next-line ConditionalExpression: composing no supports gives value 1 and no terms, and min(target, 1) is what undefined reads as
    if (supports.length === 0) return undefined;
    let value = 1;
    const groups = new Map<string, number>();
    const terms: GapTerm[] = [];
    for (const x of supports) {
      const { to, s } = x;
      const t = this.target(x, o);
      if (!t || !comparable(o, t.o)) return undefined;
      const eff = this.effectiveAvailability(t.d, t.o);
      terms.push({
        agreementId: to,
        objectiveId: t.o.id,
        mode: s.mode,
        ...(s.group === undefined ? {} : { group: s.group }),
        percent: round(eff * 100, 6),
      });
      if (s.mode === 'serial') value *= eff;
      else groups.set(s.group!, (groups.get(s.group!) ?? 1) * (1 - eff));
    }
    for (const allDown of groups.values()) value *= 1 - allDown;
    return { value, terms };
  }

  /** What an objective can really carry: min(its target, the composition of what it rests on). */
  private effectiveAvailability(a: ChainAgreement, o: Objective): number {
    if (this.effective.has(o)) return this.effective.get(o) ?? o.target / 100;
    this.effective.set(o, undefined); // a cycle (refused at save) reads as the target alone
    const c = this.compose(a, o);
    const v = Math.min(o.target / 100, c?.value ?? 1);
    this.effective.set(o, v);
    return v;
  }

  private checkAvailability(a: ChainAgreement, o: Objective): void {
    const supports = this.supportsOf(a, o.id);
    const incomparable: GapTerm[] = [];
    for (const x of supports) {
      const { to, s } = x;
      const t = this.target(x, o);
      if (!t) {
        this.unmatched(a, o, to, s);
        return;
      }
      if (!comparable(o, t.o)) {
        incomparable.push({ agreementId: to, objectiveId: t.o.id });
        this.add('incomparable', a.id, o.id, [to], {
          message: `${a.id} "${o.id}" is measured over ${windowText(o)}; ${to} "${t.o.id}" over ${windowText(t.o)}: the two cannot be compared, so the composition is not judged`,
          figures: { window: windowText(o), dependencyWindow: windowText(t.o) },
        });
      }
    }
    // Stryker disable next-line ConditionalExpression: compose answers undefined for an incomparable term, so the return below is taken instead
    if (incomparable.length) return;
    const c = this.compose(a, o);
    // Stryker disable next-line ConditionalExpression: compose answers undefined only for an unmatched, incomparable or unsupported objective, each of which returned above
    if (!c) return;
    const target = o.target / 100;
    // Stryker disable next-line EqualityOperator: a composition lands exactly 1e-12 below the target only by float accident; at the target itself both forms find no gap
    if (c.value < target - 1e-12) {
      const composed = round(c.value * 100, 6);
      this.add('availability-composition', a.id, o.id, [...new Set(c.terms.map((t) => t.agreementId))], {
        message: `${a.id} "${o.id}" promises ${o.target}%; what underpins it composes to ${composed}% (${round(o.target - c.value * 100, 6)} points short)`,
        figures: {
          targetPercent: o.target,
          composedPercent: composed,
          shortfallPercent: round(o.target - c.value * 100, 6),
          terms: c.terms,
        },
      });
    }
  }

  private unmatched(a: ChainAgreement, o: Objective, to: string, s: EdgeSupport): void {
    this.add('unmatched-objective', a.id, o.id, [to], {
      message:
        s.dependencyObjectiveId === undefined
          ? `${to} has no ${o.sli.type} objective to carry ${a.id} "${o.id}"`
          : `${to} has no objective "${s.dependencyObjectiveId}" to carry ${a.id} "${o.id}"`,
      figures: { sliType: o.sli.type },
    });
  }

  /** The slowest path (minutes) below objective `o` of `a`; undefined when nothing time-like supports it. */
  private slowestPath(a: ChainAgreement, o: Objective): { minutes: number; path: GapTerm[] } | undefined {
    if (this.slowest.has(o)) return this.slowest.get(o);
    this.slowest.set(o, undefined);
    const serial: { minutes: number; path: GapTerm[] }[] = [];
    const groups = new Map<string, { minutes: number; path: GapTerm[] }>();
    for (const x of this.supportsOf(a, o.id)) {
      const { to, s } = x;
      const t = this.target(x, o);
      if (!t || t.o.sli.thresholdMs === undefined) continue;
      const own = t.o.sli.thresholdMs / 60_000;
      const handoff = s.handoffMinutes ?? 0;
      const below = this.slowestPath(t.d, t.o);
      const step = {
        minutes: handoff + own + (below?.minutes ?? 0),
        path: [
          { agreementId: to, objectiveId: t.o.id, handoffMinutes: handoff, minutes: own },
          ...(below?.path ?? []),
        ],
      };
      if (s.mode === 'serial') serial.push(step);
      else {
        const g = groups.get(s.group!);
        if (!g || step.minutes < g.minutes) groups.set(s.group!, step);
      }
    }
    const all = [...serial, ...groups.values()];
    const worst = all.reduce<{ minutes: number; path: GapTerm[] } | undefined>(
      (w, x) => (w === undefined || x.minutes > w.minutes ? x : w),
      undefined,
    );
    this.slowest.set(o, worst);
    return worst;
  }

  private checkTime(a: ChainAgreement, o: Objective): void {
    for (const x of this.supportsOf(a, o.id)) {
      if (!this.target(x, o)) {
        this.unmatched(a, o, x.to, x.s);
        return;
      }
    }
    const windowMs = o.sli.thresholdMs;
    const worst = this.slowestPath(a, o);
    // Stryker disable next-line ConditionalExpression: without a threshold the window is NaN and no comparison with NaN holds, so nothing is added either way
    if (windowMs === undefined || !worst) return;
    const window = windowMs / 60_000;
    // Stryker disable next-line EqualityOperator: a path lands exactly 1e-9 above the window only by float accident; at the window itself both forms find no gap
    if (worst.minutes > window + 1e-9) {
      this.add('time-path', a.id, o.id, [...new Set(worst.path.map((t) => t.agreementId))], {
        message: `${a.id} "${o.id}" allows ${fmtMinutes(window)}; the slowest path under it (${worst.path.map((t) => t.agreementId).join(' → ')}) takes ${fmtMinutes(worst.minutes)}, ${fmtMinutes(worst.minutes - window)} over`,
        figures: {
          windowMinutes: round(window, 3),
          pathMinutes: round(worst.minutes, 3),
          overrunMinutes: round(worst.minutes - window, 3),
          path: worst.path,
        },
      });
    }
  }

  private checkHours(a: ChainAgreement, depId: string): void {
    const d = this.byId.get(depId);
    // Stryker disable next-line ConditionalExpression: a dependency supported always leaves nothing uncovered, so the analysis finds nothing (performance only)
    if (!d || d.supportedHours.kind === 'always') return;
    const key = `${this.hoursKey(a)}|${this.hoursKey(d)}`;
    let figures: Record<string, unknown> | undefined;
    // Stryker disable next-line ConditionalExpression: recomputing the figures gives the same figures (performance only)
    if (this.hours.has(key)) figures = this.hours.get(key);
    else {
      figures = this.uncovered(a, d);
      this.hours.set(key, figures);
    }
    if (!figures) return;
    this.add('hours-coverage', a.id, undefined, [depId], {
      message: `${depId} supports fewer hours than ${a.id} promises: ${figures.uncoveredHoursPerWeek} h a week uncovered on average${(figures.holidaysUncovered as string[]).length ? `, and its holidays ${(figures.holidaysUncovered as string[]).join(', ')}` : ''}`,
      figures,
    });
  }

  /** What an agreement's supported hours depend on (hours, zone), as text: equal texts give equal intervals. */
  private hoursKey(x: ChainAgreement): string {
    let k = this.hoursKeys.get(x);
    // Stryker disable next-line ConditionalExpression: recomputing the key gives the same text, JSON.stringify of the same fields (performance only)
    if (k === undefined) {
      k = JSON.stringify([x.supportedHours, x.timeZone]);
      this.hoursKeys.set(x, k);
    }
    return k;
  }

  private intervalsOf(x: ChainAgreement): Interval[] {
    return x.supportedHours.kind === 'always'
      ? [{ start: this.from, end: this.to }]
      : normalize(supportedIntervals(x.supportedHours, x.timeZone, this.from, this.to));
  }

  /** Supported time of `a` that `d` does not support over the horizon, or undefined when none is left. */
  private uncovered(a: ChainAgreement, d: ChainAgreement): Record<string, unknown> | undefined {
    const gaps = subtract(this.intervalsOf(a), this.intervalsOf(d));
    const total = totalLength(gaps);
    if (total === 0) return undefined;
    // Stryker disable next-line ConditionalExpression,ArrayDeclaration: d is never 'always' here (checkHours returned for it), so the other branch is never taken
    const holidays = d.supportedHours.kind === 'calendar' ? d.supportedHours.holidays : [];
    const holidaysUncovered = holidays.filter((h) => {
      const [y, m, day] = h.split('-').map(Number) as [number, number, number];
      const ld = { year: y, month: m, day };
      const s = zonedToUtc(ld, 0, d.timeZone);
      const e = zonedToUtc(addDays(ld, 1), 0, d.timeZone);
      return gaps.some((g) => g.start < e && g.end > s);
    });
    const weeks = (this.to - this.from) / (7 * DAY_MS);
    return {
      horizonDays: this.policy.hoursHorizonDays,
      uncoveredHours: round(total / HOUR_MS, 2),
      uncoveredHoursPerWeek: round(total / HOUR_MS / weeks, 2),
      holidaysUncovered,
      examples: gaps
        .slice(0, 3)
        .map((g) => ({ from: new Date(g.start).toISOString(), to: new Date(g.end).toISOString() })),
    };
  }
}

/**
 * Gap analysis of the agreements `roots` and everything under them, over the set `byId`. `orphanCandidates`, when
 * given (the portfolio), are also checked for the `underpins-nothing` rule against every active agreement of the set.
 */
export function analyseGaps(
  byId: ReadonlyMap<string, ChainAgreement>,
  roots: Iterable<string>,
  policy: GapPolicy,
  asOf: Date,
  orphanCandidates?: Iterable<string>,
): GapAnalysis {
  const g = new GapAnalyser(byId, policy, asOf);
  for (const id of roots) g.analyse(id);
  if (orphanCandidates) g.orphans(orphanCandidates);
  return g.result();
}
