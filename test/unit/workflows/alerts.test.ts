import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryAgreementStore } from '../../../shared/adapters/memory/agreements.js';
import { MemoryViolationStore } from '../../../shared/adapters/memory/objectives.js';
import { MemoryRemediationStore } from '../../../shared/adapters/memory/remediation.js';
import { MemoryWorkTaskStore } from '../../../shared/adapters/memory/tasks.js';
import type { EvaluationResult } from '../../../shared/domain/objectives/types.js';
import { loadWorkflowPolicy } from '../../../shared/policy/workflows.js';
import type { WorkflowEngine } from '../../../shared/ports/workflows.js';
import { RemediationWorkflow } from '../../../shared/usecases/workflows/remediation.js';
import { agreementVersion } from '../../helpers/fixtures.js';
import { testNotifications } from '../../helpers/notify.js';

const OWNER = { name: 'Owen', email: 'owen@example.com' };
const T = Date.parse('2026-03-02T09:00:00.000Z');

function result(over: Partial<EvaluationResult> & { at: number }): EvaluationResult {
  const { at, ...rest } = over;
  return {
    agreementId: 'agr_01J000000000001',
    agreementVersion: 1,
    objectiveId: 'availability',
    serviceId: 'svc_payments-gateway',
    businessUnit: 'payments',
    sliKey: 'svc_payments-gateway/availability',
    evaluatedAt: new Date(at).toISOString(),
    method: 'occurrences',
    target: 99.9,
    window: {
      type: 'calendar',
      start: '2026-03-01T00:00:00.000Z',
      end: new Date(at).toISOString(),
      periodEnd: '2026-04-01T00:00:00.000Z',
      partial: true,
      elapsedRatio: 0.03,
      includedMinutes: 1,
      excludedMinutes: 0,
    },
    data: { goodEvents: 1, totalEvents: 1, coverage: 1, empty: false },
    compliance: 99.95,
    budget: null,
    burnRates: [],
    forecast: null,
    status: 'at-risk',
    reasons: [],
    ...rest,
  } as EvaluationResult;
}

const page = {
  name: '1h/5m',
  action: 'page' as const,
  threshold: 14.4,
  unit: 'events' as const,
  long: { minutes: 60, burnRate: 20, events: 1200 },
  short: { minutes: 5, burnRate: 22, events: 100 },
  firing: true,
  judgement: 'firing' as const,
};

describe('alerts from the evaluation run', () => {
  let now = T;
  let n: ReturnType<typeof testNotifications>;
  let tasks: MemoryWorkTaskStore;
  let wf: RemediationWorkflow;
  beforeEach(async () => {
    now = T;
    n = testNotifications({ now: () => new Date(now) });
    tasks = new MemoryWorkTaskStore();
    const agreements = new MemoryAgreementStore();
    const a = agreementVersion({
      id: 'agr_01J000000000001',
      status: 'active',
      objectives: [{ ...agreementVersion().objectives[0]!, owner: OWNER }],
      escalation: [
        { level: 1, afterMinutes: 0, role: 'duty', contact: { name: 'Dee', email: 'dee@example.com' } },
      ],
    });
    await agreements.create(a);
    wf = new RemediationWorkflow({
      violations: new MemoryViolationStore(),
      agreements,
      remediation: new MemoryRemediationStore(),
      tasks,
      engine: () => ({}) as WorkflowEngine,
      notifications: n.notifications,
      clock: { now: () => new Date(now) },
      policy: loadWorkflowPolicy(),
      baseUrl: 'http://localhost:3000',
    });
  });

  it('pages the objective owner and level 1 of the matrix once per hour, not every 5 minutes', async () => {
    for (let i = 0; i < 24; i++) {
      now = T + i * 5 * 60_000; // two hours of evaluations, all firing
      await wf.evaluated([result({ at: now, burnRates: [page] })]);
    }
    const pages = (await n.store.list({})).filter((x) => x.event === 'alert.page');
    expect(pages).toHaveLength(2);
    expect(pages[0]!.email!.to.map((r) => r.email)).toEqual(['owen@example.com', 'dee@example.com']);
    expect(pages[0]!.email!.subject).toContain('PAGE: Monthly availability');
  });

  it('does not page for a ticket-level burn, nor for a page window that is not firing', async () => {
    await wf.evaluated([
      result({ at: T, burnRates: [{ ...page, action: 'ticket' }] }),
      result({ at: T, burnRates: [{ ...page, firing: false, judgement: 'not-firing' as const }] }),
    ]);
    expect(await n.store.list({})).toEqual([]);
  });

  it('tells the owner of a forecast breach and opens one preventive task before anything is breached', async () => {
    const forecast = {
      model: 'linear-trend' as const,
      lookbackMinutes: 360,
      recentErrorRate: 0.004,
      horizonEnd: '2026-04-01T00:00:00.000Z',
      projectedCompliance: 99.6,
      projectedBudgetConsumed: 4,
      breachLikely: true,
      breachAt: '2026-03-09T00:00:00.000Z',
      timeToExhaustionMinutes: 9000,
      lookbackEvents: 5000,
      basis: 'trend' as const,
    };
    await wf.evaluated([result({ at: T, forecast })]);
    await wf.evaluated([result({ at: T + 300_000, forecast })]);
    const [task, ...more] = await tasks.list({});
    expect(more).toEqual([]);
    expect(task).toMatchObject({
      kind: 'preventive',
      status: 'pending',
      dueAt: '2026-03-09T00:00:00.000Z',
      assignees: { emails: ['owen@example.com'] },
    });
    const notes = (await n.store.list({})).filter((x) => x.event === 'alert.forecast-breach');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.email!.text).toContain(`/v1/tasks/${task!.id}`);
    // Once breached, the violation's remediation takes over: no preventive task.
    await wf.evaluated([
      result({
        at: T,
        forecast,
        status: 'breached',
        window: { ...result({ at: T }).window, start: '2026-02-01T00:00:00.000Z' },
      }),
    ]);
    expect(await tasks.list({})).toHaveLength(1);
  });
});
