import { ApiError, api, session } from './api.js';
import type { PageContext } from './dashboard.js';
import { all } from './data.js';
import { badge, empty, h, scroller, table } from './dom.js';
import { when, whenIn } from './format.js';
import type { Agreement } from './types.js';

interface AuditEntry {
  version: number;
  by: string;
  at: string;
  change: string;
  reason: string;
  diff: { path: string; from?: unknown; to?: unknown }[];
}

interface ArchiveEntry {
  seq: number;
  key: string;
  type: string;
  sha256: string;
  size: number;
  contentType: string;
  agreementId?: string;
  period?: string;
  title: string;
  archivedAt: string;
  archivedBy: string;
  retainUntil: string;
}

interface Verification {
  ok: boolean;
  verifiedAt: string;
  entries: number;
  objects: number;
  findings: { kind: string; key: string; seq?: number; problem: string }[];
  head: { seq: number; hash: string } | null;
}

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** The audit trail of one agreement: each committed change with who, when, why and its field-level diff. */
export async function auditPage(ctx: PageContext, id: string): Promise<void> {
  const a = await api<Agreement>(`/v1/agreements/${encodeURIComponent(id)}`);
  const items = await all<AuditEntry>(`/v1/agreements/${encodeURIComponent(id)}/audit?limit=500`);
  ctx.main.replaceChildren(
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: `#/agreements/${encodeURIComponent(id)}` }, a.title),
      ' › audit trail',
    ),
    h('h1', {}, `Audit trail: ${a.title}`),
    h('p', { class: 'muted' }, `Times in your zone; the agreement's zone is ${a.timeZone}.`),
    items.length === 0
      ? empty('No audit entries yet.', 'Every change to the agreement adds one.')
      : h(
          'div',
          scroller('Audit trail'),
          table(
            'One entry per committed change, oldest first',
            ['Version', 'When', 'Who', 'Change', 'Reason', 'Fields changed'],
            items.map((e) => [
              String(e.version ?? '—'),
              whenIn(e.at, a.timeZone),
              e.by,
              e.change,
              e.reason,
              e.diff?.length
                ? h('ul', { class: 'diff' }, ...e.diff.map((d) => h('li', {}, h('code', {}, d.path))))
                : '—',
            ]),
          ),
        ),
  );
  ctx.ready('audit');
}

/** Any two versions of an agreement side by side: each field that differs, with its value in each. */
export async function diffPage(ctx: PageContext, id: string, query = ''): Promise<void> {
  const base = `/v1/agreements/${encodeURIComponent(id)}`;
  const current = await api<Agreement>(base);
  const params = new URLSearchParams(query);
  const to = Number(params.get('to') ?? current.version);
  const from = Number(params.get('from') ?? Math.max(1, to - 1));
  const [a, b] = await Promise.all([
    api<Record<string, unknown>>(`${base}/versions/${from}`),
    api<Record<string, unknown>>(`${base}/versions/${to}`),
  ]);
  const changes = diff(a, b, '');
  const pick = (name: string, value: number) =>
    h(
      'select',
      { id: `v-${name}`, name },
      ...Array.from({ length: current.version }, (_, i) =>
        h('option', { value: i + 1, selected: i + 1 === value }, `version ${i + 1}`),
      ),
    );
  const form = h(
    'form',
    {
      class: 'inline',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const f = new FormData(e.target as HTMLFormElement);
        location.hash = `#/agreements/${encodeURIComponent(id)}/diff?from=${f.get('from')}&to=${f.get('to')}`;
      },
    },
    h('label', { for: 'v-from' }, 'From '),
    pick('from', from),
    h('label', { for: 'v-to' }, ' to '),
    pick('to', to),
    ' ',
    h('button', { type: 'submit' }, 'Compare'),
  );
  ctx.main.replaceChildren(
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: `#/agreements/${encodeURIComponent(id)}` }, current.title),
      ' › versions',
    ),
    h('h1', {}, `Versions of ${current.title}`),
    form,
    changes.length === 0
      ? empty(`Versions ${from} and ${to} hold the same content.`, 'Choose two other versions to compare.')
      : h(
          'div',
          scroller('Differences'),
          table(
            `What changed from version ${from} to version ${to}`,
            ['Field', `Version ${from}`, `Version ${to}`],
            changes.map(([path, x, y]) => [
              h('code', {}, path),
              h('span', { class: 'old' }, show(x)),
              h('span', { class: 'new' }, show(y)),
            ]),
          ),
        ),
  );
  ctx.ready('diff');
}

/** Field-level differences between two JSON values: [path, before, after], bookkeeping fields left out. */
export function diff(a: unknown, b: unknown, path: string): [string, unknown, unknown][] {
  const skip = new Set(['version', 'changedAt', 'changedBy', 'reason', 'etag']);
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (v: unknown) => typeof v === 'object' && v !== null;
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])];
    return keys
      .filter((k) => !(path === '' && skip.has(k)))
      .flatMap((k) =>
        diff(
          (a as Record<string, unknown>)[k],
          (b as Record<string, unknown>)[k],
          Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k,
        ),
      );
  }
  return [[path, a, b]];
}

