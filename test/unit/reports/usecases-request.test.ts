import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../shared/domain/errors.js';
import { type ReportModel, tablesOf } from '../../../shared/domain/reports/model.js';
import { type ReportQuery, ReportQuery as ReportQuerySchema } from '../../../shared/schemas/reports.js';
import { ReportUseCases } from '../../../shared/usecases/reports/index.js';
import { principal } from '../../helpers/fixtures.js';
import { type ReportWorld, reportWorld, seedAgreement } from '../../helpers/report-usecases.js';

/**
 * ReportUseCases.reportType and onDemand on memory adapters: who may ask for which audience and party, the
 * period, and which agreements a report is made of (ReportUseCases.build through its request).
 */
const admin = principal({ subject: 'ada@bank.example', roles: ['admin'] });
const q = (over: Partial<ReportQuery> = {}): ReportQuery => ({ ...ReportQuerySchema.parse({}), ...over });

/** The values of one column of one table of a report. */
function column(m: ReportModel, table: string, key: string): unknown[] {
  const t = tablesOf(m).find((x) => x.id === table);
  if (!t) return [];
  const i = t.columns.findIndex((c) => c.key === key);
  return t.rows.map((r) => r[i]?.v);
}

describe('ReportUseCases.reportType', () => {
  it('accepts each known report type as it is', () => {
    expect(ReportUseCases.reportType('credit-statement')).toBe('credit-statement');
    expect(ReportUseCases.reportType('sla-audit')).toBe('sla-audit');
  });

  it('refuses an unknown report type, listing the known ones', () => {
    const e = (() => {
      try {
        ReportUseCases.reportType('weekly');
      } catch (x) {
        return x;
      }
    })() as ValidationError;
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('unknown report type');
    expect(e.details).toEqual([
      {
        path: 'reportType',
        problem:
          'must be one of monthly-compliance, credit-statement, violation-trends, ola-uc-performance, error-budget, sla-audit',
      },
    ]);
    expect(() => ReportUseCases.reportType(undefined)).toThrow(ValidationError);
  });
});

