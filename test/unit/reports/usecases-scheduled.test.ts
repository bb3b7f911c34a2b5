import { beforeEach, describe, expect, it } from 'vitest';
import type { Commentary } from '../../../shared/domain/reports/model.js';
import type { ReportScheduleDef } from '../../../shared/policy/reports.js';
import { agreementBody, principal } from '../../helpers/fixtures.js';
import { type ReportWorld, reportWorld, seedAgreement, seedMonth } from '../../helpers/report-usecases.js';

/**
 * The scheduled side of ReportUseCases on memory adapters: the commentary windows opened before the monthly
 * publication, the publication itself (published, held, already published) and the hourly follow-up.
 */
const auditor = principal({ subject: 'aud@bank.example', roles: ['auditor'] });
const PAY = 'agr_01PAYMENTS000000000001';
const MOB = 'agr_01MOBILE000000000001';
const FINE = 'agr_01FINE00000000000001';
const PUB = 'monthly-payments-2026-04';

const schedule = (over: Partial<ReportScheduleDef> = {}): ReportScheduleDef => ({
  id: 'monthly-payments',
  type: 'monthly-compliance',
  audience: 'internal',
  scope: { kind: 'business-unit', businessUnit: 'payments' },
  formats: ['json'],
  recipients: { roles: ['sla-manager'], capacities: [] },
  onCommentaryMissing: 'publish',
  commentaryWindowHours: 72,
  ...over,
});
const portfolio = { kind: 'portfolio' as const };
const commentary = (text: string): Commentary => ({
  agreementId: PAY,
  objectiveId: 'availability',
  author: 'Owen Service',
  at: '2026-05-06T10:00:00.000Z',
  text,
});

/** Three agreements for April: payments' gateway missed, payments' other service met, mobile's missed. */
async function world(schedules: ReportScheduleDef[], now = '2026-05-05T06:00:00.000Z') {
  const w = reportWorld({ now, policy: { schedules } });
  await seedAgreement(w, { id: PAY });
  await seedAgreement(w, { id: FINE, serviceId: 'svc_fine' });
  await seedAgreement(w, {
    id: MOB,
    serviceId: 'svc_mobile',
    businessUnit: 'mobile',
    objectives: [
      {
        ...agreementBody().objectives[0]!,
        name: 'Mobile availability',
        target: 99.5,
        owner: { name: 'Mona Mobile', email: 'mona@example.com' },
      },
    ],
  });
  await seedMonth(w, 'svc_payments-gateway', '2026-04', 5);
  await seedMonth(w, 'svc_fine', '2026-04', 0);
  await seedMonth(w, 'svc_mobile', '2026-04', 10);
  return w;
}

async function archivedDoc(w: ReportWorld, key: string) {
  return JSON.parse(new TextDecoder().decode((await w.archiveStore.get(key))!.body));
}

