import type { Principal } from '../../shared/domain/access/policy.js';
import { localDate } from '../../shared/domain/agreements/rules.js';
import type { Container } from '../../shared/runtime/container.js';
import type { AgreementVersion, CreateAgreementBody } from '../../shared/schemas/agreement.js';
import type { CreateServiceBody } from '../../shared/schemas/service.js';
import type { LocalStream } from './stream.js';

/**
 * The demo portfolio: a bank with four business units, twenty services across tiers 1 to 4, customer SLAs
 * underpinned by internal OLAs and vendor UCs, in every lifecycle state. Loaded through the same use cases
 * as the API, so every record has its versions and audit trail.
 */

const BUS = ['retail-banking', 'payments', 'group-platform', 'wealth-management'];

const SERVICES: [id: string, name: string, tier: 1 | 2 | 3 | 4, bu: string][] = [
  ['svc_payments-gateway', 'Payments gateway', 1, 'payments'],
  ['svc_card-authorisation', 'Card authorisation', 1, 'payments'],
  ['svc_core-ledger', 'Core ledger', 1, 'payments'],
  ['svc_instant-payments', 'Instant payments (SEPA Inst)', 1, 'payments'],
  ['svc_fraud-scoring', 'Fraud scoring', 2, 'payments'],
  ['svc_mobile-banking', 'Mobile banking app backend', 1, 'retail-banking'],
  ['svc_online-banking', 'Online banking portal', 2, 'retail-banking'],
  ['svc_customer-onboarding', 'Customer onboarding', 2, 'retail-banking'],
  ['svc_statements', 'Statements and documents', 3, 'retail-banking'],
  ['svc_branch-appointments', 'Branch appointments', 4, 'retail-banking'],
  ['svc_identity-platform', 'Identity platform (SSO, MFA)', 1, 'group-platform'],
  ['svc_api-gateway', 'Group API gateway', 1, 'group-platform'],
  ['svc_observability', 'Observability platform', 2, 'group-platform'],
  ['svc_service-desk', 'Service desk', 3, 'group-platform'],
  ['svc_data-warehouse', 'Data warehouse', 3, 'group-platform'],
  ['svc_notifications', 'Notifications (SMS, email, push)', 2, 'group-platform'],
  ['svc_portfolio-valuation', 'Portfolio valuation', 2, 'wealth-management'],
  ['svc_advisor-workbench', 'Advisor workbench', 3, 'wealth-management'],
  ['svc_market-data', 'Market data feed', 2, 'wealth-management'],
  ['svc_client-reporting', 'Client reporting', 4, 'wealth-management'],
];

/** The demo portfolio's services: the development vendor is bound to these, and the service owner's development identity reads them (infra/local/credentials.ts). */
export const DEMO_SERVICE_IDS: readonly string[] = SERVICES.map(([id]) => id);

