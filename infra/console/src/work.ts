import { ApiError, api, session } from './api.js';
import type { PageContext } from './dashboard.js';
import { badge, type Child, empty, h, scroller, table } from './dom.js';
import { when } from './format.js';
import { type FormField, fieldForm } from './forms.js';
import type { Remediation, Task, Violation } from './types.js';

/**
 * Acting on what is a person's own (issue 11): one task and its form, one violation's remediation, a service's
 * change gate with its freeze exceptions. Every figure comes from the public API.
 */

/** A task as `GET /v1/tasks/{id}` answers it (the list's fields and the rest). */
interface FullTask extends Task {
  workflow: string;
  data: Record<string, unknown>;
  outcome?: Record<string, unknown>;
  settledBy?: string;
  settledAt?: string;
}

/** Where a task's subject is shown: its agreement, violation, change request or service page. */
export function subjectHref(t: { subject: { type: string; id: string }; serviceId?: string }): string | null {
  const id = encodeURIComponent(t.subject.id);
  switch (t.subject.type) {
    case 'agreement':
      return `#/agreements/${id}`;
    case 'violation':
      return `#/violations/${id}`;
    case 'change-request':
      return `#/change-requests/${id}`;
    case 'service':
      return `#/services/${id}`;
    case 'freeze-exception':
      return t.serviceId ? `#/services/${encodeURIComponent(t.serviceId)}` : null;
    default:
      return null;
  }
}

const DECISION: FormField = {
  path: 'decision',
  label: 'Decision',
  type: 'select',
  options: [
    ['', 'Choose…'],
    ['approved', 'Approve'],
    ['rejected', 'Reject'],
  ],
};
const REASON: FormField = {
  path: 'reason',
  label: 'Reason',
  type: 'textarea',
  hint: 'At least 3 characters.',
};
const COMMENT: FormField = { path: 'comment', label: 'Comment (optional)', type: 'textarea' };

/** The fields each kind of task takes (CompleteTaskBody in shared/schemas/workflows.ts). */
function fieldsOf(kind: string): FormField[] {
  if (kind === 'rca')
    return [
      {
        path: 'rca.timeline',
        label: 'Timeline',
        type: 'textarea',
        hint: 'One event a line: an ISO time, a space, what happened (2026-01-05T10:00:00Z Deploy of 4.2).',
      },
      { path: 'rca.rootCause', label: 'Root cause', type: 'textarea' },
      {
        path: 'rca.conclusion',
        label: 'Conclusion',
        type: 'select',
        options: [
          ['fix', 'Fix: the target holds, actions follow'],
          ['target-unrealistic', 'The target is unrealistic: propose another'],
        ],
      },
      {
        path: 'rca.proposedTarget',
        label: 'Proposed target, percent (with "unrealistic")',
        hint: 'For example 99.5.',
      },
      { path: 'rca.evidence', label: 'Evidence (one a line, optional)', type: 'textarea' },
      {
        path: 'rca.actions',
        label: 'CAPA items',
        type: 'textarea',
        hint: 'One a line: corrective or preventive; description; owner name; owner e-mail; due date (optional).',
      },
      REASON,
    ];
  if (kind === 'capa')
    return [{ path: 'resolution', label: 'Resolution: how it was done', type: 'textarea' }, REASON];
  return [DECISION, REASON, COMMENT];
}

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The body `POST /v1/tasks/{id}/complete` takes, from the form's values (the API judges them). */
function bodyOf(kind: string, v: Map<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = { reason: v.get('reason') ?? '' };
  if (kind === 'rca') {
    const target = v.get('rca.proposedTarget')?.trim();
    body.rca = {
      timeline: lines(v.get('rca.timeline') ?? '').map((l) => {
        const at = l.split(/\s+/, 1)[0] ?? '';
        return { at, event: l.slice(at.length).trim() };
      }),
      rootCause: v.get('rca.rootCause') ?? '',
      conclusion: v.get('rca.conclusion'),
      evidence: lines(v.get('rca.evidence') ?? ''),
      ...(target ? { proposedTarget: Number(target) } : {}),
      actions: lines(v.get('rca.actions') ?? '').map((l) => {
        const [kind = '', description = '', name = '', email = '', dueDate] = l
          .split(';')
          .map((x) => x.trim());
        return { kind, description, owner: { name, email }, ...(dueDate ? { dueDate } : {}) };
      }),
    };
  } else if (kind === 'capa') body.resolution = v.get('resolution') ?? '';
  else {
    if (v.get('decision')) body.decision = v.get('decision');
    if (v.get('comment')) body.comment = v.get('comment');
  }
  return body;
}

