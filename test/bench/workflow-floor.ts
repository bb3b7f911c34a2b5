/**
 * The raw ceiling beside `workflows.approvals_per_s`: how fast aws-local-stepfunctions alone runs the approval
 * workflow's ASL (infra/workflows/approval.asl.json, transformed as the embedded engine runs it) from StartAt to the
 * end, every Task answered at once with the output the real run recorded for it, nothing read or written anywhere:
 * no journal, no token, no task, no notification, no use case. Each approval's workflow runs at least one such pass
 * (the embedded engine runs it in three parts), so this bounds from above what any engine built on the library can
 * reach, and with the no-workflow peer's figure shows what is left for persistence.
 */
import '../../shared/adapters/local-sfn/polyfill.js';
import '../../shared/adapters/local-sfn/jsonpath.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { type Json, localDefinition, substitute } from '../../shared/adapters/local-sfn/transform.js';
import type { JournalStep } from '../../shared/ports/workflows.js';
import { localFunctionArn, readDefinition, WORKFLOWS } from '../../shared/workflows.js';

/**
 * Runs `passes` whole passes of the approval ASL, `concurrency` at a time, each Task answered by the outputs recorded
 * in `steps` (the journal of one execution that ran to activation: its step keys are `<state>:<hash>:<n>`; a state
 * recorded more than once answers its outputs in turn). Answers the passes per second (wall) and the process CPU in
 * milliseconds per pass. Throws when a pass does not end as the recorded execution did (`expected`).
 */
export async function approvalLibraryFloor(
  steps: Iterable<JournalStep>,
  input: unknown,
  expected: unknown,
  passes = 3000,
  concurrency = 64,
): Promise<{ passesPerS: number; cpuMsPerPass: number }> {
  const spec = WORKFLOWS.find((w) => w.name === 'approval');
  if (!spec) throw new Error('no approval workflow');
  const values = Object.fromEntries(
    Object.entries(spec.substitutions).map(([p, { handler }]) => [p, localFunctionArn(handler)]),
  );
  const local = localDefinition(substitute(readDefinition(spec), values));
  const sm = new StateMachine(local.definition as never, { validationOptions: { noValidate: true } });
  const outputs = new Map<string, unknown[]>();
  for (const s of steps) {
    const state = s.key.split(':')[0] ?? '';
    outputs.set(state, [...(outputs.get(state) ?? []), s.output ?? null]);
  }
  const turn = new Map<string, number>();
  const handlers: Record<string, (i: Json) => Promise<Json>> = {};
  const retry: Record<string, number> = {};
  for (const name of local.tasks.keys()) {
    retry[name] = 0;
    handlers[name] = async () => {
      const outs = outputs.get(name);
      if (!outs?.length) throw new Error(`no recorded output for ${name}`);
      const k = turn.get(name) ?? 0;
      turn.set(name, k + 1);
      return outs[k % outs.length] as Json;
    };
  }
  const once = async () => {
    const run = sm.run(input as Json, {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retry },
      context: { Execution: { Id: 'floor', Name: 'floor' }, Task: { Token: 'floor-token' } },
    });
    // The embedded engine reads every run's event log (the execution's path): so does the floor.
    const logs = (async () => {
      for await (const _ of run.eventLogs);
    })();
    const output = await run.result;
    await logs;
    return output;
  };
  const first = await once();
  if (JSON.stringify(first) !== JSON.stringify(expected))
    throw new Error(
      `the floor's pass ended ${JSON.stringify(first)}, the execution ${JSON.stringify(expected)}`,
    );
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started++ < passes) await once();
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { passesPerS: (passes / ms) * 1000, cpuMsPerPass: (cpu.user + cpu.system) / 1000 / passes };
}
