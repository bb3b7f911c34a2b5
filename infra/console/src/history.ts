import { api } from './api.js';
import { badge, empty, h, scroller, table } from './dom.js';
import { pct } from './format.js';
import type { Agreement, HistoryPoint, StatusView } from './types.js';

/** How far back the compliance history of an agreement's page reaches, in days. */
export const HISTORY_DAYS = 30;

/** The calendar day of an instant in a zone, as YYYY-MM-DD. */
const dayIn = (iso: string, zone: string) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(iso));

/**
 * An active agreement's objectives now (status and compliance, `GET /v1/agreements/{id}/status`) and their compliance
 * history: for each of the last 30 days in the agreement's zone, the compliance at the day's last evaluation
 * (`GET …/objectives/{o}/budget-history?from=`), newest day first. What a business unit follows of the SLAs it holds
 * or consumes.
 */
export async function complianceSections(a: Agreement): Promise<HTMLElement[]> {
  if (a.status !== 'active') return [];
  const base = `/v1/agreements/${encodeURIComponent(a.id)}`;
  const from = new Date(Date.now() - HISTORY_DAYS * 86_400_000).toISOString();
  const [status, ...histories] = await Promise.all([
    api<StatusView>(`${base}/status`).catch(() => null),
    ...a.objectives.map((o) =>
      api<{ points: HistoryPoint[] }>(
        `${base}/objectives/${encodeURIComponent(o.id)}/budget-history?from=${encodeURIComponent(from)}`,
      )
        .then((r) => r.points)
        .catch(() => [] as HistoryPoint[]),
    ),
  ]);
  const now = a.objectives.map((o) => status?.objectives.find((e) => e.objectiveId === o.id));
  const current = table(
    'Objectives now',
    ['Objective', 'Status', 'Compliance / target'],
    a.objectives.map((o, i) => [
      o.name,
      badge(now[i]?.status ?? 'unknown'),
      `${pct(now[i]?.compliance ?? null)} / ${pct(o.target)}`,
    ]),
    'now',
  );
  // The last point of each day, per objective.
  const byDay = a.objectives.map((_, i) => {
    const m = new Map<string, HistoryPoint>();
    for (const p of histories[i] ?? []) m.set(dayIn(p.at, a.timeZone), p);
    return m;
  });
  const days = [...new Set(byDay.flatMap((m) => [...m.keys()]))].sort().reverse();
  const history =
    days.length === 0
      ? empty(
          'No compliance history yet: the objectives have not been evaluated.',
          'History appears once telemetry arrives and the objectives are evaluated (every 5 minutes).',
        )
      : h(
          'div',
          scroller('Compliance history'),
          table(
            `Compliance at the last evaluation of each day, last ${HISTORY_DAYS} days (days in ${a.timeZone})`,
            ['Day', ...a.objectives.map((o) => o.name)],
            days.map((d) => [
              d,
              ...byDay.map((m) => {
                const p = m.get(d);
                if (!p) return '—';
                return p.status === 'breached' ? `${pct(p.compliance)} (breached)` : pct(p.compliance);
              }),
            ]),
            'history',
          ),
        );
  return [h('h2', {}, 'Objectives now'), current, h('h2', {}, 'Compliance history'), history];
}
