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

const contact = (name: string) => ({
  name,
  email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@bank.example`,
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

  const created: AgreementVersion[] = [];
  const draft = async (body: CreateAgreementBody) => {
    const a = await c.agreements.create(manager, body);
    created.push(a);
    return a;
  };
  const submit = (a: AgreementVersion) => c.agreements.submit(manager, a.id, a.version, 'ready for sign-off');
  const signAll = async (a: AgreementVersion, leave: number) => {
    let cur = a;
    const caps = cur.requiredSignOffs.map((r) => r.capacity);
    for (const cap of caps.slice(0, caps.length - leave)) {
      const who = cap === 'service-owner' ? owner : approvers[cap]!;
      cur = await c.agreements.signOff(who, cur.id, cur.version, {
        capacity: cap,
        decision: 'approved',
        reason: `${cap} review complete`,
      });
    }
    return cur;
  };
  const activate = async (a: AgreementVersion) => {
    const s = await signAll(await submit(a), 0);
    return c.agreements.activate(manager, s.id, s.version, 'go-live');
  };

  // Internal OLAs and vendor UCs that underpin the customer SLAs.
  const olaIdentity = await activate(
    await draft(
      base('svc_identity-platform', {
        kind: 'OLA',
        title: 'Identity platform OLA for payments',
        parties: {
          provider: { type: 'business-unit', businessUnit: 'group-platform' },
          customer: { type: 'business-unit', businessUnit: 'payments' },
        },
        objectives: objectives('internal'),
      }),
    ),
  );
  const olaGateway = await activate(
    await draft(
      base('svc_api-gateway', {
        kind: 'OLA',
        title: 'Group API gateway OLA for digital channels',
        parties: {
          provider: { type: 'business-unit', businessUnit: 'group-platform' },
          customer: { type: 'business-unit', businessUnit: 'retail-banking' },
        },
        objectives: objectives('internal'),
      }),
    ),
  );
  const olaObservability = await activate(
    await draft(
      base('svc_observability', {
        kind: 'OLA',
        title: 'Observability platform OLA',
        parties: {
          provider: { type: 'business-unit', businessUnit: 'group-platform' },
          customer: { type: 'business-unit', businessUnit: 'payments' },
        },
        objectives: objectives('internal'),
      }),
    ),
  );
  const ucCardNetwork = await activate(
    await draft(
      base('svc_card-authorisation', {
        kind: 'UC',
        title: 'Card network connectivity contract',
        parties: {
          provider: { type: 'vendor', vendorId: 'card-network', name: 'Card Network plc' },
          customer: { type: 'business-unit', businessUnit: 'payments' },
        },
        objectives: objectives('vendor'),
        credits: CREDITS,
        complianceTags: ['PCI-DSS'],
      }),
    ),
  );
  const ucSms = await activate(
    await draft(
      base('svc_notifications', {
        kind: 'UC',
        title: 'SMS aggregator contract',
        parties: {
          provider: { type: 'vendor', vendorId: 'sms-aggregator', name: 'SMS Aggregator Ltd' },
          customer: { type: 'business-unit', businessUnit: 'group-platform' },
        },
        objectives: objectives('vendor'),
        complianceTags: ['GDPR'],
      }),
    ),
  );
  const ucCloud = await activate(
    await draft(
      base('svc_core-ledger', {
        kind: 'UC',
        title: 'Cloud infrastructure contract (compute and storage)',
        parties: {
          provider: { type: 'vendor', vendorId: 'cloud-provider', name: 'Cloud Provider Inc' },
          customer: { type: 'business-unit', businessUnit: 'payments' },
        },
        objectives: objectives('vendor'),
        credits: { ...CREDITS, monthlyCharge: 180_000 },
      }),
    ),
  );

  // Customer SLAs, active, underpinned by the OLAs and UCs above.
  await activate(
    await draft(
      base('svc_payments-gateway', {
        title: 'Payments gateway SLA for retail banking',
        objectives: objectives('gold'),
        credits: CREDITS,
        complianceTags: ['PCI-DSS'],
        underpinnedBy: [olaIdentity.id, ucCardNetwork.id, olaObservability.id],
      }),
    ),
  );
  await activate(
    await draft(
      base('svc_mobile-banking', {
        title: 'Mobile banking SLA',
        businessUnit: 'retail-banking',
        parties: {
          provider: { type: 'business-unit', businessUnit: 'retail-banking' },
          customer: { type: 'business-unit', businessUnit: 'wealth-management' },
        },
        objectives: objectives('gold'),
        complianceTags: ['GDPR'],
        underpinnedBy: [olaGateway.id, olaIdentity.id, ucSms.id],
      }),
    ),
  );
  await activate(
    await draft(
      base('svc_core-ledger', {
        title: 'Core ledger SLA for payments products',
        parties: {
          provider: { type: 'business-unit', businessUnit: 'payments' },
          customer: { type: 'business-unit', businessUnit: 'retail-banking' },
        },
        objectives: objectives('gold'),
        underpinnedBy: [ucCloud.id],
      }),
    ),
  );
  await activate(
    await draft(
      base('svc_statements', {
        title: 'Statements SLA (business hours)',
        supportedHours: {
          kind: 'calendar',
          windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }],
          holidays: [],
        },
        objectives: objectives('bronze').map((o) => ({ ...o, supportedHoursOnly: true })),
      }),
    ),
  );
  await activate(
    await draft(
      base('svc_portfolio-valuation', {
        title: 'Portfolio valuation SLA for advisors',
        businessUnit: 'wealth-management',
        parties: {
          provider: { type: 'business-unit', businessUnit: 'wealth-management' },
          customer: { type: 'business-unit', businessUnit: 'retail-banking' },
        },
        objectives: objectives('silver'),
      }),
    ),
  );

  // Pending sign-off: submitted, some approvals collected.
  await signAll(
    await submit(
      await draft(
        base('svc_instant-payments', {
          title: 'Instant payments SLA (SEPA Inst)',
          objectives: objectives('gold'),
          credits: CREDITS,
          underpinnedBy: [ucCloud.id],
        }),
      ),
    ),
    2,
  );
  await submit(
    await draft(
      base('svc_online-banking', {
        title: 'Online banking portal SLA',
        businessUnit: 'retail-banking',
        parties: {
          provider: { type: 'business-unit', businessUnit: 'retail-banking' },
          customer: { type: 'business-unit', businessUnit: 'wealth-management' },
        },
      }),
    ),
  );
  await signAll(
    await submit(
      await draft(base('svc_fraud-scoring', { title: 'Fraud scoring SLA', complianceTags: ['GDPR'] })),
    ),
    1,
  );

  // Drafts, starting next quarter.
  const later = { effectiveFrom: plusDays(45), effectiveTo: plusDays(410) };
  await draft(
    base('svc_customer-onboarding', {
      title: 'Customer onboarding SLA (draft)',
      businessUnit: 'retail-banking',
      parties: {
        provider: { type: 'business-unit', businessUnit: 'retail-banking' },
        customer: { type: 'business-unit', businessUnit: 'wealth-management' },
      },
      ...later,
    }),
  );
  await draft(
    base('svc_market-data', {
      kind: 'UC',
      title: 'Market data vendor contract (draft)',
      businessUnit: 'wealth-management',
      parties: {
        provider: { type: 'vendor', vendorId: 'market-data-co', name: 'Market Data Co' },
        customer: { type: 'business-unit', businessUnit: 'wealth-management' },
      },
      objectives: objectives('vendor'),
      credits: CREDITS,
      ...later,
    }),
  );
  await draft(
    base('svc_service-desk', {
      kind: 'OLA',
      title: 'Service desk OLA (draft)',
      parties: {
        provider: { type: 'business-unit', businessUnit: 'group-platform' },
        customer: { type: 'business-unit', businessUnit: 'retail-banking' },
      },
      objectives: objectives('internal'),
      ...later,
    }),
  );
  await draft(
    base('svc_branch-appointments', {
      title: 'Branch appointments SLA (draft)',
      businessUnit: 'retail-banking',
      parties: {
        provider: { type: 'business-unit', businessUnit: 'retail-banking' },
        customer: { type: 'business-unit', businessUnit: 'wealth-management' },
      },
      objectives: objectives('bronze'),
      ...later,
    }),
  );

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
