import { api, session } from './api.js';
import type { PageContext } from './dashboard.js';
import { all } from './data.js';
import { badge, empty, h, scroller, table } from './dom.js';
import { type GapFinding, governanceSections } from './drafting.js';
import { when, whenIn } from './format.js';
import { historyLinks } from './governance.js';
import { complianceSections } from './history.js';
import type { Agreement, Remediation, Task, Violation } from './types.js';
import { type ChainGraph, chainTree, part, subjectHref, subjectTasks } from './work.js';

/** Open violations with severity, escalation step and deadlines (the remediation's RCA due date). */
export async function violationsPage(ctx: PageContext): Promise<void> {
  const items = (await api<{ items: Violation[] }>('/v1/violations?status=open&limit=500')).items;
  const order = { critical: 0, major: 1, minor: 2 };
  items.sort((a, b) => order[a.severity] - order[b.severity] || a.detectedAt.localeCompare(b.detectedAt));
  const remediation = await Promise.all(
    items.map((v) =>
      api<Remediation>(`/v1/violations/${encodeURIComponent(v.id)}/remediation`).catch(() => null),
    ),
  );
  const now = Date.now();
  ctx.main.replaceChildren(
    h('h1', {}, 'Open violations'),
    items.length === 0
      ? empty(
          'No open violations: every objective you may read is within its budget.',
          'Violations open here when an evaluation finds a breach.',
        )
      : h(
          'div',
          scroller('Open violations'),
          table(
            'Open violations, most severe first',
            ['Severity', 'Objective', 'Detected', 'Escalation now', 'Next escalation', 'Remediation'],
            items.map((v, i) => {
              const passed = v.escalation.filter((s) => Date.parse(s.by) <= now);
              const current = passed.at(-1);
              const nextStep = v.escalation.find((s) => Date.parse(s.by) > now);
              const r = remediation[i];
              return [
                h(
                  'span',
                  { title: v.severityReason },
                  badge(v.severity),
                  h('span', { class: 'muted small block' }, v.severityReason),
                ),
                h(
                  'a',
                  { href: `#/violations/${encodeURIComponent(v.id)}` },
                  `${v.serviceId} · ${v.objectiveId}`,
                ),
                when(v.detectedAt),
                current
                  ? `level ${current.level}: ${current.role} (${current.who.name})`
                  : 'not yet escalated',
                nextStep ? `level ${nextStep.level} ${nextStep.role}, ${when(nextStep.by)}` : 'none left',
                r
                  ? `${r.status.replace(/-/g, ' ')}; RCA due ${when(r.rcaDueAt)}; owner ${r.owner.name}`
                  : 'no remediation workflow',
              ];
            }),
          ),
        ),
  );
  ctx.ready('violations');
}

/** Tasks: the caller's own (to act on) and, for readers of all, every pending task in scope. */
export async function tasksPage(ctx: PageContext): Promise<void> {
  const [mine, everyone] = await Promise.all([
    api<{ items: Task[]; nextCursor?: string }>('/v1/tasks?limit=200'),
    api<{ items: Task[]; nextCursor?: string }>('/v1/tasks?view=all&limit=200'),
  ]);
  // The inbox shows what an approver decides on: the gap findings recorded when each agreement was submitted.
  const findings = new Map<string, GapFinding[] | undefined>();
  const loadFindings = (ts: Task[]) =>
    Promise.all(
      [...new Set(ts.filter((t) => t.subject.type === 'agreement').map((t) => t.subject.id))]
        .filter((id) => !findings.has(id))
        .map(async (id) => {
          const a = await api<{ status: string; gapFindings?: GapFinding[] }>(
            `/v1/agreements/${encodeURIComponent(id)}`,
          ).catch(() => null);
          findings.set(id, a?.status === 'submitted' ? a.gapFindings : undefined);
        }),
    );
  await loadFindings(mine.items);
  const gapsCell = (t: Task) => {
    const f = t.subject.type === 'agreement' ? findings.get(t.subject.id) : undefined;
    if (!f) return '—';
    if (f.length === 0) return 'none';
    const blocking = f.filter((g) => g.blocksActivation).length;
    return h(
      'span',
      { class: blocking ? 'firing' : '', 'data-gaps': f.length },
      `${f.length} gap finding${f.length === 1 ? '' : 's'}${blocking ? `, ${blocking} blocking` : ''}`,
      h('span', { class: 'muted small block' }, f.map((g) => `${g.severity}: ${g.message}`).join(' · ')),
    );
  };
  const row = (t: Task, withGaps: boolean) =>
    h(
      'tr',
      {},
      ...[
        subjectLink(t),
        ...(withGaps ? [gapsCell(t)] : []),
        t.kind,
        t.assignees.capacity ?? t.assignees.roles?.join(', ') ?? t.assignees.emails?.join(', ') ?? '—',
        t.dueAt ? when(t.dueAt) : '—',
        t.dueAt && Date.parse(t.dueAt) < Date.now() ? h('strong', { class: 'firing' }, 'overdue') : t.status,
      ].map((c, i) => h('td', { 'data-label': (withGaps ? headMine : head)[i] ?? '' }, c)),
    );
  const head = ['Task', 'Kind', 'For', 'Due', 'State'];
  const headMine = ['Task', 'Coverage gaps', ...head.slice(1)];
  /** A table of tasks and, while the API has more (`nextCursor`), a button that appends the next page. */
  const section = (
    label: string,
    caption: string,
    first: { items: Task[]; nextCursor?: string },
    query: string,
    withGaps: boolean,
  ) => {
    const t = table(caption, withGaps ? headMine : head, []);
    const body = t.tBodies[0]!;
    body.append(...first.items.map((x) => row(x, withGaps)));
    let cursor = first.nextCursor;
    const more: HTMLButtonElement = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        hidden: !cursor,
        onclick: async () => {
          more.disabled = true;
          const next = await api<{ items: Task[]; nextCursor?: string }>(
            `/v1/tasks?${query}limit=200&cursor=${encodeURIComponent(cursor!)}`,
          ).catch((e) => {
            ctx.fail(e);
            return null;
          });
          more.disabled = false;
          if (!next) return;
          if (withGaps) await loadFindings(next.items);
          body.append(...next.items.map((x) => row(x, withGaps)));
          cursor = next.nextCursor;
          more.hidden = !cursor;
        },
      },
      `Show more ${label}`,
    );
    return h('div', {}, h('div', scroller(caption), t), more);
  };
  ctx.main.replaceChildren(
    h('h1', {}, 'Tasks'),
    h('h2', {}, 'Yours'),
    // A page may be empty with a cursor after it (the API reads at most 2,000 tasks a request): offer the next page.
    mine.items.length === 0 && !mine.nextCursor
      ? empty('Nothing waits for you.', 'Sign-offs, RCAs and CAPA items addressed to you appear here.')
      : section('of your tasks', 'Tasks waiting for you', mine, '', true),
    h('h2', {}, 'All pending tasks you may see'),
    everyone.items.length === 0 && !everyone.nextCursor
      ? empty(
          'No pending tasks in your scope.',
          'Submitting an agreement or a violation starts a workflow with tasks.',
        )
      : section('pending tasks', 'Pending tasks in your scope', everyone, 'view=all&', false),
  );
  ctx.ready('tasks');
}

