import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViolationRecord } from '../../shared/ports/objectives.js';
import { BUCKET_MS } from '../../shared/ports/rollups.js';
import { TestClock } from '../helpers/clock.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';
import { seedDemoMonth } from '../helpers/report-demo.js';

/**
 * The server's clock, fixed: the test's reported month and the server's "previous month" (scheduled runs, commentary
 * windows) are decided from this one instant. On the real clock a UTC month ending during the file's run made the
 * two differ. The 2nd of the month after the reported one, as a scheduled run would find it.
 */
const clock = new TestClock('2026-11-02T09:00:00.000Z');
let app: TestApp;
let month = '';
let span = { start: 0, end: 0 };
let gatewaySla = '';
let violation: ViolationRecord;

beforeAll(async () => {
  app = await startTestApp({}, { clock });
  ({ month, span, gatewaySla, violation } = await seedDemoMonth(app, clock.now()));
}, 120_000);
afterAll(async () => app.close());

type Table = { id: string; columns: { key: string }[]; rows: { t: string; v: unknown }[][] };
const tables = (doc: { sections: { tables: Table[] }[] }) => doc.sections.flatMap((s) => s.tables);
const rowsOf = (doc: { sections: { tables: Table[] }[] }, id: string) => {
  const t = tables(doc).find((x) => x.id === id)!;
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.key, r[i]!.v])));
};

