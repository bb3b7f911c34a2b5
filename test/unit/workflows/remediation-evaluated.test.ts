import { beforeEach, describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../../shared/domain/objectives/types.js';
import type { AgreementVersion } from '../../../shared/schemas/agreement.js';
import type { NotifyRequest } from '../../../shared/usecases/workflows/notifications.js';
import { agreementVersion } from '../../helpers/fixtures.js';
import { activeAgreement, DEE, HAL, hash, notifySpy, OWNER } from '../../helpers/remediation-world.js';
import { type WorkflowWorld, workflowWorld } from '../../helpers/workflow-world.js';

const T = Date.parse('2026-03-02T09:00:00.000Z');
const BASE = 'https://accord.example';
const LATENCY_OWNER = { name: 'Lars Latency', email: 'lars@example.com' };
const DEB = { name: 'Deb Second', email: 'deb@example.com' };

function result(a: AgreementVersion, over: Partial<EvaluationResult> = {}): EvaluationResult {
  return {
    agreementId: a.id,
    agreementVersion: 1,
    objectiveId: 'latency',
    serviceId: 'svc_payments-gateway',
    businessUnit: 'payments',
    sliKey: 'svc_payments-gateway/latency',
    evaluatedAt: new Date(T).toISOString(),
    method: 'occurrences',
    target: 99.9,
    window: {
      type: 'calendar',
      start: '2026-03-01T00:00:00.000Z',
      end: new Date(T).toISOString(),
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
    ...over,
  } as EvaluationResult;
}

const page = {
  name: '1h/5m',
  action: 'page' as const,
  threshold: 14.4,
  unit: 'events' as const,
  long: { minutes: 60, burnRate: 20.456, events: 1200 },
  short: { minutes: 5, burnRate: 22, events: 100 },
  firing: true,
  judgement: 'firing' as const,
};

const forecast = {
  model: 'linear-trend' as const,
  lookbackMinutes: 360,
  recentErrorRate: 0.004,
  horizonEnd: '2026-04-01T00:00:00.000Z',
  projectedCompliance: 99.6149,
  projectedBudgetConsumed: 4,
  breachLikely: true,
  breachAt: '2026-03-09T00:00:00.000Z',
  timeToExhaustionMinutes: 9000,
  lookbackEvents: 5000,
  basis: 'trend' as const,
};

describe('what an evaluation run tells people before a violation', () => {
  let w: WorkflowWorld;
  let a: AgreementVersion;
  let notes: () => NotifyRequest[];
  beforeEach(async () => {
    w = await workflowWorld();
    notes = notifySpy(w);
    const base = agreementVersion().objectives[0]!;
    a = await activeAgreement(w, {
      objectives: [
        { ...base, owner: OWNER },
        { ...base, id: 'latency', name: 'Fast payments', owner: LATENCY_OWNER },
      ],
      escalation: [
        { level: 2, afterMinutes: 240, role: 'head of service', contact: HAL },
        { level: 1, afterMinutes: 30, role: 'duty manager', contact: DEE },
        { level: 1, afterMinutes: 30, role: 'second duty manager', contact: DEB },
      ],
    });
  });
  const statusLink = () => ({
    label: 'Objective status',
    url: `${BASE}/v1/agreements/${a.id}/objectives/latency/status`,
  });

  it('pages the objective’s owner and the lowest level of the matrix with the burn and the budget left', async () => {
    await w.wf.remediation.evaluated([
      result(a, { burnRates: [page], budget: { remainingRatio: 0.12345 } as EvaluationResult['budget'] }),
    ]);
    expect(notes()).toEqual([
      {
        key: `page/${a.id}/latency/${Math.floor(T / 3_600_000)}`,
        topic: `agreement:${a.id}`,
        event: 'alert.page',
        businessUnit: 'payments',
        to: [LATENCY_OWNER, DEE, DEB],
        subject: `PAGE: Fast payments of ${a.title} is burning its error budget`,
        paragraphs: [
          'Burn rate 20.46× over 60 min and 22× over 5 min, above 14.4× (1h/5m).',
          'Budget remaining: 12.3%. Alerts of this objective are grouped: at most one page per 60 minutes.',
        ],
        links: [statusLink()],
        data: { agreementId: a.id, objectiveId: 'latency', window: '1h/5m', burnRate: 20.456 },
      },
    ]);
  });

  it('says so when the budget or a burn rate is unknown', async () => {
    await w.wf.remediation.evaluated([
      result(a, { burnRates: [{ ...page, short: { ...page.short, burnRate: null as unknown as number } }] }),
    ]);
    expect(notes()[0]!.paragraphs).toEqual([
      'Burn rate 20.46× over 60 min and ?× over 5 min, above 14.4× (1h/5m).',
      'Budget remaining: unknown. Alerts of this objective are grouped: at most one page per 60 minutes.',
    ]);
  });

  it('tells nothing of an objective or agreement it does not know', async () => {
    await w.wf.remediation.evaluated([
      result(a, { objectiveId: 'throughput', burnRates: [page], forecast }),
      result(a, { agreementId: 'agr_404', burnRates: [page], forecast }),
    ]);
    expect(notes()).toEqual([]);
    expect(await w.tasks.list({})).toEqual([]);
  });

  it('opens one preventive task for a forecast breach and tells its owner, naming the task', async () => {
    w.now.ms = T + 60_000;
    await w.wf.remediation.evaluated([result(a, { forecast })]);
    const id = `tsk_${hash(`preventive|${a.id}|latency|2026-03-01T00:00:00.000Z`)}`;
    const expected = {
      id,
      kind: 'preventive',
      workflow: 'remediation',
      executionId: '',
      token: '',
      subject: { type: 'agreement', id: a.id },
      businessUnit: 'payments',
      serviceId: 'svc_payments-gateway',
      title: `Prevent the forecast breach of Fast payments (${a.title}) before 2026-03-09T00:00:00.000Z`,
      assignees: { emails: ['lars@example.com'], roles: ['service-owner', 'sla-manager'] },
      status: 'pending',
      createdAt: '2026-03-02T09:01:00.000Z',
      updatedAt: '2026-03-02T09:01:00.000Z',
      dueAt: '2026-03-09T00:00:00.000Z',
      externalRef: `PREV-${hash(id, 10).toUpperCase()}`,
      data: { objectiveId: 'latency', breachAt: '2026-03-09T00:00:00.000Z', projected: 99.6149 },
      revision: 1,
    };
    expect(await w.tasks.list({})).toEqual([expected]);
    expect(notes()).toEqual([
      {
        key: `forecast/${a.id}/latency/2026-03-01T00:00:00.000Z`,
        topic: `agreement:${a.id}`,
        event: 'alert.forecast-breach',
        businessUnit: 'payments',
        to: [LATENCY_OWNER],
        subject: `Forecast: Fast payments of ${a.title} will breach by 2026-03-09T00:00:00.000Z`,
        paragraphs: [
          'At the current burn the error budget runs out at 2026-03-09T00:00:00.000Z, before the window ends (2026-04-01T00:00:00.000Z); projected compliance 99.61% against 99.9%.',
          'A preventive task is open for you in Accord.',
        ],
        links: [{ label: 'Your task', url: `${BASE}/v1/tasks/${id}` }, statusLink()],
        data: { agreementId: a.id, objectiveId: 'latency', breachAt: '2026-03-09T00:00:00.000Z', taskId: id },
      },
    ]);
    // The next run leaves the task as it is.
    w.now.ms = T + 600_000;
    await w.wf.remediation.evaluated([result(a, { forecast: { ...forecast, projectedCompliance: 99.5 } })]);
    expect(await w.tasks.list({})).toEqual([expected]);
  });

  it('opens one preventive task and one mail for a rolling window, whose start moves with every run (new user wave 39: the demo opened a task and mailed the owner every 5 minutes)', async () => {
    const rolling = (at: number): EvaluationResult =>
      result(a, {
        evaluatedAt: new Date(at).toISOString(),
        window: {
          type: 'rolling',
          start: new Date(at - 28 * 86_400_000).toISOString(),
          end: new Date(at).toISOString(),
          periodEnd: new Date(at).toISOString(),
          partial: false,
          elapsedRatio: 1,
          includedMinutes: 1,
          excludedMinutes: 0,
        },
        forecast: { ...forecast, breachAt: new Date(at + 3 * 86_400_000).toISOString() },
      });
    for (let run = 0; run < 12; run += 1) {
      w.now.ms = T + run * 300_000;
      await w.wf.remediation.evaluated([rolling(T + run * 300_000)]);
    }
    const tasks = await w.tasks.list({});
    expect(tasks.map((t) => t.kind)).toEqual(['preventive']);
    expect(new Set(notes().map((n) => n.key)).size).toBe(1);
    // A later rolling period (the window's length on) may open a new one.
    w.now.ms = T + 28 * 86_400_000;
    await w.wf.remediation.evaluated([rolling(T + 28 * 86_400_000)]);
    expect((await w.tasks.list({})).length).toBe(2);
  });

  it('opens no preventive task when the breach is unlikely, has no date, or the objective is already breached', async () => {
    await w.wf.remediation.evaluated([
      result(a, { forecast: { ...forecast, breachLikely: false } }),
      result(a, { forecast: { ...forecast, breachAt: null } }),
      result(a, { forecast, status: 'breached' }),
    ]);
    expect(await w.tasks.list({})).toEqual([]);
    expect(notes()).toEqual([]);
  });
});