describe('ReportUseCases.openCommentaryWindows', () => {
  it('asks the owners of the objectives that missed, per schedule with a window, in its scope', async () => {
    const w = await world([
      schedule(),
      schedule({ id: 'credit', type: 'credit-statement', scope: portfolio, commentaryWindowHours: 0 }),
      schedule({ id: 'monthly-all', scope: portfolio, commentaryWindowHours: 24 }),
    ]);
    const r = await w.reports.openCommentaryWindows();
    expect(r).toEqual({ opened: 2, requests: 3 });
    const pay = {
      agreementId: PAY,
      objectiveId: 'availability',
      owner: { name: 'Owen Service', email: 'owen@example.com' },
      compliance: 99.5,
      target: 99.9,
    };
    const mob = {
      agreementId: MOB,
      objectiveId: 'availability',
      owner: { name: 'Mona Mobile', email: 'mona@example.com' },
      compliance: 99,
      target: 99.5,
    };
    expect(w.commentary.opened).toEqual([
      {
        publicationId: PUB,
        scheduleId: 'monthly-payments',
        period: '2026-04',
        closesAt: '2026-05-08T06:00:00.000Z',
        objectives: [pay],
      },
      {
        publicationId: 'monthly-all-2026-04',
        scheduleId: 'monthly-all',
        period: '2026-04',
        closesAt: '2026-05-06T06:00:00.000Z',
        objectives: expect.arrayContaining([pay, mob]),
      },
    ]);
    expect(w.commentary.opened[1]!.objectives).toHaveLength(2);
    // Nothing is published or sent when a window opens.
    expect(w.delivery.sent).toEqual([]);
  });

  it('asks the owner of the objective that missed, not of another objective of its agreement', async () => {
    const w = reportWorld({ policy: { schedules: [schedule()] } });
    const base = agreementBody().objectives[0]!;
    await seedAgreement(w, {
      id: PAY,
      objectives: [
        { ...base, name: 'Lenient availability', target: 99 },
        {
          ...base,
          id: 'avail-strict',
          name: 'Strict availability',
          owner: { name: 'Sue Strict', email: 'sue@example.com' },
        },
      ],
    });
    await seedMonth(w, 'svc_payments-gateway', '2026-04', 5);
    expect(await w.reports.openCommentaryWindows()).toEqual({ opened: 1, requests: 1 });
    expect(w.commentary.opened[0]!.objectives).toEqual([
      {
        agreementId: PAY,
        objectiveId: 'avail-strict',
        owner: { name: 'Sue Strict', email: 'sue@example.com' },
        compliance: 99.5,
        target: 99.9,
      },
    ]);
  });

  it('opens nothing when no schedule has a window', async () => {
    const w = await world([schedule({ commentaryWindowHours: 0 })]);
    expect(await w.reports.openCommentaryWindows()).toEqual({ opened: 0, requests: 0 });
    expect(w.commentary.opened).toEqual([]);
  });

  it('opens a window with nobody to ask when every objective was met', async () => {
    const w = await world([schedule({ scope: { kind: 'business-unit', businessUnit: 'nobody' } })]);
    expect(await w.reports.openCommentaryWindows()).toEqual({ opened: 1, requests: 0 });
    expect(w.commentary.opened.map((o) => [o.publicationId, o.objectives])).toEqual([[PUB, []]]);
  });
});

