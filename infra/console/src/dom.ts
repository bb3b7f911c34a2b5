/** A tiny element builder: h('a', {href: '#/'}, 'text', child). Text is always set as text, never as HTML. */
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | EventListener | undefined> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? String(c) : c);
  }
  return el;
}

/** A table with a caption and header cells scoped to their columns. */
export function table(caption: string, head: string[], rows: Child[][], cls = ''): HTMLTableElement {
  return h(
    'table',
    { class: cls },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    // Each cell names its column (data-label): on a phone, a `cards` table shows each row as a card of labelled lines.
    h(
      'tbody',
      {},
      ...rows.map((r) => h('tr', {}, ...r.map((c, i) => h('td', { 'data-label': head[i] ?? '' }, c)))),
    ),
  );
}

/** An empty state: what is not there, and what to do about it. */
export const empty = (what: string, todo: string) =>
  h('div', { class: 'empty', role: 'status' }, h('p', {}, what), h('p', { class: 'muted' }, todo));

export const badge = (status: string) => h('span', { class: `badge badge-${status}` }, status);

/** The attributes of a box that scrolls a wide table sideways: focusable and named, so the keyboard reaches it. */
export const scroller = (label: string) => ({
  class: 'table-wrap',
  tabindex: 0,
  role: 'region',
  'aria-label': `${label} (scrolls sideways)`,
});
