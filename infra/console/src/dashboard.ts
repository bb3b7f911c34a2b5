import uPlot from 'uplot';
import { api } from './api.js';
import { exhaustionKey, portfolio } from './data.js';
import { badge, empty, h, scroller, table } from './dom.js';
import { burn, burnVerdict, exhaustion, pct, ratioPct, span, when, whenIn } from './format.js';
import type { Agreement, Evaluation, HistoryPoint, PortfolioItem } from './types.js';

/** How often the operations pages fetch their figures again (the issue asks for at least every minute). */
export const REFRESH_MS = 60_000;

export interface PageContext {
  /** Where the page renders: this navigation's own view (detached once the viewer has moved on). */
  main: HTMLElement;
  /** Registers a cleanup run when the viewer leaves the page (timers, charts); run at once if already left. */
  onLeave(f: () => void): void;
  /** Shows an API error in words at the top of the page (and marks `body[data-failed]`), if still shown. */
  fail(e: unknown): void;
  /** Marks the page rendered with its data (`body[data-ready]`), unless the viewer has moved on meanwhile. */
  ready(page: string): void;
}

const objectiveHref = (agreementId: string, objectiveId: string) =>
  `#/objectives/${encodeURIComponent(agreementId)}/${encodeURIComponent(objectiveId)}`;

/** A row whose budget is spent (breached, or nothing left): "exhausted" rather than a duration. */
const rowSpent = (r: PortfolioItem) =>
  r.status === 'breached' || (r.budget !== null && r.budget.remainingRatio <= 0);

/** The operations dashboard: every objective, sorted by time to exhaustion, refreshed every minute. */
export async function dashboardPage(ctx: PageContext): Promise<void> {
  const summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  const holder = h('div', scroller('Objectives'));
  const stamp = h('p', { class: 'muted small' });
  ctx.main.replaceChildren(h('h1', {}, 'Error budgets'), summary, holder, stamp);
  const load = async () => {
    const { items: rows, counts, outOfScope } = await portfolio();
    summary.replaceChildren(
      `${rows.length} objectives: `,
      ...(['breached', 'at-risk', 'healthy', 'unknown'] as const).flatMap((s, i) => [
        i ? ', ' : '',
        h('strong', {}, String(counts[s])),
        ` ${s}`,
      ]),
      '. Sorted by time to budget exhaustion, soonest first.',
      outOfScope.objectives > 0
        ? ` ${outOfScope.objectives} more objectives of ${outOfScope.agreements} agreements are outside what you may read.`
        : '',
    );
    if (rows.length === 0) {
      holder.replaceChildren(
        empty(
          'No active agreement you may read has objectives yet.',
          'Agreements appear here once they are active; start Accord with --demo to see a sample portfolio.',
        ),
      );
    } else {
      const t = table(
        'Objectives by time to exhaustion',
        [
          'Objective',
          'Status',
          'Compliance / target',
          'Budget left',
          'Burn rate over each alert’s long window',
          'Exhausted in',
        ],
        rows.map((r) => [
          h(
            'a',
            { href: objectiveHref(r.agreementId, r.objectiveId) },
            h('span', { class: 'obj-name' }, r.title ?? r.agreementId),
            h('span', { class: 'small block' }, `${r.name} · ${r.kind ?? ''} · ${r.serviceId}`),
          ),
          badge(r.status),
          `${pct(r.compliance)} / ${pct(r.target)}`,
          ratioPct(r.budget?.remainingRatio ?? null),
          r.burnRates.map((b) => `${burn(b.burnRate)} over ${span(b.windowMinutes)}`).join(' · ') || '—',
          rowSpent(r) ? 'exhausted' : exhaustion(r.timeToExhaustionMinutes, r.exhaustionLookbackMinutes),
        ]),
        'objectives cards',
      );
      t.querySelectorAll('tbody tr').forEach((tr, i) => {
        const r = rows[i]!;
        tr.setAttribute('data-agreement', r.agreementId);
        tr.setAttribute('data-objective', r.objectiveId);
        tr.classList.add(`row-${r.status}`);
      });
      holder.replaceChildren(t);
    }
    stamp.textContent = `Figures as of ${when(new Date().toISOString())}; refreshed every minute.`;
    ctx.ready('dashboard');
  };
  await load();
  const timer = setInterval(() => load().catch(ctx.fail), REFRESH_MS);
  ctx.onLeave(() => clearInterval(timer));
}