const dl = (pairs: [string, string | Node | null | undefined][]) =>
  h(
    'dl',
    { class: 'facts' },
    ...pairs
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );

/** Renders a page's parts into its view, leaving out the absent ones. */
const put = (ctx: PageContext, ...parts: (Node | string | null)[]) =>
  ctx.main.replaceChildren(...parts.filter((p): p is Node | string => p !== null));

/**
 * A part of a page: its heading (`h2`, or `h3` inside another part), then its content, or `none` in muted words when
 * there is nothing to show (content null, or a table without rows).
 */
export const part = (title: string, content: Node | null, none = 'None.', level: 'h2' | 'h3' = 'h2') =>
  h('section', {}, h(level, {}, title), content ?? h('p', { class: 'muted' }, none));

/** A captioned table in its sideways-scrolling box; null when there are no rows (so `part` says `none`). */
export const rowsOrNull = (caption: string, head: string[], rows: Child[][]): Node | null =>
  rows.length ? h('div', scroller(caption), table(caption, head, rows)) : null;

/**
 * A value of the API in words: an ISO time in the viewer's zone, other text as it is, a list's items joined by
 * commas, an object's fields as `name: value` joined by semicolons.
 */
const show = (v: unknown): string => {
  if (typeof v === 'string') return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) ? when(v) : v;
  if (Array.isArray(v)) return v.map(show).join(', ');
  if (v && typeof v === 'object')
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${show(x)}`)
      .join('; ');
  return String(v);
};

/** Whether the signed-in person is the one a record names (`by`: a subject, or an e-mail in any case). */
const isMe = (by: unknown): boolean => {
  const me = session.claims();
  if (!me || typeof by !== 'string' || !by) return false;
  return by === me.subject || (!!me.email && by.toLowerCase() === me.email.toLowerCase());
};

/**
 * Why the signed-in person may not decide a task although it may be addressed to them: separation of duties. Whoever
 * asked for a freeze exception cannot decide it; whoever asked for a change cannot assess it; whoever asked or
 * assessed cannot sign it (docs/workflows.md, items 4 and 7). Reads the task's subject from the API; null when the
 * person did neither (or the subject cannot be read: the API still decides, and its 403 is shown in words).
 */
async function separatedDuty(t: FullTask): Promise<string | null> {
  if (t.kind === 'freeze-exception') {
    const list = await api<{ items: FreezeException[] }>(
      `/v1/services/${encodeURIComponent(t.serviceId)}/freeze-exceptions`,
    ).catch(() => null);
    const x = list?.items.find((e) => e.id === t.data.freezeExceptionId);
    return x && isMe(x.requestedBy)
      ? 'You asked for this exception, so you may not decide it: separation of duties leaves the decision to another person, an approver.'
      : null;
  }
  if (t.kind !== 'change-assessment' && t.kind !== 'change-signoff') return null;
  const cr = await api<{ requestedBy: string; assessment?: { by: string } }>(
    `/v1/change-requests/${encodeURIComponent(t.subject.id)}`,
  ).catch(() => null);
  if (!cr) return null;
  if (isMe(cr.requestedBy))
    return `You asked for this change, so you may not ${t.kind === 'change-assessment' ? 'assess' : 'sign'} it: separation of duties leaves it to another person.`;
  if (t.kind === 'change-signoff' && isMe(cr.assessment?.by))
    return 'You assessed this change, so you may not sign it: separation of duties leaves the sign-off to another person.';
  return null;
}

/** One task: what it is, for whom, by when, its data, and (when it is yours and waits) the form to act on it. */
export async function taskPage(ctx: PageContext, id: string): Promise<void> {
  const t = await api<FullTask>(`/v1/tasks/${encodeURIComponent(id)}`);
  const href = subjectHref(t);
  const overdue = t.status === 'pending' && t.dueAt && Date.parse(t.dueAt) < Date.now();
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const who = t.assignees.capacity ?? t.assignees.roles?.join(', ') ?? t.assignees.emails?.join(', ') ?? '—';
  const duty = t.status === 'pending' ? await separatedDuty(t) : null;
  let action: Node;
  if (t.status !== 'pending') {
    action = h(
      'p',
      { 'data-state': t.status },
      `This task is ${t.status}${t.settledBy ? ` by ${t.settledBy}` : ''}${t.settledAt ? `, ${when(t.settledAt)}` : ''}: it no longer waits for anyone.`,
    );
  } else if (duty) {
    action = h('p', { class: 'notice', 'data-duty': 'separated' }, duty);
  } else if (!t.yours) {
    action = h('p', {}, `This task is addressed to ${who}, not to you: you may read it, not act on it.`);
  } else {
    // A list field's detail (`rca.timeline[0].at`) names the line of the text box it came from: `line 1: at`.
    const lineOf = (p: string) => p.replace(/\[(\d+)\]\.?/, (_, n: string) => `.line ${Number(n) + 1}: `);
    const f = fieldForm(
      'task',
      fieldsOf(t.kind),
      'Complete the task',
      status,
      async () => {
        try {
          await api(`/v1/tasks/${encodeURIComponent(id)}/complete`, {
            method: 'POST',
            body: bodyOf(t.kind, f.values()),
          });
        } catch (e) {
          // A 403 has no field to go beside: its words. A 409 (settled meanwhile, by someone else): the task as it is
          // now, under the API's words.
          if (e instanceof ApiError && e.status === 403) {
            status.replaceChildren(h('div', { class: 'error', role: 'alert' }, e.words()));
            return;
          }
          if (e instanceof ApiError && e.status === 409) {
            await taskPage(ctx, id);
            ctx.main.prepend(h('div', { class: 'error', role: 'alert' }, e.words()));
            return;
          }
          throw e;
        }
        await taskPage(ctx, id);
        ctx.main.prepend(h('p', { class: 'ok', role: 'status' }, 'Done: the task is settled.'));
      },
      lineOf,
    );
    action = h('div', {}, h('h2', {}, 'Act on it'), f.form);
  }
  put(
    ctx,
    h('h1', {}, t.title),
    dl([
      ['Kind', t.kind],
      ['State', overdue ? h('strong', { class: 'firing' }, 'overdue') : t.status],
      [
        'Subject',
        href ? h('a', { href }, `${t.subject.type} ${t.subject.id}`) : `${t.subject.type} ${t.subject.id}`,
      ],
      [
        'Service',
        t.serviceId ? h('a', { href: `#/services/${encodeURIComponent(t.serviceId)}` }, t.serviceId) : null,
      ],
      ['For', who],
      ['Due', t.dueAt ? when(t.dueAt) : '—'],
      ['Created', when(t.createdAt)],
      ['Workflow', t.workflow],
    ]),
    Object.keys(t.data).length
      ? part('Its data', dl(Object.entries(t.data).map(([k, v]) => [k, show(v)])))
      : null,
    t.outcome ? part('Outcome', dl(Object.entries(t.outcome).map(([k, v]) => [k, show(v)]))) : null,
    status,
    action,
  );
  ctx.ready('task');
}

