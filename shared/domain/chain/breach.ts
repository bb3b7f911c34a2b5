/**
 * Breach analysis through the chain: when an objective breaches, which objectives underneath it were failing in
 * the same period, with their figures and how much their breach overlapped it in time, ranked, as the starting
 * point of the root-cause analysis (ITIL problem management; the SRE Workbook's "dependency" contributing factor).
 * Pure: the caller passes the chain's candidate objectives and their violations.
 */
import type { GapTerm } from './gaps.js';
import { type ChainAgreement, edgesOf } from './graph.js';

/** A violation as breach analysis reads it: its measured window and figures. */
export interface BreachLike {
  id: string;
  agreementId: string;
  objectiveId: string;
  severity: string;
  status: 'open' | 'resolved';
  evidence: {
    target: number;
    compliance: number | null;
    window: { start: string; end: string };
  };
}

/** An objective under the breached one, reached through the chain (depth 1 = directly under it). */
export interface ChainCandidate {
  agreementId: string;
  kind: 'OLA' | 'UC';
  objectiveId: string;
  depth: number;
  /** The path from the breached objective down to this one. */
  path: GapTerm[];
  mode: 'serial' | 'redundant';
  group?: string | undefined;
  violations: readonly BreachLike[];
}

/** One underpinning objective that was failing while the upper one breached. */
export interface Contributor {
  rank: number;
  agreementId: string;
  kind: 'OLA' | 'UC';
  objectiveId: string;
  depth: number;
  mode: 'serial' | 'redundant';
  group?: string;
  violationId: string;
  severity: string;
  status: 'open' | 'resolved';
  targetPercent: number;
  compliancePercent: number | null;
  /** Target minus compliance, in percentage points (null when compliance is unknown). */
  marginPoints: number | null;
  overlap: { from: string; to: string; minutes: number };
  /** Overlap as a share of the breached objective's window, 0–1. */
  overlapRatio: number;
  path: GapTerm[];
}

const round = (x: number, dp = 4) => Math.round(x * 10 ** dp) / 10 ** dp;

/**
 * The contributors to a breach over `[start, end)`: for each candidate, its violation overlapping the window the
 * most (ties: the larger margin). Ranked by: serial before redundant (a redundant member alone cannot take the
 * upper objective down), then overlap ratio (larger first), then margin (larger first), then depth (shallower
 * first), then id. Candidates without an overlapping violation are left out.
 */
export function rankContributors(
  breach: { start: string; end: string },
  candidates: readonly ChainCandidate[],
): Contributor[] {
  const s = Date.parse(breach.start);
  const e = Date.parse(breach.end);
  const span = Math.max(1, e - s);
  const found: Omit<Contributor, 'rank'>[] = [];
  for (const c of candidates) {
    let best: Omit<Contributor, 'rank'> | undefined;
    for (const v of c.violations) {
      const vs = Math.max(s, Date.parse(v.evidence.window.start));
      const ve = Math.min(e, Date.parse(v.evidence.window.end));
      if (ve <= vs) continue;
      const margin =
        v.evidence.compliance === null ? null : round(v.evidence.target - v.evidence.compliance, 6);
      const row = {
        agreementId: c.agreementId,
        kind: c.kind,
        objectiveId: c.objectiveId,
        depth: c.depth,
        mode: c.mode,
        ...(c.group === undefined ? {} : { group: c.group }),
        violationId: v.id,
        severity: v.severity,
        status: v.status,
        targetPercent: v.evidence.target,
        compliancePercent: v.evidence.compliance,
        marginPoints: margin,
        overlap: {
          from: new Date(vs).toISOString(),
          to: new Date(ve).toISOString(),
          minutes: round((ve - vs) / 60_000, 2),
        },
        overlapRatio: round((ve - vs) / span),
        path: c.path,
      };
      if (
        !best ||
        row.overlapRatio > best.overlapRatio ||
        (row.overlapRatio === best.overlapRatio && (margin ?? -1) > (best.marginPoints ?? -1))
      )
        best = row;
    }
    if (best) found.push(best);
  }
  found.sort(
    (a, b) =>
      (a.mode === 'serial' ? 0 : 1) - (b.mode === 'serial' ? 0 : 1) ||
      b.overlapRatio - a.overlapRatio ||
      (b.marginPoints ?? -1) - (a.marginPoints ?? -1) ||
      a.depth - b.depth ||
      (a.agreementId < b.agreementId
        ? -1
        : // Stryker disable next-line EqualityOperator,ConditionalExpression: Array.prototype.sort only asks whether the comparator is below 0 (checked on 2,000 ids in five orders), so 1 and 0 here order alike
          a.agreementId > b.agreementId
          ? 1
          : 0),
  );
  return found.map((c, i) => ({ rank: i + 1, ...c }));
}

/**
 * The objectives under `objectiveId` of `agreementId`, at any depth, as the chain's edges say: each edge supporting
 * the objective leads to the linked agreement's named objective (or its first of the same SLI type), and on down
 * through the edges supporting that one. Each agreement and objective appears once (its shallowest path).
 */
export function chainCandidates(
  byId: ReadonlyMap<string, ChainAgreement>,
  agreementId: string,
  objectiveId: string,
): Omit<ChainCandidate, 'violations'>[] {
  const out: Omit<ChainCandidate, 'violations'>[] = [];
  const seen = new Set<string>([`${agreementId} ${objectiveId}`]);
  const queue: { a: string; o: string; depth: number; path: GapTerm[] }[] = [
    { a: agreementId, o: objectiveId, depth: 0, path: [] },
  ];
  while (queue.length) {
    const { a, o, depth, path } = queue.shift()!;
    const upper = byId.get(a);
    const obj = upper?.objectives.find((x) => x.id === o);
    if (!upper || !obj) continue;
    for (const e of edgesOf(upper)) {
      const d = byId.get(e.to);
      if (!d || d.kind === 'SLA') continue;
      for (const s of e.supports.filter((x) => x.objectiveId === o)) {
        const dep =
          s.dependencyObjectiveId === undefined
            ? d.objectives.find((x) => x.sli.type === obj.sli.type)
            : d.objectives.find((x) => x.id === s.dependencyObjectiveId);
        if (!dep || seen.has(`${d.id} ${dep.id}`)) continue;
        seen.add(`${d.id} ${dep.id}`);
        const step: GapTerm = {
          agreementId: d.id,
          objectiveId: dep.id,
          mode: s.mode,
          ...(s.group === undefined ? {} : { group: s.group }),
        };
        out.push({
          agreementId: d.id,
          kind: d.kind,
          objectiveId: dep.id,
          depth: depth + 1,
          path: [...path, step],
          mode: s.mode,
          group: s.group,
        });
        queue.push({ a: d.id, o: dep.id, depth: depth + 1, path: [...path, step] });
      }
    }
  }
  return out;
}
