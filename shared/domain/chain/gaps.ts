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
import type { AgreementVersion } from '../../schemas/agreement.js';
import { type Interval, normalize, subtract, totalLength } from '../objectives/intervals.js';
import { addDays, DAY_MS, HOUR_MS, supportedIntervals, zonedToUtc } from '../objectives/time.js';
import type { ChainAgreement, EdgeSupport } from './graph.js';
import { edgesOf } from './graph.js';

type Objective = AgreementVersion['objectives'][number];

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

const NONE: readonly { to: string; s: EdgeSupport }[] = [];
const round = (x: number, dp = 4) => Math.round(x * 10 ** dp) / 10 ** dp;
const fmtMinutes = (m: number) => {
  const h = Math.floor(m / 60);
  const r = round(m - h * 60, 2);
  return h && r ? `${h} h ${r} min` : h ? `${h} h` : `${r} min`;
};

const windowTexts = new WeakMap<Objective, string>();

function windowText(o: Objective): string {
  const known = windowTexts.get(o);
  if (known !== undefined) return known;
  const text = computeWindowText(o);
  windowTexts.set(o, text);
  return text;
}

function computeWindowText(o: Objective): string {
  const w = o.window.type === 'rolling' ? `rolling ${o.window.days} days` : `calendar ${o.window.unit}`;
  const slice = o.timeSlice ? ` (${o.timeSlice.minutes}-minute slices at ${o.timeSlice.target})` : '';
  return `${w}, ${o.budgetingMethod}${slice}`;
}

/** Whether two percent-over-window objectives may be composed: same window, same budgeting method and slices. */
export function comparable(a: Objective, b: Objective): boolean {
  return windowText(a) === windowText(b);
}

/**
 * The analyser over one set of agreements (by id). Results are remembered per agreement and objective, so a
 * portfolio that shares OLAs and UCs analyses each once.
 */
export class GapAnalyser {
  private readonly effective = new Map<string, number | undefined>();
  private readonly slowest = new Map<string, { minutes: number; path: GapTerm[] } | undefined>();
  private readonly hours = new Map<string, Record<string, unknown> | undefined>();
  private readonly analysedIds = new Set<string>();
  private readonly targets = new Map<string, { d: ChainAgreement; o: Objective } | undefined>();
  private readonly supportIndex = new Map<string, Map<string, { to: string; s: EdgeSupport }[]>>();
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
      k: `${f.agreementId} ${f.objectiveId ?? ''} ${f.rule} ${f.dependencyIds.join(',')}`,
    }));
    keyed.sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0));
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
  private target(s: EdgeSupport, to: string, o: Objective): { d: ChainAgreement; o: Objective } | undefined {
    const key = `${to} ${s.dependencyObjectiveId ?? ''} ${o.sli.type}`;
    if (this.targets.has(key)) return this.targets.get(key);
    const t = this.findTarget(s, to, o);
    this.targets.set(key, t);
    return t;
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
  private supportsOf(a: ChainAgreement, objectiveId: string): readonly { to: string; s: EdgeSupport }[] {
    let index = this.supportIndex.get(a.id);
    if (!index) {
      index = new Map();
      for (const e of edgesOf(a))
        for (const s of e.supports) {
          const list = index.get(s.objectiveId);
          if (list) list.push({ to: e.to, s });
          else index.set(s.objectiveId, [{ to: e.to, s }]);
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
    if (supports.length === 0) return undefined;
    let value = 1;
    const groups = new Map<string, number>();
    const terms: GapTerm[] = [];
    for (const { to, s } of supports) {
      const t = this.target(s, to, o);
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
    const key = `${a.id} ${o.id}`;
    if (this.effective.has(key)) return this.effective.get(key) ?? o.target / 100;
    this.effective.set(key, undefined); // a cycle (refused at save) reads as the target alone
    const c = this.compose(a, o);
    const v = Math.min(o.target / 100, c?.value ?? 1);
    this.effective.set(key, v);
    return v;
  }

  private checkAvailability(a: ChainAgreement, o: Objective): void {
    const supports = this.supportsOf(a, o.id);
    const incomparable: GapTerm[] = [];
    for (const { to, s } of supports) {
      const t = this.target(s, to, o);
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
    if (incomparable.length) return;
    const c = this.compose(a, o);
    if (!c) return;
    const target = o.target / 100;
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
    const key = `${a.id} ${o.id}`;
    if (this.slowest.has(key)) return this.slowest.get(key);
    this.slowest.set(key, undefined);
    const serial: { minutes: number; path: GapTerm[] }[] = [];
    const groups = new Map<string, { minutes: number; path: GapTerm[] }>();
    for (const { to, s } of this.supportsOf(a, o.id)) {
      const t = this.target(s, to, o);
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
    this.slowest.set(key, worst);
    return worst;
  }

  private checkTime(a: ChainAgreement, o: Objective): void {
    for (const { to, s } of this.supportsOf(a, o.id)) {
      if (!this.target(s, to, o)) {
        this.unmatched(a, o, to, s);
        return;
      }
    }
    const windowMs = o.sli.thresholdMs;
    const worst = this.slowestPath(a, o);
    if (windowMs === undefined || !worst) return;
    const window = windowMs / 60_000;
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
    if (!d || d.supportedHours.kind === 'always') return;
    const key = JSON.stringify([a.supportedHours, a.timeZone, d.supportedHours, d.timeZone]);
    let figures: Record<string, unknown> | undefined;
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
