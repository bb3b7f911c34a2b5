import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../shared/ports/reports.js';
import { NotifierReportDelivery } from '../../../shared/usecases/reports/delivery.js';
import type { Notifications, NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import { expectGolden } from '../../helpers/golden.js';

// The whole notification a report delivery queues (shared/usecases/reports/delivery.ts), field by field, and its
// HTML against a reviewed golden file: test/golden/reports/delivery-email.html.

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const bytes = (s: string) => new TextEncoder().encode(s);
const pdf = bytes('%PDF-1.7 the report');
const json = bytes('{"schema":"accord.report/v1"}');
const PDF_KEY = 'reports/monthly-compliance/2026-03/portfolio-internal/r.pdf';
const JSON_KEY = 'reports/monthly-compliance/2026-03/portfolio-internal/r.json';

function delivery(over: Partial<Delivery> = {}): Delivery {
  return {
    id: 'dlv_01',
    kind: 'report',
    recipients: {
      roles: ['sla-manager'],
      capacities: ['governance-board'],
      audience: 'internal',
      people: [],
    },
    subject: 'Monthly SLA compliance: Portfolio, 2026-03',
    text: 'Published.\n\nAvailability met: 12\n\n\nSee the files.',
    attachments: [
      {
        fileName: 'r.pdf',
        contentType: 'application/pdf',
        body: pdf,
        sha256: sha256(pdf),
        archiveKey: PDF_KEY,
      },
      {
        fileName: 'r.json',
        contentType: 'application/json',
        body: json,
        sha256: sha256(json),
        archiveKey: JSON_KEY,
      },
    ],
    archiveKeys: [PDF_KEY, JSON_KEY],
    reportId: 'rpt_01',
    reportHash: 'ab'.repeat(32),
    ...over,
  };
}

function recorder() {
  const sent: NotifyRequest[] = [];
  const notifications = {
    notify: async (r: NotifyRequest) => {
      sent.push(r);
      return { queued: 1 };
    },
  } as unknown as Notifications;
  return { sent, notifications };
}

describe('the notification a report delivery queues', () => {
  it('is keyed by the delivery, addressed to each role and capacity, with the words, the files and the report’s headers', async () => {
    const { sent, notifications } = recorder();
    await new NotifierReportDelivery(() => notifications, { maxAttachmentBytes: 48 }).deliver(delivery());
    const [r] = sent;
    const { html, ...rest } = r!;
    expect(rest).toEqual({
      key: 'report-delivery/dlv_01',
      topic: 'report:rpt_01',
      event: 'report.published',
      businessUnit: '',
      to: [],
      lists: [{ role: 'sla-manager' }, { capacity: 'governance-board' }],
      subject: 'Monthly SLA compliance: Portfolio, 2026-03',
      paragraphs: [
        'Published.',
        'Availability met: 12',
        'See the files.',
        'Attached, each exactly as archived (compare a file with sha256sum):',
        `r.pdf (1 KB)\n  archive key ${PDF_KEY}\n  SHA-256 ${sha256(pdf)}\nr.json (1 KB)\n  archive key ${JSON_KEY}\n  SHA-256 ${sha256(json)}`,
      ],
      headers: {
        'X-Accord-Delivery': 'dlv_01',
        'X-Accord-Report': 'rpt_01',
        'X-Accord-Report-SHA256': 'ab'.repeat(32),
      },
      data: {
        deliveryId: 'dlv_01',
        kind: 'report',
        reportId: 'rpt_01',
        reportHash: 'ab'.repeat(32),
        archiveKeys: [PDF_KEY, JSON_KEY],
      },
      // 19 + 29 = 48 bytes: at the limit, still attached.
      attachments: [
        {
          fileName: 'r.pdf',
          contentType: 'application/pdf',
          archiveKey: PDF_KEY,
          sha256: sha256(pdf),
          size: 19,
        },
        {
          fileName: 'r.json',
          contentType: 'application/json',
          archiveKey: JSON_KEY,
          sha256: sha256(json),
          size: 29,
        },
      ],
    });
    expectGolden('test/golden/reports/delivery-email.html', bytes(html!));
  });

  it("puts the key figures after the first paragraph, and carries a customer's unit on every list; no report, no report headers", async () => {
    const { sent, notifications } = recorder();
    const d = delivery({
      kind: 'anomaly-alert',
      reportId: undefined,
      reportHash: undefined,
      attachments: [],
      recipients: {
        roles: ['service-owner'],
        capacities: [],
        audience: 'customer',
        party: 'retail-banking',
        businessUnit: 'payments',
        people: [{ name: 'Rita Retail', email: 'rita@example.com', extra: 'x' } as never],
      },
      figures: [
        { label: 'Availability', value: '99.95%' },
        { label: 'Breaches', value: '2' },
      ],
    });
    await new NotifierReportDelivery(() => notifications, { maxAttachmentBytes: 48 }).deliver(d);
    const [r] = sent;
    expect(r).toMatchObject({
      topic: 'report-delivery:dlv_01',
      event: 'report.anomaly',
      businessUnit: 'retail-banking',
      to: [{ name: 'Rita Retail', email: 'rita@example.com' }],
      lists: [{ role: 'service-owner', businessUnit: 'retail-banking' }],
      paragraphs: [
        'Published.',
        'Availability: 99.95%\nBreaches: 2',
        'Availability met: 12',
        'See the files.',
      ],
      headers: { 'X-Accord-Delivery': 'dlv_01' },
      data: { deliveryId: 'dlv_01', kind: 'anomaly-alert', archiveKeys: [PDF_KEY, JSON_KEY] },
      attachments: [],
    });
    expect(r!.to?.[0]).toEqual({ name: 'Rita Retail', email: 'rita@example.com' });
    expect(r!.headers).toEqual({ 'X-Accord-Delivery': 'dlv_01' });
    expect(r!.data).not.toHaveProperty('reportId');
    expect(r!.html).toContain(
      '<tr><td style="padding:4px 12px 4px 0;border-bottom:1px solid #e5e7eb;vertical-align:top">Availability</td><td style="padding:4px 12px 4px 0;border-bottom:1px solid #e5e7eb;vertical-align:top;text-align:right;font-weight:bold">99.95%</td></tr>',
    );
    expect(r!.html).not.toContain('Attached, each exactly');
    // The two figures' rows side by side, and no files table: nothing between the last paragraph and the end.
    expect(r!.html).toContain('99.95%</td></tr><tr><td');
    expect(r!.html?.endsWith('<p style="margin:0 0 12px 0">See the files.</p>\n\n</div></body></html>')).toBe(
      true,
    );
  });

  it("addresses a unit's own report to its business unit", async () => {
    const { sent, notifications } = recorder();
    const d = delivery({
      recipients: {
        roles: ['viewer'],
        capacities: ['legal'],
        audience: 'internal',
        businessUnit: 'payments',
        people: [],
      },
    });
    await new NotifierReportDelivery(() => notifications, { maxAttachmentBytes: 48 }).deliver(d);
    expect(sent[0]!.businessUnit).toBe('payments');
    expect(sent[0]!.lists).toEqual([
      { role: 'viewer', businessUnit: 'payments' },
      { capacity: 'legal', businessUnit: 'payments' },
    ]);
  });

  it('names each event by the delivery’s kind', async () => {
    const { sent, notifications } = recorder();
    const d = new NotifierReportDelivery(() => notifications, { maxAttachmentBytes: 48 });
    for (const kind of ['report', 'commentary-request', 'anomaly-alert', 'report-held'] as const)
      await d.deliver(delivery({ kind }));
    expect(sent.map((r) => r.event)).toEqual([
      'report.published',
      'report.commentary-requested',
      'report.anomaly',
      'report.held',
    ]);
  });

  it('names the files in the archive instead of attaching them above the limit, sizes in KB under 1 MB and in MB from 1 MB', async () => {
    const { sent, notifications } = recorder();
    const big = new Uint8Array(1024 * 1024);
    const small = new Uint8Array(1536);
    const d = delivery({
      attachments: [
        {
          fileName: 'big.pdf',
          contentType: 'application/pdf',
          body: big,
          sha256: 'b'.repeat(64),
          archiveKey: 'k/big.pdf',
        },
        {
          fileName: 'small.csv',
          contentType: 'text/csv',
          body: small,
          sha256: 'c'.repeat(64),
          archiveKey: 'k/small.csv',
        },
      ],
    });
    // 1,050,112 bytes against a limit of 1,050,111.
    await new NotifierReportDelivery(() => notifications, { maxAttachmentBytes: 1024 * 1024 + 1535 }).deliver(
      d,
    );
    const [r] = sent;
    expect(r!.attachments).toEqual([]);
    expect(r!.paragraphs.slice(-2)).toEqual([
      'The files (1.0 MB) are larger than e-mail takes (1.0 MB); they are in the archive:',
      `big.pdf (1.0 MB)\n  archive key k/big.pdf\n  SHA-256 ${'b'.repeat(64)}\nsmall.csv (2 KB)\n  archive key k/small.csv\n  SHA-256 ${'c'.repeat(64)}`,
    ]);
    expect(r!.html).toContain(
      '<p style="margin:0 0 12px 0">The files (1.0 MB) are larger than e-mail takes (1.0 MB); they are in the archive:</p>',
    );
  });

  it('escapes every value it puts in the HTML', async () => {
    const { sent, notifications } = recorder();
    const d = delivery({
      subject: `Q&A <b>"x"</b> it's`,
      text: '<script>alert(1)</script>',
      figures: [{ label: 'a<b', value: '1 & 2' }],
      attachments: [
        {
          fileName: '"f".pdf',
          contentType: 'application/pdf',
          body: pdf,
          sha256: '<h>',
          archiveKey: "k/'q'",
        },
      ],
    });
    await new NotifierReportDelivery(() => notifications, { maxAttachmentBytes: 48 }).deliver(d);
    const html = sent[0]!.html!;
    expect(html).toContain('Q&amp;A &lt;b&gt;&quot;x&quot;&lt;/b&gt; it&#39;s');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('a&lt;b');
    expect(html).toContain('1 &amp; 2');
    expect(html).toContain('&quot;f&quot;.pdf');
    expect(html).toContain('&lt;h&gt;');
    expect(html).toContain('k/&#39;q&#39;');
    expect(html).not.toMatch(/<script|<b>|<h>/);
  });

  it('refuses to deliver where no notifier is deployed', async () => {
    await expect(
      new NotifierReportDelivery(() => undefined, { maxAttachmentBytes: 48 }).deliver(delivery()),
    ).rejects.toThrow('the notifier is not deployed here: reports cannot be e-mailed');
  });
});
