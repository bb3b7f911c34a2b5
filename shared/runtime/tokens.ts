import { createRemoteJWKSet } from 'jose';
import { JoseTokenVerifier } from '../adapters/jose/tokens.js';
import type { TokenVerifier } from '../ports/tokens.js';
import { AWS_ENV, readConfig } from './config.js';

let current: TokenVerifier | undefined;

/** The embedded default installs its own verifier (its local signing key) before any request. */
export function setTokenVerifier(verifier: TokenVerifier): void {
  current = verifier;
}

/**
 * The verifier of people's tokens. On Lambda: Cognito's, built once per cold start from the pool id, app
 * client id and region in the environment (the JWKS is fetched once and cached by jose).
 */
export function getTokenVerifier(env: Record<string, string | undefined> = process.env): TokenVerifier {
  if (current) return current;
  const config = readConfig(env);
  const pool = config[AWS_ENV.userPoolId];
  const client = config[AWS_ENV.userPoolClientId];
  const region = env.AWS_REGION;
  if (!pool || !client || !region) {
    throw new Error(
      `bad configuration: ${AWS_ENV.userPoolId}, ${AWS_ENV.userPoolClientId} and AWS_REGION must be set for the people authorizer`,
    );
  }
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${pool}`;
  current = new JoseTokenVerifier({
    key: createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)),
    issuer,
    audience: client,
  });
  return current;
}
