import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalApi } from '../../infra/local/server.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';
import { promRequest } from '../helpers/telemetry.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

let app: TestApp;
let api: LocalApi;
let url = '';
const afterWrite = vi.fn(async () => undefined);

beforeAll(async () => {
  // The app composes and installs the container; a second LocalApi on it has no one-second pump, so every call
  // of its write hook comes from a request.
  app = await startTestApp();
  api = new LocalApi({ tokens: app.tokens, afterWrite });
  const server = await api.listen(0);
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await api.close();
  await app.close();
});

describe('the local server after a write', () => {
  it('skips the change-stream pass after a vendor ingest request, which writes no change-logged entity', async () => {
    afterWrite.mockClear();
    const now = Date.now();
    const req = promRequest([
      {
        labels: { __name__: 'probe_success', job: 'payments-gateway', instance: 'blackbox:9115' },
        samples: [{ value: 1, timestampMs: now - 1000 }],
      },
    ]);
    const res = await fetch(`${url}/v1/telemetry`, {
      method: 'POST',
      headers: { ...req.headers, 'x-api-key': app.credentials.vendor.apiKey },
      body: req.body,
    });
    expect(res.status, await res.text()).toBe(200);
    expect(afterWrite).not.toHaveBeenCalled();
  });

  it('still delivers the change stream after a person writes, before answering', async () => {
    afterWrite.mockClear();
    const res = await fetch(`${url}/v1/services`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${app.credentials.tokens['sla-manager']!.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(serviceBody({ id: 'svc_after-write' })),
    });
    expect(res.status, await res.text()).toBe(201);
    expect(afterWrite).toHaveBeenCalledTimes(1);
  });
});
