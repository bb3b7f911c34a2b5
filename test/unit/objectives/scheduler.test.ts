import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalScheduler } from '../../../infra/local/scheduler.js';
import { StaticObjectivesSource } from '../../../shared/adapters/agreement-objectives-source.js';
import { MemoryEvaluationStore } from '../../../shared/adapters/memory/objectives.js';
import { type Container, setContainer } from '../../../shared/runtime/container.js';
import { dueNow, ObjectiveUseCases } from '../../../shared/usecases/objectives/index.js';
import { sampleEvent } from '../../helpers/events.js';
import { objectiveDeps, SETTINGS } from './helpers.js';

describe('the local scheduler', () => {
  let scheduler: LocalScheduler | undefined;
  afterEach(() => {
    scheduler?.stop();
    vi.useRealTimers();
  });

  it('runs the scheduled evaluation handler with an EventBridge-shaped event from the one schedule table', async () => {
    const evaluations = new MemoryEvaluationStore();
    const objectives = new ObjectiveUseCases(
      objectiveDeps(new StaticObjectivesSource([]), () => Date.UTC(2026, 3, 1), {
        evaluations,
        ids: { next: (p) => `${p}_1` },
      }),
    );
    setContainer({ objectives } as unknown as Container);
    scheduler = new LocalScheduler();
    scheduler.start();
    const summary = await scheduler.runNow('evaluate-objectives');
    expect(summary).toMatchObject({
      evaluatedAt: '2026-04-01T00:00:00.000Z',
      objectives: 0,
      violationsOpened: 0,
    });
  });

  it('waits for a monthly run more than 24.8 days away (longer than one Node timer), then runs it once when due', async () => {
    // On 6 January the report publishing of 5 February is 30 days away: beyond the 2^31 - 1 ms a timer can wait,
    // which Node (and vitest's fake timers) cut to 1 ms, so the run fired at once, and again after every run.
    vi.useFakeTimers({ now: Date.parse('2027-01-06T03:00:00.000Z') });
    const due = Date.parse('2027-02-05T06:00:00.000Z');
    scheduler = new LocalScheduler([
      {
        id: 'monthly',
        cron: 'cron(0 6 5 * ? *)',
        handler: 'reports/publish-scheduled',
        description: 'monthly',
      },
    ]);
    const runs = vi.spyOn(scheduler, 'runNow').mockResolvedValue(undefined);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(due - Date.now() - 1);
    expect(runs).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(runs.mock.calls).toEqual([['monthly', due]]);
  });

  it('lets the Lambda handler evaluate everything from the event EventBridge delivers', async () => {
    const { handler } = await import('../../../functions/objectives/evaluate-scheduled.js');
    const summary = await handler(sampleEvent('eventbridge/evaluate-objectives'));
    expect(summary).toMatchObject({ agreements: 0, objectives: 0, byStatus: { breached: 0 } });
  });
});

describe('evaluation frequency by tier (data)', () => {
  const at = (h: number, m: number) => Date.UTC(2026, 3, 1, h, m);
  const cases = [
    { tier: 1, at: at(10, 5), due: true },
    { tier: 3, at: at(10, 5), due: false },
    { tier: 3, at: at(10, 15), due: true },
    { tier: 3, at: at(10, 16), due: true },
    { tier: 3, at: at(10, 21), due: false },
    { tier: 4, at: at(10, 30), due: false },
    { tier: 4, at: at(11, 0), due: true },
  ];
  for (const c of cases) {
    it(`evaluates a tier-${c.tier} objective at ${new Date(c.at).toISOString().slice(11, 16)}: ${c.due ? 'yes' : 'not yet'}`, () => {
      expect(dueNow(SETTINGS, c.tier, c.at)).toBe(c.due);
    });
  }
});
