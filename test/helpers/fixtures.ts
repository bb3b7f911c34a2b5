import type { Principal } from '../../shared/domain/access/policy.js';
import type { AgreementVersion, CreateAgreementBody } from '../../shared/schemas/agreement.js';
import type { CreateServiceBody, Service } from '../../shared/schemas/service.js';

/** Builders for the records tests need: a realistic default, overridable field by field. */
export function serviceBody(over: Partial<CreateServiceBody> = {}): CreateServiceBody {
  return {
    id: 'svc_payments-gateway',
    name: 'Payments gateway',
    tier: 1,
    businessUnit: 'payments',
    residencyRegion: 'eu-west-1',
    owner: { name: 'Owen Service', email: 'owen@example.com' },
    reason: 'onboarding the service',
    ...over,
  };
}

export function service(over: Partial<Service> = {}): Service {
  const { reason: _r, ...body } = serviceBody();
  return {
    ...body,
    version: 1,
    createdAt: '2026-11-01T09:00:00.000Z',
    createdBy: 'sam@example.com',
    changedAt: '2026-11-01T09:00:00.000Z',
    changedBy: 'sam@example.com',
    change: 'register',
    reason: 'registered',
    ...over,
  };
}

export function agreementBody(over: Partial<CreateAgreementBody> = {}): CreateAgreementBody {
  return {
    kind: 'SLA',
    title: 'Payments gateway availability for retail banking',
    serviceId: 'svc_payments-gateway',
    businessUnit: 'payments',
    parties: {
      provider: { type: 'business-unit', businessUnit: 'payments' },
      customer: { type: 'business-unit', businessUnit: 'retail-banking' },
    },
    scope: { inclusions: ['card payments API', 'payment status API'], exclusions: ['sandbox environment'] },
    timeZone: 'Europe/London',
    supportedHours: { kind: 'always' },
    objectives: [
      {
        id: 'availability',
        name: 'Monthly availability',
        sli: { type: 'availability' },
        target: 99.9,
        window: { type: 'calendar', unit: 'month' },
        budgetingMethod: 'occurrences',
        monitoring: 'alerted',
        owner: { name: 'Owen Service', email: 'owen@example.com' },
        customerContact: { name: 'Rita Retail', email: 'rita@example.com' },
        supportedHoursOnly: false,
      },
    ],
    customerResponsibilities: ['report incidents through the service desk'],
    reviewCycle: { everyMonths: 12, nextReviewDate: '2027-11-01' },
    jurisdiction: { governingLaw: 'England and Wales', country: 'GB' },
    dataResidency: { region: 'eu-west-1', processingRegions: [] },
    complianceTags: [],
    effectiveFrom: '2026-12-01',
    effectiveTo: '2027-11-30',
    underpinnedBy: [],
    escalation: [],
    reason: 'initial draft',
    ...over,
  };
}

let seq = 0;
/** A stored agreement version, as a store receives it. Ids increase with each call. */
export function agreementVersion(over: Partial<AgreementVersion> = {}): AgreementVersion {
  const { reason, ...content } = agreementBody();
  seq += 1;
  return {
    ...content,
    id: `agr_01J${String(seq).padStart(12, '0')}`,
    version: 1,
    status: 'draft',
    requiredSignOffs: [],
    signOffs: [],
    createdAt: '2026-11-01T09:00:00.000Z',
    createdBy: 'sam@example.com',
    changedAt: '2026-11-01T09:00:00.000Z',
    changedBy: 'sam@example.com',
    change: 'create',
    reason,
    ...over,
  };
}

export function principal(over: Partial<Principal> = {}): Principal {
  return {
    subject: 'someone@example.com',
    roles: [],
    businessUnits: [],
    services: [],
    signOffCapacities: [],
    ...over,
  };
}
