import { ApiError, session } from './api.js';
import { type CognitoConfig, cognitoConfig, completeSignIn, signOutUrl, startSignIn } from './cognito.js';
import { dashboardPage, objectivePage, type PageContext } from './dashboard.js';
import { h } from './dom.js';
import { changeRequestPage, templateDraftPage, templatesPage } from './drafting.js';
import { editPage } from './edit.js';
import { archivePage, auditPage, diffPage } from './governance.js';
import { agreementPage, agreementsPage, tasksPage, violationsPage } from './pages.js';
import { reportsPage } from './reports.js';
import { servicePage, taskPage, violationPage } from './work.js';

/**
 * The Accord console: a client of the public API only. Routes are hash paths (`#/objectives/{a}/{o}`), so the
 * server serves one page at `/` and the API keeps every other path. To add a page: a render function taking a
 * PageContext, a row in ROUTES, and (if it belongs in the menu) a row in NAV.
 */

type Render = (ctx: PageContext, ...params: string[]) => Promise<void>;

const ROUTES: [pattern: RegExp, title: string, render: Render][] = [
  [/^\/$/, 'Error budgets', dashboardPage],
  [/^\/objectives\/([^/]+)\/([^/]+)$/, 'Objective', objectivePage],
  [/^\/violations$/, 'Violations', violationsPage],
  [/^\/violations\/([^/]+)$/, 'Violation', violationPage],
  [/^\/tasks$/, 'Tasks', tasksPage],
  [/^\/tasks\/([^/]+)$/, 'Task', taskPage],
  [/^\/services\/([^/]+)$/, 'Service', servicePage],
  [/^\/agreements$/, 'Agreements', agreementsPage],
  [/^\/agreements\/([^/]+)$/, 'Agreement', agreementPage],
  [/^\/agreements\/([^/]+)\/audit$/, 'Audit trail', auditPage],
  [/^\/agreements\/([^/?]+)\/diff(?:\?(.*))?$/, 'Versions', diffPage],
  [/^\/agreements\/([^/]+)\/edit$/, 'Edit agreement', editPage],
  [/^\/archive$/, 'Archive', archivePage],
  [/^\/reports(?:\?(.*))?$/, 'Reports', reportsPage],
  [/^\/templates$/, 'Templates', templatesPage],
  [/^\/templates\/([^/]+)$/, 'Draft from a template', templateDraftPage],
  [/^\/change-requests\/([^/]+)$/, 'Change request', changeRequestPage],
];

/** The menu; `roles` limits an entry to the roles the API lets use it (absent: everyone). */
const NAV: [href: string, label: string, roles?: string[]][] = [
  ['#/', 'Error budgets'],
  ['#/violations', 'Violations'],
  ['#/tasks', 'Tasks'],
  ['#/agreements', 'Agreements'],
  ['#/reports', 'Reports'],
  ['#/archive', 'Archive', ['admin', 'auditor']],
  ['#/templates', 'Templates', ['admin', 'sla-manager']],
];

let leave: (() => void)[] = [];
/**
 * The navigation on screen: each route() takes the next number. A render still waiting for the API when the viewer
 * moves on (a slow page left for another, or the sign-in's own first render) must then leave the page alone: it
 * renders into its own view, which is no longer in the document, and its data-ready, errors and timers are dropped.
 */
let navigation = 0;

function context(view: HTMLElement, nav: number): PageContext {
  const current = () => nav === navigation;
  return {
    main: view,
    onLeave: (f) => {
      if (current()) leave.push(f);
      else f();
    },
    ready: (page) => {
      if (current()) document.body.dataset.ready = page;
    },
    fail: (e) => {
      if (!current()) return;
      const words = e instanceof ApiError ? e.words() : `Something went wrong in the console: ${String(e)}`;
      view.prepend(h('div', { class: 'error', role: 'alert' }, words));
      document.body.dataset.failed = e instanceof ApiError ? e.code : 'console';
      if (e instanceof ApiError && e.status === 401) {
        session.clear();
        location.hash = '#/signin';
      }
    },
  };
}

async function route(): Promise<void> {
  const nav = ++navigation;
  for (const f of leave) f();
  leave = [];
  const main = document.getElementById('main')!;
  delete document.body.dataset.ready;
  delete document.body.dataset.failed;
  const view = h('div', { class: 'view' });
  main.replaceChildren(view);
  const path = decodeURI(location.hash.replace(/^#/, '') || '/');
  const claims = session.claims();
  if (path === '/signin' || !claims || claims.expiresAt < Date.now()) {
    if (claims && claims.expiresAt < Date.now()) session.clear();
    chrome(null);
    document.title = 'Sign in · Accord';
    await signInPage(view, () => nav === navigation);
    return;
  }
  chrome(claims.email);
  const ctx = context(view, nav);
  for (const [re, title, render] of ROUTES) {
    const m = re.exec(path);
    if (!m) continue;
    document.title = `${title} · Accord`;
    view.replaceChildren(h('p', { class: 'muted', role: 'status' }, 'Loading…'));
    try {
      await render(ctx, ...m.slice(1).map((p) => decodeURIComponent(p ?? '')));
    } catch (e) {
      // A page that cannot load says why in words (ctx.fail), in place of its "Loading…".
      if (nav === navigation) view.replaceChildren();
      ctx.fail(e);
    }
    if (nav !== navigation) return;
    highlight(path);
    main.focus({ preventScroll: true });
    return;
  }
  document.title = 'Not found · Accord';
  view.replaceChildren(
    h('h1', {}, 'No such page'),
    h('p', {}, h('a', { href: '#/' }, 'Back to the error budgets')),
  );
}

function chrome(email: string | null): void {
  const nav = document.getElementById('nav')!;
  const who = document.getElementById('who')!;
  nav.replaceChildren(
    ...(email
      ? [
          h(
            'ul',
            {},
            ...NAV.filter(
              ([, , roles]) => !roles || roles.some((r) => session.claims()?.roles.includes(r)),
            ).map(([href, label]) => h('li', {}, h('a', { href }, label))),
          ),
        ]
      : []),
  );
  const claims = session.claims();
  who.replaceChildren(
    themeToggle(),
    ...(email && claims
      ? [
          h('span', { class: 'small' }, `${email} (${claims.roles.join(', ')})`),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () => {
                session.clear();
                if (cognito) location.assign(signOutUrl(cognito));
                else location.hash = '#/signin';
              },
            },
            'Sign out',
          ),
        ]
      : []),
  );
}

