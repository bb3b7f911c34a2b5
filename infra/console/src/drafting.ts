import { ApiError, api, session } from './api.js';
import type { PageContext } from './dashboard.js';
import { all } from './data.js';
import { badge, empty, h, scroller, table } from './dom.js';
import { when } from './format.js';
import { type FormField, fieldForm } from './forms.js';
import type { Agreement } from './types.js';
import { subjectTasks } from './work.js';

/** GET /v1/templates: one template at its latest version. */
export interface Template {
  id: string;
  version: number;
  name: string;
  description: string;
  kind: string;
  fixed: string[];
  content: Record<string, unknown> & { objectives?: { id: string; name: string; target: number }[] };
  versions: number[];
  latest: boolean;
}

/** A coverage gap finding (GET /v1/agreements/{id}/gaps, or `gapFindings` on a submitted version). */
export interface GapFinding {
  rule: string;
  severity: 'info' | 'minor' | 'major' | 'critical';
  blocksActivation: boolean;
  agreementId: string;
  objectiveId?: string;
  message: string;
}

export interface ChangeRequest {
  id: string;
  agreementId: string;
  baseVersion: number;
  requestedBy: string;
  requestedAt: string;
  summary: string;
  why: string;
  proposed: Record<string, unknown>;
  classification: { administrative: string[]; material: string[] };
  status: string;
  assessment?: { decision: string; by: string; at: string; reason: string };
  requiredSignOffs: { capacity: string }[];
  signOffs: { capacity: string; decision: string; by: string; at: string; reason: string }[];
  appliedVersion?: number;
  history: { at: string; step: string; by: string; detail: string }[];
}

const mayDraft = () => session.claims()?.roles.some((r) => r === 'admin' || r === 'sla-manager') ?? false;

/** Templates: each with what it fixes and what it brings, and a link to draft from it (SLA managers). */
export async function templatesPage(ctx: PageContext): Promise<void> {
  const items = (await api<{ items: Template[] }>('/v1/templates')).items;
  ctx.main.replaceChildren(
    h('h1', {}, 'Agreement templates'),
    h(
      'p',
      { class: 'muted' },
      'A template fixes the objectives (and, for most, the supported hours) of a common kind of service; a draft made from it sets everything else.',
    ),
    items.length === 0
      ? empty('No templates.', 'Templates are data: shared/policy/templates.json.')
      : h(
          'div',
          scroller('Templates'),
          table(
            'Templates, each at its latest version',
            ['Template', 'Kind', 'Version', 'Fixes', 'Objectives', 'Draft'],
            items.map((t) => [
              h(
                'span',
                {},
                h('strong', {}, t.name),
                h('span', { class: 'muted small block' }, t.description),
              ),
              t.kind,
              `${t.version} (of ${t.versions.join(', ')})`,
              t.fixed.join(', '),
              (t.content.objectives ?? []).map((o) => `${o.name} ${o.target} %`).join('; ') || '—',
              mayDraft()
                ? h('a', { href: `#/templates/${encodeURIComponent(t.id)}` }, `Draft from ${t.name}`)
                : h('span', { class: 'muted small' }, 'SLA managers draft'),
            ]),
          ),
        ),
  );
  ctx.ready('templates');
}

/**
 * Drafting from a template: the terms the template does not fix, the objectives' contacts and the reason, sent as
 * POST /v1/templates/{id}/drafts; each of the API's field errors (`terms.effectiveFrom`, `objectiveOwner.email`…)
 * is shown beside its field. The draft opens on its agreement page, with its gap findings before submission.
 */
