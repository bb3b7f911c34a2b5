import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../../infra/local/demo.js';
import { startTestApp, type TestApp } from '../../helpers/local-app.js';
import { launch, openPage, seriousAxeViolations, signIn, until, waitReady } from './browser.js';

/** Polls every 250 ms, up to 30 s. */
const until250 = <T>(f: () => Promise<T | undefined>, what: string) => until(f, what, 250);

// Every task form the demo can produce, acted on from the console in Chromium against the embedded default with the
// demo portfolio (no telemetry: none of these needs a violation): a change request assessed and signed off until it
// is a new version, a freeze exception decided under separation of duties, a review recorded; and the Tasks page's
// "Show more" over more tasks than one page. What each needs is created through the API first.

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

const SHOTS = '/tmp/c37';

interface TaskRow {
  id: string;
  kind: string;
  title: string;
  status: string;
  assignees: { capacity?: string; roles?: string[] };
  data: Record<string, unknown>;
}

interface AgreementRow {
  id: string;
  serviceId: string;
  version: number;
  effectiveTo: string;
  reviewCycle: { everyMonths: number; nextReviewDate: string };
}

/** The pending tasks of one subject (every one in the admin's scope). */
const tasksOf = async (subjectId: string, kind: string) =>
  (await app.call('GET', `/v1/tasks?view=all&kind=${kind}&subjectId=${subjectId}&limit=200`, { as: 'admin' }))
    .body.items as TaskRow[];

/** Signs `identity` in on a page of its own and opens a task's page. */
async function openTask(identity: string, taskId: string): Promise<Page> {
  const page = await openPage(browser);
  await signIn(page, app.url, identity);
  await page.goto(`${app.url}/#/tasks/${taskId}`);
  await waitReady(page, 'task');
  return page;
}

/** Chooses a decision, gives a reason (and a comment) and completes the task on its page. */
async function decide(page: Page, decision: 'Approve' | 'Reject', reason: string, comment?: string) {
  await page.getByLabel('Decision').selectOption({ label: decision });
  await page.getByLabel('Reason', { exact: true }).fill(reason);
  if (comment) await page.getByLabel('Comment (optional)').fill(comment);
  await page.getByRole('button', { name: 'Complete the task' }).click();
}

const settledState = (page: Page) => page.locator('[data-state]').getAttribute('data-state');

/** An active demo agreement the viewer (retail banking) reads, on a service the demo's service owner reads. */
async function activeAgreement(serviceId: string): Promise<AgreementRow> {
  const items = (await app.call('GET', '/v1/agreements?status=active&limit=200', { as: 'viewer' })).body
    .items as AgreementRow[];
  const a = items.find((x) => x.serviceId === serviceId);
  if (!a) throw new Error(`no active agreement of ${serviceId} in the demo`);
  return a;
}

