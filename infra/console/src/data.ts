import { api } from './api.js';
import type { Evaluation, Page, PortfolioItem, PortfolioPage } from './types.js';

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

/** The portfolio as the dashboard shows it: every row, and the page-independent summary. */
export interface Portfolio {
  items: PortfolioItem[];
  counts: PortfolioPage['counts'];
  outOfScope: PortfolioPage['outOfScope'];
}

/**
 * Every objective of every active agreement the caller may read, with its latest figures, in the API's order (time
 * to exhaustion: spent budgets first, then the soonest to run out, then those not burning, then unknown): one
 * request to `GET /v1/status` for up to 1,000 objectives, following `nextCursor` beyond.
 */
export async function portfolio(): Promise<Portfolio> {
  const items: PortfolioItem[] = [];
  let cursor: string | undefined;
  let last: PortfolioPage;
  do {
    last = await api<PortfolioPage>(
      `/v1/status?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...last.items);
    cursor = last.nextCursor;
  } while (cursor);
  return { items, counts: last.counts, outOfScope: last.outOfScope };
}

/** The sort key: minutes to exhaustion (0 when spent); not burning after every burning one; unknown last. */
export function exhaustionKey(e: Evaluation): number {
  if (e.status === 'unknown') return Number.MAX_VALUE;
  if (e.status === 'breached' || (e.budget && e.budget.remaining <= 0)) return 0;
  return e.forecast?.timeToExhaustionMinutes ?? Number.MAX_SAFE_INTEGER;
}
