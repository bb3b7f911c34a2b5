import { api } from './api.js';
import type { Agreement, Evaluation, Page, StatusView } from './types.js';

/** Every page of a list route, following `nextCursor`. */
export async function all<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api<Page<T>>(`${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export interface ObjectiveRow {
  agreement: Agreement;
  evaluation: Evaluation;
  name: string;
}

/**
 * Every objective of every active agreement the caller may read, with its latest evaluation, sorted by time
 * to exhaustion: spent budgets first, then the soonest to run out, then those not burning, then unknown.
 */
export async function portfolio(): Promise<ObjectiveRow[]> {
  const agreements = await all<Agreement>('/v1/agreements?status=active&limit=200');
  const rows: ObjectiveRow[] = [];
  const byId = new Map(agreements.map((a) => [a.id, a]));
  const add = (e: Evaluation) => {
    const a = byId.get(e.agreementId);
    if (!a) return; // an agreement the list did not give this caller: never shown
    rows.push({
      agreement: a,
      evaluation: e,
      name: a.objectives.find((o) => o.id === e.objectiveId)?.name ?? e.objectiveId,
    });
  };
  // A service with several active agreements answers for all of them in one request (GET /v1/services/{id}/status);
  // whatever it does not cover (or a service the caller may not read) is asked per agreement.
  const byService = new Map<string, Agreement[]>();
  for (const a of agreements) byService.set(a.serviceId, [...(byService.get(a.serviceId) ?? []), a]);
  const jobs: (() => Promise<void>)[] = [];
  for (const [serviceId, list] of byService) {
    const perAgreement = (a: Agreement) => async () => {
      const s = await api<StatusView>(`/v1/agreements/${encodeURIComponent(a.id)}/status`);
      for (const e of s.objectives) add(e);
    };
    if (list.length < 3) {
      jobs.push(...list.map(perAgreement));
      continue;
    }
    jobs.push(async () => {
      let covered = new Set<string>();
      try {
        const s = await api<StatusView>(`/v1/services/${encodeURIComponent(serviceId)}/status`);
        const mine = s.objectives.filter((e) => list.some((a) => a.id === e.agreementId));
        for (const e of mine) add(e);
        covered = new Set(mine.map((e) => e.agreementId));
      } catch {
        covered = new Set();
      }
      await Promise.all(list.filter((a) => !covered.has(a.id)).map((a) => perAgreement(a)()));
    });
  }
  // At most 6 requests at a time (a browser's connections per host over HTTP/1.1).
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(6, jobs.length) }, worker));
  return rows.sort(
    (x, y) => exhaustionKey(x.evaluation) - exhaustionKey(y.evaluation) || x.name.localeCompare(y.name),
  );
}

/** The sort key: minutes to exhaustion (0 when spent); not burning after every burning one; unknown last. */
export function exhaustionKey(e: Evaluation): number {
  if (e.status === 'unknown') return Number.MAX_VALUE;
  if (e.status === 'breached' || (e.budget && e.budget.remaining <= 0)) return 0;
  return e.forecast?.timeToExhaustionMinutes ?? Number.MAX_SAFE_INTEGER;
}
