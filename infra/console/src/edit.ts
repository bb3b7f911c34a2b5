import { ApiError, api } from './api.js';
import type { PageContext } from './dashboard.js';
import { h } from './dom.js';
import type { Agreement } from './types.js';

interface Field {
  /** The API's path of the field, as error details name it. */
  path: string;
  label: string;
  type: 'text' | 'date' | 'textarea';
  value: (a: Agreement & Record<string, unknown>) => string;
  hint?: string;
}

const FIELDS: Field[] = [
  { path: 'title', label: 'Title', type: 'text', value: (a) => a.title },
  {
    path: 'effectiveFrom',
    label: 'Effective from',
    type: 'date',
    value: (a) => a.effectiveFrom,
    hint: "In the agreement's time zone; not in the past.",
  },
  {
    path: 'effectiveTo',
    label: 'Effective to',
    type: 'date',
    value: (a) => a.effectiveTo,
    hint: 'After the start.',
  },
  {
    path: 'reviewCycle.nextReviewDate',
    label: 'Next review',
    type: 'date',
    value: (a) => a.reviewCycle?.nextReviewDate ?? '',
  },
  {
    path: 'reason',
    label: 'Reason for the change',
    type: 'textarea',
    value: () => '',
    hint: 'Every change carries a reason (3 to 1,000 characters); it goes into the audit trail.',
  },
];

/**
 * Editing an agreement: the fields a person changes most (material ones only in draft: the API says so), sent as
 * one PATCH with If-Match; each error the API names is shown beside its field, the rest above the form.
 */
export async function editPage(ctx: PageContext, id: string): Promise<void> {
  const a = await api<Agreement & Record<string, unknown>>(`/v1/agreements/${encodeURIComponent(id)}`);
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement>();
  const errors = new Map<string, HTMLElement>();
  const fieldId = (f: Field) => `f-${f.path.replace(/\W/g, '-')}`;
  const rows = FIELDS.map((f) => {
    const input =
      f.type === 'textarea'
        ? h('textarea', { id: fieldId(f), name: f.path, rows: 2 })
        : h('input', { id: fieldId(f), name: f.path, type: f.type, value: f.value(a) });
    const err = h('p', { class: 'field-error', id: `${fieldId(f)}-error` });
    const hint = f.hint ? h('p', { class: 'muted small', id: `${fieldId(f)}-hint` }, f.hint) : null;
    if (hint) input.setAttribute('aria-describedby', hint.id);
    inputs.set(f.path, input);
    errors.set(f.path, err);
    return h('div', { class: 'field' }, h('label', { for: fieldId(f) }, f.label), input, hint, err);
  });
  const save = async (ev: Event) => {
    ev.preventDefault();
    for (const [path, err] of errors) {
      err.textContent = '';
      inputs.get(path)!.removeAttribute('aria-invalid');
    }
    status.replaceChildren();
    const body: Record<string, unknown> = { reason: inputs.get('reason')!.value };
    for (const f of FIELDS) {
      const v = inputs.get(f.path)!.value;
      if (f.path === 'reason' || v === f.value(a)) continue;
      if (f.path === 'reviewCycle.nextReviewDate')
        body.reviewCycle = { ...(a.reviewCycle ?? {}), nextReviewDate: v };
      else body[f.path] = v;
    }
    try {
      const saved = await api<Agreement>(`/v1/agreements/${encodeURIComponent(id)}`, {
        method: 'PATCH',
        ifMatch: a.version,
        body,
      });
      location.hash = `#/agreements/${encodeURIComponent(saved.id)}`;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const unplaced: string[] = [];
      let first: HTMLElement | undefined;
      for (const d of e.details) {
        const f = FIELDS.find((x) => d.path === x.path || d.path.startsWith(`${x.path}.`));
        if (!f) {
          unplaced.push(`${d.path}: ${d.problem}`);
          continue;
        }
        const err = errors.get(f.path)!;
        err.textContent = `${f.label} ${d.problem}`;
        const input = inputs.get(f.path)!;
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute(
          'aria-describedby',
          [`${fieldId(f)}-hint`, err.id].filter((x) => document.getElementById(x)).join(' '),
        );
        first ??= input;
      }
      status.replaceChildren(
        h(
          'div',
          { class: 'error', role: 'alert' },
          e.words().split(' (')[0] ?? '',
          unplaced.length ? ` ${unplaced.join('; ')}` : first ? ' See the fields marked below.' : '',
        ),
      );
      first?.focus();
    }
  };
  ctx.main.replaceChildren(
    h(
      'p',
      { class: 'crumbs' },
      h('a', { href: `#/agreements/${encodeURIComponent(id)}` }, a.title),
      ' › edit',
    ),
    h('h1', {}, `Edit ${a.title}`),
    h(
      'p',
      { class: 'muted' },
      `Version ${a.version}, ${a.status}. Material fields (dates among them) change only in draft.`,
    ),
    status,
    h(
      'form',
      { class: 'edit', onsubmit: (e: Event) => void save(e), novalidate: true },
      ...rows,
      h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Save as a new version')),
    ),
  );
  ctx.ready('edit');
}
