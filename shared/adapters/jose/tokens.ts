import { errors, type JWTVerifyGetKey, jwtVerify, type KeyObject } from 'jose';
import { UnauthenticatedError } from '../../domain/errors.js';
import { TOKEN_POLICY } from '../../policy/tokens.js';
import type { TokenClaims, TokenVerifier } from '../../ports/tokens.js';

export interface JoseVerifierOptions {
  /** A public key (the embedded default's) or a JWKS getter (Cognito's `createRemoteJWKSet`). */
  key: KeyObject | JWTVerifyGetKey;
  issuer: string;
  /** The app client id: Cognito ID tokens carry it as `aud`. */
  audience: string;
  /** Seconds since the epoch; the system clock by default. */
  now?: () => number;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Whether a JWS segment is canonical base64url: only the URL alphabet, no padding, no whitespace, a possible
 * length, and no stray bits in the last character (so one token has exactly one spelling: a signature with
 * different trailing bits decodes to the same bytes and would otherwise verify).
 */
export function isCanonicalBase64url(segment: string): boolean {
  if (!SEGMENT.test(segment) || segment.length % 4 === 1) return false;
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

/**
 * The one verifier of people's tokens, on both deployments (`jose`): compact JWS of three canonical base64url
 * segments, RS256 only, signature by the issuer's key, `iss`, `aud`, `token_use: id`, `exp`, `nbf` and `iat`
 * (with TOKEN_POLICY's skew), and a lifetime (exp − iat) no longer than TOKEN_POLICY.maxLifetimeSeconds.
 * Every refusal is an UnauthenticatedError whose detail says which check failed.
 */
export class JoseTokenVerifier implements TokenVerifier {
  constructor(private readonly options: JoseVerifierOptions) {}

  async verify(token: string): Promise<TokenClaims> {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every(isCanonicalBase64url)) {
      throw refused('is not a compact JWS of three canonical base64url segments');
    }
    const now = this.options.now?.();
    let payload: Record<string, unknown>;
    try {
      const verifyOptions = {
        algorithms: [...TOKEN_POLICY.algorithms],
        issuer: this.options.issuer,
        audience: this.options.audience,
        requiredClaims: [...TOKEN_POLICY.requiredClaims],
        clockTolerance: TOKEN_POLICY.clockToleranceSeconds,
        maxTokenAge: TOKEN_POLICY.maxLifetimeSeconds + TOKEN_POLICY.clockToleranceSeconds,
        ...(now === undefined ? {} : { currentDate: new Date(now * 1000) }),
      };
      const { key } = this.options;
      const result =
        typeof key === 'function'
          ? await jwtVerify(token, key, verifyOptions)
          : await jwtVerify(token, key, verifyOptions);
      payload = result.payload as Record<string, unknown>;
    } catch (e) {
      throw refused(reasonOf(e));
    }
    if (payload.token_use !== TOKEN_POLICY.tokenUse) {
      throw refused(`token_use is ${JSON.stringify(payload.token_use)}; an ID token (id) is required`);
    }
    const { exp, iat, sub } = payload;
    if (typeof sub !== 'string' || sub === '') throw refused('has no subject (sub)');
    if (typeof exp !== 'number' || typeof iat !== 'number') throw refused('exp and iat must be numbers');
    if (exp - iat > TOKEN_POLICY.maxLifetimeSeconds) {
      throw refused(
        `lives ${exp - iat} s; the longest lifetime accepted is ${TOKEN_POLICY.maxLifetimeSeconds} s`,
      );
    }
    return payload as TokenClaims;
  }
}

function refused(problem: string): UnauthenticatedError {
  return new UnauthenticatedError('the bearer token is invalid or expired', [
    { path: 'Authorization', problem: `token ${problem}` },
  ]);
}

function reasonOf(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'has expired';
  if (e instanceof errors.JWTClaimValidationFailed) return `fails the ${e.claim} check (${e.reason})`;
  if (e instanceof errors.JOSEAlgNotAllowed) return 'is not signed with RS256';
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (e instanceof errors.JWKSNoMatchingKey) return 'was signed by a key the issuer does not publish';
  if (e instanceof errors.JOSEError) return `is malformed (${e.code})`;
  return 'could not be verified';
}