/** One objective: its figures, the budget burn-down over its window and the burn rates, refreshed every minute. */
export async function objectivePage(
  ctx: PageContext,
  agreementId: string,
  objectiveId: string,
): Promise<void> {
  const base = `/v1/agreements/${encodeURIComponent(agreementId)}`;
  const agreement = await api<Agreement>(base);
  const name = agreement.objectives.find((o) => o.id === objectiveId)?.name ?? objectiveId;
  const figures = h('dl', { class: 'figures' });
  const reasons = h('ul', { class: 'reasons' });
  const burnTable = h('div', scroller('Burn rates'));
  const downBox = h('div', { class: 'chart', role: 'img' });
  const rateBox = h('div', { class: 'chart', role: 'img' });
  ctx.main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Error budgets'), ' › ', agreement.title),
    h('h1', {}, name),
    h(
      'p',
      { class: 'muted' },
      `${agreement.title} (${agreement.kind}) · ${agreement.serviceId} · times in your zone, the agreement's zone is ${agreement.timeZone}`,
    ),
    figures,
    reasons,
    h(
      'figure',
      {},
      h('figcaption', {}, 'Error budget remaining over the window (burn-down), percent'),
      downBox,
    ),
    h(
      'figure',
      {},
      h(
        'figcaption',
        {},
        'Burn rate over time (log scale): the fastest window at each evaluation, with the alert thresholds',
      ),
      rateBox,
    ),
    h('h2', {}, 'Burn rates now, per alert window'),
    burnTable,
  );
  const charts: uPlot[] = [];
  ctx.onLeave(() => {
    for (const c of charts) c.destroy();
  });

  const load = async () => {
    const e = await api<Evaluation>(`${base}/objectives/${encodeURIComponent(objectiveId)}/status`);
    const hist = await api<{ points: HistoryPoint[] }>(
      `${base}/objectives/${encodeURIComponent(objectiveId)}/budget-history?from=${encodeURIComponent(e.window.start)}`,
    );
    const dd = (k: string, v: string | Node, id: string) => [
      h('dt', {}, k),
      h('dd', { 'data-figure': id }, v),
    ];
    figures.replaceChildren(
      ...dd('Status', badge(e.status), 'status'),
      ...dd('Compliance', pct(e.compliance), 'compliance'),
      ...dd('Target', pct(e.target), 'target'),
      ...dd('Budget remaining', ratioPct(e.budget?.remainingRatio ?? null, 2), 'budget-remaining'),
      ...dd(
        'Budget in minutes',
        !e.budget
          ? 'no data'
          : e.budget.minutes.remaining >= 0
            ? `${e.budget.minutes.remaining.toFixed(1)} of ${e.budget.minutes.total.toFixed(1)} min left`
            : `overspent by ${(-e.budget.minutes.remaining).toFixed(1)} min (the budget is ${e.budget.minutes.total.toFixed(1)} min)`,
        'budget-minutes',
      ),
      ...dd(
        'Exhausted in',
        exhaustionKey(e) === 0
          ? 'exhausted'
          : exhaustion(e.forecast?.timeToExhaustionMinutes ?? null, e.forecast?.lookbackMinutes),
        'exhaustion',
      ),
      ...dd(
        'Forecast breach',
        e.forecast?.breachAt ? whenIn(e.forecast.breachAt, agreement.timeZone) : 'none within the horizon',
        'breach-at',
      ),
      ...dd(
        'Window',
        `${e.window.type}, ${whenIn(e.window.start, agreement.timeZone)} to ${when(e.window.end)}`,
        'window',
      ),
      ...dd('Data coverage', ratioPct(e.data.coverage), 'coverage'),
      ...dd('Evaluated', whenIn(e.evaluatedAt, agreement.timeZone), 'evaluated'),
    );
    reasons.replaceChildren(...e.reasons.map((r) => h('li', {}, r)));
    burnTable.replaceChildren(
      e.burnRates.length === 0
        ? empty(
            'No burn-rate windows: the window holds no data yet.',
            'Burn rates appear once telemetry arrives for this objective.',
          )
        : table(
            `Multi-window burn rates (SRE Workbook), counting ${e.burnRates[0]!.unit ?? 'events'} as the budget does, windows scaled to the objective’s period: an alert fires when both windows burn faster than the threshold`,
            ['Window', 'Long window', 'Short window', 'Threshold', 'Action', 'Firing'],
            e.burnRates.map((b) => [
              b.name,
              `${burn(b.long.burnRate)} over ${span(b.long.minutes)}`,
              `${burn(b.short.burnRate)} over ${span(b.short.minutes)}`,
              burn(b.threshold),
              b.action,
              b.firing ? h('strong', { class: 'firing' }, burnVerdict(b)) : burnVerdict(b),
            ]),
            'burn',
          ),
    );
    const pts = hist.points.filter((p) => p.budgetRemainingRatio !== null || p.maxBurnRate !== null);
    const xs = pts.map((p) => Date.parse(p.at) / 1000);
    const remaining = pts.map((p) => (p.budgetRemainingRatio === null ? null : p.budgetRemainingRatio * 100));
    // On a log scale (burn rates span 0.01× to hundreds): a rate of zero is drawn at the floor, 0.01×.
    const rates = pts.map((p) => (p.maxBurnRate === null ? null : Math.max(p.maxBurnRate, RATE_FLOOR)));
    const last = remaining.at(-1);
    downBox.setAttribute(
      'aria-label',
      `Error budget remaining from ${when(pts[0]?.at)} to ${when(pts.at(-1)?.at)}: now ${last === null || last === undefined ? 'no data' : pct(last, 1)}, ${pts.length} points`,
    );
    rateBox.setAttribute('aria-label', `Burn rate over the same span; now ${burn(rates.at(-1))}`);
    const thresholds = [...new Set(e.burnRates.map((b) => b.threshold))];
    if (charts.length === 0) {
      if (pts.length === 0) {
        downBox.replaceChildren(
          empty('No history yet.', 'Points are added at every evaluation (every 5 minutes for tier 1).'),
        );
        return;
      }
      charts.push(
        lineChart(downBox, [xs, remaining], ['Budget left %'], {
          min: Math.min(0, ...remaining.map((v) => v ?? 0)),
          max: 100,
        }),
      );
      charts.push(
        lineChart(
          rateBox,
          [xs, rates, ...thresholds.map((t) => xs.map(() => t))],
          ['Burn rate', ...thresholds.map((t) => `threshold ${burn(t)}`)],
          { log: true },
        ),
      );
    } else {
      charts[0]!.setData([xs, remaining]);
      charts[1]!.setData([xs, rates, ...thresholds.map((t) => xs.map(() => t))]);
    }
    ctx.ready('objective');
  };
  await load();
  const timer = setInterval(() => load().catch(ctx.fail), REFRESH_MS);
  ctx.onLeave(() => clearInterval(timer));
}

