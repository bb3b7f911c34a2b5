import type { RecipientQuery } from '../../domain/workflows/recipients.js';
import type { AttachmentRef } from '../../ports/notifier.js';
import type { Delivery, ReportDelivery } from '../../ports/reports.js';
import type { Notifications, NotifyRequest } from '../workflows/notifications.js';

const EVENTS: Record<Delivery['kind'], string> = {
  report: 'report.published',
  'commentary-request': 'report.commentary-requested',
  'anomaly-alert': 'report.anomaly',
  'report-held': 'report.held',
};

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const kb = (n: number) => (n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : mb(n));
const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const FONT = 'font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2937';
const CELL = 'padding:4px 12px 4px 0;border-bottom:1px solid #e5e7eb;vertical-align:top';

/**
 * The e-mail's HTML: e-mail-safe as the report's own HTML is (tables for layout, inline styles, no script, no
 * image, no external resource), every value escaped: the introduction, the key figures as a table, the rest of the
 * words, then the files with their archive keys and SHA-256.
 */
function emailHtml(d: Delivery, intro: string[], filesIntro: string): string {
  const p = (t: string) => `<p style="margin:0 0 12px 0">${esc(t)}</p>`;
  const figures = d.figures?.length
    ? `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:0 0 16px 0">${d.figures
        .map(
          (f) =>
            `<tr><td style="${CELL}">${esc(f.label)}</td><td style="${CELL};text-align:right;font-weight:bold">${esc(f.value)}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const files = d.attachments.length
    ? `${p(filesIntro)}<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse">${d.attachments
        .map(
          (a) =>
            `<tr><td style="${CELL}">${esc(a.fileName)}<br><span style="color:#6b7280;font-size:12px">${esc(a.archiveKey)}</span></td><td style="${CELL};font-family:Menlo,Consolas,monospace;font-size:12px;word-break:break-all">${esc(a.sha256)}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  return [
    '<!doctype html><html><head><meta charset="utf-8"></head>',
    `<body style="margin:0;padding:16px;${FONT}"><div style="max-width:720px">`,
    `<h1 style="font-size:18px;margin:0 0 12px 0">${esc(d.subject)}</h1>`,
    ...intro.slice(0, 1).map(p),
    figures,
    ...intro.slice(1).map(p),
    files,
    '</div></body></html>',
  ].join('\n');
}

/**
 * The lists a delivery is addressed to, as the notifier's queries: one per role and one per sign-off capacity.
 * A customer's report carries the customer's business unit (`party`) in each query, and a business unit's report
 * its business unit, so a list bound to another business unit never matches (`recipientsFor` requires every
 * field of a list's `match` to equal the query's); lists bound to no business unit (the provider's own people)
 * match as before.
 */
export function recipientQueries(r: Delivery['recipients']): RecipientQuery[] {
  const businessUnit = r.audience === 'customer' ? r.party : r.businessUnit;
  const bu = businessUnit ? { businessUnit } : {};
  return [
    ...r.roles.map((role) => ({ role, ...bu })),
    ...r.capacities.map((capacity) => ({ capacity, ...bu })),
  ];
}

/**
 * Report delivery through the notifier (issue 12 item 5): each delivery becomes one queued e-mail to its
 * distribution lists and named people, keyed by the delivery's id (queued once however often a step repeats),
 * delivered by the notifier's dispatcher with its retries (SES v2 on AWS, SMTP or the `.eml` outbox locally).
 * The report's files travel as attachments by reference to the archive: the dispatcher reads each from the archive
 * and checks its SHA-256 before composing (`composeWithArchive`), so a recipient holds exactly the archived bytes.
 * When the files together exceed `maxAttachmentBytes` (SES accepts 10 MB by default) none is attached and the
 * message names each archive key with its SHA-256 instead. Webhook subscribers to `report.*` are told too.
 */
export class NotifierReportDelivery implements ReportDelivery {
  constructor(
    private readonly notifications: () => Notifications | undefined,
    private readonly options: { maxAttachmentBytes: number },
  ) {}

  async deliver(d: Delivery): Promise<void> {
    const n = this.notifications();
    if (!n) throw new Error('the notifier is not deployed here: reports cannot be e-mailed');
    const total = d.attachments.reduce((s, a) => s + a.body.byteLength, 0);
    const attach = total <= this.options.maxAttachmentBytes;
    const attachments: AttachmentRef[] = attach
      ? d.attachments.map((a) => ({
          fileName: a.fileName,
          contentType: a.contentType,
          archiveKey: a.archiveKey,
          sha256: a.sha256,
          size: a.body.byteLength,
        }))
      : [];
    const figures = (d.figures ?? []).map((f) => `${f.label}: ${f.value}`);
    const files = d.attachments.map(
      (a) => `${a.fileName} (${kb(a.body.byteLength)})\n  archive key ${a.archiveKey}\n  SHA-256 ${a.sha256}`,
    );
    const filesIntro = attach
      ? 'Attached, each exactly as archived (compare a file with sha256sum):'
      : `The files (${mb(total)}) are larger than e-mail takes (${mb(this.options.maxAttachmentBytes)}); they are in the archive:`;
    const intro = d.text.split(/\n{2,}/);
    const paragraphs = [
      ...intro.slice(0, 1),
      ...(figures.length ? [figures.join('\n')] : []),
      ...intro.slice(1),
      ...(files.length ? [filesIntro, files.join('\n')] : []),
    ];
    const req: NotifyRequest = {
      key: `report-delivery/${d.id}`,
      topic: d.reportId ? `report:${d.reportId}` : `report-delivery:${d.id}`,
      event: EVENTS[d.kind],
      businessUnit:
        (d.recipients.audience === 'customer' ? d.recipients.party : d.recipients.businessUnit) ?? '',
      to: d.recipients.people.map((p) => ({ name: p.name, email: p.email })),
      lists: recipientQueries(d.recipients),
      subject: d.subject,
      paragraphs,
      html: emailHtml(d, intro, filesIntro),
      headers: {
        'X-Accord-Delivery': d.id,
        ...(d.reportId ? { 'X-Accord-Report': d.reportId } : {}),
        ...(d.reportHash ? { 'X-Accord-Report-SHA256': d.reportHash } : {}),
      },
      data: {
        deliveryId: d.id,
        kind: d.kind,
        ...(d.reportId ? { reportId: d.reportId, reportHash: d.reportHash } : {}),
        archiveKeys: d.archiveKeys,
      },
      attachments,
    };
    await n.notify(req);
  }
}
