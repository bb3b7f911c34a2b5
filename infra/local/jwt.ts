import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { JoseTokenVerifier } from '../../shared/adapters/jose/tokens.js';
import type { TokenClaims, TokenVerifier } from '../../shared/ports/tokens.js';

/** The embedded default's issuer and app client, in the places Cognito puts its pool URL and client id. */
export const LOCAL_ISSUER = 'accord-local';
export const LOCAL_AUDIENCE = 'accord-local-app';

/**
 * The embedded default's stand-in for Cognito: RS256 ID tokens (`token_use: id`, `aud` = the app client, `iss`,
 * `iat`, `exp`) signed by a key generated on first start and kept under .accord/. They are verified by the same
 * verifier, with the same checks, as Cognito's tokens on AWS (shared/adapters/jose/tokens.ts).
 */
export class LocalTokenIssuer {
  readonly issuer = LOCAL_ISSUER;
  readonly audience = LOCAL_AUDIENCE;
  private readonly verifierInstance: JoseTokenVerifier;
  private constructor(
    private readonly privateKey: KeyObject,
    publicKey: KeyObject,
    private readonly now: () => number,
  ) {
    this.verifierInstance = new JoseTokenVerifier({
      key: publicKey,
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      now: () => Math.floor(this.now() / 1000),
    });
  }

  static loadOrCreate(file: string, now: () => number = Date.now): LocalTokenIssuer {
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    const priv = createPrivateKey(readFileSync(file));
    return new LocalTokenIssuer(priv, createPublicKey(priv), now);
  }

  /**
   * A signed ID token with these claims, valid for ttlSeconds (a token living longer than the verifier's
   * maximum lifetime is issued but refused, as Cognito would never issue it). Claims given override the
   * registered ones, so tests can forge bad tokens with the real key.
   */
  async sign(claims: Record<string, unknown>, ttlSeconds: number): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({
      iss: this.issuer,
      aud: this.audience,
      token_use: 'id',
      iat,
      exp: iat + ttlSeconds,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'local' })
      .sign(this.privateKey);
  }

  /** The claims of a valid token; UnauthenticatedError for a malformed, forged, foreign or expired one. */
  verify(token: string): Promise<TokenClaims> {
    return this.verifierInstance.verify(token);
  }

  get verifier(): TokenVerifier {
    return this.verifierInstance;
  }
}
