import { ApiError, api, session } from './api.js';
import type { PageContext } from './dashboard.js';
import { badge, empty, h, scroller, table } from './dom.js';
import { when } from './format.js';

type Cell =
  | { t: 'text'; v: string }
  | { t: 'number' | 'percent'; v: number | null; digits?: number }
  | { t: 'money'; v: number | null; currency: string }
  | { t: 'status'; v: string }
  | { t: string; v?: unknown };

interface ReportDocument {
  title: string;
  scopeLabel: string;
  audience: string;
  period: { label: string };
  generatedAt: string;
  summary: { label: string; cell: Cell }[];
  sections: {
    id: string;
    title: string;
    paragraphs: string[];
    tables: {
      id: string;
      title: string;
      columns: { key: string; label: string }[];
      rows: Cell[][];
      empty: string;
    }[];
  }[];
}

const TYPES: [id: string, label: string][] = [
  ['monthly-compliance', 'Monthly compliance'],
  ['error-budget', 'Error budgets'],
  ['violation-trends', 'Violation trends'],
  ['credit-statement', 'Credit statement'],
  ['ola-uc-performance', 'OLA and UC performance'],
  ['sla-audit', 'SLA audit'],
];

function cell(c: Cell): Node | string {
  if (c.t === 'status') return badge(String(c.v));
  if (c.v === null || c.v === undefined) return '—';
  if (c.t === 'percent' && typeof c.v === 'number')
    return `${c.v.toFixed((c as { digits?: number }).digits ?? 3)} %`;
  if (c.t === 'number' && typeof c.v === 'number') return c.v.toFixed((c as { digits?: number }).digits ?? 0);
  if (c.t === 'money' && typeof c.v === 'number')
    return new Intl.NumberFormat('en-GB', {
      style: 'currency',
      currency: (c as { currency: string }).currency,
    }).format(c.v);
  return typeof c.v === 'string' ? c.v : JSON.stringify(c.v);
}

/**
 * Reports for the caller's audience (a business unit gets its customer view): the figures on the page, and the same
 * report to download as PDF, CSV or HTML. Months: the period's last month and how many months it covers (history).
 */
export async function reportsPage(ctx: PageContext, query = ''): Promise<void> {
  const params = new URLSearchParams(query);
  const type = params.get('type') ?? 'monthly-compliance';
  const period = params.get('period') ?? new Date().toISOString().slice(0, 7);
  const months = params.get('months') ?? '1';
  const q = `period=${encodeURIComponent(period)}&months=${encodeURIComponent(months)}`;
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  let doc: ReportDocument | null = null;
  try {
    doc = await api<ReportDocument>(`/v1/reports/${encodeURIComponent(type)}?format=json&${q}`);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    status.replaceChildren(h('div', { class: 'error', role: 'alert' }, e.words()));
  }
  const form = h(
    'form',
    {
      class: 'inline',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const f = new FormData(e.target as HTMLFormElement);
        location.hash = `#/reports?type=${f.get('type')}&period=${f.get('period')}&months=${f.get('months')}`;
      },
    },
    h('label', { for: 'r-type' }, 'Report '),
    h(
      'select',
      { id: 'r-type', name: 'type' },
      ...TYPES.map(([id, label]) => h('option', { value: id, selected: id === type }, label)),
    ),
    h('label', { for: 'r-period' }, ' month '),
    h('input', { id: 'r-period', name: 'period', type: 'month', value: period, class: 'short' }),
    h('label', { for: 'r-months' }, ' months '),
    h('input', {
      id: 'r-months',
      name: 'months',
      type: 'number',
      min: 1,
      max: 12,
      value: months,
      class: 'short',
    }),
    ' ',
    h('button', { type: 'submit' }, 'Show'),
  );
  const downloads = h(
    'p',
    { class: 'buttons' },
    ...(['pdf', 'csv', 'html'] as const).map((format) =>
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => void download(type, format, q, status),
          'data-format': format,
        },
        `Download ${format.toUpperCase()}`,
      ),
    ),
  );
  ctx.main.replaceChildren(
    h('h1', {}, 'Reports'),
    form,
    status,
    ...(doc
      ? [
          h('h2', {}, doc.title),
          h(
            'p',
            { class: 'muted' },
            `${doc.scopeLabel} · ${doc.period.label} · for the ${doc.audience} audience · generated ${when(doc.generatedAt)}`,
          ),
          downloads,
          h(
            'dl',
            { class: 'figures' },
            ...doc.summary.flatMap((s) => [h('dt', {}, s.label), h('dd', {}, cell(s.cell))]),
          ),
          ...doc.sections.flatMap((s) => [
            h('h3', {}, s.title),
            ...s.paragraphs.map((p) => h('p', {}, p)),
            ...s.tables.map((t) =>
              t.rows.length === 0
                ? empty(t.empty, 'Choose another month or report.')
                : h(
                    'div',
                    scroller(t.title),
                    table(
                      t.title,
                      t.columns.map((c) => c.label),
                      t.rows.map((r) => r.map(cell)),
                    ),
                  ),
            ),
          ]),
        ]
      : []),
  );
  ctx.ready('reports');
}

async function download(type: string, format: string, q: string, status: HTMLElement): Promise<void> {
  const res = await fetch(`/v1/reports/${encodeURIComponent(type)}?format=${format}&${q}`, {
    headers: { Authorization: `Bearer ${session.token() ?? ''}` },
  });
  if (!res.ok) {
    status.replaceChildren(
      h(
        'div',
        { class: 'error', role: 'alert' },
        `The ${format.toUpperCase()} download was refused (HTTP ${res.status}).`,
      ),
    );
    return;
  }
  const name =
    /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `${type}.${format}`;
  const a = h('a', { href: URL.createObjectURL(await res.blob()), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}
