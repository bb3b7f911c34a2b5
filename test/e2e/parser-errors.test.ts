import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/local-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app.close());

/** Sends raw bytes and reads the whole answer until the server closes the connection. */
function raw(text: string): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = all.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body });
    });
  });
}

const errorOf = (body: string) =>
  JSON.parse(body) as { error: { code: string; details: { path: string }[] }; requestId: string };

describe("requests Node's HTTP parser refuses", () => {
  it('a method HTTP does not know (FOO /health) is the 404 no_such_route of any other route miss, in the error shape (it was a bare 400)', async () => {
    const r = await raw('FOO /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(r.status).toBe(404);
    expect(r.headers).toMatch(/content-type: application\/json/i);
    const e = errorOf(r.body);
    expect(e.error.code).toBe('no_such_route');
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('headers over 16 KB are a 431 in the error shape with a request id', async () => {
    const r = await raw(`GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(r.status).toBe(431);
    expect(errorOf(r.body).error).toMatchObject({
      code: 'headers_too_large',
      details: [{ path: '(headers)' }],
    });
  });

  it('a header line without a colon is a 400 in the error shape naming the request', async () => {
    const r = await raw('GET /health HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n');
    expect(r.status).toBe(400);
    const e = errorOf(r.body);
    expect(e.error.code).toBe('malformed_request');
    expect(e.error.details[0]!.path).toBe('(request)');
  });

  it('the server goes on answering after each of them', async () => {
    await raw('FOO / HTTP/1.1\r\n\r\n');
    expect((await app.call('GET', '/health')).status).toBe(200);
  });
});