describe('who may ask for a report, for which audience and party', () => {
  let w: ReportWorld;
  beforeEach(async () => {
    w = reportWorld();
    await seedAgreement(w, { id: 'agr_01RETAIL0000000000001' });
    await seedPaymentsForWealth(w);
  });
  const reject = (p: Promise<unknown>) => p.catch((x: unknown) => x) as Promise<Error & { details: unknown }>;

  it('refuses a caller with no role, saying it has none', async () => {
    const e = await reject(w.reports.onDemand(principal(), 'monthly-compliance', q()));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.message).toBe('your roles (none) do not allow report.read');
  });

  it('refuses a vendor machine, naming its roles', async () => {
    const e = await reject(w.reports.onDemand(principal({ roles: ['vendor'] }), 'monthly-compliance', q()));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.message).toBe('your roles (vendor) do not allow report.read');
  });

  it('refuses an audience the roles may not ask for, naming the ones they may', async () => {
    const e = await reject(
      w.reports.onDemand(
        principal({ roles: ['auditor', 'approver'] }),
        'monthly-compliance',
        q({ audience: 'customer' }),
      ),
    );
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.message).toBe(
      'your roles (auditor, approver) may ask for reports for auditor, internal, not customer',
    );
  });

  it('says "no audience" when the policy gives the roles none', async () => {
    w = reportWorld({ policy: { requestableBy: {} } });
    const e = await reject(w.reports.onDemand(admin, 'monthly-compliance', q()));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.message).toBe('your roles (admin) may ask for reports for no audience, not undefined');
  });

  it('makes the report for the first audience the roles may ask for when none is named', async () => {
    const r = await w.reports.onDemand(principal({ roles: ['auditor'] }), 'violation-trends', q());
    expect(r.model.audience).toBe('auditor');
    const internal = await w.reports.onDemand(admin, 'violation-trends', q());
    expect(internal.model.audience).toBe('internal');
    expect(internal.model.party).toBeUndefined();
    expect(internal.rendered.contentType).toContain('application/json');
  });

  it('requires the customer of a customer report from someone who is not its viewer', async () => {
    const e = await reject(w.reports.onDemand(admin, 'monthly-compliance', q({ audience: 'customer' })));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('a customer report names its customer');
    expect(e.details).toEqual([
      { path: 'query.party', problem: 'is required for audience customer (a business unit)' },
    ]);
  });

  it("gives a viewer of one business unit that unit's customer report without naming it", async () => {
    const viewer = principal({ roles: ['viewer'], businessUnits: ['retail-banking'] });
    const r = await w.reports.onDemand(viewer, 'violation-trends', q());
    expect(r.model.audience).toBe('customer');
    expect(r.model.party).toBe('retail-banking');
  });

  it('requires a viewer of two business units to name the customer', async () => {
    const viewer = principal({ roles: ['viewer'], businessUnits: ['retail-banking', 'wealth'] });
    const e = await reject(w.reports.onDemand(viewer, 'violation-trends', q()));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.details).toEqual([
      { path: 'query.party', problem: 'is required for audience customer (a business unit)' },
    ]);
    const r = await w.reports.onDemand(viewer, 'violation-trends', q({ party: 'wealth' }));
    expect(r.model.party).toBe('wealth');
  });

  it("refuses a viewer another business unit's customer report, naming the units it may ask for", async () => {
    const viewer = principal({ roles: ['viewer'], businessUnits: ['retail-banking'] });
    const e = await reject(w.reports.onDemand(viewer, 'violation-trends', q({ party: 'wealth' })));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.message).toBe('you may ask for customer reports of retail-banking only');
  });

  it("refuses a viewer of two business units a third unit's customer report, naming both of its own", async () => {
    const viewer = principal({ roles: ['viewer'], businessUnits: ['retail-banking', 'wealth'] });
    const e = await reject(w.reports.onDemand(viewer, 'violation-trends', q({ party: 'mobile' })));
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(e.message).toBe('you may ask for customer reports of retail-banking, wealth only');
  });

  it('lets a viewer who also manages agreements ask for any customer', async () => {
    const manager = principal({ roles: ['viewer', 'sla-manager'], businessUnits: ['payments'] });
    const r = await w.reports.onDemand(
      manager,
      'violation-trends',
      q({ audience: 'customer', party: 'wealth' }),
    );
    expect(r.model.party).toBe('wealth');
  });

  it('requires the vendor of a vendor report', async () => {
    const e = await reject(w.reports.onDemand(admin, 'violation-trends', q({ audience: 'vendor' })));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('a vendor report names its vendor');
    expect(e.details).toEqual([
      { path: 'query.party', problem: 'is required for audience vendor (a vendor id)' },
    ]);
    const r = await w.reports.onDemand(
      admin,
      'violation-trends',
      q({ audience: 'vendor', party: 'card-network' }),
    );
    expect(r.model.audience).toBe('vendor');
    expect(r.model.party).toBe('card-network');
  });

  it('refuses a period that has not begun, naming it', async () => {
    const e = await reject(w.reports.onDemand(admin, 'violation-trends', q({ period: '2026-06' })));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('the period has not begun');
    expect(e.details).toEqual([{ path: 'query.period', problem: '2026-06 is in the future' }]);
  });

  it('accepts the month that begins at this very instant', async () => {
    w.clock.set('2026-06-01T00:00:00.000Z');
    const r = await w.reports.onDemand(admin, 'violation-trends', q({ period: '2026-06' }));
    expect(r.model.period.label).toBe('2026-06');
  });

  it('reports on the previous calendar month by default, from the earliest start to the latest end', async () => {
    await seedAgreement(w, { id: 'agr_01LONDON0000000000001', timeZone: 'Europe/London' });
    const r = await w.reports.onDemand(admin, 'violation-trends', q());
    expect(r.model.period).toEqual({
      label: '2026-04',
      start: '2026-03-31T23:00:00.000Z',
      end: '2026-05-01T00:00:00.000Z',
    });
  });

  it('covers at least one month in violation trends, and as many as asked', async () => {
    const one = await w.reports.onDemand(admin, 'violation-trends', q({ months: 0 }));
    expect(one.model.period.label).toBe('2026-04');
    const three = await w.reports.onDemand(admin, 'violation-trends', q({ months: 3 }));
    expect(three.model.period.label).toBe('2026-02 to 2026-04');
    const compliance = await w.reports.onDemand(admin, 'monthly-compliance', q({ months: 2 }));
    expect(compliance.model.period.label).toBe('2026-03 to 2026-04');
  });

  it('renders the report in the format asked for', async () => {
    const r = await w.reports.onDemand(admin, 'monthly-compliance', q({ format: 'csv' }));
    expect(r.rendered.contentType).toContain('text/csv');
  });

  it('shows a customer its own agreements only', async () => {
    const r = await w.reports.onDemand(
      admin,
      'monthly-compliance',
      q({ audience: 'customer', party: 'wealth' }),
    );
    expect(new Set(column(r.model, 'objectives', 'agreement'))).toEqual(
      new Set(['agr_01WEALTH0000000000001']),
    );
  });
});

