/**
 * What a person's token must be to be accepted, on both deployments (data, read by the one verifier in
 * shared/adapters/jose/tokens.ts). The values mirror what Cognito issues and its authorizer accepts: RS256 ID
 * tokens (`token_use: id`) for the pool's app client, whose validity Cognito caps at one day.
 */
export const TOKEN_POLICY = {
  /** Signature algorithms accepted: Cognito signs with RS256 only; `none` and HMAC are never accepted. */
  algorithms: ['RS256'] as const,
  /** Cognito ID tokens carry the scope claims (`custom:*`) and groups; access tokens do not. */
  tokenUse: 'id' as const,
  /** The longest lifetime (exp − iat) accepted: Cognito's upper bound for ID tokens (24 h). */
  maxLifetimeSeconds: 24 * 3600,
  /** Clock skew tolerated on exp, nbf and iat. */
  clockToleranceSeconds: 60,
  /** Claims every accepted token carries. */
  requiredClaims: ['sub', 'iat', 'exp', 'iss', 'aud', 'token_use'] as const,
} as const;