/** A task's title, linked to its own page (where it is acted on), and its subject's page beneath. */
const subjectLink = (t: Task) => {
  const href = subjectHref(t);
  return h(
    'span',
    {},
    h('a', { href: `#/tasks/${encodeURIComponent(t.id)}` }, t.title),
    href ? h('a', { href, class: 'small block' }, `the ${t.subject.type.replace(/-/g, ' ')}`) : null,
  );
};

/** Agreements the caller may read, with status and the dates ahead (review, renewal, end). */
export async function agreementsPage(ctx: PageContext): Promise<void> {
  const items = await all<Agreement>('/v1/agreements?limit=200');
  // Dates ahead: the next 10 reviews, renewals and ends, soonest first (the agreement's own calendar dates).
  const today = new Date().toISOString().slice(0, 10);
  const ahead = items
    .filter((a) => a.status !== 'retired' && a.status !== 'expired')
    .flatMap((a) =>
      (
        [
          ['review', a.reviewCycle?.nextReviewDate],
          ['renewal', a.renewal?.renewalDate],
          ['end', a.effectiveTo],
        ] as const
      )
        .filter(([, d]) => d && d >= today)
        .map(([what, d]) => ({ a, what, d: d! })),
    )
    .sort((x, y) => x.d.localeCompare(y.d))
    .slice(0, 10);
  ctx.main.replaceChildren(
    h('h1', {}, 'Agreements'),
    h('h2', {}, 'Next dates ahead'),
    ahead.length === 0
      ? empty(
          'No review, renewal or end date ahead.',
          'Agreements in force show their next review, renewal and end here.',
        )
      : h(
          'ul',
          { class: 'ahead' },
          ...ahead.map(({ a, what, d }) =>
            h(
              'li',
              {},
              h('strong', {}, d),
              ` ${what}: `,
              h('a', { href: `#/agreements/${encodeURIComponent(a.id)}` }, a.title),
              ` (${a.timeZone})`,
            ),
          ),
        ),
    h('h2', {}, 'All agreements'),
    items.length === 0
      ? empty(
          'No agreements you may read.',
          'An SLA manager drafts agreements; a viewer sees those of its business unit.',
        )
      : h(
          'div',
          scroller('Agreements'),
          table(
            'Agreements you may read',
            ['Agreement', 'Kind', 'Status', 'Provider → customer', 'Next review', 'Renewal', 'Ends'],
            items.map((a) => [
              h('a', { href: `#/agreements/${encodeURIComponent(a.id)}` }, a.title),
              a.kind,
              badge(a.status),
              `${party(a.parties.provider)} → ${party(a.parties.customer)}`,
              a.reviewCycle?.nextReviewDate ?? '—',
              a.renewal?.renewalDate ?? '—',
              a.effectiveTo,
            ]),
          ),
        ),
  );
  ctx.ready('agreements');
}

