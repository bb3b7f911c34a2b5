import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportDeps, ReportUseCases } from '../../shared/usecases/reports/index.js';
import { TestClock } from '../helpers/clock.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';
import { seedDemoMonth } from '../helpers/report-demo.js';
import { startSmtpServer } from '../helpers/smtp.js';

/**
 * Issue 12 item 5: scheduled and published reports are e-mailed to their audience through the notifier. The
 * embedded default runs with ACCORD_SMTP_URL pointing at a real SMTP server (`smtp-server`); what it receives is
 * parsed back with mailparser and held to the archive (the same bytes) and to the audience's redaction.
 */
/**
 * The server's clock, fixed: the test's reported month and the server's "previous month" are decided from this one
 * instant (on the real clock a UTC month ending during the run made them differ).
 */
const clock = new TestClock('2026-11-02T09:00:00.000Z');
let app: TestApp;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let month = '';
const tmp = mkdtempSync(join(tmpdir(), 'accord-report-mail-'));

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await startTestApp({ ACCORD_SMTP_URL: smtp.url }, { clock });
  ({ month } = await seedDemoMonth(app, clock.now()));
}, 180_000);
afterAll(async () => {
  await app.close();
  await smtp.close();
  rmSync(tmp, { recursive: true, force: true });
});

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const addresses = (h: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(h) ? h : h ? [h] : []).flatMap((a) => a.value.map((v) => v.address ?? '')).sort();

type Cell = { t: string; v: unknown };
type Doc = {
  id: string;
  hash: string;
  title: string;
  scopeLabel: string;
  summary: { label: string; cell: Cell }[];
  sections: { title: string; paragraphs: string[]; tables: { rows: Cell[][] }[] }[];
};

/** Every text value a report document shows (cells, titles, paragraphs). */
function textsOf(doc: Doc): Set<string> {
  const out = new Set<string>();
  for (const s of doc.sections) {
    out.add(s.title);
    for (const p of s.paragraphs) out.add(p);
    for (const t of s.tables)
      for (const r of t.rows) for (const c of r) if (typeof c.v === 'string') out.add(c.v);
  }
  for (const f of doc.summary) if (typeof f.cell.v === 'string') out.add(f.cell.v);
  return out;
}

/** What a person reads in a received message: subject, text, HTML and every attachment (PDF through pdftotext). */
function readable(mail: ParsedMail): string {
  const parts = [mail.subject ?? '', mail.text ?? '', typeof mail.html === 'string' ? mail.html : ''];
  for (const a of mail.attachments) {
    if (a.contentType === 'application/pdf') {
      const file = join(tmp, `${sha256(a.content)}.pdf`);
      writeFileSync(file, a.content);
      parts.push(execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' }));
      parts.push(execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }));
    } else {
      parts.push(a.content.toString('utf8').replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))));
    }
  }
  return parts.join('\n');
}