/**
 * The tasks whose subject is `subjectId` (a violation, an agreement, a service, a change request), pending ones,
 * each linked to its page: the other way of the task page's subject link. Answers the page's part ("None." when
 * there are none, or when the list cannot be read).
 */
export async function subjectTasks(subjectId: string, title = 'Pending tasks'): Promise<HTMLElement> {
  const tasks = await api<{ items: Task[] }>(
    `/v1/tasks?view=all&status=pending&subjectId=${encodeURIComponent(subjectId)}&limit=200`,
  ).catch(() => ({ items: [] as Task[] }));
  return part(
    title,
    rowsOrNull(
      title,
      ['Task', 'Kind', 'For', 'Due'],
      tasks.items.map((t) => [
        h('a', { href: `#/tasks/${encodeURIComponent(t.id)}` }, t.title),
        t.kind,
        t.assignees.capacity ?? t.assignees.roles?.join(', ') ?? t.assignees.emails?.join(', ') ?? '—',
        t.dueAt ? when(t.dueAt) : '—',
      ]),
    ),
  );
}

interface Execution {
  executionId: string;
  workflow: string;
  name: string;
  status: string;
  startedAt: string;
  stoppedAt?: string;
  path: string[];
}

interface FullRemediation extends Remediation {
  rca?: Record<string, unknown>;
  capa: Record<string, unknown>[];
  credit?: Record<string, unknown>;
  changeRequestId?: string;
  history: { at: string; step: string; by: string; detail: string }[];
  closedAt?: string;
}