export async function templateDraftPage(ctx: PageContext, id: string): Promise<void> {
  const [t, agreements] = await Promise.all([
    api<Template>(`/v1/templates/${encodeURIComponent(id)}`),
    all<Agreement>('/v1/agreements?limit=200'),
  ]);
  const claims = session.claims();
  const units = [
    ...new Set([...(claims?.businessUnits ?? []), ...agreements.map((a) => a.businessUnit)]),
  ].sort();
  const services = [...new Set(agreements.map((a) => a.serviceId))].sort();
  const unitOptions = units.map((u) => [u, u] as [string, string]);
  const fields: FormField[] = [
    { path: 'terms.title', label: 'Title', hint: '3 to 200 characters.' },
    {
      path: 'terms.serviceId',
      label: 'Service',
      suggestions: services,
      hint: 'The service id (svc_…) the agreement covers.',
    },
    {
      path: 'terms.businessUnit',
      label: 'Provider (business unit)',
      type: 'select',
      options: unitOptions,
      value: claims?.businessUnits[0] ?? units[0],
    },
    {
      path: 'terms.parties.customer.businessUnit',
      label: 'Customer (business unit)',
      type: 'select',
      options: unitOptions,
      value: units.find((u) => u !== (claims?.businessUnits[0] ?? units[0])),
    },
    { path: 'terms.timeZone', label: 'Time zone', value: 'Europe/London', hint: 'An IANA zone.' },
    {
      path: 'terms.effectiveFrom',
      label: 'Effective from',
      type: 'date',
      hint: "In the agreement's time zone; not in the past.",
    },
    { path: 'terms.effectiveTo', label: 'Effective to', type: 'date', hint: 'Optional; after the start.' },
    {
      path: 'terms.reviewCycle',
      label: 'Next review',
      type: 'date',
      hint: 'Reviewed every 12 months from this date.',
    },
    { path: 'terms.jurisdiction', label: 'Governing law', value: 'England and Wales' },
    { path: 'terms.jurisdiction.country', label: 'Country (ISO code)', value: 'GB' },
    { path: 'terms.dataResidency', label: 'Data region', value: 'eu-west-1' },
    { path: 'objectiveOwner.name', label: "Objectives' owner: name" },
    { path: 'objectiveOwner.email', label: "Objectives' owner: e-mail", type: 'email' },
    { path: 'customerContact.name', label: 'Customer contact: name' },
    { path: 'customerContact.email', label: 'Customer contact: e-mail', type: 'email' },
    {
      path: 'reason',
      label: 'Reason',
      type: 'textarea',
      value: `drafted from the template ${t.name}`,
      hint: 'Goes into the audit trail (3 to 1,000 characters).',
    },
  ];
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const f = fieldForm(
    'draft',
    fields,
    'Create the draft',
    status,
    async () => {
      const v = f.values();
      const get = (p: string) => v.get(p)?.trim() ?? '';
      const unit = get('terms.businessUnit');
      const terms: Record<string, unknown> = {
        title: get('terms.title'),
        serviceId: get('terms.serviceId'),
        businessUnit: unit,
        parties: {
          provider: { type: 'business-unit', businessUnit: unit },
          customer: { type: 'business-unit', businessUnit: get('terms.parties.customer.businessUnit') },
        },
        timeZone: get('terms.timeZone'),
        effectiveFrom: get('terms.effectiveFrom'),
        ...(get('terms.effectiveTo') ? { effectiveTo: get('terms.effectiveTo') } : {}),
        reviewCycle: { everyMonths: 12, nextReviewDate: get('terms.reviewCycle') },
        jurisdiction: { governingLaw: get('terms.jurisdiction'), country: get('terms.jurisdiction.country') },
        dataResidency: { region: get('terms.dataResidency'), processingRegions: [] },
      };
      const draft = await api<Agreement>(`/v1/templates/${encodeURIComponent(t.id)}/drafts`, {
        method: 'POST',
        body: {
          version: t.version,
          terms,
          objectiveOwner: { name: get('objectiveOwner.name'), email: get('objectiveOwner.email') },
          customerContact: { name: get('customerContact.name'), email: get('customerContact.email') },
          reason: get('reason'),
        },
      });
      location.hash = `#/agreements/${encodeURIComponent(draft.id)}`;
    },
    // The schema names a term `terms.…`; the agreement rules behind it name the agreement's own field.
    (p) => (/^(terms|objectiveOwner|customerContact|reason|version)(\.|$)/.test(p) ? p : `terms.${p}`),
  );
  ctx.main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/templates' }, 'Templates'), ' › ', t.name),
    h('h1', {}, `Draft from ${t.name}`),
    h(
      'p',
      { class: 'muted' },
      `${t.kind}, template version ${t.version}. It fixes ${t.fixed.join(' and ')}; its objectives: `,
      (t.content.objectives ?? []).map((o) => `${o.name} (${o.target} %)`).join(', ') || 'none',
      '.',
    ),
    status,
    f.form,
  );
  ctx.ready('template-draft');
}

