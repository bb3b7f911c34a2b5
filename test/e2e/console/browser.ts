import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page, type Request } from 'playwright-core';
import type { TestApp } from '../../helpers/local-app.js';

/** Debian's Chromium (test/setup/system-deps.sh installs it): the binary itself, not the shell launcher. */
export const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));

/** Launches headless Chromium through playwright-core. */
export async function launch(): Promise<Browser> {
  if (!CHROMIUM)
    throw new Error('Chromium is missing: run bash test/setup/system-deps.sh (apt-get install chromium)');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core (WCAG 2.x A and AA rules) on the page; answers the serious and critical violations. */
export async function seriousAxeViolations(
  page: Page,
): Promise<{ id: string; help: string; targets: string[] }[]> {
  // Evaluated through the DevTools protocol: the console's Content-Security-Policy (script-src 'self') rightly
  // refuses an injected <script>, and the test must not switch that policy off.
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  // Runs in the page (a string, so that the test's type-check needs no DOM library).
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)`,
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** What a page did, kept so that a wait that times out can say why (see `waitReady`). */
interface PageLog {
  /** Console messages of type error or warning, and uncaught exceptions. */
  errors: string[];
  /** Requests that failed (no answer) or were answered 4xx/5xx, with the reason. */
  failed: string[];
  /** Requests sent and not yet answered. */
  open: Set<Request>;
  /** Every value `body[data-ready]` took, in order, with the page's clock (ms since it loaded). */
  ready: string[];
}

const LOGS = new WeakMap<Page, PageLog>();

/** Written to the console by the script `watch` adds: one line per change of `body[data-ready]`. */
const READY_MARK = '[accord-ready]';

/**
 * Runs in the page before its own scripts (the DevTools protocol's addScriptToEvaluateOnNewDocument, which the
 * console's Content-Security-Policy does not govern): logs each value `body[data-ready]` takes, including values
 * that last less than one of Playwright's polls (waitForSelector looks after 0, 20, 50, 100 and 100 ms, then every
 * 500 ms).
 */
const READY_TRACE = `new MutationObserver((records) => {
  const mine = records.filter((r) => r.target === document.body);
  mine.forEach((r, i) => {
    const now = i + 1 < mine.length ? mine[i + 1].oldValue : document.body.getAttribute('data-ready');
    console.debug('${READY_MARK} ' + (now ?? '(none)') + ' at ' + Math.round(performance.now()) + ' ms');
  });
}).observe(document, { subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-ready'] });`;

/** Starts recording what `page` does (console errors, failed and open requests, data-ready changes). */
export async function watch(page: Page): Promise<void> {
  const log: PageLog = { errors: [], failed: [], open: new Set(), ready: [] };
  LOGS.set(page, log);
  const path = (r: Request) => {
    const u = new URL(r.url());
    return `${r.method()} ${u.pathname}${u.search}`;
  };
  page.on('console', (m) => {
    if (m.text().startsWith(READY_MARK)) log.ready.push(m.text().slice(READY_MARK.length + 1));
    else if (m.type() === 'error' || m.type() === 'warning')
      log.errors.push(`console.${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => log.errors.push(`uncaught: ${e.message}`));
  page.on('request', (r) => log.open.add(r));
  page.on('requestfailed', (r) => {
    log.open.delete(r);
    log.failed.push(`${path(r)}: ${r.failure()?.errorText ?? 'failed'}`);
  });
  page.on('requestfinished', async (r) => {
    log.open.delete(r);
    const status = (await r.response().catch(() => null))?.status() ?? 0;
    if (status >= 400) log.failed.push(`${path(r)}: HTTP ${status}`);
  });
  await page.addInitScript(READY_TRACE);
}

/** The values `body[data-ready]` took on `page` (watched), in order, without their times. */
export function readyTrace(page: Page): string[] {
  return (LOGS.get(page)?.ready ?? []).map((r) => r.replace(/ at \d+ ms$/, ''));
}

/**
 * Waits until `page` (watched) has had no request waiting for an answer for 100 ms running, up to 10 s: what it
 * does with its last answers has then run (a page's render after an answer is a few tasks, not 100 ms). Only a
 * test that something did NOT happen needs this; one that waits for something waits for it (waitReady).
 */
export async function settled(page: Page): Promise<void> {
  const open = LOGS.get(page)?.open;
  if (!open) throw new Error('settled: the page is not watched (open it with openPage)');
  const end = Date.now() + 10_000;
  let quietSince = Date.now();
  while (Date.now() - quietSince < 100) {
    if (Date.now() > end)
      throw new Error(`the page still waits for answers after 10 s\n${await describePage(page)}`);
    await new Promise((r) => setTimeout(r, 20));
    if (open.size > 0) quietSince = Date.now();
  }
}

/** The page's state in words: what a person sees (main's text), body's data-* attributes and the watch's log. */
export async function describePage(page: Page): Promise<string> {
  const log = LOGS.get(page);
  const seen = (await page
    .evaluate(
      `({ data: JSON.stringify(document.body.dataset), hash: location.hash, main: (document.getElementById('main')?.innerText ?? '').slice(0, 600) })`,
    )
    .catch((e: Error) => ({ data: '?', hash: '?', main: `(could not read the page: ${e.message})` }))) as {
    data: string;
    hash: string;
    main: string;
  };
  const list = (xs: string[]) => (xs.length ? xs.map((x) => `\n    ${x}`).join('') : ' none');
  return [
    `  address: ${seen.hash}; body data-*: ${seen.data}`,
    `  main shows: ${JSON.stringify(seen.main)}`,
    `  data-ready took, in order:${list(log?.ready ?? [])}`,
    `  console errors:${list(log?.errors ?? [])}`,
    `  failed requests:${list(log?.failed ?? [])}`,
    `  requests still waiting for an answer:${list([...(log?.open ?? [])].map((r) => new URL(r.url()).pathname))}`,
  ].join('\n');
}

/**
 * Waits until the console shows page `ready` with its data: `body[data-ready]` (set by the navigation on screen once
 * its data is rendered) and the page's heading visible. Fails at once if the page shows an error instead
 * (`body[data-failed]`, an alert in words), and on a timeout; either way with what the page showed and did
 * (describePage), so the failure explains itself.
 */
export async function waitReady(page: Page, ready: string, timeout = 30_000): Promise<void> {
  try {
    await page.waitForSelector(`body[data-ready="${ready}"], body[data-failed]`, { timeout });
  } catch (e) {
    throw new Error(
      `the console did not show page "${ready}" within ${timeout} ms (${(e as Error).message.split('\n')[0]})\n${await describePage(page)}`,
    );
  }
  if ((await page.evaluate('document.body.dataset.ready')) !== ready)
    throw new Error(`the console showed an error instead of page "${ready}"\n${await describePage(page)}`);
  // What the person sees: the page's own heading, on screen.
  await page.locator('#main h1').first().waitFor({ state: 'visible', timeout: 5_000 });
}

/** A new page in its own browser context (its own sessionStorage), watched (`watch`) from the start. */
export async function openPage(
  browser: Browser,
  options: { width?: number; height?: number; dark?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.dark ? 'dark' : 'light',
    timezoneId: 'America/New_York',
  });
  const page = await context.newPage();
  await watch(page);
  return page;
}

/** Signs in on the console's development sign-in as the named identity and waits for the dashboard. */
export async function signIn(page: Page, baseUrl: string, identity: string): Promise<void> {
  await page.goto(`${baseUrl}/#/signin`);
  await page.locator(`button[data-identity="${identity}"]`).click();
  await waitReady(page, 'dashboard');
  // The line a person reads first: how many objectives the table below holds.
  await page
    .getByText(/^\d+ objectives: /)
    .first()
    .waitFor({ state: 'visible', timeout: 5_000 });
}

/** Where the console's screenshots go (looked at by a person before a change to the console is called done). */
export function screenshotDir(): string {
  const dir = '.accord/console-screenshots';
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The development identity that signs off in each approver capacity (infra/local/credentials.ts). */
const APPROVER: Record<string, string> = {
  legal: 'approver-legal',
  procurement: 'approver-procurement',
  security: 'approver-security',
  finance: 'approver-finance',
  'governance-board': 'approver-board',
  'business-owner': 'approver-business',
};

/** A submitted agreement as GET /v1/agreements lists it, with the fields the sign-off tests read. */
export interface SubmittedAgreement {
  id: string;
  signOffs: { capacity: string }[];
  requiredSignOffs: { capacity: string }[];
}

/**
 * The first submitted agreement (of those `keep` accepts) still waiting for a sign-off in a capacity a development
 * approver holds: the agreement, that capacity and the identity to sign in as; undefined when there is none.
 */
export async function awaitingSignOff<T extends SubmittedAgreement>(
  app: TestApp,
  keep: (a: T) => boolean = () => true,
): Promise<{ a: T; cap: string; as: string } | undefined> {
  const submitted = (await app.call('GET', '/v1/agreements?status=submitted&limit=200', { as: 'admin' })).body
    .items as T[];
  for (const a of submitted.filter(keep)) {
    const cap = a.requiredSignOffs
      .map((r) => r.capacity)
      .find((c) => APPROVER[c] && !a.signOffs.some((s) => s.capacity === c));
    if (cap) return { a, cap, as: APPROVER[cap]! };
  }
  return undefined;
}

/**
 * Asks `f` every `everyMs` until it answers something other than undefined, and answers that.
 * @throws Error naming `what` after `tries` answers of undefined (60 s by default)
 */
export async function until<T>(
  f: () => Promise<T | undefined>,
  what: string,
  everyMs = 500,
  tries = 120,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`waited ${Math.round((everyMs * tries) / 1000)} s for ${what}`);
}