/** One violation: its remediation (RCA, CAPA items, credit, history), its workflow executions and its OLA/UC chain. */
export async function violationPage(ctx: PageContext, id: string): Promise<void> {
  const path = `/v1/violations/${encodeURIComponent(id)}`;
  const v = await api<Violation>(path);
  const [r, runs, breach, graph, pending, capaTasks] = await Promise.all([
    api<FullRemediation>(`${path}/remediation`).catch((e) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }),
    api<{ items: Execution[] }>(`${path}/workflows`),
    api<Breach>(`${path}/chain`).catch(() => null),
    api<ChainGraph>(`/v1/agreements/${encodeURIComponent(v.agreementId)}/chain`).catch(() => null),
    subjectTasks(id),
    // Every CAPA task of the violation, settled or not, so that each CAPA row links to its own task.
    Promise.all(
      ['pending', 'completed'].map((st) =>
        api<{ items: (Task & { data?: Record<string, unknown> })[] }>(
          `/v1/tasks?view=all&status=${st}&kind=capa&subjectId=${encodeURIComponent(id)}&limit=200`,
        ).then(
          (x) => x.items,
          () => [],
        ),
      ),
    ).then((lists) => lists.flat()),
  ]);
  const taskOfCapa = new Map(capaTasks.map((t) => [String(t.data?.capaId ?? ''), t.id]));
  const rca = r?.rca;
  const proposal = rca?.proposal as { target?: number } | undefined;
  put(
    ctx,
    h('h1', {}, `Violation of ${v.serviceId} · ${v.objectiveId}`),
    dl([
      ['Severity', h('span', {}, badge(v.severity), ` ${v.severityReason}`)],
      ['State', v.status],
      [
        'Objective',
        h(
          'a',
          { href: `#/objectives/${encodeURIComponent(v.agreementId)}/${encodeURIComponent(v.objectiveId)}` },
          `${v.agreementId} · ${v.objectiveId}`,
        ),
      ],
      [
        'Service',
        h('a', { href: `#/services/${encodeURIComponent(v.serviceId)}` }, `${v.serviceId} (change gate)`),
      ],
      ['Detected', when(v.detectedAt)],
    ]),
    r
      ? h(
          'section',
          { 'data-remediation': r.status },
          h('h2', {}, 'Remediation'),
          dl([
            ['State', r.status.replace(/-/g, ' ')],
            ['Owner', `${r.owner.name} (${r.owner.email})`],
            ['RCA due', when(r.rcaDueAt)],
            ['Closed', r.closedAt ? when(r.closedAt) : null],
            [
              'Change request',
              r.changeRequestId
                ? h(
                    'a',
                    { href: `#/change-requests/${encodeURIComponent(r.changeRequestId)}` },
                    r.changeRequestId,
                  )
                : null,
            ],
          ]),
          part(
            'RCA',
            rca
              ? h(
                  'div',
                  { class: 'rca' },
                  dl([
                    ['Root cause', show(rca.rootCause)],
                    ['Conclusion', show(rca.conclusion)],
                    ['Proposed target', proposal?.target === undefined ? null : `${proposal.target} %`],
                    ['Submitted by', rca.submittedBy === undefined ? null : show(rca.submittedBy)],
                  ]),
                )
              : null,
            `No RCA yet: due ${when(r.rcaDueAt)}.`,
            'h3',
          ),
          part(
            'CAPA items',
            rowsOrNull(
              'CAPA items',
              ['Kind', 'Action', 'Owner', 'Due', 'State'],
              r.capa.map((c) => {
                const task = taskOfCapa.get(String(c.id));
                return [
                  show(c.kind),
                  task
                    ? h('a', { href: `#/tasks/${encodeURIComponent(task)}` }, show(c.description))
                    : show(c.description),
                  (c.owner as { name?: string } | undefined)?.name ?? '—',
                  typeof c.dueAt === 'string' ? when(c.dueAt) : '—',
                  show(c.status),
                ];
              }),
            ),
            'No CAPA items.',
            'h3',
          ),
          part(
            'Credit',
            r.credit ? dl(Object.entries(r.credit).map(([k, x]) => [k, show(x)])) : null,
            'No service credit recorded.',
            'h3',
          ),
          part(
            'History',
            rowsOrNull(
              'History of the remediation',
              ['When', 'Step', 'By', 'Detail'],
              r.history.map((s) => [when(s.at), s.step, s.by, s.detail]),
            ),
            'No steps yet.',
            'h3',
          ),
        )
      : part(
          'Remediation',
          empty(
            'No remediation workflow for this violation.',
            'A remediation starts when a violation opens.',
          ),
        ),
    pending,
    part(
      'Workflow executions',
      rowsOrNull(
        'Workflow executions, with the states each went through',
        ['Workflow', 'State', 'Started', 'Stopped', 'Path'],
        runs.items.map((x) => [
          x.workflow,
          x.status,
          when(x.startedAt),
          when(x.stoppedAt),
          x.path.join(' → '),
        ]),
      ),
      'No executions.',
    ),
    part('OLA and UC chain', graph ? chainTree(graph, breach) : null, 'No chain to show.'),
  );
  ctx.ready('violation');
}

