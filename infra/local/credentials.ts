import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { TOKEN_POLICY } from '../../shared/policy/tokens.js';
import { VENDOR_TIERS } from '../../shared/policy/vendor-tiers.js';
import type { VendorUseCases } from '../../shared/usecases/vendors.js';
import { DEMO_SERVICE_IDS } from './demo.js';
import type { LocalTokenIssuer } from './jwt.js';

/** Business units and services of the development identities; the demo portfolio uses the same ones. */
export const DEV_BUSINESS_UNITS = ['retail-banking', 'payments', 'group-platform', 'wealth-management'];

interface DevIdentity {
  name: string;
  email: string;
  groups: string[];
  businessUnits?: string[];
  services?: string[];
  signoff?: string[];
}

export const DEV_IDENTITIES: DevIdentity[] = [
  { name: 'admin', email: 'admin@accord.local', groups: ['admin'] },
  {
    name: 'sla-manager',
    email: 'sam.manager@accord.local',
    groups: ['sla-manager'],
    businessUnits: DEV_BUSINESS_UNITS,
  },
  {
    name: 'sla-manager-retail',
    email: 'rita.retail@accord.local',
    groups: ['sla-manager'],
    businessUnits: ['retail-banking'],
  },
  { name: 'approver-legal', email: 'lee.legal@accord.local', groups: ['approver'], signoff: ['legal'] },
  {
    name: 'approver-procurement',
    email: 'pat.procurement@accord.local',
    groups: ['approver'],
    signoff: ['procurement'],
  },
  {
    name: 'approver-security',
    email: 'sec.officer@accord.local',
    groups: ['approver'],
    signoff: ['security'],
  },
  {
    name: 'approver-finance',
    email: 'fin.controller@accord.local',
    groups: ['approver'],
    signoff: ['finance'],
  },
  {
    name: 'approver-board',
    email: 'gov.board@accord.local',
    groups: ['approver'],
    signoff: ['governance-board'],
  },
  {
    name: 'approver-business',
    email: 'bo.owner@accord.local',
    groups: ['approver'],
    signoff: ['business-owner'],
  },
  {
    name: 'service-owner',
    email: 'owen.service@accord.local',
    groups: ['service-owner'],
    services: ['svc_payments-gateway', 'svc_card-authorisation', 'svc_core-ledger', 'svc_identity-platform'],
  },
  { name: 'auditor', email: 'audrey.auditor@accord.local', groups: ['auditor'] },
  { name: 'viewer', email: 'vic.viewer@accord.local', groups: ['viewer'], businessUnits: ['retail-banking'] },
];

export interface DevCredentials {
  note: string;
  tokens: Record<
    string,
    {
      token: string;
      email: string;
      groups: string[];
      businessUnits?: string[];
      services?: string[];
      signoff?: string[];
    }
  >;
  /**
   * The development vendor: its key (send it as Authorization: Bearer, Basic password, DD-API-KEY or x-api-key) and
   * the services it is bound to. A file written by hand (a bench, a test) may name other services.
   */
  vendor: { vendorId: string; tier: string; apiKey: string; services: string[] };
}

/** One day: the longest an ID token may live (TOKEN_POLICY); the local app re-issues them every hour. */
const TTL_SECONDS = TOKEN_POLICY.maxLifetimeSeconds;

/**
 * Writes .accord/dev-credentials.json: a signed token per role, and the development vendor's API key. The vendor
 * (`prometheus-main`, standard tier, bound to the demo portfolio's services) is registered through the vendor use
 * cases like any other, audited as `system:dev-credentials`; its key is the one on file while it still
 * authenticates, else a new one is issued (after a rotation or revocation through the API).
 */
export async function ensureDevCredentials(
  file: string,
  tokens: LocalTokenIssuer,
  vendors: VendorUseCases,
): Promise<DevCredentials> {
  let onFile: Partial<DevCredentials['vendor']> | undefined;
  if (existsSync(file)) {
    try {
      onFile = (JSON.parse(readFileSync(file, 'utf8')) as DevCredentials).vendor;
    } catch {
      onFile = undefined;
    }
  }
  const wanted: DevCredentials['vendor'] = {
    vendorId: onFile?.vendorId ?? 'prometheus-main',
    tier: onFile?.tier && VENDOR_TIERS.includes(onFile.tier) ? onFile.tier : 'standard',
    apiKey: onFile?.apiKey ?? `ak_${randomBytes(24).toString('base64url')}`,
    services: Array.isArray(onFile?.services) ? onFile.services : [...DEMO_SERVICE_IDS],
  };
  const provisioned = await vendors.provision(
    {
      id: wanted.vendorId,
      name: `Development vendor ${wanted.vendorId}`,
      tier: wanted.tier,
      bindings: wanted.services.map((serviceId) => ({ serviceId })),
      apiKey: wanted.apiKey,
    },
    'system:dev-credentials',
  );
  const vendor = provisioned
    ? { ...wanted, apiKey: provisioned.apiKey, services: provisioned.vendor.bindings.map((b) => b.serviceId) }
    : wanted;
  const out: DevCredentials = {
    note: 'Development identities for the embedded default. Send a token as "Authorization: Bearer <token>" (a raw token without "Bearer " works too, as on AWS). Send the vendor key as "Authorization: Bearer <key>", as the password of Basic credentials, as "DD-API-KEY" or as "x-api-key"; the vendor may write the services listed with it (admins change that with PUT /v1/vendors/{id}/bindings). Tokens are ID tokens as Cognito issues them; they last 24 hours and are re-issued at each start and every hour while the server runs.',
    tokens: {},
    vendor,
  };
  for (const id of DEV_IDENTITIES) {
    const claims: Record<string, unknown> = {
      sub: `local-${id.name}`,
      email: id.email,
      'cognito:groups': id.groups.join(','),
      ...(id.businessUnits ? { 'custom:business_units': id.businessUnits.join(',') } : {}),
      ...(id.services ? { 'custom:services': id.services.join(',') } : {}),
      ...(id.signoff ? { 'custom:signoff': id.signoff.join(',') } : {}),
    };
    const { name, ...rest } = id;
    out.tokens[name] = { token: await tokens.sign(claims, TTL_SECONDS), ...rest };
  }
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
  return out;
}
