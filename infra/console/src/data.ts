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
  // At most 8 requests at a time: a 1,000-objective portfolio does not open 500 connections at once.
  let next = 0;
  const worker = async () => {
    while (next < agreements.length) {
      const a = agreements[next++]!;
      const s = await api<StatusView>(`/v1/agreements/${encodeURIComponent(a.id)}/status`);
      for (const e of s.objectives) {
        rows.push({
          agreement: a,
          evaluation: e,
          name: a.objectives.find((o) => o.id === e.objectiveId)?.name ?? e.objectiveId,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, agreements.length) }, worker));
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
