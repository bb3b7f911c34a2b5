import { MemoryAgreementStore } from '../../shared/adapters/memory/agreements.js';
import { MemoryServiceStore } from '../../shared/adapters/memory/services.js';
import type { Principal } from '../../shared/domain/access/policy.js';
import type { GapFinding } from '../../shared/domain/chain/gaps.js';
import { loadSignOffRules } from '../../shared/policy/index.js';
import type { TemplateCatalogue } from '../../shared/policy/templates.js';
import type { AgreementVersion } from '../../shared/schemas/agreement.js';
import type { Service } from '../../shared/schemas/service.js';
import { AgreementUseCases } from '../../shared/usecases/agreements.js';
import { agreementVersion, principal, service } from './fixtures.js';

/** Today in the worlds below: 1 December 2026, the fixtures' effectiveFrom (in Europe/London). */
export const NOW = '2026-12-01T10:00:00.000Z';

/** The id the n-th `create` of a world gets (1-based). */
export const newId = (n: number): string => `agr_01NEW${String(n).padStart(17, '0')}`;

/** Payments' SLA manager: the unit of the fixtures' service (svc_payments-gateway). */
export const manager = principal({ subject: 'sam', roles: ['sla-manager'], businessUnits: ['payments'] });
/** Another SLA manager of payments. */
export const colleague = principal({ subject: 'tess', roles: ['sla-manager'], businessUnits: ['payments'] });
/** The platform unit's SLA manager: payments' agreements are outside its scope. */
export const outsider = principal({ subject: 'otto', roles: ['sla-manager'], businessUnits: ['platform'] });
/** A viewer of payments: reads its agreements, writes none. */
export const viewer = principal({ subject: 'vic', roles: ['viewer'], businessUnits: ['payments'] });
export const admin = principal({ subject: 'ada', roles: ['admin'] });
/** The owner of svc_payments-gateway: signs as service-owner. */
export const owner = principal({
  subject: 'owen',
  roles: ['service-owner'],
  services: ['svc_payments-gateway'],
});
/** An approver signing in the given capacities. */
export const approver = (subject: string, ...capacities: string[]): Principal =>
  principal({ subject, roles: ['approver'], signOffCapacities: capacities });

/**
 * AgreementUseCases over memory stores, at NOW (settable), with the shipped sign-off rules. The payments service
 * (svc_payments-gateway, unit payments, eu-west-1) is of `tier` (default 3: an SLA without credits then needs the
 * service owner and the customer's business owner); svc_platform belongs to the platform unit. `put` stores a
 * version as it is (for states the use cases reach only over many steps); `history` stores several versions of one
 * agreement, oldest first.
 */
export async function agreementWorld(
  o: {
    tier?: number;
    residencyRegion?: string;
    gaps?: (a: AgreementVersion) => Promise<GapFinding[]>;
    templates?: TemplateCatalogue;
    services?: Partial<Service>[];
  } = {},
) {
  const agreements = new MemoryAgreementStore();
  const services = new MemoryServiceStore();
  await services.create(service({ tier: o.tier ?? 3 }));
  await services.create(service({ id: 'svc_platform', businessUnit: 'platform' }));
  for (const s of o.services ?? []) await services.create(service(s));
  const clock = { at: NOW, now: () => new Date(clock.at) };
  let n = 0;
  const uc = new AgreementUseCases({
    agreements,
    services,
    clock,
    ids: { agreementId: () => newId(++n) },
    signOffRules: loadSignOffRules(),
    residencyRegion: o.residencyRegion,
    gaps: o.gaps,
    templates: o.templates,
  });
  const put = async (over: Partial<AgreementVersion> = {}): Promise<AgreementVersion> => {
    const a = agreementVersion(over);
    await agreements.create(a);
    return a;
  };
  const history = async (...versions: Partial<AgreementVersion>[]): Promise<AgreementVersion> => {
    const first = await put(versions[0]);
    let last = first;
    for (const [i, over] of versions.slice(1).entries()) {
      last = { ...last, ...over, id: first.id, version: i + 2 };
      await agreements.append(last);
    }
    return last;
  };
  /** A platform OLA whose parties are platform only: outside payments' scope. */
  const platformOla = (over: Partial<AgreementVersion> = {}) =>
    put({
      kind: 'OLA',
      status: 'active',
      serviceId: 'svc_platform',
      businessUnit: 'platform',
      parties: {
        provider: { type: 'business-unit', businessUnit: 'platform' },
        customer: { type: 'business-unit', businessUnit: 'platform' },
      },
      ...over,
    });
  return { uc, agreements, services, clock, put, history, platformOla };
}

/** The sign-offs a tier-3 SLA without credits needs, both approved. */
export const signedTier3: Pick<AgreementVersion, 'requiredSignOffs' | 'signOffs'> = {
  requiredSignOffs: [
    { capacity: 'service-owner', rules: ['service-owner-signs-every-agreement'] },
    { capacity: 'business-owner', rules: ['customer-business-owner-signs-slas'] },
  ],
  signOffs: [
    { capacity: 'service-owner', decision: 'approved', by: 'owen', at: '2026-11-20T09:00:00.000Z' },
    { capacity: 'business-owner', decision: 'approved', by: 'bea', at: '2026-11-21T09:00:00.000Z' },
  ],
};
