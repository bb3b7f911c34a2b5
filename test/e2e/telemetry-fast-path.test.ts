import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { serviceBody } from '../helpers/fixtures.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';
import { promRequest } from '../helpers/telemetry.js';

/**
 * The remote-write fast path (label-set cache, in-place last rollup bucket) as a sender uses it over HTTP: what one
 * request and the next ones do to the SLI totals must equal Prometheus's own `increase()`.
 */
let app: TestApp;
const SERVICE = 'svc_payments-gateway';

beforeAll(async () => {
  app = await startTestApp();
  const r = await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody({ id: SERVICE }) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
});
afterAll(async () => app.close());

const push = (series: Parameters<typeof promRequest>[0]) => {
  const req = promRequest(series);
  return app.call('POST', '/v1/telemetry', {
    rawBody: req.body,
    headers: { ...req.headers, authorization: `Bearer ${app.credentials.vendor.apiKey}` },
  });
};
const totals = async (sli: string, from: number) => {
  const rows = await new SqliteRollupStore(app.db).read(
    `${SERVICE}/${sli}`,
    from - 3_600_000,
    from + 3_600_000,
  );
  return rows.reduce((a, b) => ({ good: a.good + b.good, total: a.total + b.total }), { good: 0, total: 0 });
};
const counter = (name: string, sli: string, values: number[], t0: number) => ({
  labels: { __name__: name, service: SERVICE, sli },
  samples: values.map((value, i) => ({ value, timestampMs: t0 + i * 60_000 })),
});

describe('the remote-write fast path over HTTP: counters as increases', () => {
  it('counts a counter reset inside one request as Prometheus’s increase() does (the issue’s example: 150 / 151)', async () => {
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const r = await push([
      counter('accord_sli_good_total', 'one-request', [1000, 1060, 1120, 30], t0),
      counter('accord_sli_bad_total', 'one-request', [5, 5, 6, 0], t0),
    ]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ submitted: 8, accepted: 8, rejected: [] });
    expect(await totals('one-request', t0)).toEqual({ good: 150, total: 151 });
  });

  it('gives the same totals when the samples come one request each, resent and out of order', async () => {
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const good = [1000, 1060, 1120, 30];
    const bad = [5, 5, 6, 0];
    for (const i of [0, 1, 1, 2, 3]) {
      const r = await push([
        counter('accord_sli_good_total', 'many-requests', [good[i]!], t0 + i * 60_000),
        counter('accord_sli_bad_total', 'many-requests', [bad[i]!], t0 + i * 60_000),
      ]);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    // A sample older than the counter state is refused (it would double count), never added.
    const late = await push([counter('accord_sli_good_total', 'many-requests', [1030], t0 + 30_000)]);
    expect(late.status).toBe(200);
    expect(late.body.accepted).toBe(0);
    expect(await totals('many-requests', t0)).toEqual({ good: 150, total: 151 });
  });

  it('tells a retry from a conflict when the same series and time come back as other bytes (labels in another order)', async () => {
    const t = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
    const sample = (labels: Record<string, string>, value: number) => [
      { labels, samples: [{ value, timestampMs: t }] },
    ];
    const sorted = { __name__: 'accord_sli_ratio', service: SERVICE, sli: 'reordered' };
    const reordered = { sli: 'reordered', service: SERVICE, __name__: 'accord_sli_ratio' };
    expect((await push(sample(sorted, 0.75))).body).toMatchObject({ accepted: 1, duplicates: 0 });
    // The same value again, its labels in another order: a retry (duplicate), not a second sample.
    expect((await push(sample(reordered, 0.75))).body).toMatchObject({ accepted: 1, duplicates: 1 });
    // Another value for the same series and time: a conflict, named as one.
    const conflict = await push(sample(reordered, 0.5));
    expect(conflict.status).toBe(200);
    expect(conflict.body.accepted).toBe(0);
    expect(conflict.body.rejected.map((x: { reason: string }) => x.reason)).toEqual(['conflicting_value']);
  });
});
