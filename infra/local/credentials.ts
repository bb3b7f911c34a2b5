import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
    // Every demo service: the demo makes Owen the owner of all of them, so his tasks (RCAs, CAPA items) are for
    // violations he can open. Scoping by service is shown by the tests that make their own owners.
    services: [...DEMO_SERVICE_IDS],
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

/**
 * The development vendor a dev-credentials file names (a file written by hand, by a bench or a test, may name its
 * own), or undefined when there is no file. What the file leaves out takes the default; what it gets wrong is
 * refused here, naming the file, so that a typo never silently gives the vendor another tier, key or services
 * (an unknown tier used to become `standard`, 50 requests/s, without a word).
 *
 * @throws Error when the file is not JSON, or its `vendor` names a tier that is not shipped
 *   (shared/policy/vendor-tiers.json) or holds a field of the wrong type
 */
function readVendorOnFile(file: string): Partial<DevCredentials['vendor']> | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `${file} is not JSON (${(error as Error).message}): correct it, or delete it to have a new one written`,
    );
  }
  const vendor = (parsed as { vendor?: unknown } | null)?.vendor;
  if (vendor === undefined) return undefined;
  if (typeof vendor !== 'object' || vendor === null || Array.isArray(vendor)) {
    throw new Error(`${file}: vendor must be an object (vendorId, tier, apiKey, services)`);
  }
  const v = vendor as Record<string, unknown>;
  const name = typeof v.vendorId === 'string' ? v.vendorId : 'prometheus-main';
  if (v.tier !== undefined && !VENDOR_TIERS.includes(v.tier as string)) {
    throw new Error(
      `${file}: vendor ${name} names tier ${JSON.stringify(v.tier)}, which is not a shipped tier; a vendor's tier is one of ${VENDOR_TIERS.join(', ')} (shared/policy/vendor-tiers.json; --vendor-tiers changes their limits, not their names)`,
    );
  }
  const wrong = (
    [
      ['vendorId', typeof v.vendorId === 'string'],
      ['apiKey', typeof v.apiKey === 'string'],
      ['services', Array.isArray(v.services) && v.services.every((s) => typeof s === 'string')],
    ] as const
  ).filter(([field, ok]) => v[field] !== undefined && !ok);
  if (wrong.length > 0) {
    throw new Error(
      `${file}: ${wrong.map(([f]) => `vendor.${f}`).join(', ')} has the wrong type (vendorId and apiKey are strings, services a list of service ids)`,
    );
  }
  return v as Partial<DevCredentials['vendor']>;
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
  const onFile = readVendorOnFile(file);
  const wanted: DevCredentials['vendor'] = {
    vendorId: onFile?.vendorId ?? 'prometheus-main',
    tier: onFile?.tier ?? 'standard',
    apiKey: onFile?.apiKey ?? `ak_${randomBytes(24).toString('base64url')}`,
    services: onFile?.services ?? [...DEMO_SERVICE_IDS],
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
  // Written beside and renamed into place: a process ended mid-write leaves the old file whole, never a torn one
  // (which the next start would refuse as not JSON).
  writeFileSync(`${file}.tmp`, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return out;
}
