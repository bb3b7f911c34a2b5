/**
 * The underpinning chain as a graph (ITIL service level management: an SLA rests on OLAs with internal teams and
 * UCs with vendors; an OLA may rest on further OLAs and UCs). Pure: callers load the agreements.
 */
import type { AgreementVersion, UnderpinningEdge } from '../../schemas/agreement.js';

type FullObjective = AgreementVersion['objectives'][number];

/**
 * The fields of an objective the chain reads: what composes (target, window, budgeting method, slices) and what
 * times a path (the SLI's type and threshold). A full objective is one.
 */
export interface ChainObjective {
  id: string;
  name: string;
  sli: { type: FullObjective['sli']['type']; thresholdMs?: number | undefined };
  target: number;
  window: FullObjective['window'];
  budgetingMethod: FullObjective['budgetingMethod'];
  timeSlice?: FullObjective['timeSlice'];
}

/** The fields of an agreement the chain reads (a full agreement version is one). */
export type ChainAgreement = Pick<
  AgreementVersion,
  | 'id'
  | 'kind'
  | 'title'
  | 'status'
  | 'serviceId'
  | 'businessUnit'
  | 'parties'
  | 'underpinnedBy'
  | 'underpinning'
  | 'supportedHours'
  | 'timeZone'
> & { objectives: ChainObjective[] };

/**
 * The chain's projection of an agreement version: only the fields in `ChainAgreement` (objectives cut to
 * `ChainObjective`), about half of the document's size. Stores keep it beside the current version so that the
 * portfolio's gap analysis reads and parses what it uses and nothing else.
 */
export function chainView(a: ChainAgreement): ChainAgreement {
  return {
    id: a.id,
    kind: a.kind,
    title: a.title,
    status: a.status,
    serviceId: a.serviceId,
    businessUnit: a.businessUnit,
    parties: a.parties,
    timeZone: a.timeZone,
    supportedHours: a.supportedHours,
    underpinnedBy: a.underpinnedBy,
    ...(a.underpinning === undefined ? {} : { underpinning: a.underpinning }),
    objectives: a.objectives.map((o) => ({
      id: o.id,
      name: o.name,
      sli:
        o.sli.thresholdMs === undefined
          ? { type: o.sli.type }
          : { type: o.sli.type, thresholdMs: o.sli.thresholdMs },
      target: o.target,
      window: o.window,
      budgetingMethod: o.budgetingMethod,
      ...(o.timeSlice === undefined ? {} : { timeSlice: o.timeSlice }),
    })),
  };
}

/** How one linked agreement supports one objective of the upper one (an edge's own terms). */
export interface EdgeSupport {
  objectiveId: string;
  dependencyObjectiveId?: string | undefined;
  mode: 'serial' | 'redundant';
  group?: string | undefined;
  handoffMinutes?: number | undefined;
}

/** A link from an upper agreement to one it rests on; `supports` is empty when the upper one does not say how. */
export interface ChainEdge {
  from: string;
  to: string;
  supports: EdgeSupport[];
}

/** The edges an agreement holds, one per linked agreement, in `underpinnedBy` order. */
export function edgesOf(a: Pick<ChainAgreement, 'id' | 'underpinnedBy' | 'underpinning'>): ChainEdge[] {
  return [...new Set(a.underpinnedBy)].map((to) => ({
    from: a.id,
    to,
    // Stryker disable next-line ArrayDeclaration: a filled-in fallback list holds no edge whose agreementId equals `to`, so the filter drops it and supports stay empty
    supports: (a.underpinning ?? []).filter((e) => e.agreementId === to).map(supportOf),
  }));
}

function supportOf(e: UnderpinningEdge): EdgeSupport {
  return {
    objectiveId: e.objectiveId,
    mode: e.mode,
    ...(e.dependencyObjectiveId === undefined ? {} : { dependencyObjectiveId: e.dependencyObjectiveId }),
    ...(e.group === undefined ? {} : { group: e.group }),
    ...(e.handoffMinutes === undefined ? {} : { handoffMinutes: e.handoffMinutes }),
  };
}

/**
 * The cycle that linking `start` to `deps` would close, as the ids along it (`[start, …, start]`), or undefined.
 * `linksOf(id)` answers the stored links of an agreement (undefined when unknown). Depth-first; each node is
 * visited once, so the cost is linear in the reachable graph.
 */
export function findCycle(
  start: string,
  deps: readonly string[],
  linksOf: (id: string) => readonly string[] | undefined,
): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [start];
  const visit = (id: string): boolean => {
    path.push(id);
    if (id === start) return true;
    if (!done.has(id)) {
      done.add(id);
      // Stryker disable next-line ArrayDeclaration: a placeholder in the fallback list names no agreement (ids match agr_…), so visiting it finds no links and no cycle
      for (const next of linksOf(id) ?? []) if (visit(next)) return true;
    }
    path.pop();
    return false;
  };
  for (const d of deps) if (visit(d)) return path;
  return undefined;
}
