import { StateMachine } from 'aws-local-stepfunctions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../../shared/adapters/local-sfn/engine.js';

// The embedded engine reads every execution's events to record its visited path and its checkpoint
// (shared/adapters/local-sfn/event-logs.ts wakes the reader with plain callbacks instead of DOM events). These
// state, by hand, which events a reader gets, in which order, for the shapes the approval workflow has.

const plain = { validationOptions: { noValidate: true } } as const;

const shape = new StateMachine(
  {
    StartAt: 'Plan',
    States: {
      Plan: { Type: 'Pass', Result: { items: [{ n: 1 }, { n: 2 }] }, Next: 'Each' },
      Each: {
        Type: 'Map',
        ItemsPath: '$.items',
        MaxConcurrency: 1,
        ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Pass', End: true } } },
        Next: 'Pick',
      },
      Pick: {
        Type: 'Choice',
        Choices: [{ Variable: '$[0].n', NumericEquals: 1, Next: 'Done' }],
        Default: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  } as never,
  plain,
);

async function read(events: AsyncIterable<{ type: string; state?: { name: string }; index?: number }>) {
  const out: string[] = [];
  for await (const ev of events)
    out.push(
      `${ev.type}${ev.state ? ` ${ev.state.name}` : ''}${ev.index === undefined ? '' : ` [${ev.index}]`}`,
    );
  return out;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the events of an execution, as the embedded engine reads them', () => {
  it('lists every state entered and left, Map iterations with their index, in order, then ends', async () => {
    const run = shape.run({});
    const [events, result] = await Promise.all([read(run.eventLogs), run.result]);
    expect(result).toEqual([{ n: 1 }, { n: 2 }]);
    // By hand: Plan, then the Map, whose iterations' events reach the parent's reader through a forwarding loop
    // each (so iteration 1's start comes before iteration 0's end: one microtask of forwarding behind), the Choice,
    // the Succeed state, and the execution's end. The same list as aws-local-stepfunctions gives with its own DOM
    // event wake-ups (checked before the change); MaxConcurrency 1 runs the iterations one after the other.
    expect(events).toEqual([
      'ExecutionStarted',
      'StateEntered Plan',
      'StateExited Plan',
      'StateEntered Each',
      'MapIterationStarted [0]',
      'StateEntered Inner [0]',
      'StateExited Inner [0]',
      'MapIterationStarted [1]',
      'MapIterationSucceeded [0]',
      'StateEntered Inner [1]',
      'StateExited Inner [1]',
      'MapIterationSucceeded [1]',
      'StateExited Each',
      'StateEntered Pick',
      'StateExited Pick',
      'StateEntered Done',
      'StateExited Done',
      'ExecutionSucceeded',
    ]);
  });

  it('ends a failed execution’s events with its failure; a reader that starts late still gets them all', async () => {
    const failing = new StateMachine(
      { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'X', Cause: 'because' } } } as never,
      plain,
    );
    const run = failing.run({});
    await expect(run.result).rejects.toThrow();
    expect(await read(run.eventLogs)).toEqual([
      'ExecutionStarted',
      'StateEntered Boom',
      'StateFailed Boom',
      'ExecutionFailed',
    ]);
  });

  it('wakes the reader without DOM events', async () => {
    const dispatch = vi.spyOn(EventTarget.prototype, 'dispatchEvent');
    const run = shape.run({});
    await Promise.all([read(run.eventLogs), run.result]);
    expect(dispatch).not.toHaveBeenCalled();
  });
});
