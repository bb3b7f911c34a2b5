import { ApiError, api, session } from './api.js';
import type { PageContext } from './dashboard.js';
import { badge, empty, h, scroller, table } from './dom.js';
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

const show = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);

/** One task: what it is, for whom, by when, its data, and (when it is yours and waits) the form to act on it. */
export async function taskPage(ctx: PageContext, id: string): Promise<void> {
  const t = await api<FullTask>(`/v1/tasks/${encodeURIComponent(id)}`);
  const href = subjectHref(t);
  const overdue = t.status === 'pending' && t.dueAt && Date.parse(t.dueAt) < Date.now();
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const who = t.assignees.capacity ?? t.assignees.roles?.join(', ') ?? t.assignees.emails?.join(', ') ?? '—';
  let action: Node;
  if (t.status !== 'pending') {
    action = h(
      'p',
      { 'data-state': t.status },
      `This task is ${t.status}${t.settledBy ? ` by ${t.settledBy}` : ''}${t.settledAt ? `, ${when(t.settledAt)}` : ''}: it no longer waits for anyone.`,
    );
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
          // A 403 or 409 has no field to go beside: its words, and what to do.
          if (e instanceof ApiError && (e.status === 403 || e.status === 409)) {
            status.replaceChildren(h('div', { class: 'error', role: 'alert' }, e.words()));
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
      ? h('div', {}, h('h2', {}, 'Its data'), dl(Object.entries(t.data).map(([k, v]) => [k, show(v)])))
      : null,
    t.outcome
      ? h('div', {}, h('h2', {}, 'Outcome'), dl(Object.entries(t.outcome).map(([k, v]) => [k, show(v)])))
      : null,
    status,
    action,
  );
  ctx.ready('task');
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
  const [v, r, runs, chain, tasks] = await Promise.all([
    api<Violation>(path),
    api<FullRemediation>(`${path}/remediation`).catch((e) => {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }),
    api<{ items: Execution[] }>(`${path}/workflows`),
    api<unknown>(`${path}/chain`).catch(() => null),
    api<{ items: Task[] }>(
      `/v1/tasks?view=all&status=pending&subjectId=${encodeURIComponent(id)}&limit=200`,
    ).catch(() => ({ items: [] as Task[] })),
  ]);
  const rca = r?.rca;
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
    h('h2', {}, 'Remediation'),
    r
      ? h(
          'div',
          { 'data-remediation': r.status },
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
          h('h3', {}, 'RCA'),
          rca
            ? h(
                'div',
                { class: 'rca' },
                dl([
                  ['Root cause', show(rca.rootCause)],
                  ['Conclusion', show(rca.conclusion)],
                  [
                    'Proposed target',
                    rca.proposedTarget === undefined ? null : `${show(rca.proposedTarget)} %`,
                  ],
                  ['Submitted by', rca.by === undefined ? null : show(rca.by)],
                ]),
              )
            : h('p', { class: 'muted' }, `No RCA yet: due ${when(r.rcaDueAt)}.`),
          r.capa.length
            ? h(
                'div',
                scroller('CAPA items'),
                table(
                  'CAPA items',
                  ['Kind', 'Action', 'Owner', 'Due', 'State'],
                  r.capa.map((c) => [
                    show(c.kind),
                    show(c.description),
                    (c.owner as { name?: string } | undefined)?.name ?? '—',
                    typeof c.dueDate === 'string' ? c.dueDate : '—',
                    typeof c.taskId === 'string'
                      ? h('a', { href: `#/tasks/${encodeURIComponent(c.taskId)}` }, show(c.status))
                      : show(c.status),
                  ]),
                ),
              )
            : h('p', { class: 'muted' }, 'No CAPA items.'),
          h('h3', {}, 'Credit'),
          r.credit
            ? dl(Object.entries(r.credit).map(([k, x]) => [k, show(x)]))
            : h('p', { class: 'muted' }, 'No service credit recorded.'),
          h(
            'div',
            scroller('History'),
            table(
              'History of the remediation',
              ['When', 'Step', 'By', 'Detail'],
              r.history.map((s) => [when(s.at), s.step, s.by, s.detail]),
            ),
          ),
        )
      : empty('No remediation workflow for this violation.', 'A remediation starts when a violation opens.'),
    h('h2', {}, 'Pending tasks'),
    tasks.items.length
      ? h(
          'ul',
          {},
          ...tasks.items.map((t) =>
            h(
              'li',
              {},
              h('a', { href: `#/tasks/${encodeURIComponent(t.id)}` }, t.title),
              ` (${t.kind}, due ${when(t.dueAt)})`,
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'None.'),
    h('h2', {}, 'Workflow executions'),
    runs.items.length
      ? h(
          'div',
          scroller('Workflow executions'),
          table(
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
        )
      : h('p', { class: 'muted' }, 'No executions.'),
    h('h2', {}, 'OLA and UC chain'),
    chainOf(chain),
  );
  ctx.ready('violation');
}

/** The chain answer, shown as its own fields (its shape is the API's, listed rather than interpreted). */
function chainOf(chain: unknown): Node {
  if (!chain || typeof chain !== 'object') return h('p', { class: 'muted' }, 'No chain to show.');
  const c = chain as Record<string, unknown>;
  const list = Object.entries(c).find(([, x]) => Array.isArray(x));
  const items = (list?.[1] ?? []) as Record<string, unknown>[];
  const rest = Object.entries(c).filter(([k]) => k !== list?.[0]);
  return h(
    'div',
    { class: 'chain' },
    dl(rest.map(([k, x]) => [k, show(x)])),
    items.length
      ? h(
          'ul',
          {},
          ...items.map((i) =>
            h(
              'li',
              {},
              Object.entries(i)
                .filter(([, x]) => typeof x !== 'object')
                .map(([k, x]) => `${k}: ${show(x)}`)
                .join(' · '),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No supporting agreements in the chain.'),
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
  const [gate, exceptions] = await Promise.all([
    api<Gate>(`${base}/change-gate`),
    api<{ items: FreezeException[] }>(`${base}/freeze-exceptions`),
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
    h('h2', {}, 'Freeze exceptions'),
    exceptions.items.length
      ? h(
          'div',
          scroller('Freeze exceptions'),
          table(
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
        )
      : h('p', { class: 'muted' }, 'None asked for.'),
    form ? h('div', {}, h('h3', {}, 'Ask for an exception to a freeze'), status, form.form) : null,
  );
  ctx.ready('service');
}