const RATE_FLOOR = 0.01;
const PALETTE = ['--chart-1', '--chart-2', '--chart-3', '--chart-4', '--chart-5'];

function lineChart(
  box: HTMLElement,
  data: (number | null)[][],
  labels: string[],
  range: { min?: number; max?: number; log?: boolean },
): uPlot {
  const css = getComputedStyle(document.documentElement);
  const color = (i: number) => css.getPropertyValue(PALETTE[i % PALETTE.length]!).trim() || '#36c';
  const axis = css.getPropertyValue('--fg').trim() || '#222';
  const grid = css.getPropertyValue('--grid').trim() || '#ddd';
  const width = Math.max(280, box.clientWidth || 600);
  const opts: uPlot.Options = {
    width,
    height: 220,
    scales: {
      x: { time: true },
      y: range.log
        ? {
            distr: 3,
            log: 10,
            range: (_u, _lo, hi) => [RATE_FLOOR, 10 ** Math.ceil(Math.log10(Math.max(hi ?? 1, 20)))],
          }
        : { range: (_u, lo, hi) => [range.min ?? lo, Math.max(range.max ?? hi, hi)] },
    },
    legend: { live: false },
    axes: [
      { stroke: axis, grid: { stroke: grid } },
      {
        stroke: axis,
        grid: { stroke: grid },
        size: 64,
        // A log axis labelled at the powers of ten only (0.01×, 0.1×, 1×, 10×…).
        ...(range.log
          ? {
              splits: (u: uPlot) => {
                const out: number[] = [];
                const max = u.scales.y?.max ?? 100;
                for (let t = RATE_FLOOR; t <= max * 1.0001; t *= 10) out.push(Number(t.toPrecision(1)));
                return out;
              },
              values: (_u: uPlot, ticks: number[]) => ticks.map((t) => `${t}×`),
            }
          : {}),
      },
    ],
    series: [
      {},
      ...labels.map((label, i) => ({
        label,
        stroke: color(i),
        width: i === 0 ? 2 : 1,
        ...(i > 0 ? { dash: [6, 4] } : {}),
        spanGaps: false,
      })),
    ],
  };
  const chart = new uPlot(opts, data as uPlot.AlignedData, box);
  const resize = () => chart.setSize({ width: Math.max(280, box.clientWidth), height: 220 });
  new ResizeObserver(resize).observe(box);
  return chart;
}
