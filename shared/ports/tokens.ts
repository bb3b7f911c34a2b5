/** The claims of a verified person's token (a Cognito ID token or its local stand-in), as signed. */
export type TokenClaims = Record<string, unknown> & { sub: string; exp: number; iat: number };

/** Verifies a person's bearer token: signature, issuer, audience, token use, times and lifetime. */
export interface TokenVerifier {
  /** The claims of a valid token; UnauthenticatedError (naming what was wrong) otherwise. */
  verify(token: string): Promise<TokenClaims>;
}