describe('ReportUseCases.publishScheduled', () => {
  it("publishes a schedule without a window at once, as the system, to the schedule's recipients", async () => {
    const w = await world([
      schedule({
        id: 'monthly-all',
        scope: portfolio,
        commentaryWindowHours: 0,
        recipients: { roles: ['approver'], capacities: ['finance'] },
      }),
    ]);
    const r = await w.reports.publishScheduled();
    expect(r).toEqual({ published: 1, held: 0, archivedRecords: 0, alerts: 0 });
    expect(w.delivery.sent).toHaveLength(1);
    const d = w.delivery.sent[0]!;
    expect([
      d.kind,
      d.scheduleId,
      d.recipients.roles,
      d.recipients.capacities,
      d.recipients.businessUnit,
    ]).toEqual(['report', 'monthly-all', ['approver'], ['finance'], undefined]);
    expect(d.archiveKeys).toEqual([
      `reports/monthly-compliance/2026-04/portfolio-internal/${d.reportId}.json`,
    ]);
    const doc = await archivedDoc(w, d.archiveKeys[0]!);
    expect([doc.generatedBy, doc.period.label, doc.audience]).toEqual([
      'system:reports',
      '2026-04',
      'internal',
    ]);
    const listed = await w.archive!.list(auditor, { limit: 10 }, 'req-1');
    expect(listed.items.map((e) => e.archivedBy)).toEqual(['system:reports']);
    // No window: nothing is recorded against one.
    expect(w.commentary.publishedAs.size).toBe(0);
    expect(w.commentary.closed).toEqual([]);
  });

  it("publishes a business unit's schedule for that unit only", async () => {
    const w = await world([schedule({ commentaryWindowHours: 0 })]);
    await w.reports.publishScheduled();
    const d = w.delivery.sent[0]!;
    expect(d.archiveKeys).toEqual([
      `reports/monthly-compliance/2026-04/unit.payments-internal/${d.reportId}.json`,
    ]);
    expect(d.recipients.businessUnit).toBe('payments');
    const doc = await archivedDoc(w, d.archiveKeys[0]!);
    expect(doc.scopeLabel).toBe('business unit payments');
  });

  it('holds a hold schedule while owners have not answered, and tells the SLA managers why', async () => {
    const w = await world([schedule({ onCommentaryMissing: 'hold' })]);
    w.commentary.states.set(PUB, { asked: 3, pending: 2 });
    const r = await w.reports.publishScheduled();
    expect(r).toEqual({ published: 0, held: 1, archivedRecords: 0, alerts: 0 });
    expect(w.delivery.sent).toEqual([
      {
        id: `held-${PUB}`,
        kind: 'report-held',
        scheduleId: 'monthly-payments',
        recipients: {
          roles: ['sla-manager'],
          capacities: [],
          audience: 'internal',
          businessUnit: 'payments',
          people: [],
        },
        subject: 'Held for commentary: monthly-compliance for 2026-04',
        text: 'The monthly-compliance report for 2026-04 (schedule monthly-payments) is held: 2 of 3 owners of objectives that missed have not explained the deviation yet. It is published as soon as every one has answered.',
        attachments: [],
        archiveKeys: [],
      },
    ]);
    expect(await w.archiveStore.list('reports/')).toEqual({ items: [] });
    expect(w.commentary.closed).toEqual([]);
    expect(w.commentary.publishedAs.size).toBe(0);
  });

  it('tells the SLA managers of the whole portfolio about a held portfolio report', async () => {
    const w = await world([schedule({ id: 'monthly-all', scope: portfolio, onCommentaryMissing: 'hold' })]);
    w.commentary.states.set('monthly-all-2026-04', { asked: 1, pending: 1 });
    await w.reports.publishScheduled();
    expect(w.delivery.sent.map((d) => [d.kind, d.recipients.businessUnit])).toEqual([
      ['report-held', undefined],
    ]);
  });

  it('expires the open requests of a publish schedule and publishes with the commentary given', async () => {
    const w = await world([schedule()]);
    w.commentary.states.set(PUB, { asked: 2, pending: 1 });
    w.commentary.add(PUB, commentary('A certificate expired.'));
    const r = await w.reports.publishScheduled();
    expect(r.published).toBe(1);
    expect(w.commentary.closed).toEqual([PUB]);
    const d = w.delivery.sent[0]!;
    expect(d.kind).toBe('report');
    expect((await archivedDoc(w, d.archiveKeys[0]!)).commentary).toEqual([
      commentary('A certificate expired.'),
    ]);
    expect(w.commentary.publishedAs.get(PUB)).toBe(d.reportId);
  });

  it('publishes without closing a window every owner has answered', async () => {
    const w = await world([schedule({ onCommentaryMissing: 'hold' })]);
    w.commentary.states.set(PUB, { asked: 1, pending: 0 });
    w.commentary.add(PUB, commentary('Fixed.'));
    expect(await w.reports.publishScheduled()).toEqual({
      published: 1,
      held: 0,
      archivedRecords: 0,
      alerts: 0,
    });
    expect(w.commentary.closed).toEqual([]);
    expect(w.delivery.sent.map((d) => d.kind)).toEqual(['report']);
    expect(w.commentary.publishedAs.get(PUB)).toBe(w.delivery.sent[0]!.reportId);
  });

  it('leaves out commentary of a schedule without a window, even if some was recorded', async () => {
    const w = await world([schedule({ commentaryWindowHours: 0 })]);
    w.commentary.add(PUB, commentary('Stray.'));
    await w.reports.publishScheduled();
    expect((await archivedDoc(w, w.delivery.sent[0]!.archiveKeys[0]!)).commentary).toEqual([]);
  });

  it('publishes a schedule without a window at once, even with owners still waited for by a window opened before', async () => {
    const w = await world([schedule({ commentaryWindowHours: 0, onCommentaryMissing: 'hold' })]);
    w.commentary.states.set(PUB, { asked: 2, pending: 1 });
    expect(await w.reports.publishScheduled()).toEqual({
      published: 1,
      held: 0,
      archivedRecords: 0,
      alerts: 0,
    });
    expect(w.delivery.sent.map((d) => d.kind)).toEqual(['report']);
    expect(w.commentary.closed).toEqual([]);
    expect(w.commentary.publishedAs.size).toBe(0);
  });

  it("does not publish a window's report twice", async () => {
    const w = await world([schedule()]);
    expect((await w.reports.publishScheduled()).published).toBe(1);
    expect(await w.reports.publishScheduled()).toEqual({
      published: 0,
      held: 0,
      archivedRecords: 0,
      alerts: 0,
    });
    expect(w.delivery.sent).toHaveLength(1);
  });

  it('counts each schedule by its outcome', async () => {
    const w = await world([
      schedule(),
      schedule({ id: 'held', onCommentaryMissing: 'hold' }),
      schedule({ id: 'done' }),
      schedule({ id: 'now', scope: portfolio, commentaryWindowHours: 0 }),
    ]);
    w.commentary.states.set('held-2026-04', { asked: 1, pending: 1 });
    w.commentary.states.set('done-2026-04', { publishedReportId: 'rpt_before' });
    expect(await w.reports.publishScheduled()).toEqual({
      published: 2,
      held: 1,
      archivedRecords: 0,
      alerts: 0,
    });
  });
});

