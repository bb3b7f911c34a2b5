import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type Principal, ROLES, type Role } from '../domain/access/policy.js';

/**
 * Cognito sends list claims as "a,b", "[a b]" or a JSON array depending on the integration; accept each.
 * Entries are trimmed and empty ones dropped in every shape: an empty unit or service must never reach the access
 * policy, where `''` is the placeholder for "no unit" (a principal holding it would match every unit-less object).
 * Returns the entries in the claim's order; never throws (a malformed claim is an empty list or its parts).
 */
export function listClaim(v: unknown): string[] {
  if (Array.isArray(v)) return nonEmpty(v);
  if (typeof v !== 'string' || v.trim() === '') return [];
  const s = v.trim();
  if (s.startsWith('[') && s.endsWith(']')) {
    try {
      const parsed = JSON.parse(s);
      if (Array.isArray(parsed)) return nonEmpty(parsed);
    } catch {
      return s
        .slice(1, -1)
        .split(/[\s,]+/)
        .filter(Boolean);
    }
  }
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/**
 * The caller as API Gateway's authorizer saw it: Cognito claims for people, the vendor authorizer's
 * context for monitoring vendors. Undefined when the request carried no identity.
 */
export function principalFrom(event: Pick<APIGatewayProxyEvent, 'requestContext'>): Principal | undefined {
  const auth = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  if (!auth) return undefined;
  if (typeof auth.vendorId === 'string' && auth.vendorId) {
    return {
      subject: `vendor:${auth.vendorId}`,
      roles: ['vendor'],
      businessUnits: [],
      services: [],
      signOffCapacities: [],
      vendorId: auth.vendorId,
      ...(typeof auth.keyId === 'string' && auth.keyId ? { vendorKeyId: auth.keyId } : {}),
    };
  }
  const claims = claimsOf(auth);
  if (!claims || typeof claims.sub !== 'string' || claims.sub === '') return undefined;
  const roles = listClaim(claims['cognito:groups']).filter(
    (g): g is Role => (ROLES as readonly string[]).includes(g) && g !== 'vendor',
  );
  // A person is their subject (`sub`: stable, never reassigned), not their e-mail: Cognito compares e-mail
  // addresses without regard to case and lets them change. The e-mail is kept, lower-cased, for display.
  const email = typeof claims.email === 'string' && claims.email ? claims.email.toLowerCase() : undefined;
  const exp = Number(claims.exp);
  return {
    subject: claims.sub,
    ...(email ? { email } : {}),
    roles,
    businessUnits: listClaim(claims['custom:business_units']),
    services: listClaim(claims['custom:services']),
    signOffCapacities: listClaim(claims['custom:signoff']),
    ...(Number.isFinite(exp) && exp > 0 ? { expiresAt: exp } : {}),
  };
}

/** Claim names → the plain keys the people authorizer's context uses (API Gateway passes these through). */
const CONTEXT_KEYS = {
  sub: 'sub',
  email: 'email',
  'cognito:groups': 'groups',
  'custom:business_units': 'businessUnits',
  'custom:services': 'services',
  'custom:signoff': 'signoff',
  exp: 'exp',
} as const;

/**
 * The token's claims as the authorizer passed them: Cognito's authorizer nests them under `claims`; the people
 * authorizer (functions/authorizers/people.ts) passes them flat in its context, under CONTEXT_KEYS' names.
 */
function claimsOf(auth: Record<string, unknown>): Record<string, unknown> | undefined {
  if (auth.claims && typeof auth.claims === 'object') return auth.claims as Record<string, unknown>;
  if (typeof auth.sub !== 'string') return undefined;
  const out: Record<string, unknown> = Object.create(null);
  for (const [claim, key] of Object.entries(CONTEXT_KEYS))
    if (auth[key] !== undefined) out[claim] = auth[key];
  return out;
}

/** A verified token's claims, flattened to strings under plain keys, for the people authorizer's context. */
export function authorizerContext(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [claim, key] of Object.entries(CONTEXT_KEYS)) {
    const v = claims[claim];
    if (v === undefined || v === null) continue;
    out[key] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  }
  return out;
}

/** Where a person's token was found, or why none could be taken from the request. */
export type BearerResult = { token: string } | { missing: true } | { problem: string };

/**
 * The person's token from the request headers, in either form a client may send: `Bearer <jwt>` (what the
 * OpenAPI document declares) or the raw `<jwt>` (what Cognito's own authorizer takes). A request carrying the
 * Authorization header more than once, in any letter case, is refused: which copy a proxy, the gateway or a
 * cache would read is not defined.
 */
export function bearerFrom(
  headers: Record<string, string | undefined> | null | undefined,
  multiValueHeaders?: Record<string, string[] | undefined> | null,
): BearerResult {
  const values: string[] = [];
  const names = new Set<string>();
  for (const [k, v] of Object.entries(multiValueHeaders ?? {})) {
    if (k.toLowerCase() !== 'authorization' || !v) continue;
    names.add(k);
    values.push(...v);
  }
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() !== 'authorization' || v === undefined) continue;
    if (!names.has(k)) values.push(v);
    names.add(k);
    // A gateway that folds repeated headers joins them with a comma: a token never contains one.
    if (v.includes(',')) values.push(v);
  }
  if (values.length === 0) return { missing: true };
  if (values.length > 1 || names.size > 1) return { problem: 'is given more than once' };
  const value = values[0]!.trim();
  const m = /^Bearer[ \t]+(\S+)$/i.exec(value);
  const token = m ? m[1]! : /^\S+$/.test(value) && !/^bearer$/i.test(value) ? value : undefined;
  if (!token) return { problem: 'is not "Bearer <token>" or a bare token' };
  return { token };
}

/** The array claim's entries as trimmed strings, empty ones (and null or undefined) dropped. */
function nonEmpty(values: unknown[]): string[] {
  return values
    .filter((x) => x !== null && x !== undefined)
    .map((x) => String(x).trim())
    .filter((x) => x !== '');
}
