import { createHash } from 'node:crypto';
import { computeCredit } from '../../shared/domain/objectives/credits.js';
import type { ReportInputs } from '../../shared/domain/reports/build.js';
import type {
  AgreementInfo,
  BudgetStatusFigure,
  BurnPoint,
  ObjectiveFigure,
  ViolationFigure,
} from '../../shared/domain/reports/figures.js';
import type { Audience, ReportType } from '../../shared/domain/reports/model.js';

export const sha256 = (d: string | Uint8Array) => createHash('sha256').update(d).digest('hex');

/**
 * A small portfolio for April 2026 whose sensitive values are distinctive (so a test can look for them in any
 * output): two SLAs, an OLA and two vendor UCs.
 */
const owner = (name: string) => ({
  name,
  email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@bank.example`,
});
type Objective = AgreementInfo['objectives'][number];
const objective = (
  id: string,
  name: string,
  target: number,
  ownerName: string,
  sliType: Objective['sliType'],
): Objective => ({ id, name, target, owner: owner(ownerName), sliType });
/** A business unit as an agreement's party (its id is its name). */
const unit = (id: string) => ({ type: 'business-unit' as const, id, name: id });

export const AGREEMENTS: AgreementInfo[] = [
  {
    id: 'agr_01SLAGATEWAY000000001',
    version: 4,
    kind: 'SLA',
    title: 'Payments gateway SLA for retail banking',
    serviceId: 'svc_payments-gateway',
    serviceName: 'Payments gateway',
    businessUnit: 'payments',
    region: 'eu-west-1',
    tier: 1,
    timeZone: 'Europe/London',
    provider: unit('payments'),
    customer: unit('retail-banking'),
    underpinnedBy: ['agr_01OLAIDENTITY0000000001', 'agr_01UCCARDNETWORK000001'],
    credits: { currency: 'EUR', monthlyCharge: 25_000 },
    objectives: [
      objective('availability', 'Availability', 99.95, 'Owen Servicewright', 'availability'),
      objective('latency-p99', 'Requests within 300 ms', 99, 'Owen Servicewright', 'response-time'),
    ],
  },
  {
    id: 'agr_01SLAMOBILE0000000001',
    version: 3,
    kind: 'SLA',
    title: 'Mobile banking SLA for wealth clients',
    serviceId: 'svc_mobile-banking',
    serviceName: 'Mobile banking app backend',
    businessUnit: 'retail-banking',
    region: 'eu-central-1',
    tier: 1,
    timeZone: 'Europe/Berlin',
    provider: unit('retail-banking'),
    customer: unit('wealth-management'),
    underpinnedBy: ['agr_01UCSMSAGGREGATOR00001'],
    objectives: [objective('availability', 'Availability', 99.9, 'Mona Mobilechief', 'availability')],
  },
  {
    id: 'agr_01OLAIDENTITY0000000001',
    version: 2,
    kind: 'OLA',
    title: 'Identity platform OLA for payments',
    serviceId: 'svc_identity-platform',
    serviceName: 'Identity platform (SSO, MFA)',
    businessUnit: 'group-platform',
    region: 'eu-west-1',
    tier: 1,
    timeZone: 'Europe/London',
    provider: unit('group-platform'),
    customer: unit('payments'),
    underpinnedBy: [],
    objectives: [
      objective('availability', 'Identity availability', 99.95, 'Ida Platformsmith', 'availability'),
    ],
  },
  {
    id: 'agr_01UCCARDNETWORK000001',
    version: 2,
    kind: 'UC',
    title: 'Card network connectivity contract',
    serviceId: 'svc_card-authorisation',
    serviceName: 'Card authorisation',
    businessUnit: 'payments',
    region: 'eu-west-1',
    tier: 1,
    timeZone: 'Europe/London',
    provider: { type: 'vendor', id: 'card-network', name: 'Card Network plc' },
    customer: unit('payments'),
    underpinnedBy: [],
    credits: { currency: 'EUR', monthlyCharge: 180_437.5 },
    objectives: [
      objective('availability', 'Network availability', 99.99, 'Carla Vendormanager', 'availability'),
    ],
  },
  {
    id: 'agr_01UCSMSAGGREGATOR00001',
    version: 1,
    kind: 'UC',
    title: 'SMS aggregator contract',
    serviceId: 'svc_notifications',
    serviceName: 'Notifications (SMS, email, push)',
    businessUnit: 'group-platform',
    region: 'eu-west-1',
    tier: 2,
    timeZone: 'Europe/London',
    provider: { type: 'vendor', id: 'sms-aggregator', name: 'Textline Messaging Ltd' },
    customer: unit('group-platform'),
    underpinnedBy: [],
    credits: { currency: 'GBP', monthlyCharge: 9_876.54 },
    objectives: [objective('delivery', 'SMS delivered within 30 s', 99.5, 'Sasha Smsbuyer', 'custom')],
  },
];

/** An objective's target (percent) in the fixture's agreements. */
const targetOf = (agreementId: string, objectiveId: string) =>
  AGREEMENTS.find((x) => x.id === agreementId)!.objectives.find((o) => o.id === objectiveId)!.target;

/** The error budget left (ratio) at a compliance against a target, both percent: 1 − (100 − c) / (100 − target). */
const budgetLeft = (compliance: number, target: number) => 1 - (100 - compliance) / (100 - target);

const APRIL = { start: '2026-03-31T23:00:00.000Z', end: '2026-04-30T23:00:00.000Z' };

/** [agreement, objective, compliance, good, total] for April and March. */
const FIGURES: [string, string, number | null, number, number][] = [
  ['agr_01SLAGATEWAY000000001', 'availability', 99.87231, 998_723_1, 10_000_000],
  ['agr_01SLAGATEWAY000000001', 'latency-p99', 99.41, 8587, 8638],
  ['agr_01SLAMOBILE0000000001', 'availability', 99.96123, 4_998_061, 5_000_000],
  ['agr_01OLAIDENTITY0000000001', 'availability', 99.93105, 3_997_242, 4_000_000],
  ['agr_01UCCARDNETWORK000001', 'availability', 99.97654, 2_999_296, 3_000_000],
  ['agr_01UCSMSAGGREGATOR00001', 'delivery', null, 0, 0],
];

function figure(
  month: string,
  [agreementId, objectiveId, compliance, good, total]: (typeof FIGURES)[number],
  shift = 0,
) {
  const target = targetOf(agreementId, objectiveId);
  const c = compliance === null ? null : Math.min(100, compliance + shift);
  const budget = c === null ? null : budgetLeft(c, target);
  const f: ObjectiveFigure & { month: string } = {
    month,
    agreementId,
    objectiveId,
    periodStart: month === '2026-04' ? APRIL.start : '2026-02-28T23:00:00.000Z',
    periodEnd: month === '2026-04' ? APRIL.end : APRIL.start,
    partial: false,
    method: objectiveId === 'latency-p99' ? 'timeslices' : 'occurrences',
    target,
    compliance: c,
    goodEvents: good,
    totalEvents: total,
    coverage: total > 0 ? 0.9987 : 0,
    budgetRemainingRatio: budget,
    budgetRemainingMinutes: budget === null ? null : budget * (1 - target / 100) * 43_200,
    budgetTotalMinutes: (1 - target / 100) * 43_200,
    status: c === null ? 'unknown' : c < target ? 'breached' : 'healthy',
  };
  return f;
}

const credit = (agreementId: string, objectiveId: string, compliancePercent: number, final = true) => {
  const a = AGREEMENTS.find((x) => x.id === agreementId)!;
  const c = computeCredit(
    {
      currency: a.credits!.currency,
      monthlyCharge: a.credits!.monthlyCharge,
      tiers: [
        { belowPercent: 99.95, creditPercent: 10 },
        { belowPercent: 99.0, creditPercent: 25 },
        { belowPercent: 95.0, creditPercent: 100 },
      ],
      capPercent: 100,
    },
    {
      objectiveId,
      // The month's population: ten million events, good ones to the compliance given (exact to 1e-5 %).
      measured: { unit: 'events', good: Math.round(compliancePercent * 100_000), total: 10_000_000 },
      coverage: 1,
      periodStart: APRIL.start,
      periodEnd: APRIL.end,
      final,
    },
  );
  return c;
};

/**
 * A violation with its month's final credit (computed by the engine's computeCredit from the compliance given,
 * percent) and the credit's disputes.
 */
function credited(
  v: Omit<ViolationFigure, 'credit'>,
  compliancePercent: number,
  disputes: NonNullable<ViolationFigure['credit']>['disputes'],
): ViolationFigure {
  const c = credit(v.agreementId, v.objectiveId, compliancePercent);
  return {
    ...v,
    credit: {
      violationId: v.id,
      agreementId: v.agreementId,
      objectiveId: v.objectiveId,
      periodStart: c.period.start,
      periodEnd: c.period.end,
      final: c.period.final,
      compliancePercent: c.compliancePercent,
      currency: c.currency,
      charge: c.charge,
      creditPercent: c.creditPercent,
      amount: c.amount,
      steps: c.steps,
      disputes,
    },
  };
}

export const VIOLATIONS: ViolationFigure[] = [
  credited(
    {
      id: 'vio_01GATEWAYAPRIL00000001',
      agreementId: 'agr_01SLAGATEWAY000000001',
      objectiveId: 'availability',
      serviceId: 'svc_payments-gateway',
      businessUnit: 'payments',
      severity: 'major',
      status: 'resolved',
      detectedAt: '2026-04-12T08:35:00.000Z',
      resolvedAt: '2026-04-30T23:00:00.000Z',
      cause: 'availability',
    },
    99.87231,
    [],
  ),
  {
    id: 'vio_01GATEWAYAPRIL00000002',
    agreementId: 'agr_01SLAGATEWAY000000001',
    objectiveId: 'latency-p99',
    serviceId: 'svc_payments-gateway',
    businessUnit: 'payments',
    severity: 'minor',
    status: 'resolved',
    detectedAt: '2026-04-20T14:05:00.000Z',
    resolvedAt: '2026-04-21T09:00:00.000Z',
    cause: 'response-time',
  },
  credited(
    {
      id: 'vio_01CARDNETWORKAPR000001',
      agreementId: 'agr_01UCCARDNETWORK000001',
      objectiveId: 'availability',
      serviceId: 'svc_card-authorisation',
      businessUnit: 'payments',
      severity: 'critical',
      status: 'resolved',
      detectedAt: '2026-04-03T02:15:00.000Z',
      resolvedAt: '2026-04-04T02:15:00.000Z',
      cause: 'availability',
    },
    99.93711,
    [{ status: 'open' }],
  ),
  {
    id: 'vio_01IDENTITYMARCH000001',
    agreementId: 'agr_01OLAIDENTITY0000000001',
    objectiveId: 'availability',
    serviceId: 'svc_identity-platform',
    businessUnit: 'group-platform',
    severity: 'minor',
    status: 'resolved',
    detectedAt: '2026-03-17T11:00:00.000Z',
    resolvedAt: '2026-03-18T11:00:00.000Z',
    cause: 'availability',
  },
];

const BUDGETS: BudgetStatusFigure[] = FIGURES.map(([agreementId, objectiveId, compliance]) => {
  const target = targetOf(agreementId, objectiveId);
  const left = compliance === null ? null : budgetLeft(compliance, target);
  return {
    agreementId,
    objectiveId,
    evaluatedAt: '2026-05-01T05:55:00.000Z',
    windowLabel: 'rolling, 2026-04-03 to 2026-05-01',
    status:
      compliance === null
        ? 'unknown'
        : compliance < target
          ? 'breached'
          : left! < 0.5
            ? 'at-risk'
            : 'healthy',
    compliance,
    target,
    budgetRemainingRatio: left,
    budgetRemainingMinutes: left === null ? null : left * (1 - target / 100) * 40_320,
    maxBurnRate: compliance === null ? null : (100 - compliance) / (100 - target),
    timeToExhaustionMinutes: left !== null && left > 0 ? 7_321 : null,
    breachAt: left !== null && left > 0 && left < 0.5 ? '2026-05-06T03:00:00.000Z' : null,
  };
});

function burn(compliance: number | null, target: number): BurnPoint[] {
  if (compliance === null) return [];
  const final = budgetLeft(compliance, target);
  const out: BurnPoint[] = [];
  for (let d = 0; d <= 30; d++) {
    const at = new Date(Date.parse(APRIL.start) + d * 86_400_000).toISOString();
    // A step down on the 12th (the incident), otherwise a slow burn towards the month's final figure.
    const share = d < 12 ? d / 60 : 0.2 + (0.8 * (d - 12)) / 18;
    out.push({ at, remaining: 1 - Math.min(1, share) * (1 - final) });
  }
  return out;
}

/** The report inputs of the fixture for one report type and audience (already filtered by the caller). */
export function fixtureInputs(
  type: ReportType,
  audience: Audience = 'internal',
  over: Partial<ReportInputs> = {},
): ReportInputs {
  return {
    id: `rpt_01FIXTURE${type.replace(/-/g, '').toUpperCase().slice(0, 10)}`,
    type,
    audience,
    scopeLabel: 'Portfolio',
    generatedAt: '2026-05-05T06:00:00.000Z',
    generatedBy: 'system:reports',
    period: {
      label: '2026-03 to 2026-04',
      start: '2026-02-28T23:00:00.000Z',
      end: APRIL.end,
      months: ['2026-03', '2026-04'],
    },
    agreements: AGREEMENTS,
    objectives: [
      ...FIGURES.map((f) => figure('2026-03', f, 0.03)),
      ...FIGURES.map((f) => figure('2026-04', f)),
    ],
    budgets: BUDGETS,
    violations: VIOLATIONS,
    burn: new Map(FIGURES.map(([a, o, c]) => [`${a}/${o}`, burn(c, targetOf(a, o))])),
    commentary: [
      {
        agreementId: 'agr_01SLAGATEWAY000000001',
        objectiveId: 'availability',
        author: 'Owen Servicewright',
        at: '2026-05-03T10:00:00.000Z',
        text: 'A certificate expired on the 12th; renewal is now automated (CAPA-2026-041).',
      },
    ],
    audit: {
      recomputed: FIGURES.map(([agreementId, objectiveId, compliance, good, total]) => ({
        agreementId,
        objectiveId,
        compliance: agreementId === 'agr_01SLAMOBILE0000000001' ? 99.96211 : compliance,
        goodEvents: good,
        totalEvents: total,
        creditPercent:
          agreementId === 'agr_01SLAGATEWAY000000001' && objectiveId === 'availability' ? 10 : null,
        creditAmount:
          agreementId === 'agr_01SLAGATEWAY000000001' && objectiveId === 'availability' ? 2500 : null,
      })),
      reported: {
        source: 'reports/monthly-compliance/2026-04/portfolio/rpt_01PUBLISHED.json',
        figures: FIGURES.map(([agreementId, objectiveId, compliance]) => ({
          agreementId,
          objectiveId,
          compliance,
        })),
      },
    },
    settings: { repeatOffenderThreshold: 2, auditTolerancePoints: 0.0005, maxCharts: 24 },
    ...over,
  };
}

/** The parties of the fixture, for customer and vendor audiences. */
export const PARTY: Record<Audience, string | undefined> = {
  internal: undefined,
  auditor: undefined,
  customer: 'retail-banking',
  vendor: 'card-network',
};