/** An active SLA the payments unit provides to the wealth unit (held by payments). */
const seedPaymentsForWealth = (w: ReturnType<typeof reportWorld>) =>
  seedAgreement(w, {
    id: 'agr_01WEALTH0000000000001',
    title: 'Payments for wealth',
    parties: {
      provider: { type: 'business-unit', businessUnit: 'payments' },
      customer: { type: 'business-unit', businessUnit: 'wealth' },
    },
  });

describe("a customer's own report (red team, wave 32)", () => {
  // The SLAs a unit consumes are held by the units that provide them: a viewer's customer report was scoped to
  // what its unit holds, so it left out every SLA another unit provides to it, which an admin's report holds.
  it('shows a viewer of the customer unit the SLA another unit provides to it, as an admin sees it', async () => {
    const w = reportWorld();
    await seedAgreement(w, { id: 'agr_01RETAIL0000000000001' });
    await seedPaymentsForWealth(w);
    const viewer = principal({ roles: ['viewer'], businessUnits: ['wealth'] });
    const own = await w.reports.onDemand(viewer, 'monthly-compliance', q());
    const asAdmin = await w.reports.onDemand(
      admin,
      'monthly-compliance',
      q({ audience: 'customer', party: 'wealth' }),
    );
    expect(new Set(column(own.model, 'objectives', 'agreement'))).toEqual(
      new Set(['agr_01WEALTH0000000000001']),
    );
    expect(column(own.model, 'objectives', 'agreement')).toEqual(
      column(asAdmin.model, 'objectives', 'agreement'),
    );
  });

  it('still shows a viewer of a unit that is no party nothing of that SLA', async () => {
    const w = reportWorld();
    await seedPaymentsForWealth(w);
    const outsider = principal({ roles: ['viewer'], businessUnits: ['treasury'] });
    const r = await w.reports.onDemand(outsider, 'monthly-compliance', q());
    expect(column(r.model, 'objectives', 'agreement')).toEqual([]);
    const e = await w.reports
      .onDemand(outsider, 'monthly-compliance', q({ agreementId: 'agr_01WEALTH0000000000001' }))
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NotFoundError);
  });
});

