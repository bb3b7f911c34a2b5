import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type Principal, ROLES, type Role } from '../domain/access/policy.js';

/** Cognito sends list claims as "a,b", "[a b]" or a JSON array depending on the integration; accept each. */
export function listClaim(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string' || v.trim() === '') return [];
  const s = v.trim();
  if (s.startsWith('[') && s.endsWith(']')) {
    try {
      const parsed = JSON.parse(s);
      if (Array.isArray(parsed)) return parsed.map(String);
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
  const claims = auth.claims as Record<string, unknown> | undefined;
  if (!claims || typeof claims.sub !== 'string') return undefined;
  const roles = listClaim(claims['cognito:groups']).filter(
    (g): g is Role => (ROLES as readonly string[]).includes(g) && g !== 'vendor',
  );
  return {
    subject: typeof claims.email === 'string' ? claims.email : claims.sub,
    ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
    roles,
    businessUnits: listClaim(claims['custom:business_units']),
    services: listClaim(claims['custom:services']),
    signOffCapacities: listClaim(claims['custom:signoff']),
  };
}