describe('reports over the demo portfolio', () => {
  it("gives the month's compliance the engine computed, by hand: 24 buckets at 50% errors in the London month", async () => {
    const r = await app.call('GET', `/v1/reports/monthly-compliance?period=${month}`, { as: 'sla-manager' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const buckets = (span.end - span.start) / BUCKET_MS;
    const expected = (100 * (buckets * 1000 - 24 * 500)) / (buckets * 1000);
    const rows = rowsOf(r.body, 'objectives');
    const gateway = rows.find((x) => x.agreement === gatewaySla && x.objective === 'Availability')!;
    expect(gateway.compliance).toBeCloseTo(expected, 5);
    expect(gateway.met).toBe('missed');
    // The engine's own figure, finalised with the credit: the same number. Evaluations show compliance floored to
    // 6 decimals (never above what was measured: shared/domain/objectives/methods/figures.ts), the credit keeps it
    // unrounded; so the report's figure is the hand-computed one floored, and the credit's the hand-computed one.
    expect(violation.credit!.period.final).toBe(true);
    const shown = Number((BigInt(buckets * 1000 - 24 * 500) * 100_000_000n) / BigInt(buckets * 1000)) / 1e6;
    expect(gateway.compliance).toBe(shown);
    expect(violation.credit!.compliancePercent).toBeCloseTo(expected, 9);
    expect(rows.filter((x) => x.agreement !== gatewaySla).every((x) => x.compliance === 100)).toBe(true);
    expect(r.headers.get('x-report-sha256')).toBe(r.body.hash);
  });

  it('states the credit exactly as stored, every step, and the same figures in CSV and PDF', async () => {
    const json = await app.call('GET', `/v1/reports/credit-statement?period=${month}`, { as: 'admin' });
    const owed = rowsOf(json.body, 'owed').find((x) => x.violation === violation.id)!;
    expect(owed.amount).toBe(2500);
    expect(owed.creditPercent).toBe(10);
    const steps = rowsOf(json.body, `steps-${violation.id}`);
    expect(steps.map((s) => s.calculation)).toEqual(violation.credit!.steps.map((s) => s.calculation));
    const csv = await app.call('GET', `/v1/reports/credit-statement?period=${month}&format=csv`, {
      as: 'admin',
    });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = parse(csv.body as string, { columns: true }) as Record<string, string>[];
    expect(lines.find((l) => l.table === 'owed' && l.column === 'amount' && l.value === '2500')?.unit).toBe(
      'EUR',
    );
    const pdf = await fetch(`${app.url}/v1/reports/credit-statement?period=${month}&format=pdf`, {
      headers: { authorization: `Bearer ${app.credentials.tokens.admin!.token}` },
    });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('scopes on-demand reports exactly as the data: a viewer gets its own customer view, never internal', async () => {
    const viewer = await app.call('GET', `/v1/reports/monthly-compliance?period=${month}`, { as: 'viewer' });
    expect(viewer.status, JSON.stringify(viewer.body)).toBe(200);
    expect(viewer.body.audience).toBe('customer');
    const text = JSON.stringify(viewer.body);
    // The demo's contacts (owners, customer contacts) are the development identities: no address of anyone leaks.
    expect(text).not.toMatch(/@accord\.local|@bank\.example/);
    expect(text).not.toMatch(/"OLA"|"UC"/);
    const internal = await app.call(
      'GET',
      `/v1/reports/monthly-compliance?period=${month}&audience=internal`,
      { as: 'viewer' },
    );
    expect(internal.status).toBe(403);
    const unknown = await app.call('GET', `/v1/reports/quarterly-vibes?period=${month}`, { as: 'admin' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('reportType');
  });

  it('publishes a report into the archive, where an auditor lists, downloads and verifies it, every retrieval logged', async () => {
    const pub = await app.call('POST', '/v1/reports/monthly-compliance/publish', {
      as: 'admin',
      body: { period: month, formats: ['pdf', 'json'] },
    });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    expect(pub.body.archived).toHaveLength(2);
    const list = await app.call('GET', `/v1/archive?type=report&period=${month}`, { as: 'auditor' });
    expect(list.status).toBe(200);
    const entry = list.body.items.find((e: { key: string }) => e.key === pub.body.archived[0].key);
    expect(entry).toMatchObject({ type: 'report', period: month, sha256: pub.body.archived[0].sha256 });
    const dl = await fetch(`${app.url}/v1/archive/download?key=${encodeURIComponent(entry.key)}`, {
      headers: { authorization: `Bearer ${app.credentials.tokens.auditor!.token}` },
    });
    expect(dl.status).toBe(200);
    const body = Buffer.from(await dl.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(entry.sha256);
    const verify = await app.call('GET', '/v1/archive/verify', { as: 'auditor' });
    expect(verify.body).toMatchObject({ ok: true, findings: [], firstBreak: null });
    const log = await app.call('GET', '/v1/archive/access-log', { as: 'auditor' });
    expect(log.body.items.map((a: { action: string }) => a.action).sort()).toEqual([
      'download',
      'list',
      'verify',
    ]);
    expect((await app.call('GET', '/v1/archive', { as: 'viewer' })).status).toBe(403);
    expect(
      (await app.call('POST', '/v1/reports/monthly-compliance/publish', { as: 'auditor', body: {} })).status,
    ).toBe(403);
  });

  it('audits the month from the raw evidence: engine, stored credit and published report agree, no difference', async () => {
    const r = await app.call('GET', `/v1/reports/sla-audit?period=${month}&audience=auditor`, {
      as: 'auditor',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const checks = rowsOf(r.body, 'checks');
    expect(checks.filter((c) => c.result === 'difference')).toEqual([]);
    const gateway = checks.filter((c) => c.agreement === gatewaySla && c.objective === 'availability');
    expect(gateway.map((c) => [c.check, c.result])).toEqual([
      ['compliance: engine vs raw evidence', 'match'],
      ['events counted: engine vs raw evidence', 'match'],
      ['compliance: published report vs raw evidence', 'match'],
      ['credit compliance: stored vs raw evidence', 'match'],
      ['credit %: stored vs recomputed', 'match'],
      ['credit amount: stored vs recomputed', 'match'],
    ]);
  });

  it('asks the owners of missed objectives for commentary, then publishes with it: archived, delivered, in the hash', async () => {
    const reports = app.container.reports!;
    const opened = await reports.openCommentaryWindows();
    expect(opened.requests).toBeGreaterThan(0);
    // One task per owner of a missed objective: the payments gateway's availability, addressed to its owner by
    // e-mail and to the service's owners and SLA managers in scope; the owner is e-mailed.
    const tasks = await app.call('GET', '/v1/tasks?view=mine&kind=commentary', { as: 'service-owner' });
    expect(tasks.status, JSON.stringify(tasks.body)).toBe(200);
    expect(tasks.body.items).toHaveLength(1);
    const task = tasks.body.items[0];
    expect(task).toMatchObject({
      kind: 'commentary',
      status: 'pending',
      subject: { type: 'agreement', id: gatewaySla },
      assignees: { emails: ['owen.service@accord.local'] },
      data: { objectiveId: 'availability', publicationId: `monthly-compliance-portfolio-${month}` },
      yours: true,
    });
    expect(
      (await app.call('GET', '/v1/tasks?view=mine&kind=commentary', { as: 'viewer' })).body.items,
    ).toEqual([]);
    const answer = {
      reason: 'Deviation explained',
      comment: 'A failed deployment on the 10th; rollbacks are now automatic (CAPA-7).',
    };
    const done = await app.call('POST', `/v1/tasks/${task.id}/complete`, {
      as: 'service-owner',
      body: answer,
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const again = await app.call('POST', `/v1/tasks/${task.id}/complete`, {
      as: 'service-owner',
      body: answer,
    });
    expect(again.status).toBe(409);
    const result = await reports.publishScheduled();
    expect(result.published).toBe(3);
    // The month's final credit statement; the violation stays open (no evaluation has ended it) so it waits.
    expect(result.archivedRecords).toBe(1);
    const list = await app.call('GET', `/v1/archive?type=report&period=${month}`, { as: 'auditor' });
    const json = list.body.items.findLast(
      (e: { key: string }) =>
        e.key.startsWith(`reports/monthly-compliance/${month}/portfolio-internal/`) &&
        e.key.endsWith('.json'),
    );
    const doc = await app.call('GET', `/v1/archive/download?key=${encodeURIComponent(json.key)}`, {
      as: 'auditor',
    });
    expect(doc.body.commentary).toEqual([
      expect.objectContaining({ agreementId: gatewaySla, objectiveId: 'availability', text: answer.comment }),
    ]);
    // The window knows its report went out: the scheduled run does not publish it twice.
    expect((await app.call('GET', `/v1/tasks/${task.id}`, { as: 'service-owner' })).body.data).toMatchObject({
      publishedReportId: doc.body.id,
    });
    // Delivered through the notifier: one e-mail per scheduled report, to the schedule's lists, files attached.
    // (The app's own dispatcher runs every second too: wait until the message is in the outbox.)
    let monthly: ParsedMail | undefined;
    let mails: ParsedMail[] = [];
    for (let i = 0; i < 100 && !monthly; i++) {
      await app.container.workflows!.notifications.dispatch();
      mails = await Promise.all(
        readdirSync(join(app.dir, 'outbox'))
          .filter((f) => f.endsWith('.eml'))
          .map((f) => simpleParser(readFileSync(join(app.dir, 'outbox', f)))),
      );
      monthly = mails.find((m) => m.headers.get('x-accord-report') === doc.body.id);
      if (!monthly) await new Promise((r) => setTimeout(r, 100));
    }
    if (!monthly) throw new Error('the monthly report was not e-mailed');
    expect(monthly.subject).toBe(`Monthly SLA compliance: Portfolio, ${month}`);
    expect(addresses(monthly.to)).toEqual(
      expect.arrayContaining(['sla-manager@accord.local', 'governance-board@accord.local']),
    );
    expect(monthly.attachments.map((a) => a.filename!.split('.').at(-1)).sort()).toEqual([
      'csv',
      'json',
      'pdf',
    ]);
    expect(monthly.text).toContain('It carries 1 commentary');
    const asked = mails.find((m) => m.headers.get('x-accord-task') === task.id);
    expect(asked?.subject).toMatch(/^Commentary requested: Explain why "Availability"/);
    expect(addresses(asked?.to)).toEqual(['owen.service@accord.local']);
    const credits = await app.call('GET', `/v1/archive?type=credit-statement&agreementId=${gatewaySla}`, {
      as: 'auditor',
    });
    expect(credits.body.items).toHaveLength(1);
    expect((await app.call('GET', '/v1/archive/verify', { as: 'auditor' })).body.ok).toBe(true);
  });
});

/** The e-mail addresses of a parsed header (mailparser gives one object or a list). */
function addresses(h: AddressObject | AddressObject[] | undefined): string[] {
  return (Array.isArray(h) ? h : h ? [h] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
}
