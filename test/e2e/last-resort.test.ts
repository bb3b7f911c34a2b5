import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LocalTokenIssuer } from '../../infra/local/jwt.js';
import { LocalApi } from '../../infra/local/server.js';
import { logger } from '../../shared/runtime/powertools.js';

const dir = mkdtempSync(join(tmpdir(), 'accord-last-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the last-resort handler of the local server', () => {
  it('answers a bug nothing mapped with a 500 that leaks nothing, and logs it with the request line', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const api = new LocalApi({
      tokens: LocalTokenIssuer.loadOrCreate(join(dir, 'k.pem')),
      afterWrite: async () => {
        throw new TypeError('the stream consumer crashed');
      },
    });
    const server = await api.listen(0);
    const { port } = server.address() as { port: number };
    const token = await LocalTokenIssuer.loadOrCreate(join(dir, 'k.pem')).sign(
      { sub: 'x', 'cognito:groups': 'auditor' },
      600,
    );
    // A write that reaches its handler, after which the write hook fails: nothing maps that error.
    const res = await fetch(`http://127.0.0.1:${port}/v1/agreements/agr_01JZZZZZZZZZZZZZZZZZZZZZZZ/submit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': '"1"' },
      body: JSON.stringify({ reason: 'probe the last resort' }),
    });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: unknown };
    expect(body.error).toEqual({
      code: 'internal',
      message: 'internal error; quote the request id',
      details: [],
    });
    expect(JSON.stringify(body)).not.toMatch(/stream consumer/);
    expect(error).toHaveBeenCalledWith(
      'request reached the last-resort handler',
      expect.objectContaining({
        method: 'POST',
        path: '/v1/agreements/agr_01JZZZZZZZZZZZZZZZZZZZZZZZ/submit',
      }),
    );
    await api.close();
    error.mockRestore();
  });
});
