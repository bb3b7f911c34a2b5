import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/local-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app.close());

/** POST /console/dev-signin with node:http, which sends the Host header it is given (fetch replaces it). */
function signIn(identity: string, headers: Record<string, string> = {}) {
  const body = JSON.stringify({ identity });
  return new Promise<{ status: number; json: () => Promise<unknown> }>((resolve, reject) => {
    const req = request(
      `${app.url}/console/dev-signin`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: async () => JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the development sign-in', () => {
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    it(`refuses the identity "${name}" with 400 naming the field, as any unknown identity (it answered 200 {})`, async () => {
      const r = await signIn(name);
      expect(r.status).toBe(400);
      const body = (await r.json()) as { error: { details: unknown }; requestId: string };
      expect(body.error.details).toEqual([{ path: 'identity', problem: 'names no development identity' }]);
      expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });
  }

  it('answers a page that reached 127.0.0.1 under another host name (DNS rebinding) as an unknown path, with no token', async () => {
    const r = await signIn('admin', { host: `evil.example:${new URL(app.url).port}` });
    expect(r.status).toBe(404);
    const body = (await r.json()) as { error: { code: string }; token?: string };
    expect(body.error.code).toBe('no_such_route');
    expect(body.token).toBeUndefined();
  });

  it('still signs in a browser on this machine that names localhost or 127.0.0.1', async () => {
    const port = new URL(app.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, 'LOCALHOST']) {
      const r = await signIn('viewer', { host });
      expect(r.status, host).toBe(200);
      expect(((await r.json()) as { token: string }).token).toBe(app.credentials.tokens.viewer!.token);
    }
  });
});
