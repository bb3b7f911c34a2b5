import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * The embedded default's stand-in for Cognito: RS256 JWTs signed by a key generated on first start and kept
 * under .accord/. The server verifies them as API Gateway's Cognito authorizer would and passes the claims on.
 */
export class LocalTokenIssuer {
  readonly issuer = 'accord-local';
  private readonly cache = new Map<string, Record<string, unknown>>();
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    private readonly now: () => number,
  ) {}

  static loadOrCreate(file: string, now: () => number = Date.now): LocalTokenIssuer {
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    const priv = createPrivateKey(readFileSync(file));
    return new LocalTokenIssuer(priv, createPublicKey(priv), now);
  }

  sign(claims: Record<string, unknown>, ttlSeconds: number): string {
    const iat = Math.floor(this.now() / 1000);
    const header = b64(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'local' }));
    const payload = b64(
      JSON.stringify({ iss: this.issuer, iat, exp: iat + ttlSeconds, token_use: 'id', ...claims }),
    );
    const sig = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), this.privateKey).toString(
      'base64url',
    );
    return `${header}.${payload}.${sig}`;
  }

  /** The claims of a valid token, or undefined for a malformed, forged, foreign or expired one. */
  verify(token: string): Record<string, unknown> | undefined {
    let claims = this.cache.get(token);
    if (!claims) {
      const parts = token.split('.');
      if (parts.length !== 3) return undefined;
      const [h, p, s] = parts as [string, string, string];
      try {
        const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
        if (header.alg !== 'RS256') return undefined;
        if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), this.publicKey, Buffer.from(s, 'base64url')))
          return undefined;
        claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
      } catch {
        return undefined;
      }
      if (claims.iss !== this.issuer) return undefined;
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(token, claims);
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.now()) return undefined;
    return claims;
  }
}

const b64 = (s: string): string => Buffer.from(s).toString('base64url');
