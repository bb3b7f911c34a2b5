import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { TOKEN_POLICY } from '../../shared/policy/tokens.js';
import type { VendorKeyStore } from '../../shared/ports/vendors.js';
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
  vendor: { vendorId: string; tier: string; apiKey: string };
}

/** One day: the longest an ID token may live (TOKEN_POLICY); the local app re-issues them every hour. */
const TTL_SECONDS = TOKEN_POLICY.maxLifetimeSeconds;

/** Writes .accord/dev-credentials.json: a signed token per role, and a vendor API key (stored hashed). */
export async function ensureDevCredentials(
  file: string,
  tokens: LocalTokenIssuer,
  vendorKeys: VendorKeyStore,
): Promise<DevCredentials> {
  let vendor: DevCredentials['vendor'] | undefined;
  if (existsSync(file)) {
    try {
      vendor = (JSON.parse(readFileSync(file, 'utf8')) as DevCredentials).vendor;
    } catch {
      vendor = undefined;
    }
  }
  vendor ??= {
    vendorId: 'prometheus-main',
    tier: 'standard',
    apiKey: `ak_${randomBytes(24).toString('base64url')}`,
  };
  await vendorKeys.register(createHash('sha256').update(vendor.apiKey).digest('hex'), {
    vendorId: vendor.vendorId,
    tier: vendor.tier,
  });
  const out: DevCredentials = {
    note: 'Development identities for the embedded default. Send a token as "Authorization: Bearer <token>"; the vendor key as "x-api-key". Tokens are ID tokens as Cognito issues them; they last 24 hours and are re-issued at each start and every hour while the server runs. A raw token without "Bearer " works too, as on AWS.',
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
