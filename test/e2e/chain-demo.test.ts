import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../infra/local/demo.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await loadDemo(app.container, app.stream);
});
afterAll(async () => app.close());

describe('the demo portfolio’s underpinning chain (npm start -- --demo)', () => {
  it('holds a submitted SLA whose chain cannot carry it, with the gaps shown to the approvers', async () => {
    const all = (await app.call('GET', '/v1/agreements?limit=200', { as: 'admin' })).body.items as {
      id: string;
      title: string;
      status: string;
      gapFindings?: { rule: string; agreementId: string; figures: Record<string, unknown> }[];
    }[];
    const sla = all.find((a) => a.title.startsWith('Card authorisation SLA'))!;
    expect(sla.status).toBe('submitted');
    const mine = sla.gapFindings!.filter((f) => f.agreementId === sla.id);
    // 99.95% × 99.9% = 99.850050% under 99.95%; 0.5 + 3 + 0.5 + 2 = 6 h against 4 h; a weekday UC under 24×7.
    expect(mine.find((f) => f.rule === 'availability-composition')!.figures.composedPercent).toBe(99.85005);
    expect(mine.find((f) => f.rule === 'time-path')!.figures.overrunMinutes).toBe(120);
    expect(mine.some((f) => f.rule === 'hours-coverage')).toBe(true);

    const gaps = await app.call('GET', `/v1/agreements/${sla.id}/gaps`, { as: 'approver-legal' });
    expect(gaps.status).toBe(200);
    expect(gaps.body.findings.map((f: { rule: string }) => f.rule)).toContain('availability-composition');
    const graph = await app.call('GET', `/v1/agreements/${sla.id}/chain`, { as: 'approver-legal' });
    expect(graph.body.nodes.map((n: { level: number }) => n.level)).toEqual([0, 1, 1]);
  });
});
