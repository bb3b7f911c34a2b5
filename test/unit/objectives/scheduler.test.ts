import { afterEach, describe, expect, it } from 'vitest';
import { LocalScheduler } from '../../../infra/local/scheduler.js';
import { StaticObjectivesSource } from '../../../shared/adapters/agreement-objectives-source.js';
import { MemoryEvaluationStore } from '../../../shared/adapters/memory/objectives.js';
import { type Container, setContainer } from '../../../shared/runtime/container.js';
import { dueNow, ObjectiveUseCases } from '../../../shared/usecases/objectives/index.js';
import { sampleEvent } from '../../helpers/events.js';
import { objectiveDeps, SETTINGS } from './helpers.js';

describe('the local scheduler', () => {
  let scheduler: LocalScheduler | undefined;
  afterEach(() => scheduler?.stop());

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