/** `GET /v1/agreements/{id}/chain`: the agreements around one, by level, and the edges between them. */
export interface ChainGraph {
  agreementId: string;
  nodes: {
    id: string;
    kind: string;
    title: string;
    status: string;
    serviceId: string;
    level: number;
    objectives: { id: string; sliType: string; target: number }[];
  }[];
  edges: {
    from: string;
    to: string;
    supports: { objectiveId: string; dependencyObjectiveId?: string; mode: string }[];
  }[];
  outsideScope: { agreements: number; edges: number };
}

/** `GET /v1/violations/{id}/chain`: the breach and what under it was failing in the same period. */
interface Breach {
  agreementId: string;
  objectiveId: string;
  targetPercent: number;
  compliancePercent: number | null;
  examined: number;
  contributors: {
    agreementId: string;
    objectiveId: string;
    violationId: string;
    severity: string;
    status: string;
    targetPercent: number;
    compliancePercent: number | null;
  }[];
  outsideScope: number;
}

const pct = (x: number | null) => (x === null ? 'unknown' : `${x.toFixed(2)} %`);

/**
 * The underpinning chain drawn as a tree: the agreement asked about at the root, what it rests on beneath (an SLA →
 * its OLAs and UCs → theirs), each node an agreement with its kind, state and link, the objectives each edge supports;
 * with a breach, the breached objective's compliance at the root and, on each node that was failing in the same
 * period, its compliance and its violation's link. A nested list (headings and links read in order by a screen
 * reader); the lines are CSS. What rests on the root (negative levels) is named above it.
 */
