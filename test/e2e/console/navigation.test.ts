import type { Browser, Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../../infra/local/demo.js';
import { startTestApp, type TestApp } from '../../helpers/local-app.js';
import { describePage, launch, openPage, readyTrace, settled, signIn, waitReady } from './browser.js';

// What the console does between a click and the data on screen: the sign-in's first render, a page left before its
// data arrived, and a request that fails or never answers. Two fresh-clone gates failed right after a sign-in (0 of
// 22 rows counted; then a 30 s wait for the archive page): the sign-in rendered the dashboard twice, concurrently,
// and a render that finished after the viewer had moved on still wrote the page and its data-ready.

let app: TestApp;
let browser: Browser;

beforeAll(async () => {
  app = await startTestApp();
  await loadDemo(app.container, app.stream);
  browser = await launch();
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Requests the page sends whose path is `path`, counted from now. */
function counter(page: Page, path: string): { count: number } {
  const c = { count: 0 };
  page.on('request', (r: Request) => {
    if (new URL(r.url()).pathname === path) c.count++;
  });
  return c;
}

/** Whether `url` is a GET of the open violations (the violations page's first request). */
const openViolations = (url: URL) =>
  url.pathname === '/v1/violations' && url.searchParams.get('status') === 'open';
/** Whether `url` is the portfolio's figures (the dashboard's one request). */
const figures = (url: URL) => url.pathname === '/v1/status';

/** The first request `matches` accepts is held until `release()` is called; later ones go through. */
async function holdFirst(
  page: Page,
  matches: (url: URL) => boolean,
): Promise<{ held: Promise<void>; release(): Promise<void> }> {
  let route: Route | undefined;
  let arrived!: () => void;
  const held = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  await page.route(matches, async (r) => {
    if (route) return r.continue();
    route = r;
    arrived();
  });
  return { held, release: () => route!.continue() };
}

/** Stops the page's clock (installed by `page.clock.install()`) where it is: it moves only by `runFor` from now. */
async function pauseClock(page: Page): Promise<void> {
  await page.clock.pauseAt(((await page.evaluate('Date.now()')) as number) + 1_000);
}

const alertText = (page: Page) => page.getByRole('alert').first().textContent();

describe('the console between a click and the data on screen', () => {
  it('renders the dashboard once after a development sign-in: one request for the figures, and the table marked ready is the one on screen', async () => {
    const page = await openPage(browser);
    await page.goto(`${app.url}/#/signin`);
    await waitReady(page, 'signin');
    const status = counter(page, '/v1/status');
    await page.locator('button[data-identity="admin"]').click();
    await waitReady(page, 'dashboard');
    await settled(page);
    // Before the fix: 2 requests (the click routed the dashboard and so did the hashchange it caused), and the
    // trace read signin, (none), dashboard, dashboard, or the first "dashboard" came while the table on screen was
    // still the second render's empty one.
    expect(status.count, await describePage(page)).toBe(1);
    expect(await readyTrace(page)).toEqual(['signin', '(none)', 'dashboard']);
    // The summary the person reads counts the rows they see: both as soon as the page says it is ready.
    const summary = (await page.locator('p.summary').textContent()) ?? '';
    const rows = await page.locator('table.objectives tbody tr').count();
    expect(rows).toBeGreaterThan(0);
    expect(summary.startsWith(`${rows} objectives:`)).toBe(true);
    await page.context().close();
  });

  it('routes the dashboard after a sign-in begun at #/ itself (where setting the hash changes nothing)', async () => {
    const page = await openPage(browser);
    // A signed-out visit to the dashboard's own address shows the sign-in there: no hashchange follows the choice.
    await page.goto(`${app.url}/#/`);
    await waitReady(page, 'signin');
    const status = counter(page, '/v1/status');
    await page.locator('button[data-identity="sla-manager"]').click();
    await waitReady(page, 'dashboard');
    await settled(page);
    expect(status.count).toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Error budgets');
    await page.context().close();
  });

  it('keeps the page the viewer went to when a page they left answers later: no overwritten content, no wrong data-ready', async () => {
    const page = await openPage(browser);
    await signIn(page, app.url, 'admin');
    const violations = await holdFirst(page, openViolations);
    await page.goto(`${app.url}/#/violations`);
    await violations.held;
    // The viewer moves on to the tasks before the violations arrive; the tasks page renders.
    await page.goto(`${app.url}/#/tasks`);
    await waitReady(page, 'tasks');
    const tasksHeading = await page.getByRole('heading', { level: 1 }).textContent();
    // Now the violations answer, and everything their page asks for next.
    await violations.release();
    await settled(page);
    // Before the fix the violations page replaced the tasks under #/tasks and marked itself ready.
    expect(await page.evaluate('document.body.dataset.ready')).toBe('tasks');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(tasksHeading);
    expect(await page.getByRole('heading', { name: 'Open violations' }).count()).toBe(0);
    expect(await readyTrace(page)).not.toContain('violations');
    await page.context().close();
  });

  it('stops refreshing a dashboard the viewer left before its first figures arrived', async () => {
    const page = await openPage(browser);
    await page.clock.install();
    await signIn(page, app.url, 'admin');
    const status = await holdFirst(page, figures);
    await page.goto(`${app.url}/#/violations`);
    await waitReady(page, 'violations');
    await page.goto(`${app.url}/#/`);
    await status.held;
    await page.goto(`${app.url}/#/violations`);
    await waitReady(page, 'violations');
    await status.release();
    await settled(page);
    const calls = counter(page, '/v1/status');
    // Two minutes on the page's clock: a dashboard timer left running would fetch the figures twice.
    await page.clock.runFor(121_000);
    await settled(page);
    expect(calls.count).toBe(0);
    expect(await page.evaluate('document.body.dataset.ready')).toBe('violations');
    await page.context().close();
  });

  it('says in words that Accord cannot be reached when a page’s request fails, instead of "Loading…" for good', async () => {
    const page = await openPage(browser);
    await signIn(page, app.url, 'admin');
    await page.route(openViolations, (r) => r.abort('connectionrefused'));
    await page.goto(`${app.url}/#/violations`);
    await page.getByRole('alert').first().waitFor();
    expect(await alertText(page)).toBe(
      'No answer from Accord. Accord cannot be reached: is the server running?',
    );
    expect(await page.evaluate('document.body.dataset.failed')).toBe('network');
    expect(await page.getByText('Loading…').count()).toBe(0);
    expect(await page.evaluate('document.body.dataset.ready')).toBeUndefined();
    await page.context().close();
  });

  it('shows the API’s own error when a page’s request answers 503, instead of "Loading…" for good', async () => {
    const page = await openPage(browser);
    await signIn(page, app.url, 'admin');
    await page.route(openViolations, (r) =>
      r.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'unavailable', message: 'the store is busy; retry', details: [] },
          requestId: 'r-1',
        }),
      }),
    );
    await page.goto(`${app.url}/#/violations`);
    await page.getByRole('alert').first().waitFor();
    expect(await alertText(page)).toBe(
      'Accord could not answer just now; try again in a moment. the store is busy; retry',
    );
    expect(await page.evaluate('document.body.dataset.failed')).toBe('unavailable');
    expect(await page.getByText('Loading…').count()).toBe(0);
    await page.context().close();
  });

  it('says on the sign-in page why a sign-in failed: Accord unreachable, or the sign-in refused with its status', async () => {
    const page = await openPage(browser);
    await page.goto(`${app.url}/#/signin`);
    await waitReady(page, 'signin');
    const signInPost = (url: URL) => url.pathname === '/console/dev-signin';
    await page.route(signInPost, (r) =>
      r.request().method() === 'POST' ? r.abort('connectionrefused') : r.continue(),
    );
    await page.locator('button[data-identity="admin"]').click();
    await expect
      .poll(() => page.locator('#main [role="status"]').textContent())
      .toBe('Sign-in failed: Accord cannot be reached; is the server running?');
    expect(await page.evaluate('document.body.dataset.failed')).toBe('network');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await page.unroute(signInPost);
    await page.route(signInPost, (r) =>
      r.request().method() === 'POST'
        ? r.fulfill({ status: 503, contentType: 'application/json', body: '{}' })
        : r.continue(),
    );
    await page.locator('button[data-identity="admin"]').click();
    await expect
      .poll(() => page.locator('#main [role="status"]').textContent())
      .toBe('Sign-in refused (HTTP 503).');
    expect(await page.evaluate('document.body.dataset.failed')).toBe('refused');
    // The sign-in page stays where it was: still the sign-in, nothing marked ready for another page.
    expect(await page.evaluate('document.body.dataset.ready')).toBe('signin');
    await page.context().close();
  });

  it('says so when Accord does not answer within 30 s, instead of "Loading…" for good', async () => {
    const page = await openPage(browser);
    await page.clock.install();
    await signIn(page, app.url, 'admin');
    await pauseClock(page);
    const never = await holdFirst(page, openViolations);
    await page.goto(`${app.url}/#/violations`);
    await never.held;
    // 29.9 s on the page's clock: still waiting (API Gateway itself gives up at 29 s).
    await page.clock.runFor(29_900);
    expect(await page.getByText('Loading…').count()).toBe(1);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.clock.runFor(200);
    await page.getByRole('alert').first().waitFor();
    expect(await alertText(page)).toBe(
      'No answer from Accord. Accord did not answer within 30 s; try again.',
    );
    expect(await page.evaluate('document.body.dataset.failed')).toBe('timeout');
    expect(await page.getByText('Loading…').count()).toBe(0);
    await page.context().close();
  });
});