/** The report archive: what is held, download of each record, and verification of the whole chain. */
export async function archivePage(ctx: PageContext): Promise<void> {
  const items = await all<ArchiveEntry>('/v1/archive?limit=500');
  const result = h('div', { role: 'status', 'aria-live': 'polite' });
  const verify = async () => {
    result.replaceChildren(h('p', {}, 'Verifying every object and the chain…'));
    try {
      const v = await api<Verification>('/v1/archive/verify');
      result.replaceChildren(
        h(
          'p',
          { class: v.ok ? 'ok' : 'error', 'data-verified': String(v.ok) },
          v.ok
            ? `Verified ${when(v.verifiedAt)}: ${v.entries} entries and ${v.objects} objects intact; the chain is unbroken (head ${v.head ? `#${v.head.seq} ${v.head.hash.slice(0, 12)}…` : 'empty'}).`
            : `Verification found ${v.findings.length} problem(s).`,
        ),
        ...(v.findings.length
          ? [
              table(
                'Findings',
                ['Kind', 'Record', 'Problem'],
                v.findings.map((f) => [f.kind, f.key, f.problem]),
              ),
            ]
          : []),
      );
    } catch (e) {
      result.replaceChildren(h('p', { class: 'error' }, e instanceof ApiError ? e.words() : String(e)));
    }
  };
  ctx.main.replaceChildren(
    h('h1', {}, 'Archive'),
    h(
      'p',
      { class: 'muted' },
      'Write-once records (reports, credit statements, violations), hash-chained. Every listing, download and verification is logged.',
    ),
    h('p', {}, h('button', { type: 'button', onclick: () => void verify() }, 'Verify the archive')),
    result,
    items.length === 0
      ? empty(
          'The archive holds nothing yet.',
          'Reports are archived when they are published (monthly, on the 5th, or by POST /v1/reports/{type}/publish).',
        )
      : h(
          'div',
          scroller('Archive'),
          table(
            'Archived records in chain order',
            ['#', 'Record', 'Type', 'Format', 'Period', 'Archived', 'Kept until', 'Download'],
            items.map((e) => [
              String(e.seq),
              e.title,
              e.type,
              formatOf(e.contentType),
              e.period ?? '—',
              `${when(e.archivedAt)} by ${e.archivedBy}`,
              when(e.retainUntil),
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  onclick: () => void download(e, ctx),
                  'aria-label': `Download ${formatOf(e.contentType)}: ${e.title} (${e.contentType})`,
                },
                `Download ${formatOf(e.contentType)}`,
              ),
            ]),
          ),
        ),
  );
  ctx.ready('archive');
}

const formatOf = (contentType: string) =>
  (contentType.split('/')[1] ?? contentType).split(/[;+]/)[0]!.replace('plain', 'text').toUpperCase();

/** Downloads an archived record: the bytes locally, a presigned link on AWS (the API decides). */
async function download(e: ArchiveEntry, ctx: PageContext): Promise<void> {
  const res = await fetch(`/v1/archive/download?key=${encodeURIComponent(e.key)}`, {
    headers: { Authorization: `Bearer ${session.token() ?? ''}` },
  });
  if (!res.ok) {
    ctx.fail(
      new ApiError(res.status, 'download', `the download of ${e.title} was refused (HTTP ${res.status})`, []),
    );
    return;
  }
  const type = res.headers.get('content-type') ?? '';
  const blob = await res.blob();
  if (type.includes('json') && !e.contentType.includes('json')) {
    const link = JSON.parse(await blob.text()) as { url?: string };
    if (link.url) location.assign(link.url);
    return;
  }
  const a = h('a', { href: URL.createObjectURL(blob), download: e.key.split('/').at(-1) ?? 'record' });
  document.body.append(a);
  a.click();
  a.remove();
}

/** Agreement page extras: links to the audit trail and the versions, for the roles the API lets read them. */
export function historyLinks(a: Agreement): HTMLElement {
  const roles = session.claims()?.roles ?? [];
  const mayAudit = roles.some((r) => r === 'admin' || r === 'auditor' || r === 'sla-manager');
  const mayEdit = roles.some((r) => r === 'admin' || r === 'sla-manager');
  return h(
    'p',
    { class: 'links' },
    h('a', { href: `#/agreements/${encodeURIComponent(a.id)}/diff` }, `Compare versions (${a.version})`),
    mayAudit ? ' · ' : '',
    mayAudit ? h('a', { href: `#/agreements/${encodeURIComponent(a.id)}/audit` }, 'Audit trail') : '',
    mayEdit ? ' · ' : '',
    mayEdit ? h('a', { href: `#/agreements/${encodeURIComponent(a.id)}/edit` }, 'Edit') : '',
    ' ',
    badge(a.status),
  );
}
