import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/local-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app.close());

/** Sends raw header lines, so that one name may appear twice in different letter cases. */
function rawGet(path: string, headers: string[]): Promise<{ status: number; body: any }> {
  const url = new URL(path, app.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'GET',
        headers: ['Host', url.host, ...headers] as never,
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('one token form on the embedded default, as on AWS', () => {
  it('accepts "Authorization: Bearer <jwt>" (the OpenAPI bearer scheme) and the raw token (what Cognito takes)', async () => {
    const token = app.credentials.tokens.auditor!.token;
    expect(
      (await app.call('GET', '/v1/agreements', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    expect(
      (await app.call('GET', '/v1/agreements', { headers: { authorization: `bearer ${token}` } })).status,
    ).toBe(200);
    expect((await app.call('GET', '/v1/agreements', { headers: { authorization: token } })).status).toBe(200);
  });

  it('refuses a request carrying Authorization twice, in the same or another letter case, with 401 naming the header', async () => {
    const token = app.credentials.tokens.auditor!.token;
    for (const second of ['Authorization', 'authorization', 'AUTHORIZATION']) {
      const res = await rawGet('/v1/agreements', [
        'Authorization',
        `Bearer ${token}`,
        second,
        `Bearer ${token}`,
      ]);
      expect(res.status, second).toBe(401);
      expect(res.body.error.details[0]).toEqual({
        path: 'Authorization',
        problem: 'header is given more than once',
      });
    }
    const once = await rawGet('/v1/agreements', ['Authorization', `Bearer ${token}`]);
    expect(once.status).toBe(200);
  });

  it('refuses an ID token of another issuer, and says what is wrong with it', async () => {
    const token = await app.tokens.sign(
      { sub: 'x', 'cognito:groups': 'admin', iss: 'https://elsewhere' },
      600,
    );
    const res = await app.call('GET', '/v1/agreements', { token });
    expect(res.status).toBe(401);
    expect(res.body.error.details[0].problem).toMatch(/iss/);
  });
});
