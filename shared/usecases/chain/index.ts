import { canAccess, type Principal } from '../../domain/access/policy.js';
import { type Contributor, chainCandidates, rankContributors } from '../../domain/chain/breach.js';
import { analyseGaps, type GapAnalysis, type GapFinding, type GapPolicy } from '../../domain/chain/gaps.js';
import type { ChainAgreement } from '../../domain/chain/graph.js';
import { edgesOf } from '../../domain/chain/graph.js';
import { NotFoundError, UnavailableError } from '../../domain/errors.js';
import type { AgreementStore } from '../../ports/agreements.js';
import type { Clock } from '../../ports/clock.js';
import type { ViolationStore } from '../../ports/objectives.js';
import type { AgreementVersion } from '../../schemas/agreement.js';
import type { ChainGraph, GapReport } from '../../schemas/chain.js';
import { agreementLocation } from '../agreements.js';

export interface ChainDeps {
  agreements: AgreementStore;
  clock: Clock;
  policy: GapPolicy;
  /** Violations, for breach analysis through the chain; absent where not wired (that route answers 503). */
  violations?: ViolationStore | undefined;
}

/** A breach and what was failing under it (GET /v1/violations/{id}/chain). */
export interface BreachAnalysis {
  violationId: string;
  agreementId: string;
  objectiveId: string;
  period: { start: string; end: string };
  targetPercent: number;
  compliancePercent: number | null;
  /** Underpinning objectives examined (at any depth, in the caller's scope or not). */
  examined: number;
  contributors: Contributor[];
  /** Contributors on agreements outside the caller's scope: counted, not named. */
  outsideScope: number;
}

/** Statuses in which an agreement's promises are analysed in the portfolio (in force or on its way). */
const LIVE: ReadonlySet<AgreementVersion['status']> = new Set(['draft', 'submitted', 'approved', 'active']);
const HIDDEN = 'an agreement outside your scope';

/**
 * The underpinning chain: the dependency graph around an agreement, and coverage-gap analysis for one agreement
 * or the whole portfolio, scoped to what the caller may read (what lies outside is counted, not named).
 */
export class ChainUseCases {
  constructor(private readonly deps: ChainDeps) {}

  /**
   * The chain around an agreement: what it rests on (levels 1, 2 …) and what rests on it (−1, −2 …), at any
   * depth. NotFoundError when the agreement does not exist or the caller may not read it.
   */
  async graph(principal: Principal, id: string): Promise<ChainGraph> {
    const root = await this.readable(principal, id);
    const levels = new Map<string, number>([[id, 0]]);
    const nodes = new Map<string, AgreementVersion>([[id, root]]);
    const edges: ReturnType<typeof edgesOf> = [];
    const down = [root];
    while (down.length) {
      const a = down.shift()!;
      for (const e of edgesOf(a)) {
        edges.push(e);
        if (nodes.has(e.to)) continue;
        const d = await this.deps.agreements.get(e.to);
        if (!d) continue;
        nodes.set(d.id, d);
        levels.set(d.id, levels.get(a.id)! + 1);
        down.push(d);
      }
    }
    const up = [root];
    while (up.length) {
      const a = up.shift()!;
      for (const u of await this.deps.agreements.dependants(a.id)) {
        if (!nodes.has(u.id)) {
          nodes.set(u.id, u);
          levels.set(u.id, levels.get(a.id)! - 1);
          up.push(u);
        }
        const e = edgesOf(u).find((x) => x.to === a.id);
        if (e && !edges.some((x) => x.from === e.from && x.to === e.to)) edges.push(e);
      }
    }
    const visible = (x: string) => {
      const n = nodes.get(x);
      return n !== undefined && this.mayRead(principal, n);
    };
    const shownNodes = [...nodes.values()].filter((n) => visible(n.id));
    const shownEdges = edges.filter((e) => visible(e.from) && visible(e.to));
    return {
      agreementId: id,
      nodes: shownNodes.map((n) => ({
        id: n.id,
        kind: n.kind,
        title: n.title,
        status: n.status,
        serviceId: n.serviceId,
        businessUnit: n.businessUnit,
        level: levels.get(n.id)!,
        objectives: n.objectives.map((o) => ({
          id: o.id,
          sliType: o.sli.type,
          target: o.target,
          ...(o.sli.thresholdMs === undefined ? {} : { thresholdMs: o.sli.thresholdMs }),
        })),
      })),
      edges: shownEdges,
      outsideScope: { agreements: nodes.size - shownNodes.length, edges: edges.length - shownEdges.length },
    };
  }

  /** Coverage gaps of one agreement and of the chain under it, as the caller may see them. */
  async gaps(principal: Principal, id: string): Promise<GapReport> {
    await this.readable(principal, id);
    const byId = await this.chainBelow([id]);
    const asOf = this.deps.clock.now();
    return this.scoped(principal, analyseGaps(byId, [id], this.deps.policy, asOf), byId, asOf);
  }

  /**
   * Coverage gaps of the portfolio the caller may see: every SLA and OLA in force or on its way (draft, submitted,
   * approved, active) with the chain under it, and every active OLA/UC that underpins nothing active.
   */
  async portfolioGaps(principal: Principal): Promise<GapReport> {
    const all = await this.everything();
    const asOf = this.deps.clock.now();
    const inScope = [...all.values()].filter((a) => this.mayRead(principal, a));
    const roots = inScope.filter((a) => a.kind !== 'UC' && LIVE.has(a.status)).map((a) => a.id);
    const candidates = inScope.filter((a) => a.kind !== 'SLA').map((a) => a.id);
    return this.scoped(principal, analyseGaps(all, roots, this.deps.policy, asOf, candidates), all, asOf);
  }