function highlight(path: string): void {
  document.querySelectorAll<HTMLAnchorElement>('#nav a').forEach((a) => {
    const target = a.getAttribute('href')!.slice(1);
    const on = target === '/' ? path === '/' || path.startsWith('/objectives') : path.startsWith(target);
    if (on) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

function themeToggle(): HTMLElement {
  const current = () => document.documentElement.dataset.theme ?? 'auto';
  const sel = h(
    'select',
    {
      'aria-label': 'Colour theme',
      onchange: (e: Event) => {
        const v = (e.target as HTMLSelectElement).value;
        if (v === 'auto') delete document.documentElement.dataset.theme;
        else document.documentElement.dataset.theme = v;
        localStorage.setItem('accord.theme', v);
      },
    },
    ...['auto', 'light', 'dark'].map((v) =>
      h('option', { value: v, selected: v === current() }, `${v} theme`),
    ),
  );
  return sel;
}

interface DevIdentity {
  name: string;
  email: string;
  groups: string[];
  businessUnits: string[];
  services: string[];
  signoff: string[];
}

/**
 * Sign-in. On the embedded default: choose a development identity (the local server's /console/dev-signin, the
 * stand-in for Cognito's hosted UI). Without it (on AWS), the page says to sign in through Cognito.
 */
async function signInPage(main: HTMLElement, current: () => boolean): Promise<void> {
  let identities: DevIdentity[] = [];
  try {
    const res = await fetch('/console/dev-signin');
    if (res.ok) identities = ((await res.json()) as { identities: DevIdentity[] }).identities;
  } catch {
    identities = [];
  }
  const status = h('p', { role: 'status', 'aria-live': 'polite' });
  // A failed sign-in says why beside the identities (and marks body[data-failed]); it never fails silently.
  const failed = (code: string, words: string) => {
    status.textContent = words;
    document.body.dataset.failed = code;
  };
  const choose = (name: string) => async () => {
    let token: string;
    try {
      const res = await fetch('/console/dev-signin', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ identity: name }),
      });
      if (!res.ok) {
        failed('refused', `Sign-in refused (HTTP ${res.status}).`);
        return;
      }
      token = ((await res.json()) as { token: string }).token;
    } catch {
      failed('network', 'Sign-in failed: Accord cannot be reached; is the server running?');
      return;
    }
    session.set(token);
    // Setting the hash fires hashchange (and so route()) only when it changes: at `#/` already (a signed-out visit
    // to the dashboard shows this page), the dashboard is routed here. Routing it in both cases rendered it twice,
    // concurrently: the first render marked the page ready while the second still showed an empty table.
    const changes = location.hash !== '#/';
    location.hash = '#/';
    if (!changes) await route();
  };
  const scope = (i: DevIdentity) =>
    [
      i.businessUnits.length ? `units: ${i.businessUnits.join(', ')}` : '',
      i.services.length ? `services: ${i.services.length}` : '',
      i.signoff.length ? `signs as: ${i.signoff.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' · ') || 'all of the portfolio';
  main.replaceChildren(
    h('h1', {}, 'Sign in to Accord'),
    identities.length === 0
      ? cognito
        ? h(
            'div',
            {},
            h('p', {}, 'Sign in with your organisation account (Cognito, with your second factor).'),
            h(
              'button',
              { type: 'button', onclick: () => void startSignIn(cognito!) },
              'Sign in with your organisation',
            ),
          )
        : h('p', {}, 'No sign-in is configured here: ask the operator for the console address.')
      : h(
          'div',
          {},
          h(
            'p',
            {},
            'Development sign-in: choose who you are. Each identity has the roles and scope of its token in .accord/dev-credentials.json.',
          ),
          h(
            'ul',
            { class: 'identities' },
            ...identities.map((i) =>
              h(
                'li',
                {},
                h(
                  'button',
                  { type: 'button', onclick: choose(i.name), 'data-identity': i.name },
                  h('strong', {}, i.name),
                  h('span', { class: 'small block' }, `${i.groups.join(', ')} · ${i.email}`),
                  h('span', { class: 'small block muted' }, scope(i)),
                ),
              ),
            ),
          ),
        ),
    status,
  );
  if (current()) document.body.dataset.ready = 'signin';
}

const savedTheme = localStorage.getItem('accord.theme');
if (savedTheme === 'light' || savedTheme === 'dark') document.documentElement.dataset.theme = savedTheme;
/** Cognito's settings where the console is deployed on AWS (null on the embedded default). */
let cognito: CognitoConfig | null = null;

async function start(): Promise<void> {
  cognito = await cognitoConfig();
  const problem = cognito ? await completeSignIn(cognito) : null;
  window.addEventListener('hashchange', () => void route());
  await route();
  if (problem) document.getElementById('main')!.prepend(h('div', { class: 'error', role: 'alert' }, problem));
}
void start();