describe('ReportUseCases.followUpCommentary', () => {
  const hold = schedule({ onCommentaryMissing: 'hold' });

  it("sends the window's reminders per the policy and counts them", async () => {
    const w = await world([]);
    w.commentary.reminders = 4;
    expect(await w.reports.followUpCommentary()).toEqual({ reminders: 4, published: 0 });
    expect(w.commentary.remindedWith).toEqual([{ remindHoursBefore: [24, 4], heldRemindEveryHours: 24 }]);
  });

  it('publishes a held report once every owner has answered, from the publication day on', async () => {
    const w = await world([hold], '2026-05-05T00:00:00.000Z');
    w.commentary.states.set(PUB, { asked: 2, pending: 0 });
    w.commentary.add(PUB, commentary('Explained.'));
    expect(await w.reports.followUpCommentary()).toEqual({ reminders: 0, published: 1 });
    const d = w.delivery.sent[0]!;
    expect([d.kind, d.scheduleId]).toEqual(['report', 'monthly-payments']);
    expect((await archivedDoc(w, d.archiveKeys[0]!)).commentary).toEqual([commentary('Explained.')]);
    expect(w.commentary.publishedAs.get(PUB)).toBe(d.reportId);
  });

  it('publishes nothing before the publication day: the window is still open', async () => {
    const w = await world([hold], '2026-05-04T23:59:59.999Z');
    w.commentary.states.set(PUB, { asked: 2, pending: 0 });
    expect(await w.reports.followUpCommentary()).toEqual({ reminders: 0, published: 0 });
    expect(w.delivery.sent).toEqual([]);
  });

  it('publishes nothing nobody was asked for, still waited for, already out, or not held', async () => {
    const w = await world(
      [
        schedule({ id: 'unasked', onCommentaryMissing: 'hold' }),
        schedule({ id: 'waiting', onCommentaryMissing: 'hold' }),
        schedule({ id: 'out', onCommentaryMissing: 'hold' }),
        schedule({ id: 'nowindow', onCommentaryMissing: 'hold', commentaryWindowHours: 0 }),
        schedule({ id: 'publishing', onCommentaryMissing: 'publish' }),
      ],
      '2026-05-09T10:00:00.000Z',
    );
    w.commentary.states.set('unasked-2026-04', { asked: 0, pending: 0 });
    w.commentary.states.set('waiting-2026-04', { asked: 2, pending: 1 });
    w.commentary.states.set('out-2026-04', { asked: 2, pending: 0, publishedReportId: 'rpt_before' });
    w.commentary.states.set('nowindow-2026-04', { asked: 2, pending: 0 });
    w.commentary.states.set('publishing-2026-04', { asked: 2, pending: 0 });
    expect(await w.reports.followUpCommentary()).toEqual({ reminders: 0, published: 0 });
    expect(w.delivery.sent).toEqual([]);
  });
});

describe('a publication held and then answered', () => {
  let w: ReportWorld;
  beforeEach(async () => {
    w = await world([schedule({ onCommentaryMissing: 'hold' })]);
  });

  it('is held on the day, then published by the follow-up once the last owner answers', async () => {
    w.commentary.states.set(PUB, { asked: 1, pending: 1 });
    expect((await w.reports.publishScheduled()).held).toBe(1);
    w.clock.set('2026-05-06T09:00:00.000Z');
    expect((await w.reports.followUpCommentary()).published).toBe(0);
    w.commentary.states.set(PUB, { asked: 1, pending: 0 });
    expect((await w.reports.followUpCommentary()).published).toBe(1);
    expect(w.delivery.sent.map((d) => d.kind)).toEqual(['report-held', 'report']);
  });
});
