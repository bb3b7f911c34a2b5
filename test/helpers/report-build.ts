import type { ReportInputs } from '../../shared/domain/reports/build.js';
import type {
  AgreementInfo,
  CreditFigure,
  ObjectiveFigure,
  ViolationFigure,
} from '../../shared/domain/reports/figures.js';
import type { Cell, ReportModel, Table } from '../../shared/domain/reports/model.js';

/**
 * A small hand-made portfolio for the report builders' unit tests (build-*.test.ts): two SLAs of two business
 * units, an OLA and a vendor's UC that the first SLA relies on. Every figure a test expects is computed by hand
 * from these.
 */
const unit = (id: string) => ({ type: 'business-unit' as const, id, name: id });
const owner = (name: string, email: string) => ({ name, email });

export const AGR_A: AgreementInfo = {
  id: 'agr_A',
  version: 2,
  kind: 'SLA',
  title: 'Payments SLA',
  serviceId: 'svc_pay',
  serviceName: 'Payments',
  businessUnit: 'payments',
  region: 'eu-west-1',
  tier: 1,
  timeZone: 'Europe/London',
  provider: unit('payments'),
  customer: unit('retail'),
  underpinnedBy: ['agr_O', 'agr_U', 'agr_MISSING'],
  credits: { currency: 'EUR', monthlyCharge: 1000 },
  objectives: [
    {
      id: 'availability',
      name: 'Availability',
      target: 99.9,
      owner: owner('Owen', 'owen@bank.example'),
      sliType: 'availability',
    },
    {
      id: 'latency',
      name: 'Fast enough',
      target: 99,
      owner: owner('Lia', 'lia@bank.example'),
      sliType: 'response-time',
    },
  ],
};
export const AGR_B: AgreementInfo = {
  ...AGR_A,
  id: 'agr_B',
  title: 'Mobile SLA',
  serviceId: 'svc_mob',
  serviceName: 'Mobile',
  businessUnit: 'mobile',
  region: 'eu-central-1',
  timeZone: 'UTC',
  provider: unit('mobile'),
  // A unit's display name apart from its slug: the report shows the name.
  customer: { type: 'business-unit', id: 'wealth', name: 'Wealth' },
  underpinnedBy: [],
  // Its figure's objective is not listed: the report names it by its id and has no owner for it.
  objectives: [],
};
export const AGR_O: AgreementInfo = {
  ...AGR_A,
  id: 'agr_O',
  kind: 'OLA',
  title: 'Identity OLA',
  serviceId: 'svc_id',
  serviceName: 'Identity',
  timeZone: 'UTC',
  provider: unit('identity'),
  customer: unit('payments'),
  underpinnedBy: [],
  objectives: [
    {
      id: 'login',
      name: 'Logins',
      target: 99,
      owner: owner('Ida', 'ida@bank.example'),
      sliType: 'availability',
    },
  ],
};
export const AGR_U: AgreementInfo = {
  ...AGR_A,
  id: 'agr_U',
  kind: 'UC',
  title: 'Card network UC',
  serviceId: 'svc_card',
  serviceName: 'Card network',
  timeZone: 'UTC',
  provider: { type: 'vendor', id: 'ven_card', name: 'CardNet' },
  customer: unit('payments'),
  underpinnedBy: [],
  credits: { currency: 'USD', monthlyCharge: 500 },
  objectives: [
    {
      id: 'auth',
      name: 'Authorisations',
      target: 99.95,
      owner: owner('Uma', 'uma@bank.example'),
      sliType: 'availability',
    },
  ],
};

/**
 * AGR_U's one objective as the OLA and UC tables show it for a month without a figure of it: agreement, kind, title,
 * provider, objective, target, compliance (none) and met (unknown).
 */
export const AGR_U_WITHOUT_DATA = [
  'agr_U',
  'UC',
  'Card network UC',
  'CardNet',
  'Authorisations',
  '%99.95/3',
  '%null/3',
  '[unknown]',
];