describe('every task form the demo produces, acted on in the console', () => {
  it('assesses and signs off a change request from the console until it is a new version on the agreement page; whoever asked or assessed is told in words they may not decide', async () => {
    const a = await activeAgreement('svc_payments-gateway');
    const later = new Date(Date.parse(`${a.effectiveTo}T00:00:00Z`) + 90 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    // Asked by an admin (who reads every task; the customer's viewer does not read the provider's tasks).
    const asked = await app.call('POST', `/v1/agreements/${a.id}/change-requests`, {
      as: 'admin',
      body: {
        summary: 'Extend the term by a quarter',
        why: 'the customer asks',
        proposed: { effectiveTo: later },
      },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const crId = asked.body.id as string;
    const assessment = await until250(
      async () => (await tasksOf(crId, 'change-assessment'))[0],
      'the assessment',
    );

    // Whoever asked may read the assessment task but not act on it, and is told why.
    const requester = await openTask('admin', assessment.id);
    expect(await requester.locator('[data-duty="separated"]').textContent()).toBe(
      'You asked for this change, so you may not assess it: separation of duties leaves it to another person.',
    );
    expect(await requester.getByRole('button', { name: 'Complete the task' }).count()).toBe(0);
    // The task links to its change request, whose page links back to the task.
    await requester.getByRole('link', { name: `change-request ${crId}` }).click();
    await waitReady(requester, 'change-request');
    expect(
      await requester
        .locator('table:has(caption:text("Pending tasks on the request"))')
        .locator(`a[href="#/tasks/${assessment.id}"]`)
        .count(),
    ).toBe(1);
    expect(await seriousAxeViolations(requester)).toEqual([]);
    await requester.context().close();

    // The provider's SLA manager assesses it from the inbox: "Yours", then the task's page.
    const manager = await openPage(browser);
    await signIn(manager, app.url, 'sla-manager');
    await manager.goto(`${app.url}/#/tasks`);
    await waitReady(manager, 'tasks');
    await manager.getByRole('link', { name: assessment.title }).first().click();
    await waitReady(manager, 'task');
    expect(manager.url()).toContain(`#/tasks/${assessment.id}`);
    expect(await seriousAxeViolations(manager)).toEqual([]);
    await decide(manager, 'Approve', 'A quarter more is within the plan');
    await expect.poll(() => settledState(manager)).toBe('completed');
    await manager.screenshot({ path: `${SHOTS}/assessment-done.png`, fullPage: true });
    const accepted = (await app.call('GET', `/v1/change-requests/${crId}`, { as: 'auditor' })).body;
    expect(accepted.assessment).toMatchObject({
      decision: 'accepted',
      reason: 'A quarter more is within the plan',
    });

    // The sign-offs the change control path asks: the service's owner and the customer's business owner.
    const signoffs = await until250(async () => {
      const t = await tasksOf(crId, 'change-signoff');
      return t.length === 2 ? t : undefined;
    }, 'two change sign-offs');
    expect(signoffs.map((t) => t.assignees.capacity).sort()).toEqual(['business-owner', 'service-owner']);

    // Whoever assessed may not sign, and is told so in words.
    await manager.goto(`${app.url}/#/tasks/${signoffs[0]!.id}`);
    await waitReady(manager, 'task');
    expect(await manager.locator('[data-duty="separated"]').textContent()).toBe(
      'You assessed this change, so you may not sign it: separation of duties leaves the sign-off to another person.',
    );
    await manager.context().close();

    const signer: Record<string, string> = {
      'service-owner': 'service-owner',
      'business-owner': 'approver-business',
    };
    for (const t of signoffs) {
      const page = await openTask(signer[t.assignees.capacity!]!, t.id);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await decide(page, 'Approve', `Signed as ${t.assignees.capacity}`);
      await expect.poll(() => settledState(page)).toBe('completed');
      if (t.assignees.capacity === 'business-owner')
        await page.screenshot({ path: `${SHOTS}/signoff-done.png`, fullPage: true });
      await page.context().close();
    }

    // Applied: a new version of the agreement, with the new end date, on the agreement page.
    const applied = await until250(async () => {
      const cr = (await app.call('GET', `/v1/change-requests/${crId}`, { as: 'auditor' })).body;
      return cr.status === 'applied' ? cr : undefined;
    }, 'the change applied');
    const after = (await app.call('GET', `/v1/agreements/${a.id}`, { as: 'viewer' })).body as AgreementRow;
    expect(after.version).toBe(a.version + 1);
    expect(after.effectiveTo).toBe(later);
    expect(applied.status).toBe('applied');
    const viewer = await openPage(browser);
    await signIn(viewer, app.url, 'viewer');
    await viewer.goto(`${app.url}/#/agreements/${a.id}`);
    await waitReady(viewer, 'agreement');
    const figures = await viewer.locator('.figures').textContent();
    expect(figures).toContain(`version ${after.version}`);
    expect(figures).toContain(`to ${later}`);
    await viewer.context().close();
  }, 180_000);

  it('decides a freeze exception: the requester is told in words it may not, one approver approves, a second who read the task while it waited is refused in words', async () => {
    const serviceId = 'svc_card-authorisation';
    const asked = await app.call('POST', `/v1/services/${serviceId}/freeze-exceptions`, {
      as: 'service-owner',
      body: {
        from: new Date(Date.now() + 3_600_000).toISOString(),
        to: new Date(Date.now() + 5 * 3_600_000).toISOString(),
        change: 'Release 4.3 of the card switch',
        reason: 'fixes the pool exhaustion',
      },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const taskId = asked.body.taskId as string;

    const requester = await openTask('service-owner', taskId);
    expect(await requester.locator('[data-duty="separated"]').textContent()).toBe(
      'You asked for this exception, so you may not decide it: separation of duties leaves the decision to another person, an approver.',
    );
    expect(await requester.getByRole('button', { name: 'Complete the task' }).count()).toBe(0);
    expect(await seriousAxeViolations(requester)).toEqual([]);
    await requester.screenshot({ path: `${SHOTS}/freeze-requester.png`, fullPage: true });
    // Its subject link leads to the service, whose page links back to the task.
    const subject = requester.getByRole('link', { name: `service ${serviceId}` });
    expect(await subject.getAttribute('href')).toBe(`#/services/${serviceId}`);
    await subject.click();
    await waitReady(requester, 'service');
    expect(
      await requester
        .locator('table:has(caption:text("Pending tasks on the service"))')
        .locator(`a[href="#/tasks/${taskId}"]`)
        .count(),
    ).toBe(1);
    expect(await seriousAxeViolations(requester)).toEqual([]);
    await requester.context().close();

    // Two approvers open the task while it waits; the first decides.
    const first = await openTask('approver-legal', taskId);
    const second = await openTask('approver-finance', taskId);
    expect(await seriousAxeViolations(first)).toEqual([]);
    await decide(first, 'Approve', 'The fix lowers the risk');
    await expect.poll(() => settledState(first)).toBe('completed');
    await first.screenshot({ path: `${SHOTS}/freeze-approved.png`, fullPage: true });
    await decide(second, 'Reject', 'Too close to the weekend');
    const alert = second.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/is completed: it no longer waits for anyone/);
    // The page then shows the task as it is now: settled, by the first approver, with no form left.
    expect(await settledState(second)).toBe('completed');
    expect(await second.locator('[data-state]').textContent()).toContain('by local-approver-legal');
    expect(await second.getByRole('button', { name: 'Complete the task' }).count()).toBe(0);
    await second.screenshot({ path: `${SHOTS}/freeze-second.png`, fullPage: true });

    const list = (await app.call('GET', `/v1/services/${serviceId}/freeze-exceptions`, { as: 'admin' })).body
      .items as {
      id: string;
      status: string;
      requestedBy: string;
      decision?: { by: string; reason: string };
    }[];
    const x = list.find((e) => e.id === asked.body.id)!;
    expect(x.status).toBe('approved');
    expect(x.decision?.reason).toBe('The fix lowers the risk');
    expect(x.decision?.by).not.toBe(x.requestedBy);
    // The service page shows the decision as the API has it.
    await first.goto(`${app.url}/#/services/${serviceId}`);
    await waitReady(first, 'service');
    const row = first.locator('table:has(caption:text("Freeze exceptions")) tbody tr', {
      has: first.locator(`a[href="#/tasks/${taskId}"]`),
    });
    expect(await row.locator(`a[href="#/tasks/${taskId}"]`).textContent()).toBe('approved');
    expect(await row.textContent()).toContain(`${x.decision!.by}: The fix lowers the risk`);
    await first.context().close();
    await second.context().close();
  }, 120_000);

  it('records a review from the agreement page: the task linked from its subject, the outcome kept, the next review moved one cycle on', async () => {
    const a = await activeAgreement('svc_mobile-banking');
    // A review due in 20 days: inside the first reminder (90 days), so the hourly run opens the review task.
    const due = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const moved = await app.call('PATCH', `/v1/agreements/${a.id}`, {
      as: 'sla-manager',
      body: { reviewCycle: { ...a.reviewCycle, nextReviewDate: due }, reason: 'review brought forward' },
      headers: { 'if-match': `"${a.version}"` },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await app.workflows.services.renewals.run();
    const review = await until250(async () => (await tasksOf(a.id, 'review'))[0], 'the review task');
    expect(review.data).toMatchObject({ purpose: 'review', reviewDate: due });

    const page = await openPage(browser);
    await signIn(page, app.url, 'sla-manager');
    await page.goto(`${app.url}/#/agreements/${a.id}`);
    await waitReady(page, 'agreement');
    expect(await page.locator('[data-next-review]').getAttribute('data-next-review')).toBe(due);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/agreement-review-due.png`, fullPage: true });
    await page
      .locator('table:has(caption:text("Pending tasks on the agreement"))')
      .getByRole('link', { name: review.title })
      .click();
    await waitReady(page, 'task');
    expect(page.url()).toContain(`#/tasks/${review.id}`);
    expect(await page.getByRole('link', { name: `agreement ${a.id}` }).getAttribute('href')).toBe(
      `#/agreements/${a.id}`,
    );
    await decide(
      page,
      'Approve',
      'Targets still fit the business',
      'Minutes: all objectives kept; no change.',
    );
    await expect.poll(() => settledState(page)).toBe('completed');
    await page.screenshot({ path: `${SHOTS}/review-done.png`, fullPage: true });

    const done = (await app.call('GET', `/v1/tasks/${review.id}`, { as: 'admin' })).body;
    expect(done).toMatchObject({ status: 'completed' });
    const after = (await app.call('GET', `/v1/agreements/${a.id}`, { as: 'admin' })).body as AgreementRow;
    expect(after.reviewCycle.nextReviewDate > due).toBe(true);
    await page.goto(`${app.url}/#/agreements/${a.id}`);
    await waitReady(page, 'agreement');
    expect(await page.locator('[data-next-review]').getAttribute('data-next-review')).toBe(
      after.reviewCycle.nextReviewDate,
    );
    expect(
      await page
        .locator('table:has(caption:text("Pending tasks on the agreement"))')
        .locator(`a[href="#/tasks/${review.id}"]`)
        .count(),
    ).toBe(0);
    await page.context().close();
  }, 120_000);

  it('shows more tasks than one page on the Tasks page through "Show more"', async () => {
    // Freeze exceptions make pending tasks (three per person and service at most): as many as it takes past 200.
    const services = (
      (await app.call('GET', '/v1/services?limit=200', { as: 'admin' })).body.items as { id: string }[]
    ).map((s) => s.id);
    const count = async () => {
      let n = 0;
      let cursor: string | undefined;
      do {
        const r = (
          await app.call(
            'GET',
            `/v1/tasks?view=all&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
            { as: 'admin' },
          )
        ).body;
        n += r.items.length;
        cursor = r.nextCursor;
      } while (cursor);
      return n;
    };
    let i = 0;
    outer: for (const as of ['admin', 'sla-manager', 'sla-manager-retail', 'service-owner'])
      for (const s of services)
        for (let k = 0; k < 3; k++) {
          if (i % 20 === 0 && (await count()) > 230) break outer;
          const r = await app.call('POST', `/v1/services/${s}/freeze-exceptions`, {
            as,
            body: {
              from: new Date(Date.now() + 3_600_000).toISOString(),
              to: new Date(Date.now() + 7_200_000).toISOString(),
              change: `Change ${i}`,
              reason: 'to fill the inbox',
            },
          });
          i++;
          if (r.status === 409 || r.status === 403 || r.status === 404) break;
          expect(r.status, JSON.stringify(r.body)).toBe(201);
        }
    // Then change requests (three open per person and agreement), each opening an assessment task.
    const agreements = (
      (await app.call('GET', '/v1/agreements?status=active&limit=200', { as: 'admin' })).body.items as {
        id: string;
      }[]
    ).map((a) => a.id);
    outer2: for (const as of ['admin', 'sla-manager'])
      for (const id of agreements)
        for (let k = 0; k < 3; k++) {
          if (i % 10 === 0 && (await count()) > 230) break outer2;
          const r = await app.call('POST', `/v1/agreements/${id}/change-requests`, {
            as,
            body: { summary: `Retitle ${i}`, why: 'to fill the inbox', proposed: { title: `Retitled ${i}` } },
          });
          i++;
          if (r.status !== 201) break;
        }
    // The workflows open their tasks a moment after the request: wait until the count holds still.
    let total = await count();
    for (let previous = -1; total !== previous; ) {
      await new Promise((r) => setTimeout(r, 1_000));
      previous = total;
      total = await count();
    }
    expect(total).toBeGreaterThan(200);

    const page = await openPage(browser);
    await signIn(page, app.url, 'admin');
    await page.goto(`${app.url}/#/tasks`);
    await waitReady(page, 'tasks');
    const rows = page.locator('table:has(caption:text("Pending tasks in your scope")) tbody tr');
    expect(await rows.count()).toBe(200);
    const more = page.getByRole('button', { name: 'Show more pending tasks' });
    expect(await more.isVisible()).toBe(true);
    await more.click();
    await expect.poll(() => rows.count()).toBe(total);
    expect(await more.isVisible()).toBe(false);
    // Every row once: the second page continues the first.
    const links = rows.locator('a[href^="#/tasks/"]');
    const ids = await Promise.all((await links.all()).map((l) => l.getAttribute('href')));
    expect(new Set(ids).size).toBe(total);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.context().close();
  }, 300_000);
});
