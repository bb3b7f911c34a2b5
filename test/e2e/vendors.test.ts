import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldableClock } from '../helpers/clock.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';
import { accordSample, jsonRequest, promRequest } from '../helpers/telemetry.js';

/**
 * Vendors over HTTP on the embedded default: the admin API (create, bind, rotate with overlap, revoke, audit),
 * the vendor's key in every form clients send it, and the vendor's scope at ingestion.
 */
let app: TestApp;
const clock = new HoldableClock();

beforeAll(async () => {
  app = await startTestApp({}, { clock });
  for (const id of ['svc_payments-gateway', 'svc_core-ledger', 'svc_card-authorisation']) {
    const r = await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody({ id }) });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
});
afterAll(async () => app.close());

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const now = () => new Date().toISOString();

/** Pushes an Accord JSON batch with the given auth headers. */
const push = (headers: Record<string, string>, samples: unknown[] = [accordSample(now(), 1)]) => {
  const req = jsonRequest({ version: 1, samples });
  return app.call('POST', '/v1/telemetry', { rawBody: req.body, headers: { ...req.headers, ...headers } });
};

async function createVendor(id: string, bindings: unknown[], tier = 'standard') {
  const r = await app.call('POST', '/v1/vendors', {
    as: 'admin',
    body: { id, name: `Vendor ${id}`, tier, bindings, reason: 'onboarding a monitoring vendor' },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r;
}

describe('vendor management by admins', () => {
  it('creates a vendor and shows its key once: a 201 not to be cached, then only an id and a hint', async () => {
    const r = await createVendor('acme-prom', [{ serviceId: 'svc_payments-gateway' }]);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('etag')).toBe('"1"');
    expect(r.headers.get('location')).toBe('/v1/vendors/acme-prom');
    const { apiKey, keyId, vendor } = r.body;
    expect(apiKey).toMatch(/^ak_[A-Za-z0-9_-]{32}$/);
    expect(vendor.keys).toEqual([
      expect.objectContaining({ keyId, hint: apiKey.slice(-4), createdBy: 'local-admin' }),
    ]);
    const got = await app.call('GET', '/v1/vendors/acme-prom', { as: 'auditor' });
    expect(got.status).toBe(200);
    const text = JSON.stringify(got.body);
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(createHash('sha256').update(apiKey).digest('hex'));
    const list = await app.call('GET', '/v1/vendors', { as: 'admin' });
    expect(list.body.items.map((v: { id: string }) => v.id)).toContain('acme-prom');
    expect(JSON.stringify(list.body)).not.toContain(apiKey);
  });

  it('refuses bindings to a service that does not exist, and a binding given twice, naming each', async () => {
    const missing = await app.call('POST', '/v1/vendors', {
      as: 'admin',
      body: {
        id: 'typo-vendor',
        name: 'Typo',
        tier: 'standard',
        bindings: [{ serviceId: 'svc_payments-gateway' }, { serviceId: 'svc_paymnets-gateway' }],
        reason: 'onboarding',
      },
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details).toEqual([
      { path: 'bindings[1].serviceId', problem: 'names no service' },
    ]);
    const twice = await app.call('POST', '/v1/vendors', {
      as: 'admin',
      body: {
        id: 'twice-vendor',
        name: 'Twice',
        tier: 'standard',
        bindings: [
          { serviceId: 'svc_core-ledger', sli: 'latency' },
          { serviceId: 'svc_core-ledger', sli: 'latency' },
        ],
        reason: 'onboarding',
      },
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error.details).toEqual([
      { path: 'bindings[1]', problem: 'repeats an earlier binding' },
    ]);
    expect((await app.call('GET', '/v1/vendors/typo-vendor', { as: 'admin' })).status).toBe(404);
  });

  it('lets only admins manage vendors, and only portfolio-wide readers read them', async () => {
    const body = { id: 'not-allowed', name: 'No', tier: 'standard', bindings: [], reason: 'trying' };
    expect((await app.call('POST', '/v1/vendors', { as: 'sla-manager', body })).status).toBe(403);
    expect((await app.call('GET', '/v1/vendors', { as: 'service-owner' })).status).toBe(403);
    expect((await app.call('GET', '/v1/vendors', { as: 'auditor' })).status).toBe(200);
  });

  it('rotates with an overlap, revokes a key at once, revokes the vendor, and audits each change', async () => {
    const made = await createVendor('rotating-mon', [{ serviceId: 'svc_payments-gateway' }]);
    const first = made.body.apiKey as string;
    expect((await push({ authorization: `Bearer ${first}` })).status).toBe(200);

    // Default overlap (24 h): the first key keeps working beside the second.
    const rot = await app.call('POST', '/v1/vendors/rotating-mon/keys', {
      as: 'admin',
      headers: { 'if-match': '"1"' },
      body: { reason: 'quarterly rotation' },
    });
    expect(rot.status, JSON.stringify(rot.body)).toBe(201);
    expect(rot.headers.get('cache-control')).toBe('no-store');
    const second = rot.body.apiKey as string;
    expect(rot.body.vendor.keys[0].notAfter).toBeDefined();
    expect((await push({ authorization: `Bearer ${first}` })).status).toBe(200);
    expect((await push({ authorization: `Bearer ${second}` })).status).toBe(200);

    // A stale If-Match changes nothing.
    const stale = await app.call('POST', '/v1/vendors/rotating-mon/keys', {
      as: 'admin',
      headers: { 'if-match': '"1"' },
      body: { reason: 'rotation from a stale page' },
    });
    expect(stale.status).toBe(409);

    // An overlap ending now: only the newest key authenticates. The server's clock is held at the instant sent: the
    // API allows 1 s between the two readings of "now", and a request on a loaded machine can take longer (422).
    const cutAt = Date.now();
    clock.hold(cutAt);
    const cut = await app.call('POST', '/v1/vendors/rotating-mon/keys', {
      as: 'admin',
      headers: { 'if-match': '"2"' },
      body: { previousKeysValidUntil: new Date(cutAt).toISOString(), reason: 'the old keys leaked' },
    });
    clock.release();
    expect(cut.status, JSON.stringify(cut.body)).toBe(201);
    const third = cut.body.apiKey as string;
    expect((await push({ authorization: `Bearer ${first}` })).status).toBe(401);
    expect((await push({ 'x-api-key': second })).status).toBe(401);
    expect((await push({ 'x-api-key': third })).status).toBe(200);

    // Out-of-range overlap.
    const far = await app.call('POST', '/v1/vendors/rotating-mon/keys', {
      as: 'admin',
      headers: { 'if-match': '"3"' },
      body: { previousKeysValidUntil: '2099-01-01T00:00:00Z', reason: 'forever' },
    });
    expect(far.status).toBe(422);
    expect(far.body.error.details[0].path).toBe('previousKeysValidUntil');

    // Revoking one key stops it at once, even though the authorizer remembered it a moment ago.
    const revokeKey = await app.call('DELETE', `/v1/vendors/rotating-mon/keys/${cut.body.keyId}`, {
      as: 'admin',
      headers: { 'if-match': '"3"' },
      body: { reason: 'agent decommissioned' },
    });
    expect(revokeKey.status, JSON.stringify(revokeKey.body)).toBe(200);
    expect((await push({ 'x-api-key': third })).status).toBe(401);

    const rot4 = await app.call('POST', '/v1/vendors/rotating-mon/keys', {
      as: 'admin',
      headers: { 'if-match': '"4"' },
      body: { reason: 'a key for the new agent' },
    });
    const fourth = rot4.body.apiKey as string;
    expect((await push({ 'x-api-key': fourth })).status).toBe(200);
    const revoke = await app.call('DELETE', '/v1/vendors/rotating-mon', {
      as: 'admin',
      headers: { 'if-match': '"5"' },
      body: { reason: 'contract ended' },
    });
    expect(revoke.status).toBe(200);
    expect(revoke.body.status).toBe('revoked');
    expect((await push({ 'x-api-key': fourth })).status).toBe(401);
    const after = await app.call('POST', '/v1/vendors/rotating-mon/keys', {
      as: 'admin',
      headers: { 'if-match': '"6"' },
      body: { reason: 'bring it back' },
    });
    expect(after.status).toBe(409);

    const trail = await app.call('GET', '/v1/vendors/rotating-mon/audit', { as: 'auditor' });
    expect(trail.status).toBe(200);
    expect(
      trail.body.items.map((e: { change: string; reason: string; by: string }) => [e.change, e.reason, e.by]),
    ).toEqual([
      ['create', 'onboarding a monitoring vendor', 'local-admin'],
      ['rotate-key', 'quarterly rotation', 'local-admin'],
      ['rotate-key', 'the old keys leaked', 'local-admin'],
      ['revoke-key', 'agent decommissioned', 'local-admin'],
      ['rotate-key', 'a key for the new agent', 'local-admin'],
      ['revoke', 'contract ended', 'local-admin'],
    ]);
    expect(trail.body.items[3].diff.map((d: { path: string }) => d.path)).toEqual([
      'keys[2].revokedAt',
      'keys[2].revokedBy',
    ]);
    const text = JSON.stringify(trail.body);
    for (const k of [first, second, third, fourth]) {
      expect(text).not.toContain(k);
      expect(text).not.toContain(createHash('sha256').update(k).digest('hex'));
    }
  });
});

describe('a vendor key as clients send it', () => {
  let key = '';
  beforeAll(async () => {
    key = (await createVendor('forms-mon', [{ serviceId: 'svc_payments-gateway' }])).body.apiKey;
  });

  it('authenticates Bearer (any case), Basic with the key as password or as a lone username, DD-API-KEY and x-api-key', async () => {
    const forms: Record<string, string>[] = [
      { authorization: `Bearer ${key}` },
      { authorization: `bearer ${key}` },
      { authorization: basic('forms-mon', key) },
      { authorization: basic('anything-at-all', key) },
      { authorization: basic(key, '') },
      { 'dd-api-key': key },
      { 'x-api-key': key },
      // The same key in two places is one credential.
      { authorization: `Bearer ${key}`, 'x-api-key': key },
    ];
    for (const headers of forms) {
      const r = await push(headers);
      expect(r.status, `${JSON.stringify(headers)}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.accepted).toBe(1);
    }
  });

  it('answers 401, naming the header, to a missing, unknown, malformed or ambiguous key', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'Authorization'],
      [{ authorization: 'Bearer ak_this_key_was_never_issued_000' }, 'Authorization'],
      [{ 'x-api-key': 'ak_this_key_was_never_issued_000' }, 'Authorization'],
      [{ authorization: basic('forms-mon', 'ak_this_key_was_never_issued_000') }, 'Authorization'],
      [{ authorization: 'Basic !!!not-base64' }, 'Authorization'],
      [{ authorization: `Token ${key}` }, 'Authorization'],
      [{ authorization: `Bearer ${key}`, 'x-api-key': 'ak_another_key_entirely_0000000' }, 'Authorization'],
    ];
    for (const [headers, path] of cases) {
      const r = await push(headers);
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(r.body.error.details[0].path).toBe(path);
    }
  });

  it('meters the vendor, not the header: a trial vendor switching headers still meets its 429', async () => {
    const made = await createVendor('trial-mon', [{ serviceId: 'svc_payments-gateway' }], 'trial');
    const trial: string = made.body.apiKey;
    const forms: Record<string, string>[] = [
      { authorization: `Bearer ${trial}` },
      { 'x-api-key': trial },
      { 'dd-api-key': trial },
      { authorization: basic('trial-mon', trial) },
    ];
    // The trial tier (shared/policy/vendor-tiers.json) holds a burst of 10 and refills 5 a second. Requests go in
    // rounds of 20 at once (5 per header form), so they outrun the refill however slow the machine is, until every
    // form has met a 429; the 200s can never exceed what the bucket allowed over the time taken.
    const seen = new Map<number, number[]>(forms.map((_, f) => [f, []]));
    const started = Date.now();
    for (let round = 0; round < 10 && [...seen.values()].some((s) => !s.includes(429)); round++) {
      const batch = Array.from({ length: 20 }, (_, i) => i % forms.length);
      const got = await Promise.all(
        batch.map((f) => push(forms[f]!, []).then((r) => ({ f, status: r.status }))),
      );
      for (const { f, status } of got) seen.get(f)!.push(status);
    }
    const elapsedS = (Date.now() - started) / 1000;
    const statuses = [...seen.values()].flat();
    expect(statuses).not.toContain(401);
    for (const [f, s] of seen) expect(s, `header form ${Object.keys(forms[f]!)[0]}`).toContain(429);
    const allowed = statuses.filter((s) => s === 200).length;
    expect(allowed).toBeLessThanOrEqual(10 + Math.ceil(5 * elapsedS) + 1);
    // Another vendor is unaffected.
    expect((await push({ 'x-api-key': key })).status).toBe(200);
  });
});

describe('vendor scope at ingestion', () => {
  let key = '';
  beforeAll(async () => {
    key = (
      await createVendor('scoped-mon', [
        { serviceId: 'svc_payments-gateway' },
        { serviceId: 'svc_core-ledger', sli: 'latency' },
      ])
    ).body.apiKey;
  });

  it('rejects each sample for a service or SLI not bound to the vendor with not_your_service, and accepts the rest', async () => {
    const t = now();
    const r = await push({ authorization: `Bearer ${key}` }, [
      accordSample(t, 1),
      accordSample(t, 1, { service: 'svc_card-authorisation' }),
      accordSample(t, 0.5, { service: 'svc_core-ledger', sli: 'latency' }),
      accordSample(t, 1, { service: 'svc_core-ledger', sli: 'availability' }),
    ]);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ submitted: 4, accepted: 2 });
    expect(r.body.rejected).toEqual([
      expect.objectContaining({ index: 1, path: 'samples[1]', reason: 'not_your_service' }),
      expect.objectContaining({ index: 3, path: 'samples[3]', reason: 'not_your_service' }),
    ]);
    expect(r.body.rejected[0].message).toContain('svc_card-authorisation');
  });

  it('applies the scope to the default naming convention in Prometheus remote write too', async () => {
    const ms = Date.now() - 1000;
    const req = promRequest([
      {
        labels: { __name__: 'accord_sli_ratio', service: 'svc_card-authorisation', sli: 'availability' },
        samples: [{ value: 1, timestampMs: ms }],
      },
      {
        labels: { __name__: 'accord_sli_ratio', service: 'svc_payments-gateway', sli: 'availability' },
        samples: [{ value: 1, timestampMs: ms }],
      },
    ]);
    const r = await app.call('POST', '/v1/telemetry', {
      rawBody: req.body,
      headers: { ...req.headers, authorization: `Bearer ${key}` },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ submitted: 2, accepted: 1 });
    expect(r.body.rejected).toEqual([
      expect.objectContaining({ index: 0, path: 'timeseries[0].samples[0]', reason: 'not_your_service' }),
    ]);
  });

  it('takes effect as soon as an admin changes the bindings', async () => {
    const t = now();
    const sample = accordSample(t, 1, { service: 'svc_card-authorisation' });
    expect((await push({ authorization: `Bearer ${key}` }, [sample])).body.accepted).toBe(0);
    const bind = await app.call('PUT', '/v1/vendors/scoped-mon/bindings', {
      as: 'admin',
      headers: { 'if-match': '"1"' },
      body: { bindings: [{ serviceId: 'svc_card-authorisation' }], reason: 'takes over card authorisation' },
    });
    expect(bind.status, JSON.stringify(bind.body)).toBe(200);
    expect((await push({ authorization: `Bearer ${key}` }, [sample])).body.accepted).toBe(1);
    const old = await push({ authorization: `Bearer ${key}` }, [accordSample(now(), 1)]);
    expect(old.body.rejected[0].reason).toBe('not_your_service');
  });
});

describe('the Datadog Agent against Accord', () => {
  let key = '';
  beforeAll(async () => {
    key = (await createVendor('datadog-eu', [{ serviceId: 'svc_payments-gateway' }])).body.apiKey;
  });
  const agent = { 'user-agent': 'datadog-agent/7.52.0' };

  it('validates its key as Datadog does: GET /api/v1/validate?api_key= answers 200 valid, 403 for a bad key', async () => {
    const ok = await app.call('GET', `/api/v1/validate?api_key=${encodeURIComponent(key)}`, {
      headers: agent,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ valid: true });
    const header = await app.call('GET', '/api/v1/validate', { headers: { ...agent, 'dd-api-key': key } });
    expect(header.status).toBe(200);
    const bad = await app.call('GET', '/api/v1/validate?api_key=0123456789abcdef0123456789abcdef', {
      headers: agent,
    });
    expect(bad.status).toBe(403);
    const badHeader = await app.call('GET', '/api/v1/validate', {
      headers: { ...agent, 'dd-api-key': '0123456789abcdef0123456789abcdef' },
    });
    expect(badHeader.status).toBe(403);
  });

  it('takes its gzip v2 series at /api/v2/series with DD-API-KEY, answering 202; a bad key is 403', async () => {
    const ts = Math.floor(Date.now() / 1000) - 5;
    const body = gzipSync(
      JSON.stringify({
        series: [
          {
            metric: 'accord_sli_good_total',
            type: 1,
            interval: 10,
            points: [{ timestamp: ts, value: 120 }],
            resources: [{ name: 'web-1', type: 'host' }],
            tags: ['service:svc_payments-gateway', 'sli:availability', 'env:prod'],
          },
          {
            metric: 'accord_sli_ratio',
            type: 3,
            points: [{ timestamp: ts, value: 1 }],
            tags: ['service:svc_card-authorisation', 'sli:availability'],
          },
        ],
      }),
    );
    const headers = {
      ...agent,
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'dd-api-key': key,
      'dd-agent-version': '7.52.0',
    };
    const r = await app.call('POST', '/api/v2/series', { rawBody: body, headers });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({ submitted: 2, accepted: 1 });
    expect(r.body.rejected).toEqual([expect.objectContaining({ index: 1, reason: 'not_your_service' })]);
    const bad = await app.call('POST', '/api/v2/series', {
      rawBody: body,
      headers: { ...headers, 'dd-api-key': '0123456789abcdef0123456789abcdef' },
    });
    expect(bad.status).toBe(403);
    const none = await app.call('POST', '/api/v2/series', {
      rawBody: body,
      headers: { ...headers, 'dd-api-key': '' },
    });
    expect(none.status).toBe(401);
  });

  it('answers a key revoked a moment ago 403 on both Datadog paths, as an unknown key, so the Agent drops rather than retries (red team, wave 6)', async () => {
    // The authorizer remembers a key it saw for 30 s; ingestion re-checks the vendor's record and refused the revoked
    // key with 401, which the Agent retries, where the README and an unknown key say 403.
    const made = await createVendor('datadog-revoked', [{ serviceId: 'svc_payments-gateway' }]);
    const revokedKey = made.body.apiKey as string;
    const headers = { ...agent, 'content-type': 'application/json', 'dd-api-key': revokedKey };
    const body = Buffer.from(JSON.stringify({ series: [] }));
    expect((await app.call('GET', '/api/v1/validate', { headers })).status).toBe(200);
    expect((await app.call('POST', '/api/v2/series', { rawBody: body, headers })).status).toBe(202);
    const cut = await app.call('DELETE', `/v1/vendors/datadog-revoked/keys/${made.body.keyId}`, {
      as: 'admin',
      headers: { 'if-match': '"1"' },
      body: { reason: 'the key leaked' },
    });
    expect(cut.status, JSON.stringify(cut.body)).toBe(200);
    for (const r of [
      await app.call('GET', '/api/v1/validate', { headers }),
      await app.call('POST', '/api/v2/series', { rawBody: body, headers }),
    ]) {
      expect(r.status, JSON.stringify(r.body)).toBe(403);
      expect(r.body.error.details).toEqual([{ path: 'DD-API-KEY', problem: 'is not a valid API key' }]);
    }
    // Accord's own path keeps its 401 for the same key.
    const own = await app.call('POST', '/v1/telemetry', {
      rawBody: Buffer.from(JSON.stringify({ version: 1, samples: [] })),
      headers: { 'content-type': 'application/json', 'x-api-key': revokedKey },
    });
    expect(own.status).toBe(401);
  });
});