const party = (p: Agreement['parties']['provider']) => (p.type === 'vendor' ? p.name : p.businessUnit);

/** One agreement: its terms, sign-offs (and the sign-off in place for an approver), its objectives' status. */
export async function agreementPage(ctx: PageContext, id: string): Promise<void> {
  const a = await api<Agreement & { gapFindings?: GapFinding[] }>(`/v1/agreements/${encodeURIComponent(id)}`);
  const [governance, compliance, tasks, chain] = await Promise.all([
    governanceSections(ctx, a, () => agreementPage(ctx, id)),
    complianceSections(a),
    subjectTasks(a.id, 'Pending tasks on the agreement'),
    api<ChainGraph>(`/v1/agreements/${encodeURIComponent(a.id)}/chain`).catch(() => null),
  ]);
  const claims = session.claims();
  const signed = new Set(a.signOffs.map((s) => s.capacity));
  const missing = a.requiredSignOffs.filter((r) => !signed.has(r.capacity));
  const mayApprove =
    a.status === 'submitted' ? missing.filter((r) => claims?.signoff.includes(r.capacity)) : [];
  const message = h('p', { role: 'status', 'aria-live': 'polite' });
  const signForm = (capacity: string) => {
    const reason = h('textarea', {
      id: `reason-${capacity}`,
      name: 'reason',
      rows: 2,
      required: true,
      minlength: 3,
    });
    const err = h('p', { class: 'field-error', id: `reason-${capacity}-error` });
    const decide = (decision: 'approved' | 'rejected') => async (ev: Event) => {
      ev.preventDefault();
      err.textContent = '';
      try {
        await api(`/v1/agreements/${encodeURIComponent(a.id)}/signoffs`, {
          method: 'POST',
          ifMatch: a.version,
          body: { capacity, decision, reason: (reason as HTMLTextAreaElement).value },
        });
        message.textContent = `Signed off as ${capacity}: ${decision}.`;
        await agreementPage(ctx, id);
      } catch (e) {
        const fieldProblems = (e as { details?: { path: string; problem: string }[] }).details?.filter(
          (d) => d.path === 'reason',
        );
        if (fieldProblems?.length) {
          err.textContent = `Reason ${fieldProblems.map((d) => d.problem).join('; ')}`;
          reason.setAttribute('aria-invalid', 'true');
          reason.setAttribute('aria-describedby', err.id);
          (reason as HTMLTextAreaElement).focus();
        } else ctx.fail(e);
      }
    };
    return h(
      'form',
      { class: 'signoff', 'aria-label': `Sign off as ${capacity}` },
      h('label', { for: `reason-${capacity}` }, `Reason for your decision as ${capacity}`),
      reason,
      err,
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'submit', onclick: decide('approved') }, 'Approve'),
        h('button', { type: 'button', class: 'secondary', onclick: decide('rejected') }, 'Reject'),
      ),
    );
  };
  ctx.main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/agreements' }, 'Agreements'), ' › ', a.title),
    h('h1', {}, a.title),
    historyLinks(a),
    h(
      'dl',
      { class: 'figures' },
      h('dt', {}, 'Status'),
      h('dd', {}, badge(a.status), ` version ${a.version}`),
      h('dt', {}, 'Kind'),
      h('dd', {}, a.kind),
      h('dt', {}, 'Parties'),
      h('dd', {}, `${party(a.parties.provider)} provides to ${party(a.parties.customer)}`),
      h('dt', {}, 'Service'),
      h('dd', {}, a.serviceId),
      h('dt', {}, a.status === 'active' ? 'In force' : 'Effective'),
      h('dd', {}, `${a.effectiveFrom} to ${a.effectiveTo} (${a.timeZone})`),
      h('dt', {}, 'Next review'),
      h(
        'dd',
        { 'data-next-review': a.reviewCycle?.nextReviewDate ?? '' },
        a.reviewCycle?.nextReviewDate ?? '—',
      ),
    ),
    h('h2', {}, 'Objectives'),
    h(
      'ul',
      {},
      ...a.objectives.map((o) =>
        h(
          'li',
          {},
          a.status === 'active'
            ? h('a', { href: `#/objectives/${encodeURIComponent(a.id)}/${encodeURIComponent(o.id)}` }, o.name)
            : o.name,
          ` — target ${o.target} %`,
        ),
      ),
    ),
    ...compliance,
    h('h2', {}, 'Sign-offs'),
    table(
      'Required sign-offs',
      ['Capacity', 'Decision', 'By', 'When'],
      a.requiredSignOffs.map((r) => {
        const s = a.signOffs.find((x) => x.capacity === r.capacity);
        return [r.capacity, s ? s.decision : 'waiting', s?.by ?? '—', s ? whenIn(s.at, a.timeZone) : '—'];
      }),
    ),
    message,
    ...mayApprove.map((r) => signForm(r.capacity)),
    tasks,
    part('OLA and UC chain', chain ? chainTree(chain) : null, 'No chain to show.'),
    ...governance,
  );
  ctx.ready('agreement');
}
