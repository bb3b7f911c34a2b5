import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalWorkflowEngine, type WriteBatch } from '../../shared/adapters/local-sfn/engine.js';
import { type AslDefinition, substitute } from '../../shared/adapters/local-sfn/transform.js';
import type { TaskTokenStore } from '../../shared/ports/tasks.js';
import { type ExecutionJournal, StaleTaskError } from '../../shared/ports/workflows.js';

const TOY = substitute(
  JSON.parse(readFileSync('test/fixtures/workflows/toy.asl.json', 'utf8')) as AslDefinition,
  { ToyFunctionArn: 'arn:aws:lambda:local:000000000000:function:toy' },
);

type Call = { task: string; item?: string; round?: number; taskToken?: string; items?: string[] };

/**
 * The embedded WorkflowEngine over one persistence (journal + token store): a toy machine with a Task, a Map of
 * callback tasks with a heartbeat (reminder) loop, a Catch by error name, and a durable Wait.
 */
export function workflowEngineContract(
  name: string,
  makeStores: () => { journal: ExecutionJournal; tokens: TaskTokenStore; batch?: WriteBatch },
): void {
  describe(`WorkflowEngine contract (embedded): ${name}`, () => {
    let now: number;
    let calls: Call[];
    let stores: { journal: ExecutionJournal; tokens: TaskTokenStore; batch?: WriteBatch };
    let failPlan: string | undefined;
    const clock = { now: () => new Date(now) };
    const engine = () =>
      new LocalWorkflowEngine({
        definitions: { approval: TOY },
        ...stores,
        clock,
        invoke: async (_arn, payload) => {
          const p = payload as Call;
          calls.push(p);
          if (p.task === 'plan') {
            if (failPlan) {
              const e = new Error('no plan');
              e.name = failPlan;
              throw e;
            }
            return { items: p.items };
          }
          if (p.task === 'remind') return { item: p.item, round: (p.round ?? 0) + 1 };
          if (p.task === 'finish') return { finished: true };
          return null;
        },
      });
    const pending = (item: string) => calls.filter((c) => c.task === 'await' && c.item === item).at(-1)!;
    const start = async (e: LocalWorkflowEngine, items = ['a', 'b'], n = 'x1') => {
      const r = await e.start({
        workflow: 'approval',
        name: n,
        subject: { type: 'agreement', id: 'agr_1' },
        input: { items },
      });
      await e.idle();
      return r.executionId;
    };

    beforeEach(() => {
      now = Date.parse('2026-03-01T09:00:00Z');
      calls = [];
      failPlan = undefined;
      stores = makeStores();
    });

    it('runs until every branch waits, calling each handler once, and records the states entered', async () => {
      const e = engine();
      const id = await start(e);
      const x = await e.describe(id);
      expect(x).toMatchObject({ status: 'waiting', workflow: 'approval', name: 'x1' });
      expect(x!.path).toEqual(['Plan', 'EachItem', 'EachItem[0].AwaitItem', 'EachItem[1].AwaitItem']);
      expect(calls.map((c) => c.task)).toEqual(['plan', 'await', 'await']);
    });

    it('answers the first execution when the same name is started again', async () => {
      const e = engine();
      const id = await start(e);
      const again = await e.start({
        workflow: 'approval',
        name: 'x1',
        subject: { type: 'agreement', id: 'agr_1' },
        input: { items: ['z'] },
      });
      expect(again).toEqual({ executionId: id, started: false });
      expect(calls.filter((c) => c.task === 'plan')).toHaveLength(1);
    });

    it('finds a started execution by workflow and name, and nothing under another name or workflow', async () => {
      const e = engine();
      const ask = {
        workflow: 'approval' as const,
        name: 'x1',
        subject: { type: 'agreement' as const, id: 'agr_1' },
      };
      expect(await e.findByName(ask)).toBeUndefined();
      const id = await start(e);
      expect(await e.findByName(ask)).toBe(id);
      expect(await e.findByName({ ...ask, name: 'x2' })).toBeUndefined();
      expect(await e.findByName({ ...ask, workflow: 'remediation' })).toBeUndefined();
    });

    it('goes on when every token is answered, waits durably until the clock passes the Wait, then ends', async () => {
      const e = engine();
      const id = await start(e);
      await e.sendTaskSuccess(pending('a').taskToken!, { by: 'alice' });
      await e.sendTaskSuccess(pending('b').taskToken!, { by: 'bob' });
      await e.idle();
      expect((await e.describe(id))!.status).toBe('waiting');
      now += 3599_000;
      await e.tick();
      await e.idle();
      expect((await e.describe(id))!.status).toBe('waiting');
      now += 1000;
      await e.tick();
      await e.idle();
      const done = await e.describe(id);
      expect(done).toMatchObject({ status: 'succeeded', output: { finished: true } });
      expect(done!.path.slice(-2)).toEqual(['Later', 'Finish']);
      expect(calls.map((c) => c.task)).toEqual(['plan', 'await', 'await', 'finish']);
    });

    it('fails a token with States.HeartbeatTimeout when its heartbeat passes, so the ASL catches it and loops', async () => {
      const e = engine();
      const id = await start(e, ['a']);
      now += 60_000;
      await e.tick();
      await e.idle();
      expect(calls.map((c) => `${c.task}:${c.round ?? ''}`)).toEqual([
        'plan:',
        'await:0',
        'remind:0',
        'await:1',
      ]);
      expect((await e.describe(id))!.path).toEqual([
        'Plan',
        'EachItem',
        'EachItem[0].AwaitItem',
        'EachItem[0].Remind',
        'EachItem[0].AwaitItem',
      ]);
    });

    it('refuses to answer a token twice or after it timed out, naming the state it is in (409)', async () => {
      const e = engine();
      await start(e, ['a']);
      const first = pending('a').taskToken!;
      now += 60_000;
      await e.tick();
      await e.idle();
      const late = e.sendTaskSuccess(first, {});
      await expect(late).rejects.toBeInstanceOf(StaleTaskError);
      await expect(late).rejects.toMatchObject({ state: 'failed (States.HeartbeatTimeout)' });
      const second = pending('a').taskToken!;
      await e.sendTaskSuccess(second, {});
      await expect(e.sendTaskSuccess(second, {})).rejects.toMatchObject({
        code: 'task_not_pending',
        state: 'succeeded',
      });
      await expect(e.sendTaskSuccess('tok_unknown', {})).rejects.toMatchObject({ state: 'unknown' });
    });

    it('routes a failure answer to the Catch that names its error', async () => {
      const e = engine();
      const id = await start(e);
      await e.sendTaskFailure(pending('a').taskToken!, 'Refused', 'not acceptable');
      await e.idle();
      const x = await e.describe(id);
      expect(x).toMatchObject({ status: 'succeeded', output: { outcome: 'refused' } });
      expect(x!.path.at(-1)).toBe('Refused');
      // The other branch's token can no longer be answered: its execution has ended.
      await expect(e.sendTaskSuccess(pending('b').taskToken!, {})).rejects.toMatchObject({
        state: 'failed (States.ExecutionEnded)',
      });
    });

    it('retries a failing Task as its Retry says, then takes its Catch', async () => {
      failPlan = 'Flaky';
      const e = engine();
      const id = await start(e);
      expect(calls.filter((c) => c.task === 'plan')).toHaveLength(3);
      expect(await e.describe(id)).toMatchObject({
        status: 'failed',
        error: { error: 'PlanFailed' },
        path: ['Plan', 'PlanFailed'],
      });
    });

    it('resumes after a restart: a new engine over the same stores goes on, and no handler runs twice', async () => {
      const first = engine();
      const id = await start(first);
      await first.sendTaskSuccess(pending('a').taskToken!, {});
      await first.idle();
      first.stop();
      const second = engine();
      await second.resumeAndRun(60_000);
      await second.sendTaskSuccess(pending('b').taskToken!, {});
      await second.idle();
      now += 3600_000;
      await second.tick();
      await second.idle();
      second.stop();
      expect((await second.describe(id))!.status).toBe('succeeded');
      expect(calls.map((c) => c.task)).toEqual(['plan', 'await', 'await', 'finish']);
    });

    it('keeps a checkpoint at the top-level state an execution waits in, and a restart resumes there with the same path', async () => {
      const first = engine();
      const id = await start(first);
      expect((await stores.journal.get(id))!.checkpoint).toEqual({
        state: 'EachItem',
        input: { items: ['a', 'b'], plan: { items: ['a', 'b'] } },
        path: ['Plan'],
      });
      await first.sendTaskSuccess(pending('a').taskToken!, {});
      await first.sendTaskSuccess(pending('b').taskToken!, {});
      await first.idle();
      const waiting = (await stores.journal.get(id))!;
      expect(waiting.checkpoint).toMatchObject({ state: 'Later' });
      expect(waiting.checkpoint!.path).toEqual([
        'Plan',
        'EachItem',
        'EachItem[0].AwaitItem',
        'EachItem[1].AwaitItem',
        'EachItem[0].ItemDone',
        'EachItem[1].ItemDone',
      ]);
      first.stop();
      const second = engine();
      await second.resumeAndRun(60_000);
      now += 3600_000;
      await second.tick();
      await second.idle();
      second.stop();
      const done = (await second.describe(id))!;
      expect(done.status).toBe('succeeded');
      expect(done.path).toEqual([...waiting.checkpoint!.path, 'Later', 'Finish']);
      expect(done).not.toHaveProperty('checkpoint');
      expect((await stores.journal.get(id))!.checkpoint).toBeUndefined();
      expect(calls.map((c) => c.task)).toEqual(['plan', 'await', 'await', 'finish']);
    });

    it('resumes an execution a crash left running before it reached its first wait', async () => {
      await stores.journal.create({
        executionId: 'local:approval:crashed',
        workflow: 'approval',
        name: 'crashed',
        subject: { type: 'agreement', id: 'agr_2' },
        status: 'running',
        startedAt: new Date(now).toISOString(),
        input: { items: ['q'] },
        path: [],
      });
      const e = engine();
      await e.resumeAndRun(60_000);
      await e.idle();
      e.stop();
      expect((await e.describe('local:approval:crashed'))!.status).toBe('waiting');
      expect(calls.map((c) => c.task)).toEqual(['plan', 'await']);
    });

    it('replays from the start an execution whose checkpoint names a state the definition no longer has', async () => {
      await stores.journal.create({
        executionId: 'local:approval:renamed',
        workflow: 'approval',
        name: 'renamed',
        subject: { type: 'agreement', id: 'agr_3' },
        status: 'running',
        startedAt: new Date(now).toISOString(),
        input: { items: ['q'] },
        path: ['Plan'],
        checkpoint: { state: 'StateRemovedSince', input: { items: ['q'] }, path: ['Plan'] },
      });
      const e = engine();
      await e.resumeAndRun(60_000);
      await e.idle();
      e.stop();
      const x = (await e.describe('local:approval:renamed'))!;
      expect(x.status).toBe('waiting');
      expect(x.path).toEqual(['Plan', 'EachItem', 'EachItem[0].AwaitItem']);
      expect((await stores.journal.get('local:approval:renamed'))!.checkpoint).toMatchObject({
        state: 'EachItem',
      });
      expect(calls.map((c) => c.task)).toEqual(['plan', 'await']);
    });

    it('lists the executions of one subject, newest first', async () => {
      const e = engine();
      await start(e, ['a'], 'first');
      now += 1000;
      await start(e, ['a'], 'second');
      const list = await e.listExecutions({ type: 'agreement', id: 'agr_1' });
      expect(list.map((x) => x.name)).toEqual(['second', 'first']);
      expect(await e.listExecutions({ type: 'agreement', id: 'agr_other' })).toEqual([]);
    });
  });
}