export const LONDON_APRIL = {
  periodStart: '2026-03-31T23:00:00.000Z',
  periodEnd: '2026-04-30T23:00:00.000Z',
};
export const UTC_APRIL = { periodStart: '2026-04-01T00:00:00.000Z', periodEnd: '2026-05-01T00:00:00.000Z' };

export function figure(
  agreementId: string,
  objectiveId: string,
  month: string,
  over: Partial<ObjectiveFigure>,
): ObjectiveFigure & { month: string } {
  return {
    agreementId,
    objectiveId,
    month,
    ...UTC_APRIL,
    partial: false,
    method: 'occurrences',
    target: 99,
    compliance: null,
    goodEvents: 0,
    totalEvents: 0,
    coverage: 1,
    budgetRemainingRatio: null,
    budgetRemainingMinutes: null,
    budgetTotalMinutes: null,
    status: 'unknown',
    ...over,
  };
}

/**
 * A stored credit with `over` laid on: by default agr_A's availability in UTC April, final, 99.5 % compliance giving
 * 10 % of a 1,000 EUR charge (10 EUR), with no steps and no disputes.
 */
export const creditFigure = (over: Partial<CreditFigure> = {}): CreditFigure => ({
  violationId: 'vio_1',
  agreementId: 'agr_A',
  objectiveId: 'availability',
  ...UTC_APRIL,
  final: true,
  compliancePercent: 99.5,
  currency: 'EUR',
  charge: 1000,
  creditPercent: 10,
  amount: 10,
  steps: [],
  disputes: [],
  ...over,
});

/**
 * A violation with `over` laid on: by default vio_1, a major and resolved availability violation of agr_A's
 * availability on svc_pay (unit payments), detected on 10 April, with no credit.
 */
export const violationFigure = (over: Partial<ViolationFigure> = {}): ViolationFigure => ({
  id: 'vio_1',
  agreementId: 'agr_A',
  objectiveId: 'availability',
  serviceId: 'svc_pay',
  businessUnit: 'payments',
  severity: 'major',
  status: 'resolved',
  detectedAt: '2026-04-10T00:00:00.000Z',
  cause: 'availability',
  ...over,
});

export function inputs(over: Partial<ReportInputs>): ReportInputs {
  return {
    id: 'rep_1',
    type: 'monthly-compliance',
    audience: 'internal',
    scopeLabel: 'Portfolio',
    generatedAt: '2026-05-02T06:00:00.000Z',
    generatedBy: 'system',
    period: { label: '2026-04', start: UTC_APRIL.periodStart, end: UTC_APRIL.periodEnd, months: ['2026-04'] },
    agreements: [AGR_A, AGR_B, AGR_O, AGR_U],
    objectives: [],
    budgets: [],
    violations: [],
    burn: new Map(),
    commentary: [],
    settings: { repeatOffenderThreshold: 3, auditTolerancePoints: 0.01, maxCharts: 50 },
    ...over,
  };
}

/** A cell as one short string, so a table's rows can be written out by hand: `%99.9/3`, `#4/0`, `EUR 12.5`, `[met]`, `@date`. */
export function show(c: Cell): string {
  switch (c.t) {
    case 'text':
      return c.v;
    case 'number':
      return `#${c.v}/${c.digits}`;
    case 'percent':
      return `%${c.v}/${c.digits}`;
    case 'money':
      return `${c.currency} ${c.v}`;
    case 'status':
      return `[${c.v}]`;
    case 'date':
      return `@${c.v}`;
  }
}

export const rowsOf = (t: Table | undefined) => (t ? t.rows.map((r) => r.map(show)) : 'no table');
export const tableOf = (m: ReportModel, id: string) =>
  m.sections.flatMap((s) => s.tables).find((t) => t.id === id);
export const summaryOf = (m: ReportModel) => m.summary.map((k) => `${k.label}: ${show(k.cell)}`);
export const columnsOf = (t: Table | undefined) =>
  t ? t.columns.map((c) => (c.class ? `${c.key}:${c.label}:${c.class}` : `${c.key}:${c.label}`)) : 'no table';