const SEVERITY_ORDER = { critical: 0, major: 1, minor: 2, info: 3 };

/** Gap findings as a table, blocking ones first; `intro` says when they were found. */
export function gapFindings(findings: GapFinding[], intro: string, outsideScope = 0): HTMLElement {
  const sorted = [...findings].sort(
    (a, b) =>
      Number(b.blocksActivation) - Number(a.blocksActivation) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  );
  const blocking = sorted.filter((f) => f.blocksActivation).length;
  return h(
    'section',
    { 'aria-labelledby': 'gaps-h', class: 'gaps' },
    h('h2', { id: 'gaps-h' }, 'Coverage gaps'),
    h('p', { class: 'muted' }, intro),
    sorted.length === 0
      ? empty(
          'No coverage gaps found.',
          'The chain under this agreement supports each objective as stated (its OLAs and UCs, hours and windows).',
        )
      : h(
          'div',
          {},
          h(
            'p',
            { role: 'status', 'data-gaps': sorted.length, 'data-blocking': blocking },
            `${sorted.length} finding${sorted.length === 1 ? '' : 's'}`,
            blocking ? `, ${blocking} blocking activation` : '',
            '.',
          ),
          h(
            'div',
            scroller('Coverage gaps'),
            table(
              'Coverage gap findings, blocking first',
              ['Severity', 'Rule', 'Objective', 'Finding', 'Blocks activation'],
              sorted.map((g) => [
                badge(g.severity),
                g.rule,
                g.objectiveId ?? '—',
                g.message,
                g.blocksActivation ? h('strong', {}, 'yes') : 'no',
              ]),
            ),
          ),
        ),
    outsideScope
      ? h('p', { class: 'muted small' }, `${outsideScope} more outside your scope (counted, not shown).`)
      : null,
  );
}

/**
 * The agreement page's governance sections: for a draft, its gap findings now (GET /v1/agreements/{id}/gaps) and
 * the submit button for those who may submit; for a submitted version, the findings recorded at submission
 * (`gapFindings`), which is what approvers decide on; for an active agreement, its change requests and the form
 * to ask for one (business units).
 */
export async function governanceSections(
  ctx: PageContext,
  a: Agreement & { gapFindings?: GapFinding[] },
  reload: () => Promise<void>,
): Promise<HTMLElement[]> {
  const out: HTMLElement[] = [];
  const roles = session.claims()?.roles ?? [];
  if (a.status === 'draft') {
    const report = await api<{ findings: GapFinding[]; outsideScope: number }>(
      `/v1/agreements/${encodeURIComponent(a.id)}/gaps`,
    );
    out.push(
      gapFindings(
        report.findings,
        'Found now, before submission: fix them in the draft, or submit and let the approvers weigh them.',
        report.outsideScope,
      ),
    );
    if (roles.some((r) => r === 'admin' || r === 'sla-manager')) out.push(submitForm(ctx, a, reload));
  } else if (a.status === 'submitted' && a.gapFindings) {
    out.push(
      gapFindings(a.gapFindings, 'Recorded when the draft was submitted: what the sign-off decides on.'),
    );
  }
  if (a.status === 'active') out.push(await changeRequestsSection(a, reload));
  return out;
}

function submitForm(ctx: PageContext, a: Agreement, reload: () => Promise<void>): HTMLElement {
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const f = fieldForm(
    'submit',
    [{ path: 'reason', label: 'Reason for submitting', type: 'textarea', value: 'ready for sign-off' }],
    'Submit for sign-off',
    status,
    async () => {
      await api(`/v1/agreements/${encodeURIComponent(a.id)}/submit`, {
        method: 'POST',
        ifMatch: a.version,
        body: { reason: f.values().get('reason') ?? '' },
      });
      await reload();
    },
  );
  void ctx;
  return h(
    'section',
    { 'aria-labelledby': 'submit-h' },
    h('h2', { id: 'submit-h' }, 'Submit'),
    h(
      'p',
      { class: 'muted' },
      h('a', { href: `#/agreements/${encodeURIComponent(a.id)}/edit` }, 'Edit the draft'),
      ' first if a finding needs it.',
    ),
    status,
    f.form,
  );
}

