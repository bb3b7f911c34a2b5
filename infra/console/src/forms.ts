import { ApiError } from './api.js';
import { h } from './dom.js';

/** One field of a form: the API's path of the value (as its error details name it), its label and input. */
export interface FormField {
  /** The API's path, e.g. `terms.effectiveFrom`; errors whose path starts with it are shown beside this field. */
  path: string;
  label: string;
  type?: 'text' | 'date' | 'email' | 'textarea' | 'select';
  value?: string;
  hint?: string;
  /** For `select`: [value, label] pairs. */
  options?: [string, string][];
  /** For `text`: suggestions (a datalist). */
  suggestions?: string[];
}

export interface FieldForm {
  form: HTMLFormElement;
  /** The current value of each field, by path. */
  values: () => Map<string, string>;
  /** Clears the marks of the last attempt. */
  clear: () => void;
  /**
   * Shows an API error: each detail beside the field whose path is the longest prefix of the detail's path, the
   * rest (and the error's words) in the status line above. Answers whether any field was marked.
   */
  show: (e: ApiError) => boolean;
}

const idOf = (prefix: string, path: string) => `${prefix}-${path.replace(/\W/g, '-')}`;

/**
 * A form of labelled fields, each with its hint and an error line tied by aria-describedby; `status` is the
 * live region above the form where the API's words go.
 */
export function fieldForm(
  prefix: string,
  fields: FormField[],
  submitLabel: string,
  status: HTMLElement,
  onSubmit: () => Promise<void>,
  /** Maps a detail's path to the form's (e.g. a rule of the agreement use case names `effectiveTo`, not `terms.…`). */
  pathOf: (path: string) => string = (p) => p,
): FieldForm {
  const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>();
  const errors = new Map<string, HTMLElement>();
  const rows = fields.map((f) => {
    const id = idOf(prefix, f.path);
    const common = { id, name: f.path };
    let input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    let list: HTMLDataListElement | null = null;
    if (f.type === 'textarea') input = h('textarea', { ...common, rows: 2 }, f.value ?? '');
    else if (f.type === 'select')
      input = h(
        'select',
        common,
        ...(f.options ?? []).map(([v, l]) => h('option', { value: v, selected: v === f.value }, l)),
      );
    else {
      input = h('input', {
        ...common,
        type: f.type ?? 'text',
        value: f.value ?? '',
        list: f.suggestions?.length ? `${id}-list` : undefined,
      });
      if (f.suggestions?.length)
        list = h('datalist', { id: `${id}-list` }, ...f.suggestions.map((s) => h('option', { value: s })));
    }
    const hint = f.hint ? h('p', { class: 'muted small', id: `${id}-hint` }, f.hint) : null;
    if (hint) input.setAttribute('aria-describedby', hint.id);
    const err = h('p', { class: 'field-error', id: `${id}-error` });
    inputs.set(f.path, input);
    errors.set(f.path, err);
    return h('div', { class: 'field' }, h('label', { for: id }, f.label), input, list, hint, err);
  });
  const clear = () => {
    for (const [path, err] of errors) {
      err.textContent = '';
      const input = inputs.get(path)!;
      input.removeAttribute('aria-invalid');
      const hintId = `${idOf(prefix, path)}-hint`;
      if (document.getElementById(hintId)) input.setAttribute('aria-describedby', hintId);
      else input.removeAttribute('aria-describedby');
    }
    status.replaceChildren();
  };
  const show = (e: ApiError): boolean => {
    const unplaced: string[] = [];
    let first: HTMLElement | undefined;
    const byField = new Map<string, string[]>();
    for (const raw of e.details) {
      const d = { ...raw, path: pathOf(raw.path) };
      const f = fields
        .filter((x) => d.path === x.path || d.path.startsWith(`${x.path}.`))
        .sort((a, b) => b.path.length - a.path.length)[0];
      if (!f) {
        unplaced.push(`${raw.path}: ${d.problem}`);
        continue;
      }
      const rest = d.path.slice(f.path.length).replace(/^\./, '');
      byField.set(f.path, [...(byField.get(f.path) ?? []), `${rest ? `${rest} ` : ''}${d.problem}`]);
    }
    for (const f of fields) {
      const problems = byField.get(f.path);
      if (!problems) continue;
      const err = errors.get(f.path)!;
      err.textContent = `${f.label}: ${problems.join('; ')}`;
      const input = inputs.get(f.path)!;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute(
        'aria-describedby',
        [`${idOf(prefix, f.path)}-hint`, err.id].filter((x) => document.getElementById(x)).join(' '),
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
    return first !== undefined;
  };
  const form = h(
    'form',
    {
      class: 'edit',
      novalidate: true,
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        clear();
        void onSubmit().catch((e) => {
          if (e instanceof ApiError) show(e);
          else status.replaceChildren(h('div', { class: 'error', role: 'alert' }, String(e)));
        });
      },
    },
    ...rows,
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, submitLabel)),
  );
  const values = () => new Map([...inputs].map(([k, v]) => [k, v.value]));
  return { form, values, clear, show };
}
