import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError, UnavailableError } from '../../../shared/domain/errors.js';
import type { Commentary } from '../../../shared/domain/reports/model.js';
import { type PublishBody, PublishBody as PublishBodySchema } from '../../../shared/schemas/reports.js';
import { deliveryText } from '../../../shared/usecases/reports/index.js';
import { principal } from '../../helpers/fixtures.js';
import { type ReportWorld, reportWorld, seedAgreement, seedMonth } from '../../helpers/report-usecases.js';

/**
 * ReportUseCases.publish on memory adapters: who may publish, the archive entries (write once, chained), the
 * bytes archived, and the delivery handed over (recipients, subject, text, attachments).
 */
const admin = principal({ subject: 'ada@bank.example', roles: ['admin'] });
const auditor = principal({ subject: 'aud@bank.example', roles: ['auditor'] });
const body = (over: Partial<PublishBody> = {}): PublishBody => ({
  ...PublishBodySchema.parse({ period: '2026-04', formats: ['json', 'csv'] }),
  ...over,
});
const AGR = 'agr_01PAYMENTS000000000001';

describe('ReportUseCases.publish', () => {
  let w: ReportWorld;
  beforeEach(async () => {
    w = reportWorld();
    await seedAgreement(w, { id: AGR });
    await seedMonth(w, 'svc_payments-gateway', '2026-04', 5);
  });
  const reject = (p: Promise<unknown>) => p.catch((x: unknown) => x) as Promise<Error>;

  it('refuses a caller with no role, saying it has none', async () => {
    const e = await reject(w.reports.publish(principal(), 'monthly-compliance', body()));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.message).toBe('your roles (none) do not allow report.publish');
  });

  it('refuses roles that may read but not publish, naming them', async () => {
    const e = await reject(
      w.reports.publish(principal({ roles: ['viewer', 'auditor'] }), 'monthly-compliance', body()),
    );
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.message).toBe('your roles (viewer, auditor) do not allow report.publish');
  });

  it("lets a business unit's manager publish for their own unit only, and only when naming it", async () => {
    const manager = principal({ roles: ['sla-manager'], businessUnits: ['payments'] });
    const message = 'you may publish reports for your own business units only: name one in businessUnit';
    const unnamed = await reject(w.reports.publish(manager, 'monthly-compliance', body()));
    expect(unnamed).toBeInstanceOf(ForbiddenError);
    expect(unnamed.message).toBe(message);
    const other = await reject(
      w.reports.publish(manager, 'monthly-compliance', body({ businessUnit: 'mobile' })),
    );
    expect(other).toBeInstanceOf(ForbiddenError);
    expect(other.message).toBe(message);
    const own = await w.reports.publish(manager, 'monthly-compliance', body({ businessUnit: 'payments' }));
    expect(own.archived.map((a) => a.key)).toEqual([
      `reports/monthly-compliance/2026-04/unit.payments-internal/${own.reportId}.json`,
      `reports/monthly-compliance/2026-04/unit.payments-internal/${own.reportId}.csv`,
    ]);
  });

  it('answers unavailable where no archive is deployed, publishing nothing', async () => {
    w = reportWorld({ archive: false });
    const e = await reject(w.reports.publish(admin, 'monthly-compliance', body()));
    expect(e).toBeInstanceOf(UnavailableError);
    expect(e.message).toBe('the archive is not deployed here: reports cannot be published');
    expect(w.delivery.sent).toEqual([]);
  });

  it('archives each format once under the report id, chained in the manifest with its title and publisher', async () => {
    const r = await w.reports.publish(admin, 'monthly-compliance', body());
    expect(r.reportId).toMatch(/^rpt_\d{4}$/);
    const listed = await w.archive!.list(auditor, { limit: 10 }, 'req-1');
    expect(
      listed.items.map((e) => [e.seq, e.key, e.type, e.period, e.title, e.archivedBy, e.sha256]),
    ).toEqual(
      r.archived.map((a) => [
        a.seq,
        a.key,
        'report',
        '2026-04',
        'Monthly SLA compliance, Portfolio, 2026-04 (internal)',
        'ada@bank.example',
        a.sha256,
      ]),
    );
    expect(r.archived.map((a) => [a.seq, a.key])).toEqual([
      [1, `reports/monthly-compliance/2026-04/portfolio-internal/${r.reportId}.json`],
      [2, `reports/monthly-compliance/2026-04/portfolio-internal/${r.reportId}.csv`],
    ]);
    // The JSON archived is the sealed report: its id and hash are the answer's.
    const json = await w.archiveStore.get(r.archived[0]!.key);
    const doc = JSON.parse(new TextDecoder().decode(json!.body));
    expect([doc.id, doc.hash, doc.period.label]).toEqual([r.reportId, r.hash, '2026-04']);
    expect(json!.info.contentType).toContain('application/json');
  });

  it('hands the delivery the archived files, the recipients asked for and the words of the e-mail', async () => {
    const r = await w.reports.publish(
      admin,
      'monthly-compliance',
      body({ deliverTo: { roles: ['sla-manager'], capacities: ['finance'] } }),
    );
    expect(w.delivery.sent).toHaveLength(1);
    const d = w.delivery.sent[0]!;
    const json = await w.archiveStore.get(r.archived[0]!.key);
    const model = JSON.parse(new TextDecoder().decode(json!.body));
    expect(d.id).toBe(r.deliveryId);
    expect(r.deliveryId).toMatch(/^dlv_\d{4}$/);
    expect({ ...d, attachments: d.attachments.map((a) => ({ ...a, body: a.body.byteLength })) }).toEqual({
      id: r.deliveryId,
      kind: 'report',
      scheduleId: undefined,
      recipients: {
        roles: ['sla-manager'],
        capacities: ['finance'],
        audience: 'internal',
        party: undefined,
        businessUnit: undefined,
        people: [],
      },
      subject: 'Monthly SLA compliance: Portfolio, 2026-04',
      text: deliveryText(model),
      figures: model.summary.map((f: { label: string }) => ({ label: f.label, value: expect.any(String) })),
      attachments: r.archived.map((a, i) => ({
        fileName: `monthly-compliance-2026-04-portfolio-internal.${['json', 'csv'][i]}`,
        contentType:
          i === 0 ? expect.stringContaining('application/json') : expect.stringContaining('text/csv'),
        body: expect.any(Number),
        sha256: a.sha256,
        archiveKey: a.key,
      })),
      archiveKeys: r.archived.map((a) => a.key),
      reportId: r.reportId,
      reportHash: r.hash,
    });
    expect(d.figures!.find((f) => f.label === 'Objectives missed')).toEqual({
      label: 'Objectives missed',
      value: '1',
    });
    expect(d.attachments[0]!.body).toEqual(json!.body);
  });

  it("names a customer's files and subject after its unit and customer, and sends to nobody unless asked", async () => {
    const r = await w.reports.publish(
      admin,
      'monthly-compliance',
      body({ audience: 'customer', party: 'retail-banking', businessUnit: 'payments', formats: ['json'] }),
    );
    const d = w.delivery.sent[0]!;
    expect(d.subject).toBe('Monthly SLA compliance: business unit payments for retail-banking, 2026-04');
    expect(d.attachments.map((a) => a.fileName)).toEqual([
      'monthly-compliance-2026-04-payments-customer-retail-banking.json',
    ]);
    expect(d.recipients).toEqual({
      roles: [],
      capacities: [],
      audience: 'customer',
      party: 'retail-banking',
      businessUnit: 'payments',
      people: [],
    });
    expect(r.archived[0]!.key).toBe(
      `reports/monthly-compliance/2026-04/unit.payments-customer-retail-banking/${r.reportId}.json`,
    );
  });

  it("sends a schedule's report to the schedule's recipients rather than the body's", async () => {
    await w.reports.publish(
      admin,
      'monthly-compliance',
      body({ formats: ['json'], deliverTo: { roles: ['viewer'], capacities: [] } }),
      { scheduleId: 'monthly', recipients: { roles: ['approver'], capacities: ['governance-board'] } },
    );
    const d = w.delivery.sent[0]!;
    expect(d.scheduleId).toBe('monthly');
    expect([d.recipients.roles, d.recipients.capacities]).toEqual([['approver'], ['governance-board']]);
  });

  it('publishes the previous month when no period is named', async () => {
    const r = await w.reports.publish(
      admin,
      'monthly-compliance',
      body({ period: undefined, formats: ['json'] }),
    );
    expect(r.archived[0]!.key).toBe(
      `reports/monthly-compliance/2026-04/portfolio-internal/${r.reportId}.json`,
    );
    expect(w.delivery.sent[0]!.subject).toBe('Monthly SLA compliance: Portfolio, 2026-04');
  });

  it('carries the commentary on agreements in the report, counted in the e-mail, and drops the rest', async () => {
    const c = (agreementId: string, text: string): Commentary => ({
      agreementId,
      objectiveId: 'availability',
      author: 'Owen Service',
      at: '2026-05-03T10:00:00.000Z',
      text,
    });
    const one = await w.reports.publish(admin, 'monthly-compliance', body({ formats: ['json'] }), {
      commentary: [c(AGR, 'A certificate expired.'), c('agr_01ELSEWHERE00000000001', 'Not ours.')],
    });
    const doc = JSON.parse(new TextDecoder().decode((await w.archiveStore.get(one.archived[0]!.key))!.body));
    expect(doc.commentary).toEqual([c(AGR, 'A certificate expired.')]);
    expect(w.delivery.sent[0]!.text).toBe(
      [
        'Monthly SLA compliance for 2026-04 (Portfolio), prepared for the internal audience, is published and archived.',
        'It carries 1 commentary from the owners of objectives that missed.',
        `Report ${one.reportId}, SHA-256 ${one.hash} (the hash of its JSON; printed on every page of the PDF).`,
      ].join('\n\n'),
    );
    await w.reports.publish(admin, 'monthly-compliance', body({ formats: ['json'] }), {
      commentary: [c(AGR, 'First.'), c(AGR, 'Second.')],
    });
    expect(w.delivery.sent[1]!.text).toContain(
      '\n\nIt carries 2 commentaries from the owners of objectives that missed.\n\n',
    );
    const none = await w.reports.publish(admin, 'monthly-compliance', body({ formats: ['json'] }));
    expect(w.delivery.sent[2]!.text).toBe(
      [
        'Monthly SLA compliance for 2026-04 (Portfolio), prepared for the internal audience, is published and archived.',
        `Report ${none.reportId}, SHA-256 ${none.hash} (the hash of its JSON; printed on every page of the PDF).`,
      ].join('\n\n'),
    );
  });

  it("names the customer in the e-mail's audience", async () => {
    await w.reports.publish(
      admin,
      'monthly-compliance',
      body({ audience: 'customer', party: 'retail-banking', formats: ['json'] }),
    );
    expect(w.delivery.sent[0]!.text.split('\n\n')[0]).toBe(
      'Monthly SLA compliance for 2026-04 (Portfolio), prepared for the customer (retail-banking) audience, is published and archived.',
    );
  });
});