/** Change requests of an active agreement (oldest first) and, for whoever may ask, the form to ask for one. */
async function changeRequestsSection(a: Agreement, reload: () => Promise<void>): Promise<HTMLElement> {
  // The list is paged: the first 200 (the API's largest page) are plenty for a page; a note says when there are more.
  const { items, nextCursor } = await api<{ items: ChangeRequest[]; nextCursor?: string }>(
    `/v1/agreements/${encodeURIComponent(a.id)}/change-requests?limit=200`,
  );
  const roles = session.claims()?.roles ?? [];
  // The roles the API's matrix lets ask (`change.request`): a service owner may not (red team, wave 36: the form was
  // offered to service owners and every request was a 403).
  const mayAsk = roles.some((r) => ['admin', 'sla-manager', 'viewer'].includes(r));
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const f = fieldForm(
    'cr',
    [
      { path: 'summary', label: 'What should change', hint: '3 to 300 characters.' },
      { path: 'why', label: 'Why', type: 'textarea' },
      { path: 'proposed.title', label: 'Proposed title', value: a.title, hint: 'Leave as is to keep it.' },
      { path: 'proposed.effectiveTo', label: 'Proposed end date', type: 'date', value: a.effectiveTo },
      {
        path: 'proposed.reviewCycle',
        label: 'Proposed next review',
        type: 'date',
        value: a.reviewCycle?.nextReviewDate ?? '',
      },
    ],
    'Ask for the change',
    status,
    async () => {
      const v = f.values();
      const proposed: Record<string, unknown> = {};
      if (v.get('proposed.title') !== a.title) proposed.title = v.get('proposed.title');
      if (v.get('proposed.effectiveTo') !== a.effectiveTo)
        proposed.effectiveTo = v.get('proposed.effectiveTo');
      const review = v.get('proposed.reviewCycle') ?? '';
      if (review !== (a.reviewCycle?.nextReviewDate ?? ''))
        proposed.reviewCycle = { ...(a.reviewCycle ?? {}), nextReviewDate: review };
      const cr = await api<ChangeRequest>(`/v1/agreements/${encodeURIComponent(a.id)}/change-requests`, {
        method: 'POST',
        body: { summary: v.get('summary') ?? '', why: v.get('why') ?? '', proposed },
      });
      location.hash = `#/change-requests/${encodeURIComponent(cr.id)}`;
    },
  );
  void reload;
  return h(
    'section',
    { 'aria-labelledby': 'cr-h' },
    h('h2', { id: 'cr-h' }, 'Change requests'),
    items.length === 0
      ? empty('No change requests yet.', 'A business unit asks for a change to an agreement in force below.')
      : h(
          'div',
          scroller('Change requests'),
          table(
            'Change requests of this agreement, oldest first',
            ['Request', 'Asked by', 'When', 'Material', 'Status'],
            items.map((c) => [
              h('a', { href: `#/change-requests/${encodeURIComponent(c.id)}` }, c.summary),
              c.requestedBy,
              when(c.requestedAt),
              c.classification.material.join(', ') || 'administrative only',
              badge(c.status),
            ]),
          ),
        ),
    nextCursor ? h('p', {}, 'Showing the first 200 change requests, oldest first.') : null,
    mayAsk ? h('h3', {}, 'Ask for a change') : null,
    mayAsk ? status : null,
    mayAsk ? f.form : null,
  );
}