describe('which agreements a report is made of', () => {
  let w: ReportWorld;
  beforeEach(() => {
    w = reportWorld();
  });
  const agreementsIn = (m: ReportModel) => new Set(column(m, 'objectives', 'agreement'));

  it('answers not found for an agreement that does not exist or that the caller may not read', async () => {
    await seedAgreement(w, { id: 'agr_01PAYMENTS000000000001' });
    const missing = await w.reports
      .onDemand(admin, 'monthly-compliance', q({ agreementId: 'agr_01NOSUCH00000000000001' }))
      .catch((x: unknown) => x);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toBe('no agreement agr_01NOSUCH00000000000001');
    const outsider = principal({ roles: ['service-owner'], services: ['svc_other'] });
    const hidden = await w.reports
      .onDemand(outsider, 'monthly-compliance', q({ agreementId: 'agr_01PAYMENTS000000000001' }))
      .catch((x: unknown) => x);
    expect(hidden).toBeInstanceOf(NotFoundError);
    expect((hidden as Error).message).toBe('no agreement agr_01PAYMENTS000000000001');
  });

  it('reports on one agreement when named, in force only, and says so in its scope', async () => {
    await seedAgreement(w, { id: 'agr_01PAYMENTS000000000001' });
    await seedAgreement(w, { id: 'agr_01OTHER00000000000001' });
    await seedAgreement(w, { id: 'agr_01DRAFT00000000000001', status: 'draft' });
    const one = await w.reports.onDemand(
      admin,
      'monthly-compliance',
      q({ agreementId: 'agr_01PAYMENTS000000000001' }),
    );
    expect(agreementsIn(one.model)).toEqual(new Set(['agr_01PAYMENTS000000000001']));
    expect(one.model.scopeLabel).toBe('agreement agr_01PAYMENTS000000000001');
    const draft = await w.reports.onDemand(
      admin,
      'monthly-compliance',
      q({ agreementId: 'agr_01DRAFT00000000000001' }),
    );
    expect(agreementsIn(draft.model)).toEqual(new Set());
  });

  it('keeps a named agreement out of a report filtered to another service, unit or region', async () => {
    await seedAgreement(w, { id: 'agr_01PAYMENTS000000000001' });
    const id = 'agr_01PAYMENTS000000000001';
    for (const filter of [
      { serviceId: 'svc_other' },
      { businessUnit: 'wealth' },
      { region: 'eu-central-1' },
    ] as Partial<ReportQuery>[]) {
      const r = await w.reports.onDemand(admin, 'monthly-compliance', q({ agreementId: id, ...filter }));
      expect(agreementsIn(r.model), JSON.stringify(filter)).toEqual(new Set());
    }
    const all = await w.reports.onDemand(
      admin,
      'monthly-compliance',
      q({
        agreementId: id,
        serviceId: 'svc_payments-gateway',
        businessUnit: 'payments',
        region: 'eu-west-1',
      }),
    );
    expect(agreementsIn(all.model)).toEqual(new Set([id]));
    expect(all.model.scopeLabel).toBe(
      `agreement ${id}, business unit payments, service svc_payments-gateway, region eu-west-1`,
    );
  });

  it('filters the portfolio by service, business unit and region', async () => {
    await seedAgreement(w, { id: 'agr_01PAYMENTS000000000001' });
    await seedAgreement(w, {
      id: 'agr_01MOBILE000000000001',
      serviceId: 'svc_mobile',
      businessUnit: 'mobile',
      dataResidency: { region: 'eu-central-1', processingRegions: [] },
    });
    const all = await w.reports.onDemand(admin, 'monthly-compliance', q());
    expect(agreementsIn(all.model)).toEqual(
      new Set(['agr_01PAYMENTS000000000001', 'agr_01MOBILE000000000001']),
    );
    expect(all.model.scopeLabel).toBe('Portfolio');
    const bySvc = await w.reports.onDemand(admin, 'monthly-compliance', q({ serviceId: 'svc_mobile' }));
    expect(agreementsIn(bySvc.model)).toEqual(new Set(['agr_01MOBILE000000000001']));
    expect(bySvc.model.scopeLabel).toBe('service svc_mobile');
    const byUnit = await w.reports.onDemand(admin, 'monthly-compliance', q({ businessUnit: 'payments' }));
    expect(agreementsIn(byUnit.model)).toEqual(new Set(['agr_01PAYMENTS000000000001']));
    expect(byUnit.model.scopeLabel).toBe('business unit payments');
    const byRegion = await w.reports.onDemand(admin, 'monthly-compliance', q({ region: 'eu-central-1' }));
    expect(agreementsIn(byRegion.model)).toEqual(new Set(['agr_01MOBILE000000000001']));
    expect(byRegion.model.scopeLabel).toBe('region eu-central-1');
  });

  it('shows a business unit manager the agreements of their unit only', async () => {
    await seedAgreement(w, { id: 'agr_01PAYMENTS000000000001' });
    await seedAgreement(w, {
      id: 'agr_01MOBILE000000000001',
      serviceId: 'svc_mobile',
      businessUnit: 'mobile',
    });
    const manager = principal({ roles: ['sla-manager'], businessUnits: ['mobile'] });
    const r = await w.reports.onDemand(manager, 'monthly-compliance', q());
    expect(agreementsIn(r.model)).toEqual(new Set(['agr_01MOBILE000000000001']));
  });

  it('reads every page of a large portfolio', async () => {
    for (let i = 0; i < 203; i++) await seedAgreement(w, { id: `agr_01BULK${String(i).padStart(14, '0')}` });
    const r = await w.reports.build(admin, {
      type: 'monthly-compliance',
      month: '2026-04',
      months: 1,
      audience: 'internal',
    });
    expect(agreementsIn(r)).toHaveProperty('size', 203);
  });
});
