import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../infra/local/demo.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';

let app: TestApp;
let summary = '';

beforeAll(async () => {
  app = await startTestApp();
  summary = await loadDemo(app.container, app.stream);
});
afterAll(async () => app.close());

describe('the demo portfolio (npm start -- --demo)', () => {
  it('holds 20 services across tiers 1 to 4 in at least 3 business units', async () => {
    const r = await app.call('GET', '/v1/services?limit=200', { as: 'admin' });
    expect(r.body.items).toHaveLength(20);
    expect(new Set(r.body.items.map((s: { tier: number }) => s.tier))).toEqual(new Set([1, 2, 3, 4]));
    expect(
      new Set(r.body.items.map((s: { businessUnit: string }) => s.businessUnit)).size,
    ).toBeGreaterThanOrEqual(3);
  });

  it('has SLAs underpinned by active OLAs and UCs, drafts, agreements pending sign-off, and active ones', async () => {
    const all = (await app.call('GET', '/v1/agreements?limit=200', { as: 'admin' })).body.items as {
      id: string;
      kind: string;
      status: string;
      underpinnedBy: string[];
      signOffs: unknown[];
    }[];
    const statuses = new Set(all.map((a) => a.status));
    expect(statuses).toEqual(new Set(['draft', 'submitted', 'active']));
    expect(all.some((a) => a.status === 'submitted' && a.signOffs.length > 0)).toBe(true);
    const underpinned = all.filter(
      (a) => a.kind === 'SLA' && a.status === 'active' && a.underpinnedBy.length > 0,
    );
    expect(underpinned.length).toBeGreaterThanOrEqual(3);
    const byId = new Map(all.map((a) => [a.id, a]));
    const kinds = new Set(underpinned.flatMap((a) => a.underpinnedBy.map((d) => byId.get(d)?.kind)));
    expect(kinds).toEqual(new Set(['OLA', 'UC']));
    expect(summary).toContain('20 services');
  });

  it('gives every demo agreement its full audit trail', async () => {
    const active = (await app.call('GET', '/v1/agreements?status=active&limit=1', { as: 'admin' })).body
      .items[0];
    const audit = await app.call('GET', `/v1/agreements/${active.id}/audit`, { as: 'auditor' });
    expect(audit.body.items.map((e: { version: number }) => e.version)).toEqual(
      Array.from({ length: active.version }, (_, i) => i + 1),
    );
  });

  it('refuses to load twice into the same database', async () => {
    expect(await loadDemo(app.container, app.stream)).toMatch(/already loaded/);
  });
});