/** Sends what is queued and waits for the SMTP server to have accepted a message carrying the report's id. */
async function receivedFor(reportId: string): Promise<ParsedMail[]> {
  await app.container.workflows!.notifications.dispatch();
  for (let i = 0; i < 100; i++) {
    const mails = await Promise.all(smtp.received.map((m) => simpleParser(m.raw)));
    const mine = mails.filter((m) => m.headers.get('x-accord-report') === reportId);
    if (mine.length > 0) return mine;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no message for ${reportId} reached the SMTP server`);
}

describe('reports e-mailed to their audience through the notifier (a real SMTP server)', () => {
  it("sends a customer's report to that customer's list only, each file exactly as archived, nothing redacted in it", async () => {
    const pub = await app.call('POST', '/v1/reports/monthly-compliance/publish', {
      as: 'admin',
      body: {
        period: month,
        audience: 'customer',
        party: 'retail-banking',
        formats: ['pdf', 'csv', 'json', 'html'],
        deliverTo: { roles: ['sla-manager'], capacities: ['customer-contact'] },
      },
    });
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    const [mail, ...more] = await receivedFor(pub.body.reportId);
    expect(more).toEqual([]);
    // Recipients: retail banking's list and the provider's SLA managers; never wealth management's list.
    const envelope = smtp.received.find((m) => m.raw.includes(Buffer.from(pub.body.reportId)))!;
    expect(envelope.to.sort()).toEqual(['service-desk@retail-banking.example', 'sla-manager@accord.local']);
    expect(addresses(mail!.to)).toEqual(['service-desk@retail-banking.example', 'sla-manager@accord.local']);
    expect(mail!.subject).toBe(`Monthly SLA compliance: Portfolio for retail-banking, ${month}`);
    expect(mail!.headers.get('x-accord-report-sha256')).toBe(pub.body.hash);
    expect(mail!.text).toContain(pub.body.hash);

    // Each attachment is byte for byte the archived object: its hash is the manifest's and the download's.
    expect(mail!.attachments).toHaveLength(4);
    for (const archived of pub.body.archived as { key: string; sha256: string }[]) {
      const ext = archived.key.split('.').at(-1);
      const a = mail!.attachments.find((x) => x.filename?.endsWith(`.${ext}`));
      expect(a?.filename).toBe(`monthly-compliance-${month}-portfolio-customer-retail-banking.${ext}`);
      expect(sha256(a!.content)).toBe(archived.sha256);
      expect(mail!.text).toContain(`archive key ${archived.key}\n  SHA-256 ${archived.sha256}`);
      const dl = await fetch(`${app.url}/v1/archive/download?key=${encodeURIComponent(archived.key)}`, {
        headers: { authorization: `Bearer ${app.credentials.tokens.auditor!.token}` },
      });
      expect(sha256(Buffer.from(await dl.arrayBuffer()))).toBe(archived.sha256);
    }

    // Redaction held: nothing the internal report shows and the customer's does not is anywhere in the message.
    const sent = JSON.parse(
      mail!.attachments.find((a) => a.contentType === 'application/json')!.content.toString('utf8'),
    ) as Doc & { audience: string; party: string };
    expect([sent.audience, sent.party, sent.id]).toEqual(['customer', 'retail-banking', pub.body.reportId]);
    const internal = (
      await app.call('GET', `/v1/reports/monthly-compliance?period=${month}&audience=internal`, {
        as: 'admin',
      })
    ).body as Doc;
    const kept = [...textsOf(sent)];
    const removed = [...textsOf(internal)].filter(
      (v) => v.length >= 6 && !kept.some((k) => k.includes(v)) && !/^\d{4}-\d{2}/.test(v),
    );
    const forbidden = [
      ...removed,
      // vendors (UCs), internal contacts (the demo's owners). Wealth management may show: it provides one of
      // retail banking's SLAs (a provider, not another customer); the SLAs it receives are in `removed`.
      'Card Network',
      'SMS Aggregator',
      'Market Data',
      'Cloud Provider',
      '@bank.example',
      'Owen Service',
    ];
    expect(removed.length).toBeGreaterThan(10);
    const text = readable(mail!);
    expect(text).toContain('retail-banking');
    expect(forbidden.filter((v) => text.includes(v))).toEqual([]);
  });
});

describe('a report held for commentary (policy onCommentaryMissing: hold)', () => {
  it('publishes nothing while an owner has not answered, tells the SLA managers, then publishes once the answer is in', async () => {
    const deps = (app.container.reports as unknown as { deps: ReportDeps }).deps;
    const schedule = {
      ...deps.policy.schedules[0]!,
      id: 'monthly-compliance-held',
      onCommentaryMissing: 'hold' as const,
      formats: ['json' as const],
    };
    // The 6th of the month after the reported one: the window (opened on the 2nd) has closed.
    const [y, m] = month.split('-').map(Number) as [number, number];
    const sixth = new TestClock(Date.UTC(y, m, 6, 6));
    const reports = new ReportUseCases({
      ...deps,
      clock: sixth,
      policy: { ...deps.policy, schedules: [schedule] },
    });
    const opened = await reports.openCommentaryWindows();
    expect(opened).toEqual({ opened: 1, requests: 1 });

    const first = await reports.publishScheduled();
    expect([first.published, first.held]).toEqual([0, 1]);
    expect(await reports.followUpCommentary()).toMatchObject({ published: 0 });
    const mails = await Promise.all(smtp.received.map((x) => simpleParser(x.raw)));
    await app.container.workflows!.notifications.dispatch();
    const held = (await Promise.all(smtp.received.map((x) => simpleParser(x.raw)))).find(
      (x) => x.subject === `Held for commentary: monthly-compliance for ${month}`,
    );
    expect(held?.text ?? JSON.stringify(mails.map((x) => x.subject))).toContain('1 of 1 owners');
    expect(addresses(held?.to)).toEqual(['sla-manager@accord.local']);

    const task = (await app.call('GET', '/v1/tasks?view=mine&kind=commentary', { as: 'service-owner' })).body
      .items[0];
    expect(task.data.publicationId).toBe(`monthly-compliance-held-${month}`);
    const done = await app.call('POST', `/v1/tasks/${task.id}/complete`, {
      as: 'service-owner',
      body: { reason: 'Explained', comment: 'Held until explained: the gateway deployment of the 10th.' },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);

    expect(await reports.followUpCommentary()).toMatchObject({ published: 1 });
    expect(await reports.followUpCommentary()).toMatchObject({ published: 0 }); // once
    const state = await deps.commentary.state(`monthly-compliance-held-${month}`);
    const list = await app.call('GET', `/v1/archive?type=report&period=${month}`, { as: 'auditor' });
    const key = list.body.items.find((e: { key: string }) =>
      e.key.includes(state.publishedReportId!.toLowerCase()),
    ).key as string;
    const doc = await app.call('GET', `/v1/archive/download?key=${encodeURIComponent(key)}`, {
      as: 'auditor',
    });
    expect(doc.body.commentary).toEqual([
      expect.objectContaining({ text: 'Held until explained: the gateway deployment of the 10th.' }),
    ]);
  });
});