export function chainTree(g: ChainGraph, breach: Breach | null = null): HTMLElement {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const failing = new Map<string, Breach['contributors']>();
  for (const c of breach?.contributors ?? [])
    failing.set(c.agreementId, [...(failing.get(c.agreementId) ?? []), c]);
  const seen = new Set<string>();
  const node = (id: string, via: string | null): HTMLElement => {
    const n = byId.get(id);
    seen.add(id);
    const below = g.edges.filter((e) => e.from === id && byId.has(e.to) && !seen.has(e.to));
    const marks: Child[] = [];
    if (breach && id === breach.agreementId)
      marks.push(
        h(
          'span',
          { class: 'firing block small' },
          `${breach.objectiveId}: ${pct(breach.compliancePercent)} against ${breach.targetPercent} % (breached)`,
        ),
      );
    for (const c of failing.get(id) ?? [])
      marks.push(
        h(
          'span',
          { class: 'block small' },
          badge(c.severity),
          ` ${c.objectiveId}: ${pct(c.compliancePercent)} against ${c.targetPercent} %, `,
          h('a', { href: `#/violations/${encodeURIComponent(c.violationId)}` }, `violation ${c.status}`),
        ),
      );
    if (breach && id !== breach.agreementId && !failing.has(id))
      marks.push(h('span', { class: 'muted block small' }, 'no violation in the same period'));
    return h(
      'li',
      { 'data-agreement': id },
      h(
        'div',
        { class: 'node' },
        via ? h('span', { class: 'muted block small' }, via) : null,
        h('strong', {}, n?.kind ?? '?'),
        ' ',
        h('a', { href: `#/agreements/${encodeURIComponent(id)}` }, n?.title ?? id),
        ' ',
        badge(n?.status ?? 'unknown'),
        h('span', { class: 'muted block small' }, n?.serviceId ?? ''),
        marks,
      ),
      below.length
        ? h(
            'ul',
            {},
            ...below.map((e) =>
              node(
                e.to,
                e.supports.length
                  ? `supports ${e.supports
                      .map(
                        (x) =>
                          `${x.objectiveId}${x.dependencyObjectiveId ? ` with its ${x.dependencyObjectiveId}` : ''} (${x.mode})`,
                      )
                      .join(', ')}`
                  : null,
              ),
            ),
          )
        : null,
    );
  };
  const above = g.nodes.filter((n) => n.level < 0);
  return h(
    'div',
    { class: 'chain' },
    above.length
      ? h(
          'p',
          {},
          'Rests on it: ',
          ...above.flatMap((n, i) => [
            i ? ', ' : '',
            h('a', { href: `#/agreements/${encodeURIComponent(n.id)}` }, `${n.kind} ${n.title}`),
          ]),
          '.',
        )
      : null,
    h(
      'ul',
      { class: 'tree', 'aria-label': 'What the agreement rests on, as a tree' },
      node(g.agreementId, null),
    ),
    g.nodes.length === 1 ? h('p', { class: 'muted' }, 'It rests on no OLA or UC.') : null,
    g.outsideScope.agreements
      ? h(
          'p',
          { class: 'muted' },
          `${g.outsideScope.agreements} agreement(s) of the chain lie outside your scope.`,
        )
      : null,
    breach?.outsideScope
      ? h('p', { class: 'muted' }, `${breach.outsideScope} failing agreement(s) outside your scope.`)
      : null,
  );
}

interface Gate {
  serviceId: string;
  tier: number;
  evaluatedAt: string | null;
  allowed: boolean;
  exception?: { id: string; from: string; to: string; change: string; approvedBy: string };
  reasons: string[];
  consequences: string[];
  objectives: {
    agreementId: string;
    objectiveId: string;
    status: string;
    budgetRemainingRatio: number | null;
    consequences: string[];
    because: string | null;
  }[];
}

interface FreezeException {
  id: string;
  from: string;
  to: string;
  change: string;
  reason: string;
  requestedBy: string;
  status: string;
  decision?: { by: string; at: string; reason: string };
  taskId: string;
}

