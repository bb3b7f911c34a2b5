/**
 * The underpinning chain as a graph (ITIL service level management: an SLA rests on OLAs with internal teams and
 * UCs with vendors; an OLA may rest on further OLAs and UCs). Pure: callers load the agreements.
 */
import type { AgreementVersion, UnderpinningEdge } from '../../schemas/agreement.js';

/** The fields of an agreement the chain reads. */
export type ChainAgreement = Pick<
  AgreementVersion,
  | 'id'
  | 'kind'
  | 'title'
  | 'status'
  | 'serviceId'
  | 'businessUnit'
  | 'parties'
  | 'objectives'
  | 'underpinnedBy'
  | 'underpinning'
  | 'supportedHours'
  | 'timeZone'
>;

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
      for (const next of linksOf(id) ?? []) if (visit(next)) return true;
    }
    path.pop();
    return false;
  };
  for (const d of deps) if (visit(d)) return path;
  return undefined;
}