/** One change request: what and why, how it was classified and assessed, its sign-offs and its history. */
export async function changeRequestPage(ctx: PageContext, id: string): Promise<void> {
  const c = await api<ChangeRequest>(`/v1/change-requests/${encodeURIComponent(id)}`);
  const [a, tasks] = await Promise.all([
    api<Agreement>(`/v1/agreements/${encodeURIComponent(c.agreementId)}`).catch((e) => {
      if (e instanceof ApiError) return null;
      throw e;
    }),
    subjectTasks(c.id, 'Pending tasks on the request'),
  ]);
  ctx.main.replaceChildren(
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: `#/agreements/${encodeURIComponent(c.agreementId)}` }, a?.title ?? c.agreementId),
      ' › change request',
    ),
    h('h1', {}, c.summary),
    h(
      'dl',
      { class: 'figures' },
      h('dt', {}, 'Status'),
      h('dd', {}, badge(c.status), c.appliedVersion ? ` became version ${c.appliedVersion}` : ''),
      h('dt', {}, 'Asked by'),
      h('dd', {}, `${c.requestedBy}, ${when(c.requestedAt)}, on version ${c.baseVersion}`),
      h('dt', {}, 'Why'),
      h('dd', {}, c.why),
      h('dt', {}, 'Proposed'),
      h('dd', {}, Object.keys(c.proposed).join(', ')),
      h('dt', {}, 'Classified'),
      h(
        'dd',
        {},
        `material: ${c.classification.material.join(', ') || 'none'}; administrative: ${c.classification.administrative.join(', ') || 'none'}`,
      ),
      h('dt', {}, 'Assessment'),
      h(
        'dd',
        {},
        c.assessment
          ? `${c.assessment.decision} by ${c.assessment.by}, ${when(c.assessment.at)}: ${c.assessment.reason}`
          : 'waiting for the provider',
      ),
    ),
    h('h2', {}, 'Sign-offs'),
    c.requiredSignOffs.length === 0
      ? h(
          'p',
          { class: 'muted' },
          'None required (yet): the change control path decides after the assessment.',
        )
      : table(
          'Sign-offs the change needs',
          ['Capacity', 'Decision', 'By', 'Reason'],
          c.requiredSignOffs.map((r) => {
            const s = c.signOffs.find((x) => x.capacity === r.capacity);
            return [r.capacity, s?.decision ?? 'waiting', s?.by ?? '—', s?.reason ?? '—'];
          }),
        ),
    h('h2', {}, 'History'),
    h(
      'div',
      scroller('History'),
      table(
        'What happened to the request, oldest first',
        ['When', 'Step', 'By', 'Detail'],
        c.history.map((s) => [when(s.at), s.step, s.by, s.detail]),
      ),
    ),
    tasks,
    ...(mayWithdraw(c) ? [withdrawForm(c, () => changeRequestPage(ctx, id))] : []),
  );
  ctx.ready('change-request');
}

/** Statuses of a change request still in its workflow: only these can be withdrawn. */
const OPEN_REQUEST = ['assessing', 'signing'];

/**
 * Whether the signed-in person may withdraw the request: it is open, and they asked for it (subject, or the e-mail on
 * record, as the API matches a person) or are an admin. The API decides (403 otherwise); this only hides the form.
 */
function mayWithdraw(c: ChangeRequest): boolean {
  const claims = session.claims();
  if (!claims || !OPEN_REQUEST.includes(c.status)) return false;
  const own =
    c.requestedBy === claims.subject ||
    (claims.email !== '' && c.requestedBy.toLowerCase() === claims.email.toLowerCase());
  return own || claims.roles.includes('admin');
}

/** The requester's "Withdraw" action: a reason, then POST /v1/change-requests/{id}/withdraw; the page is redrawn. */
function withdrawForm(c: ChangeRequest, reload: () => Promise<void>): HTMLElement {
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const f = fieldForm(
    'withdraw',
    [{ path: 'reason', label: 'Reason for withdrawing', type: 'textarea' }],
    'Withdraw the request',
    status,
    async () => {
      await api(`/v1/change-requests/${encodeURIComponent(c.id)}/withdraw`, {
        method: 'POST',
        body: { reason: f.values().get('reason') ?? '' },
      });
      await reload();
    },
  );
  return h(
    'section',
    { 'aria-labelledby': 'withdraw-h' },
    h('h2', { id: 'withdraw-h' }, 'Withdraw'),
    h(
      'p',
      { class: 'muted' },
      'Takes the request back: its assessment and sign-offs stop, and those who had a task are told.',
    ),
    status,
    f.form,
  );
}