  /**
   * Breach analysis through the chain: the objectives under a violated one (any depth) that had violations whose
   * measured window overlaps the breached window, with their figures and the overlap, ranked (domain/chain/breach).
   * NotFoundError when the violation does not exist or the caller may not read it.
   */
  async breach(principal: Principal, violationId: string): Promise<BreachAnalysis> {
    const store = this.deps.violations;
    if (!store) throw new UnavailableError('violations are not wired in this function');
    const v = await store.get(violationId);
    if (!v || !canAccess(principal, 'violation.read', v))
      throw new NotFoundError(`no violation ${violationId}`);
    const byId = await this.chainBelow([v.agreementId]);
    const candidates = chainCandidates(byId, v.agreementId, v.objectiveId);
    const withViolations = await Promise.all(
      candidates.map(async (c) => ({
        ...c,
        violations: await store.list({ agreementId: c.agreementId, objectiveId: c.objectiveId, limit: 200 }),
      })),
    );
    const period = { start: v.evidence.window.start, end: v.evidence.window.end };
    const all = rankContributors(period, withViolations);
    const shown = all
      .filter((c) => {
        const a = byId.get(c.agreementId);
        return a !== undefined && this.mayRead(principal, a);
      })
      .map((c, i) => ({
        ...c,
        rank: i + 1,
        path: c.path.map((t) => {
          const a = byId.get(t.agreementId);
          return a && this.mayRead(principal, a) ? t : { ...t, agreementId: HIDDEN, objectiveId: HIDDEN };
        }),
      }));
    return {
      violationId: v.id,
      agreementId: v.agreementId,
      objectiveId: v.objectiveId,
      period,
      targetPercent: v.evidence.target,
      compliancePercent: v.evidence.compliance,
      examined: candidates.length,
      contributors: shown,
      outsideScope: all.length - shown.length,
    };
  }

  /** Every finding of one agreement's chain, unscoped: what submission records and activation checks. */
  async findingsFor(a: AgreementVersion): Promise<GapFinding[]> {
    const byId = await this.chainBelow(a.underpinnedBy);
    byId.set(a.id, a);
    return analyseGaps(byId, [a.id], this.deps.policy, this.deps.clock.now()).findings;
  }

  private mayRead(principal: Principal, a: AgreementVersion): boolean {
    return canAccess(principal, 'agreement.read', agreementLocation(a));
  }

  private async readable(principal: Principal, id: string): Promise<AgreementVersion> {
    const a = await this.deps.agreements.get(id);
    if (!a || !this.mayRead(principal, a))
      throw new NotFoundError(`no agreement ${id}`, [{ path: 'agreementId', problem: 'names no agreement' }]);
    return a;
  }

  /** The agreements `ids` and everything under them, by id. */
  private async chainBelow(ids: readonly string[]): Promise<Map<string, AgreementVersion>> {
    const byId = new Map<string, AgreementVersion>();
    const queue = [...ids];
    while (queue.length) {
      const id = queue.shift()!;
      if (byId.has(id)) continue;
      const a = await this.deps.agreements.get(id);
      if (!a) continue;
      byId.set(id, a);
      queue.push(...a.underpinnedBy);
    }
    return byId;
  }

  /** Every agreement but the retired, page by page. */
  private async everything(): Promise<Map<string, AgreementVersion>> {
    const byId = new Map<string, AgreementVersion>();
    let after: string | undefined;
    for (let pages = 0; pages < 10_000; pages++) {
      const page = await this.deps.agreements.list({
        scope: { all: true },
        limit: 1000,
        ...(after === undefined ? {} : { after }),
      });
      for (const a of page.items) byId.set(a.id, a);
      if (page.lastKey === undefined || page.items.length === 0) return byId;
      after = page.lastKey;
    }
    throw new UnavailableError('the portfolio is too large to analyse in one request');
  }

  /** Keeps the findings about agreements the caller may read, naming no agreement it may not. */
  private scoped(
    principal: Principal,
    analysis: GapAnalysis,
    byId: ReadonlyMap<string, ChainAgreement & Pick<AgreementVersion, 'businessUnit'>>,
    asOf: Date,
  ): GapReport {
    const hidden = [...byId.values()]
      .filter((a) => !this.mayRead(principal, a as AgreementVersion))
      .map((a) => a.id);
    const isHidden = new Set(hidden);
    const shown = analysis.findings.filter((f) => !isHidden.has(f.agreementId));
    const findings = shown.map((f) => {
      if (!f.dependencyIds.some((d) => isHidden.has(d))) return f;
      let text = JSON.stringify(f);
      for (const h of hidden) text = text.replaceAll(h, HIDDEN);
      return JSON.parse(text) as GapFinding;
    });
    return {
      asOf: asOf.toISOString(),
      analysed: analysis.analysed,
      findings,
      outsideScope: analysis.findings.length - shown.length,
    };
  }
}

/** The chain use cases of a container, or 503 where this deployment has not wired them. */
export function chainIn(c: { chain?: ChainUseCases | undefined }): ChainUseCases {
  if (!c.chain) throw new UnavailableError('the underpinning chain is not wired in this function');
  return c.chain;
}
