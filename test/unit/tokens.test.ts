import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as peopleAuthorizer } from '../../functions/authorizers/people.js';
import { LocalTokenIssuer } from '../../infra/local/jwt.js';
import { isCanonicalBase64url, JoseTokenVerifier } from '../../shared/adapters/jose/tokens.js';
import { bearerFrom } from '../../shared/http/principal.js';
import { setTokenVerifier } from '../../shared/runtime/tokens.js';

const NOW = 1_780_000_000; // seconds
const issuer = LocalTokenIssuer.loadOrCreate(
  join(mkdtempSync(join(tmpdir(), 'accord-jwt-')), 'k.pem'),
  () => NOW * 1000,
);
const person = { sub: 'a1b2c3', email: 'Sam.Manager@Bank.Example', 'cognito:groups': 'sla-manager' };

async function problemOf(token: string): Promise<string> {
  try {
    await issuer.verify(token);
  } catch (e) {
    return (e as { details: { problem: string }[] }).details[0]!.problem;
  }
  return 'accepted';
}

describe('people tokens, verified with jose as the Cognito authorizer would', () => {
  it('accepts an RS256 ID token for the app client within its lifetime', async () => {
    const claims = await issuer.verify(await issuer.sign(person, 3600));
    expect(claims).toMatchObject({
      sub: 'a1b2c3',
      token_use: 'id',
      aud: 'accord-local-app',
      iss: 'accord-local',
    });
  });

  it('refuses an expired token, one not yet valid (nbf) and one issued in the future (iat)', async () => {
    expect(await problemOf(await issuer.sign({ ...person, iat: NOW - 7200, exp: NOW - 3600 }, 0))).toMatch(
      /expired/,
    );
    expect(await problemOf(await issuer.sign({ ...person, nbf: NOW + 600 }, 3600))).toMatch(/nbf/);
    expect(await problemOf(await issuer.sign({ ...person, iat: NOW + 600, exp: NOW + 4000 }, 0))).toMatch(
      /iat/,
    );
  });

  it('tolerates one minute of clock skew, not more', async () => {
    expect(await problemOf(await issuer.sign({ ...person, iat: NOW - 3630, exp: NOW - 30 }, 0))).toBe(
      'accepted',
    );
    expect(await problemOf(await issuer.sign({ ...person, iat: NOW - 3690, exp: NOW - 90 }, 0))).toMatch(
      /expired/,
    );
  });

  it('refuses a token for another app client (aud), from another issuer, or an access token (token_use)', async () => {
    expect(await problemOf(await issuer.sign({ ...person, aud: 'another-client' }, 3600))).toMatch(/aud/);
    expect(await problemOf(await issuer.sign({ ...person, iss: 'https://evil.example' }, 3600))).toMatch(
      /iss/,
    );
    expect(await problemOf(await issuer.sign({ ...person, token_use: 'access' }, 3600))).toMatch(/token_use/);
  });

  it('refuses a token that lives longer than a day, as Cognito never issues one', async () => {
    expect(await problemOf(await issuer.sign(person, 24 * 3600))).toBe('accepted');
    expect(await problemOf(await issuer.sign(person, 30 * 24 * 3600))).toMatch(/lifetime|iat/);
  });

  it('refuses a token without a subject', async () => {
    expect(await problemOf(await issuer.sign({ email: 'x@y.z', 'cognito:groups': 'viewer' }, 3600))).toMatch(
      /sub/,
    );
  });

  it('refuses alg none, HS256 signed with the public key, and a signature by another key', async () => {
    const good = await issuer.sign(person, 3600);
    const [, payload] = good.split('.');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    expect(await problemOf(none)).not.toBe('accepted');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = await new SignJWT({
      ...person,
      iss: 'accord-local',
      aud: 'accord-local-app',
      token_use: 'id',
    })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 600)
      .sign(other);
    expect(await problemOf(forged)).toMatch(/signature/);
    const hs = await new SignJWT({ ...person, iss: 'accord-local', aud: 'accord-local-app', token_use: 'id' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 600)
      .sign(new TextEncoder().encode('a-shared-secret-that-is-long-enough!'));
    expect(await problemOf(hs)).toMatch(/RS256/);
  });

  it('refuses every other spelling of a valid token: padding, whitespace, the standard alphabet, stray trailing bits', async () => {
    const good = await issuer.sign(person, 3600);
    const [h, p, s] = good.split('.') as [string, string, string];
    expect(await problemOf(good)).toBe('accepted');
    // The last character of an RS256 signature (256 bytes) carries 4 unused bits: flipping one leaves the bytes.
    const last = s.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(Buffer.from(`${s.slice(0, -1)}${sibling}`, 'base64url')).toEqual(Buffer.from(s, 'base64url'));
    for (const variant of [
      `${h}.${p}.${s.slice(0, -1)}${sibling}`,
      `${h}.${p}.${s}=`,
      `${h}.${p}.${s}==`,
      `${h}.${p}. ${s}`,
      `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}${s.includes('-') || s.includes('_') ? '' : '+'}`,
      `${h}.${p}.${s}.`,
      `${h}.${p}`,
    ]) {
      expect(await problemOf(variant), variant.slice(-12)).not.toBe('accepted');
    }
    expect(isCanonicalBase64url('QQ')).toBe(true);
    expect(isCanonicalBase64url('QR')).toBe(false);
    expect(isCanonicalBase64url('QQ==')).toBe(false);
    expect(isCanonicalBase64url('Q')).toBe(false);
  });
});