const contact = (name: string) => ({
  name,
  email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@accord.local`,
});

function objectives(
  kind: 'gold' | 'silver' | 'bronze' | 'internal' | 'vendor',
): CreateAgreementBody['objectives'] {
  const owner = contact('Owen Service');
  const customerContact = contact('Rita Retail');
  const availability = { gold: 99.95, silver: 99.9, bronze: 99.5, internal: 99.95, vendor: 99.99 }[kind];
  return [
    {
      id: 'availability',
      name: 'Availability',
      sli: { type: 'availability' },
      target: availability,
      window: kind === 'vendor' ? { type: 'calendar', unit: 'month' } : { type: 'rolling', days: 28 },
      budgetingMethod: 'occurrences',
      monitoring: 'alerted',
      owner,
      customerContact,
      supportedHoursOnly: false,
    },
    {
      id: 'latency-p99',
      name: 'Requests served within 300 ms',
      sli: { type: 'response-time', thresholdMs: 300 },
      target: kind === 'bronze' ? 95 : 99,
      window: { type: 'calendar', unit: 'month' },
      budgetingMethod: 'timeslices',
      timeSlice: { minutes: 5, target: 0.95 },
      monitoring: kind === 'bronze' ? 'reported' : 'alerted',
      owner,
      customerContact,
      supportedHoursOnly: false,
    },
  ];
}

const CREDITS = {
  currency: 'EUR',
  monthlyCharge: 25_000,
  objectiveId: 'availability',
  tiers: [
    { belowPercent: 99.9, creditPercent: 10 },
    { belowPercent: 99.0, creditPercent: 25 },
    { belowPercent: 95.0, creditPercent: 100 },
  ],
  capPercent: 100,
};

const person = (subject: string, over: Partial<Principal>): Principal => ({
  subject,
  roles: [],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
  ...over,
});

export async function loadDemo(c: Container, stream: LocalStream, now: Date = new Date()): Promise<string> {
  const admin = person('admin@accord.local', { roles: ['admin'] });
  const manager = person('sam.manager@accord.local', { roles: ['sla-manager'], businessUnits: BUS });
  const owner = person('owen.service@accord.local', {
    roles: ['service-owner'],
    services: SERVICES.map((s) => s[0]),
  });
  const approvers = Object.fromEntries(
    ['legal', 'procurement', 'security', 'finance', 'governance-board', 'business-owner'].map((cap) => [
      cap,
      person(`${cap}.approver@accord.local`, { roles: ['approver'], signOffCapacities: [cap] }),
    ]),
  ) as Record<string, Principal>;

  const existing = await c.services.list(admin, { limit: 1 });
  if (existing.items.length > 0)
    return 'already loaded (the database has services); start with a fresh --data-dir to reload';

  for (const [id, name, tier, bu] of SERVICES) {
    const body: CreateServiceBody = {
      id,
      name,
      tier,
      businessUnit: bu,
      residencyRegion: 'eu-west-1',
      cmdbCi: `CI${String(SERVICES.findIndex((s) => s[0] === id) + 1001)}`,
      owner: contact('Owen Service'),
      reason: 'demo portfolio',
    };
    await c.services.register(admin, body);
  }

  const today = localDate(now, 'Europe/London');
  const plusDays = (n: number) => {
    const d = new Date(`${today}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  };
  const base = (serviceId: string, over: Partial<CreateAgreementBody>): CreateAgreementBody => {
    const bu = SERVICES.find((s) => s[0] === serviceId)![3];
    return {
      kind: 'SLA',
      title: 'untitled',
      serviceId,
      businessUnit: bu,
      parties: {
        provider: { type: 'business-unit', businessUnit: bu },
        customer: { type: 'business-unit', businessUnit: 'retail-banking' },
      },
      scope: {
        inclusions: ['production environment', 'public API endpoints'],
        exclusions: ['scheduled maintenance announced 5 days ahead', 'sandbox'],
      },
      timeZone: 'Europe/London',
      supportedHours: { kind: 'always' },
      objectives: objectives('silver'),
      customerResponsibilities: [
        'raise incidents through the service desk with severity',
        'keep integration credentials valid',
      ],
      reviewCycle: { everyMonths: 12, nextReviewDate: plusDays(180) },
      renewal: { renewalDate: plusDays(330), noticeDays: 90, autoRenew: false },
      jurisdiction: { governingLaw: 'England and Wales', country: 'GB' },
      dataResidency: { region: 'eu-west-1', processingRegions: [] },
      complianceTags: [],
      effectiveFrom: today,
      effectiveTo: plusDays(364),
      underpinnedBy: [],
      escalation: [
        { level: 1, afterMinutes: 0, contact: contact('Duty Manager'), role: 'service duty manager' },
        { level: 2, afterMinutes: 60, contact: contact('Head Of Operations'), role: 'head of operations' },
        { level: 3, afterMinutes: 240, contact: contact('Chief Operating Officer'), role: 'COO' },
      ],
      reason: 'demo portfolio',
      ...over,
    };
  };

  /** Each demo agreement: its content, the lifecycle state to bring it to, and its key for `underpins`. */
  interface DemoAgreement {
    key: string;
    serviceId: string;
    /** active: signed and live; submitted (leave = sign-offs still missing); draft. */
    state: 'active' | 'submitted' | 'draft';
    leave?: number;
    underpins?: string[];
    body: Partial<CreateAgreementBody>;
  }
  const bu = (businessUnit: string) => ({ type: 'business-unit' as const, businessUnit });
  const vendor = (vendorId: string, name: string) => ({ type: 'vendor' as const, vendorId, name });
  const later = { effectiveFrom: plusDays(45), effectiveTo: plusDays(410) };
  const PORTFOLIO: DemoAgreement[] = [
    // Internal OLAs and vendor UCs that underpin the customer SLAs.
    {
      key: 'ola-identity',
      serviceId: 'svc_identity-platform',
      state: 'active',
      body: {
        kind: 'OLA',
        title: 'Identity platform OLA for payments',
        parties: { provider: bu('group-platform'), customer: bu('payments') },
        objectives: objectives('internal'),
      },
    },
    {
      key: 'ola-gateway',
      serviceId: 'svc_api-gateway',
      state: 'active',
      body: {
        kind: 'OLA',
        title: 'Group API gateway OLA for digital channels',
        parties: { provider: bu('group-platform'), customer: bu('retail-banking') },
        objectives: objectives('internal'),
      },
    },
    {
      key: 'ola-observability',
      serviceId: 'svc_observability',
      state: 'active',
      body: {
        kind: 'OLA',
        title: 'Observability platform OLA',
        parties: { provider: bu('group-platform'), customer: bu('payments') },
        objectives: objectives('internal'),
      },
    },
    {
      key: 'uc-card-network',
      serviceId: 'svc_card-authorisation',
      state: 'active',
      body: {
        kind: 'UC',
        title: 'Card network connectivity contract',
        parties: { provider: vendor('card-network', 'Card Network plc'), customer: bu('payments') },
        objectives: objectives('vendor'),
        credits: CREDITS,
        complianceTags: ['PCI-DSS'],
      },
    },
    {
      key: 'uc-sms',
      serviceId: 'svc_notifications',
      state: 'active',
      body: {
        kind: 'UC',
        title: 'SMS aggregator contract',
        parties: { provider: vendor('sms-aggregator', 'SMS Aggregator Ltd'), customer: bu('group-platform') },
        objectives: objectives('vendor'),
        complianceTags: ['GDPR'],
      },
    },
    {
      key: 'uc-cloud',
      serviceId: 'svc_core-ledger',
      state: 'active',
      body: {
        kind: 'UC',
        title: 'Cloud infrastructure contract (compute and storage)',
        parties: { provider: vendor('cloud-provider', 'Cloud Provider Inc'), customer: bu('payments') },
        objectives: objectives('vendor'),
        credits: { ...CREDITS, monthlyCharge: 180_000 },
      },
    },
    // Customer SLAs, active, underpinned by the OLAs and UCs above.
    {
      key: 'sla-gateway',
      serviceId: 'svc_payments-gateway',
      state: 'active',
      underpins: ['ola-identity', 'uc-card-network', 'ola-observability'],
      body: {
        title: 'Payments gateway SLA for retail banking',
        objectives: objectives('gold'),
        credits: CREDITS,
        complianceTags: ['PCI-DSS'],
      },
    },
    {
      key: 'sla-mobile',
      serviceId: 'svc_mobile-banking',
      state: 'active',
      underpins: ['ola-gateway', 'ola-identity', 'uc-sms'],
      body: {
        title: 'Mobile banking SLA',
        parties: { provider: bu('retail-banking'), customer: bu('wealth-management') },
        objectives: objectives('gold'),
        complianceTags: ['GDPR'],
      },
    },
    {
      key: 'sla-ledger',
      serviceId: 'svc_core-ledger',
      state: 'active',
      underpins: ['uc-cloud'],
      body: { title: 'Core ledger SLA for payments products', objectives: objectives('gold') },
    },
    {
      key: 'sla-statements',
      serviceId: 'svc_statements',
      state: 'active',
      body: {
        title: 'Statements SLA (business hours)',
        supportedHours: {
          kind: 'calendar',
          windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }],
          holidays: [],
        },
        objectives: objectives('bronze').map((o) => ({ ...o, supportedHoursOnly: true })),
      },
    },
    {
      key: 'sla-valuation',
      serviceId: 'svc_portfolio-valuation',
      state: 'active',
      body: {
        title: 'Portfolio valuation SLA for advisors',
        parties: { provider: bu('wealth-management'), customer: bu('retail-banking') },
      },
    },
    // Pending sign-off: submitted, some approvals collected.
    {
      key: 'sla-instant',
      serviceId: 'svc_instant-payments',
      state: 'submitted',
      leave: 2,
      underpins: ['uc-cloud'],
      body: { title: 'Instant payments SLA (SEPA Inst)', objectives: objectives('gold'), credits: CREDITS },
    },
    {
      key: 'sla-online',
      serviceId: 'svc_online-banking',
      state: 'submitted',
      leave: 2,
      body: {
        title: 'Online banking portal SLA',
        parties: { provider: bu('retail-banking'), customer: bu('wealth-management') },
      },
    },
    {
      key: 'sla-fraud',
      serviceId: 'svc_fraud-scoring',
      state: 'submitted',
      leave: 1,
      body: { title: 'Fraud scoring SLA', complianceTags: ['GDPR'] },
    },
    // Drafts, starting next quarter.
    {
      key: 'sla-onboarding',
      serviceId: 'svc_customer-onboarding',
      state: 'draft',
      body: {
        title: 'Customer onboarding SLA (draft)',
        parties: { provider: bu('retail-banking'), customer: bu('wealth-management') },
        ...later,
      },
    },
    {
      key: 'uc-market-data',
      serviceId: 'svc_market-data',
      state: 'draft',
      body: {
        kind: 'UC',
        title: 'Market data vendor contract (draft)',
        parties: { provider: vendor('market-data-co', 'Market Data Co'), customer: bu('wealth-management') },
        objectives: objectives('vendor'),
        credits: CREDITS,
        ...later,
      },
    },
    {
      key: 'ola-service-desk',
      serviceId: 'svc_service-desk',
      state: 'draft',
      body: {
        kind: 'OLA',
        title: 'Service desk OLA (draft)',
        parties: { provider: bu('group-platform'), customer: bu('retail-banking') },
        objectives: objectives('internal'),
        ...later,
      },
    },
    {
      key: 'sla-branches',
      serviceId: 'svc_branch-appointments',
      state: 'draft',
      body: {
        title: 'Branch appointments SLA (draft)',
        parties: { provider: bu('retail-banking'), customer: bu('wealth-management') },
        objectives: objectives('bronze'),
        ...later,
      },
    },
  ];

  const ids = new Map<string, string>();
  const created: AgreementVersion[] = [];
  for (const d of PORTFOLIO) {
    const body = base(d.serviceId, { ...d.body, underpinnedBy: (d.underpins ?? []).map((k) => ids.get(k)!) });
    // The agreement belongs to the business unit of its provider when that is internal, else its customer's.
    const { provider, customer } = body.parties;
    body.businessUnit =
      provider.type === 'business-unit'
        ? provider.businessUnit
        : customer.type === 'business-unit'
          ? customer.businessUnit
          : body.businessUnit;
    let a = await c.agreements.create(manager, body);
    ids.set(d.key, a.id);
    if (d.state !== 'draft') {
      a = await c.agreements.submit(manager, a.id, a.version, 'ready for sign-off');
      const caps = a.requiredSignOffs.map((r) => r.capacity);
      for (const cap of caps.slice(0, caps.length - (d.state === 'active' ? 0 : (d.leave ?? 1)))) {
        const who = cap === 'service-owner' ? owner : approvers[cap]!;
        a = await c.agreements.signOff(who, a.id, a.version, {
          capacity: cap,
          decision: 'approved',
          reason: `${cap} review complete`,
        });
      }
      if (d.state === 'active') a = await c.agreements.activate(manager, a.id, a.version, 'go-live');
    }
    created.push(a);
  }

  created.push(...(await loadChainDemo(c, manager, base, plusDays)));
  await stream.drain();
  const all = await Promise.all(created.map((a) => c.agreements.get(admin, a.id)));
  const byStatus = all.reduce<Record<string, number>>((acc, a) => {
    acc[a.status] = (acc[a.status] ?? 0) + 1;
    return acc;
  }, {});
  return `${SERVICES.length} services in ${BUS.length} business units; ${all.length} agreements (${Object.entries(
    byStatus,
  )
    .map(([s, n]) => `${n} ${s}`)
    .join(', ')})`;
}

