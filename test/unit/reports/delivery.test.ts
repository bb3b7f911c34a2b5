import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeWithArchive } from '../../../shared/adapters/mail/compose.js';
import { recipientsFor } from '../../../shared/domain/workflows/recipients.js';
import { loadDistributionPolicy } from '../../../shared/policy/workflows.js';
import type { Delivery } from '../../../shared/ports/reports.js';
import { NotifierReportDelivery, recipientQueries } from '../../../shared/usecases/reports/delivery.js';
import { testNotifications } from '../../helpers/notify.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const bytes = (s: string) => new TextEncoder().encode(s);
const lists = loadDistributionPolicy().lists;

function delivery(over: Partial<Delivery> = {}): Delivery {
  const pdf = bytes('%PDF-1.7 the report');
  const json = bytes('{"schema":"accord.report/v1"}');
  return {
    id: 'dlv_01',
    kind: 'report',
    recipients: { roles: [], capacities: ['governance-board'], audience: 'internal', people: [] },
    subject: 'Monthly SLA compliance: Portfolio, 2026-03',
    text: 'Published.\n\nAvailability met: 12',
    attachments: [
      {
        fileName: 'r.pdf',
        contentType: 'application/pdf',
        body: pdf,
        sha256: sha256(pdf),
        archiveKey: 'reports/monthly-compliance/2026-03/portfolio-internal/r.pdf',
      },
      {
        fileName: 'r.json',
        contentType: 'application/json',
        body: json,
        sha256: sha256(json),
        archiveKey: 'reports/monthly-compliance/2026-03/portfolio-internal/r.json',
      },
    ],
    archiveKeys: [],
    reportId: 'rpt_01',
    reportHash: 'ab'.repeat(32),
    ...over,
  };
}

describe('report delivery through the notifier', () => {
  it('queues one e-mail to the lists, its files attached by archive key and hash, once however often it is handed over', async () => {
    const { notifications, store } = testNotifications();
    const d = new NotifierReportDelivery(() => notifications, { maxAttachmentBytes: 10_000 });
    await d.deliver(delivery());
    await d.deliver(delivery());
    const [n, ...rest] = await store.list({});
    expect(rest).toEqual([]);
    expect(n!.event).toBe('report.published');
    expect(n!.email!.to).toEqual([{ name: 'Governance Board', email: 'governance-board@accord.local' }]);
    expect(n!.email!.attachments!.map((a) => [a.fileName, a.archiveKey, a.size])).toEqual([
      ['r.pdf', 'reports/monthly-compliance/2026-03/portfolio-internal/r.pdf', 19],
      ['r.json', 'reports/monthly-compliance/2026-03/portfolio-internal/r.json', 29],
    ]);
    expect(n!.email!.headers!['X-Accord-Report-SHA256']).toBe('ab'.repeat(32));
  });

  it('names the archived files instead of attaching them when together they exceed what e-mail takes (48 > 40 bytes)', async () => {
    const { notifications, store } = testNotifications();
    await new NotifierReportDelivery(() => notifications, { maxAttachmentBytes: 40 }).deliver(delivery());
    const [n] = await store.list({});
    expect(n!.email!.attachments).toBeUndefined();
    for (const a of delivery().attachments) {
      expect(n!.email!.text).toContain(`archive key ${a.archiveKey}\n  SHA-256 ${a.sha256}`);
    }
    expect(n!.email!.text).toContain('larger than e-mail takes');
  });

  it("addresses a customer's report only to lists of that customer or of no business unit", () => {
    const q = recipientQueries({
      roles: ['sla-manager'],
      capacities: ['customer-contact'],
      audience: 'customer',
      party: 'retail-banking',
      people: [],
    });
    expect(recipientsFor(lists, q).map((r) => r.email)).toEqual([
      'sla-manager@accord.local',
      'service-desk@retail-banking.example',
    ]);
    // Without a party (an internal portfolio report) no customer's list matches a customer-contact capacity.
    const internal = recipientQueries({
      roles: [],
      capacities: ['customer-contact'],
      audience: 'internal',
      people: [],
    });
    expect(recipientsFor(lists, internal)).toEqual([]);
  });

  it('refuses to deliver without a notifier rather than pretend it sent', async () => {
    const d = new NotifierReportDelivery(() => undefined, { maxAttachmentBytes: 10 });
    await expect(d.deliver(delivery())).rejects.toThrow(/notifier is not deployed/);
  });
});

describe('composing with archived attachments', () => {
  const message = (sha: string) => ({
    id: 'ntf_1',
    from: { email: 'accord@accord.local' },
    to: [{ email: 'a@example.com' }],
    subject: 's',
    text: 't',
    html: '<p>t</p>',
    date: '2026-03-05T06:00:00Z',
    attachments: [
      { fileName: 'r.pdf', contentType: 'application/pdf', archiveKey: 'k', sha256: sha, size: 3 },
    ],
  });

  it('attaches the archived bytes, which parse back identical', async () => {
    const body = new Uint8Array([0, 255, 37, 80, 68, 70]);
    const raw = await composeWithArchive(async () => ({ body }))(message(sha256(body)));
    const parsed = await simpleParser(raw.raw);
    expect(parsed.attachments).toHaveLength(1);
    expect(sha256(parsed.attachments[0]!.content)).toBe(sha256(body));
    expect(parsed.attachments[0]!.filename).toBe('r.pdf');
    expect(parsed.text?.trim()).toBe('t');
  });

  it('never sends other bytes than archived: a changed byte or a missing object fails the send, naming the key', async () => {
    const body = bytes('abc');
    const changed = composeWithArchive(async () => ({ body: bytes('abd') }));
    await expect(changed(message(sha256(body)))).rejects.toThrow(
      /r\.pdf: k has SHA-256 .* the manifest recorded/,
    );
    const missing = composeWithArchive(async () => undefined);
    await expect(missing(message(sha256(body)))).rejects.toThrow(/k is not in the archive/);
  });
});