describe('the Authorization header', () => {
  it('takes "Bearer <jwt>" in any letter case of the scheme, and the raw token', () => {
    expect(bearerFrom({ Authorization: 'Bearer abc.def.ghi' })).toEqual({ token: 'abc.def.ghi' });
    expect(bearerFrom({ authorization: 'bearer abc.def.ghi' })).toEqual({ token: 'abc.def.ghi' });
    expect(bearerFrom({ AUTHORIZATION: 'abc.def.ghi' })).toEqual({ token: 'abc.def.ghi' });
  });

  it('refuses two Authorization headers whatever their letter case, and a folded pair', () => {
    expect(bearerFrom({ Authorization: 'Bearer a', authorization: 'Bearer b' })).toEqual({
      problem: 'is given more than once',
    });
    expect(bearerFrom({ authorization: 'Bearer a' }, { authorization: ['Bearer a', 'Bearer b'] })).toEqual({
      problem: 'is given more than once',
    });
    expect(bearerFrom({ Authorization: 'Bearer a,Bearer b' })).toEqual({
      problem: 'is given more than once',
    });
    expect(bearerFrom({ 'x-authorization': 'Bearer a', Authorization: 'Bearer b' })).toEqual({ token: 'b' });
  });

  it('says a missing header is missing and a scheme alone is malformed', () => {
    expect(bearerFrom({})).toEqual({ missing: true });
    expect(bearerFrom({ Authorization: 'Bearer' })).toHaveProperty('problem');
    expect(bearerFrom({ Authorization: 'Basic dXNlcjpwdw== extra' })).toHaveProperty('problem');
  });
});

describe('the people authorizer on AWS, against a Cognito-shaped JWKS over HTTP', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let url = '';
  let server: ReturnType<typeof createServer>;
  beforeAll(async () => {
    const jwk = { ...(await exportJWK(publicKey)), kid: 'cognito-1', alg: 'RS256', use: 'sig' };
    server = createServer((req, res) => {
      res.writeHead(req.url?.endsWith('/.well-known/jwks.json') ? 200 : 404, {
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    url = `http://127.0.0.1:${addr.port}/eu-west-1_Abc123`;
    setTokenVerifier(
      new JoseTokenVerifier({
        key: createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`)),
        issuer: url,
        audience: '5ab1cdeclient',
      }),
    );
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const cognitoToken = (over: Record<string, unknown> = {}) =>
    new SignJWT({
      'cognito:groups': ['sla-manager'],
      email: 'sam@bank.example',
      'custom:business_units': 'payments',
      token_use: 'id',
      ...over,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'cognito-1' })
      .setSubject('8f1c2d3e')
      .setIssuer(url)
      .setAudience('5ab1cdeclient')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
  const event = (headers: Record<string, string>, multi: Record<string, string[]> = {}) =>
    ({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api1/live/GET/v1/agreements',
      headers,
      multiValueHeaders: multi,
    }) as never;

  it('allows the whole stage for a Cognito ID token sent as Bearer or raw, passing the claims flat', async () => {
    const token = await cognitoToken();
    for (const value of [`Bearer ${token}`, token]) {
      const r = await peopleAuthorizer(event({ Authorization: value }));
      expect(r.principalId).toBe('8f1c2d3e');
      expect(r.policyDocument.Statement[0]).toMatchObject({
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:eu-west-1:123456789012:api1/live/*',
      });
      expect(r.context).toMatchObject({ sub: '8f1c2d3e', groups: 'sla-manager', businessUnits: 'payments' });
    }
  });

  it('answers Unauthorized for an access token, two headers, or no header', async () => {
    const token = await cognitoToken();
    await expect(
      peopleAuthorizer(event({ Authorization: `Bearer ${await cognitoToken({ token_use: 'access' })}` })),
    ).rejects.toThrow('Unauthorized');
    await expect(
      peopleAuthorizer(event({ Authorization: `Bearer ${token}`, authorization: `Bearer ${token}` })),
    ).rejects.toThrow('Unauthorized');
    await expect(peopleAuthorizer(event({}))).rejects.toThrow('Unauthorized');
  });
});