/**
 * The underpinning chain's part of the demo (issue 13, docs/chain.md): a card-authorisation SLA submitted over an
 * internal OLA and a card-processor UC that cannot carry it: 99.95% × 99.9% composes to 99.85% under a 99.95%
 * promise; 30 min + 3 h + 30 min + 2 h to resolve against a 4 h window; a UC supported on weekdays 08:00–20:00
 * under a 24×7 SLA. The findings are on the submitted version for the approvers and at
 * GET /v1/agreements/{id}/gaps; activation would be refused while they stand.
 */
async function loadChainDemo(
  c: Container,
  manager: Principal,
  base: (serviceId: string, over: Partial<CreateAgreementBody>) => CreateAgreementBody,
  plusDays: (n: number) => string,
): Promise<AgreementVersion[]> {
  const who = contact('Carla Chain');
  const objective = (target: number, resolutionHours: number): CreateAgreementBody['objectives'] => [
    {
      id: 'availability',
      name: 'Availability',
      sli: { type: 'availability' },
      target,
      window: { type: 'rolling', days: 28 },
      budgetingMethod: 'occurrences',
      monitoring: 'alerted',
      owner: who,
      customerContact: who,
      supportedHoursOnly: false,
    },
    {
      id: 'incident-resolution',
      name: `Priority-1 incidents resolved within ${resolutionHours} h`,
      sli: { type: 'resolution-time', thresholdMs: resolutionHours * 3_600_000 },
      target: 95,
      window: { type: 'rolling', days: 28 },
      budgetingMethod: 'occurrences',
      monitoring: 'reported',
      owner: who,
      customerContact: who,
      supportedHoursOnly: false,
    },
  ];
  const payments = { type: 'business-unit' as const, businessUnit: 'payments' };
  const start = { effectiveFrom: plusDays(30), effectiveTo: plusDays(394), reason: 'demo chain with a gap' };
  const uc = await c.agreements.create(
    manager,
    base('svc_card-authorisation', {
      kind: 'UC',
      title: 'Card processor contract (chain demo)',
      businessUnit: 'payments',
      parties: {
        provider: { type: 'vendor', vendorId: 'card-processor', name: 'Card Processor SA' },
        customer: payments,
      },
      supportedHours: {
        kind: 'calendar',
        windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '20:00' }],
        holidays: [],
      },
      objectives: objective(99.9, 2),
      ...start,
    }),
  );
  const ola = await c.agreements.create(
    manager,
    base('svc_fraud-scoring', {
      kind: 'OLA',
      title: 'Fraud scoring OLA for card authorisation (chain demo)',
      businessUnit: 'payments',
      parties: { provider: payments, customer: payments },
      objectives: objective(99.95, 3),
      underpinnedBy: [uc.id],
      underpinning: [
        { objectiveId: 'incident-resolution', agreementId: uc.id, mode: 'serial', handoffMinutes: 30 },
      ],
      ...start,
    }),
  );
  const sla = await c.agreements.create(
    manager,
    base('svc_card-authorisation', {
      title: 'Card authorisation SLA for retail banking (chain demo)',
      businessUnit: 'payments',
      parties: { provider: payments, customer: { type: 'business-unit', businessUnit: 'retail-banking' } },
      objectives: objective(99.95, 4),
      underpinnedBy: [ola.id, uc.id],
      underpinning: [
        { objectiveId: 'availability', agreementId: ola.id, mode: 'serial' },
        { objectiveId: 'availability', agreementId: uc.id, mode: 'serial' },
        { objectiveId: 'incident-resolution', agreementId: ola.id, mode: 'serial', handoffMinutes: 30 },
      ],
      ...start,
    }),
  );
  const submitted = await c.agreements.submit(manager, sla.id, sla.version, 'ready for sign-off');
  return [uc, ola, submitted];
}