/** The roles the API lets ask for a freeze exception (`exception.request`, shared/domain/access/policy.ts). */
const MAY_REQUEST_EXCEPTION = ['admin', 'sla-manager', 'service-owner'];

/** A service's change gate: may changes proceed now and why, its objectives, its freeze exceptions. */
export async function servicePage(ctx: PageContext, serviceId: string): Promise<void> {
  const base = `/v1/services/${encodeURIComponent(serviceId)}`;
  const [gate, exceptions, tasks] = await Promise.all([
    api<Gate>(`${base}/change-gate`),
    api<{ items: FreezeException[] }>(`${base}/freeze-exceptions`),
    subjectTasks(serviceId, 'Pending tasks on the service'),
  ]);
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const mayAsk = MAY_REQUEST_EXCEPTION.some((r) => session.claims()?.roles.includes(r));
  const form = mayAsk
    ? fieldForm(
        'freeze',
        [
          { path: 'from', label: 'From (ISO time)', hint: 'For example 2026-01-05T10:00:00Z.' },
          { path: 'to', label: 'To (ISO time)' },
          { path: 'change', label: 'The change it is for' },
          REASON,
        ],
        'Ask for an exception',
        status,
        async () => {
          const v = form!.values();
          await api(`${base}/freeze-exceptions`, {
            method: 'POST',
            body: { from: v.get('from'), to: v.get('to'), change: v.get('change'), reason: v.get('reason') },
          });
          await servicePage(ctx, serviceId);
          ctx.main.prepend(
            h('p', { class: 'ok', role: 'status' }, 'Asked: an approver decides through a task.'),
          );
        },
      )
    : null;
  put(
    ctx,
    h('h1', {}, `Service ${serviceId}`),
    h('h2', {}, 'Change gate'),
    h(
      'p',
      { 'data-gate': gate.allowed ? 'open' : 'closed' },
      h(
        'strong',
        { class: gate.allowed ? '' : 'firing' },
        gate.allowed ? 'Changes may proceed now.' : 'Changes are held now.',
      ),
      ` Tier ${gate.tier}; evaluated ${when(gate.evaluatedAt)}.`,
    ),
    gate.reasons.length ? h('ul', {}, ...gate.reasons.map((r) => h('li', {}, r))) : null,
    gate.consequences.length ? h('p', {}, `Policy consequences: ${gate.consequences.join(', ')}.`) : null,
    gate.exception
      ? h(
          'p',
          {},
          `Exception ${gate.exception.id} in force from ${when(gate.exception.from)} to ${when(gate.exception.to)} for "${gate.exception.change}" (approved by ${gate.exception.approvedBy}).`,
        )
      : null,
    h(
      'div',
      scroller('Objectives of the service'),
      table(
        'Objectives of the service',
        ['Objective', 'Status', 'Budget left', 'Consequences', 'Because'],
        gate.objectives.map((o) => [
          h(
            'a',
            {
              href: `#/objectives/${encodeURIComponent(o.agreementId)}/${encodeURIComponent(o.objectiveId)}`,
            },
            `${o.agreementId} · ${o.objectiveId}`,
          ),
          badge(o.status),
          o.budgetRemainingRatio === null ? '—' : `${(o.budgetRemainingRatio * 100).toFixed(1)} %`,
          o.consequences.join(', ') || '—',
          o.because ?? '—',
        ]),
      ),
    ),
    part(
      'Freeze exceptions',
      rowsOrNull(
        'Freeze exceptions',
        ['Change', 'Window', 'Asked by', 'State', 'Decision'],
        exceptions.items.map((x) => [
          x.change,
          `${when(x.from)} – ${when(x.to)}`,
          x.requestedBy,
          h('a', { href: `#/tasks/${encodeURIComponent(x.taskId)}` }, x.status),
          x.decision ? `${x.decision.by}: ${x.decision.reason}` : '—',
        ]),
      ),
      'None asked for.',
    ),
    tasks,
    form ? h('div', {}, h('h3', {}, 'Ask for an exception to a freeze'), status, form.form) : null,
  );
  ctx.ready('service');
}
