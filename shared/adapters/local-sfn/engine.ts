import './polyfill.js';
import './jsonpath.js';
import { createHash } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { Clock } from '../../ports/clock.js';
import type { TaskTokenStore, TokenRecord } from '../../ports/tasks.js';
import {
  type ExecutionCheckpoint,
  type ExecutionJournal,
  type ExecutionRecord,
  type ExecutionSummary,
  type JournalStep,
  StaleTaskError,
  type StartRequest,
  type WorkflowEngine,
  type WorkflowName,
  type WorkflowSubject,
} from '../../ports/workflows.js';
import { type AslDefinition, type Json, type LocalTaskSpec, localDefinition } from './transform.js';

/** Calls the handler a Task's resource names (a `functions/` module on the embedded default). */
export type LocalInvoker = (
  functionArn: string,
  payload: unknown,
  meta: { executionId: string; stateName: string },
) => Promise<unknown>;

export interface LocalEngineOptions {
  /** Each workflow's ASL with its substitutions made (infra/local resolves them from shared/workflows.ts). */
  definitions: Readonly<Partial<Record<WorkflowName, AslDefinition>>>;
  invoke: LocalInvoker;
  journal: ExecutionJournal;
  tokens: TaskTokenStore;
  clock: Clock;
  /** Executions replayed at once (default 64): SQLite is synchronous, so this only interleaves handler I/O. */
  concurrency?: number;
  /** Told of a replay that threw outside any state (a bug or a broken database), which is retried later. */
  onError?: (error: unknown, executionId: string) => void;
  /**
   * Group commit (SQLite: shared/adapters/sqlite/write-batch.ts): `open()` before an engine step writes makes every
   * write of that step, the handlers' included, one transaction; `flush()` commits it now. Absent: each store
   * commits its own writes.
   */
  batch?: WriteBatch;
}

/** One transaction per engine step: begun by `open()`, committed when the step's burst of work ends or by `flush()`. */
export interface WriteBatch {
  open(): void;
  flush(): void;
  /**
   * Runs `work` in one transaction committed before it returns (throwing when the commit fails), or inside the batch
   * already open, whose opener commits it.
   */
  unit<T>(work: () => Promise<T>): Promise<T>;
}

/** The token a callback's Parameters see for `$$.Task.Token`; replaced by the real token before the handler runs. */
const TOKEN_PLACEHOLDER = 'accord-local-task-token';

/** A run whose every branch waits: `suspend` ends it unless a branch became active again. */
interface Quiescent {
  /** The engine's turn when it came to rest. */
  since: number;
  suspend(): void;
}

/** Rejects parked handlers once a run has nothing else to do: neither retried nor caught, it ends the run. */
class Suspended extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor() {
    super('suspended: waiting for a task token or a timer');
    this.name = 'Accord.Suspended';
  }
}

/** An error a Task ended with, named so that the ASL's Retry and Catch match it as Step Functions would. */
function namedError(error: string, cause: string): Error {
  const e = new Error(cause);
  e.name = error;
  return e;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const hash = (s: string, n = 24) => createHash('sha256').update(s).digest('hex').slice(0, n);

function replaceToken(v: unknown, token: string): unknown {
  if (v === TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(v)) return v.map((x) => replaceToken(x, token));
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceToken(x, token)]));
  }
  return v;
}

interface Machine {
  sm: StateMachine;
  definition: AslDefinition;
  tasks: Map<string, LocalTaskSpec>;
  parents: Map<string, string>;
  retryOverrides: Record<string, number>;
  /** The top-level states. */
  top: Set<string>;
  /**
   * Whether a replay may start at the top-level state an execution waits in (see `checkpointable`).
   */
  checkpointable: boolean;
  /** The same machine started at a top-level state, made on first use. */
  from: Map<string, StateMachine>;
}

/**
 * Whether a run may start at a checkpoint: no top-level state can be entered twice (its transitions, Next, Default,
 * Choices and Catch, form no cycle), so each is entered once per run and a run started at one with the input it was
 * first entered with replays exactly what a run from StartAt would from there on (step keys count repeats of one
 * state and input, and none repeat across the checkpoint); and nothing reads `$$.Execution.Input`, which a run
 * started there would see as the checkpoint's input.
 */
export function checkpointable(definition: AslDefinition): boolean {
  if (JSON.stringify(definition).includes('$$.Execution.Input')) return false;
  const states = definition.States;
  const next = (st: Record<string, unknown>): string[] => {
    const out: string[] = [];
    if (typeof st.Next === 'string') out.push(st.Next);
    if (typeof st.Default === 'string') out.push(st.Default);
    for (const c of (st.Choices as { Next?: unknown }[] | undefined) ?? [])
      if (typeof c.Next === 'string') out.push(c.Next);
    for (const c of (st.Catch as { Next?: unknown }[] | undefined) ?? [])
      if (typeof c.Next === 'string') out.push(c.Next);
    return out;
  };
  const mark = new Map<string, 'open' | 'done'>();
  const visit = (name: string): boolean => {
    const seen = mark.get(name);
    if (seen === 'open') return false;
    if (seen === 'done' || !states[name]) return true;
    mark.set(name, 'open');
    for (const n of next(states[name] as Record<string, unknown>)) if (!visit(n)) return false;
    mark.set(name, 'done');
    return true;
  };
  return Object.keys(states).every(visit);
}

/**
 * The embedded default's WorkflowEngine: the same ASL files Step Functions runs on AWS, run by
 * aws-local-stepfunctions in this process, made durable by replay. An execution runs until every branch waits
 * (a callback token, a durable timer); it is then suspended, its journal in the database. When a token is
 * answered, a timer falls due, or the process starts again, the execution is replayed from its start: recorded
 * Task outcomes are answered from the journal, so no handler runs twice for one step and no step is lost. Handlers
 * that run again after a crash between their side effect and its journal entry are idempotent by key.
 */
export class LocalWorkflowEngine implements WorkflowEngine {
  private readonly machines = new Map<WorkflowName, Machine>();
  private readonly queue = new Set<string>();
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlightTick: Promise<void> | undefined;
  private pumpQueued = false;
  /** Runs whose every branch waits, to be suspended once two turns have passed (`quiesce`). */
  private readonly resting = new Set<Quiescent>();
  private turn = 0;
  private turnQueued = false;

  constructor(private readonly o: LocalEngineOptions) {
    for (const [workflow, asl] of Object.entries(o.definitions) as [WorkflowName, AslDefinition][]) {
      const local = localDefinition(asl);
      const retryOverrides: Record<string, number> = {};
      for (const name of local.tasks.keys()) retryOverrides[name] = 0;
      this.machines.set(workflow, {
        // Validation compiles JSON schemas (about a second per machine): the ASL files are validated by the
        // infra tests (test/infra/workflows.test.ts) and by Step Functions at deployment, not at every start.
        sm: new StateMachine(local.definition as never, { validationOptions: { noValidate: true } }),
        definition: local.definition,
        top: new Set(Object.keys(local.definition.States)),
        checkpointable: checkpointable(local.definition),
        from: new Map(),
        tasks: local.tasks,
        parents: local.parents,
        retryOverrides,
      });
    }
  }

  async start(req: StartRequest): Promise<{ executionId: string; started: boolean }> {
    if (!this.machines.has(req.workflow)) throw new Error(`workflow ${req.workflow} is not deployed here`);
    // Created unless one with this workflow and name exists (the journal refuses a second): only then is it read.
    const executionId = `local:${req.workflow}:${req.name}`;
    const created = await this.o.journal.create({
      executionId,
      workflow: req.workflow,
      name: req.name,
      subject: req.subject,
      status: 'running',
      startedAt: this.o.clock.now().toISOString(),
      input: req.input,
      path: [],
    });
    if (created) {
      this.schedule(executionId);
      return { executionId, started: true };
    }
    const existing = await this.o.journal.byName(req.workflow, req.name);
    return { executionId: existing?.executionId ?? executionId, started: false };
  }

  async findByName(req: Pick<StartRequest, 'workflow' | 'name'>): Promise<string | undefined> {
    return (await this.o.journal.byName(req.workflow, req.name))?.executionId;
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    await this.settle(token, { status: 'succeeded', output: output ?? null });
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    await this.settle(token, { status: 'failed', error, cause });
  }

  async listExecutions(subject: WorkflowSubject): Promise<ExecutionSummary[]> {
    return (await this.o.journal.listBySubject(subject)).map(summary);
  }

  async describe(executionId: string): Promise<ExecutionSummary | undefined> {
    const r = await this.o.journal.get(executionId);
    return r ? summary(r) : undefined;
  }

  /**
   * Fires what is due now by the clock: heartbeats and timeouts of waiting tokens (failing them with
   * States.HeartbeatTimeout or States.Timeout) and durable waits; the executions concerned are replayed.
   */
  async tick(): Promise<void> {
    // A caller that has just moved the clock (a test, the benchmark) must get a pass that read the clock after its
    // call: returning at once while the background timer's pass runs let it go on before its due tokens fired. So
    // passes run one after another, and a call made during one waits for it and then makes its own.
    while (this.inFlightTick) await this.inFlightTick.catch(() => undefined);
    const pass = this.tickPass();
    this.inFlightTick = pass;
    try {
      await pass;
    } finally {
      if (this.inFlightTick === pass) this.inFlightTick = undefined;
    }
  }

  private async tickPass(): Promise<void> {
    const now = this.o.clock.now().getTime();
    for (;;) {
      const due = await this.o.tokens.due(now, 500);
      for (const t of due) {
        const heartbeat = t.heartbeatAt !== undefined && t.heartbeatAt <= now;
        const timeout = t.timeoutAt !== undefined && t.timeoutAt <= now;
        this.o.batch?.open();
        const which =
          timeout && (!heartbeat || (t.timeoutAt ?? 0) <= (t.heartbeatAt ?? 0))
            ? 'States.Timeout'
            : 'States.HeartbeatTimeout';
        await this.markRunning(t.executionId);
        const { settled } = await this.o.tokens.settle(t.token, {
          status: 'failed',
          error: which,
          cause: which === 'States.Timeout' ? 'the task timed out' : 'no heartbeat within HeartbeatSeconds',
        });
        if (settled) this.schedule(t.executionId);
      }
      if (due.length < 500) break;
    }
    for (const id of await this.o.journal.dueWakes(now, 10_000)) this.schedule(id);
  }

  /** Resumes the executions a previous process left running, and fires timers every `intervalMs` from now on. */
  async resumeAndRun(intervalMs = 1000): Promise<void> {
    for (const id of await this.o.journal.idsWithStatus(['running'], 1_000_000)) this.schedule(id);
    await this.tick();
    this.timer = setInterval(() => {
      this.tick().catch((e: unknown) => this.o.onError?.(e, '(timers)'));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.o.batch?.flush();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves when no execution is queued or running (tests and the benchmark wait on it). */
  idle(): Promise<void> {
    if (this.queue.size === 0 && this.running.size === 0) {
      this.o.batch?.flush();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async settle(
    token: string,
    outcome: { status: 'succeeded'; output: unknown } | { status: 'failed'; error: string; cause: string },
  ): Promise<void> {
    // The execution is marked running before its token is answered: a crash in between resumes it on restart.
    // Both writes are one transaction, committed before this returns (the caller, a request, answers after it), or
    // part of the caller's own unit of work when it has one (a sign-off and its hook), committed with it.
    const answerToken = async () => {
      const before = await this.o.tokens.get(token);
      if (before?.status === 'pending') await this.markRunning(before.executionId);
      return this.o.tokens.settle(token, outcome);
    };
    // In one transaction no crash falls between the two writes, so the token is settled first and names its
    // execution: no read of the token before it (settling reads it anyway).
    const answerInUnit = async () => {
      const answered = await this.o.tokens.settle(token, outcome);
      if (answered.settled && answered.record) await this.markRunning(answered.record.executionId);
      return answered;
    };
    const { record, settled } = this.o.batch ? await this.o.batch.unit(answerInUnit) : await answerToken();
    if (!record) throw new StaleTaskError('no task waits on this token', 'unknown');
    if (!settled) {
      const state = record.status === 'failed' ? `failed (${record.error ?? 'error'})` : record.status;
      throw new StaleTaskError(`the task is no longer waiting: it ${state}`, state);
    }
    this.schedule(record.executionId);
  }

  private schedule(executionId: string): void {
    if (this.running.has(executionId)) {
      this.again.add(executionId);
      return;
    }
    this.queue.add(executionId);
    this.pump();
  }

  private pump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    // Replays begin on a macrotask of the engine's own: the write batch they open then holds only the engine's
    // steps, never the writes of the request or job that scheduled them (those commit by themselves, as they always
    // did). Claiming an execution only there, not when it is scheduled, lets every answer given in one burst (two
    // sign-offs of one agreement, a job settling many tokens) be seen by one replay instead of one replay each.
    setImmediate(() => {
      this.pumpQueued = false;
      this.startQueued();
    });
  }

  private startQueued(): void {
    const limit = this.o.concurrency ?? 64;
    while (this.running.size < limit && this.queue.size > 0) {
      const id = this.queue.values().next().value as string;
      this.queue.delete(id);
      this.running.add(id);
      this.replay(id)
        .catch((e: unknown) => this.o.onError?.(e, id))
        .finally(() => {
          this.running.delete(id);
          if (this.again.delete(id)) this.queue.add(id);
          if (this.queue.size > 0) this.pump();
          if (this.queue.size === 0 && this.running.size === 0) {
            this.o.batch?.flush();
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const w of waiters) w();
          }
        });
    }
  }

  /** Replays one execution from its start until it ends or every branch waits again. */
  private async replay(executionId: string): Promise<void> {
    const rec = await this.o.journal.get(executionId);
    if (!rec || (rec.status !== 'running' && rec.status !== 'waiting')) return;
    const machine = this.machines.get(rec.workflow);
    if (!machine) return;
    this.o.batch?.open();
    if (rec.status === 'waiting') await this.o.journal.update(executionId, { status: 'running' });
    const steps = await this.o.journal.steps(executionId);
    // Every token of the execution in one query; a step whose handler runs now reads its token afresh.
    const known = new Map<string, TokenRecord>(
      (await this.o.tokens.ofExecution(executionId)).map((t) => [t.token, t]),
    );
    // Resume at the checkpoint (the top-level state it waited in), not at StartAt: the states before it are done.
    // A checkpoint naming a state the definition no longer has (an ASL changed since) is ignored: replay from the start.
    const checkpoint =
      machine.checkpointable && rec.checkpoint && machine.top.has(rec.checkpoint.state)
        ? rec.checkpoint
        : undefined;
    const sm = checkpoint ? this.startingAt(machine, checkpoint.state) : machine.sm;
    const seen = new Map<string, number>();
    const parked: ((e: Error) => void)[] = [];
    let active = 0;
    let suspended = false;
    const idle: Quiescent = {
      since: 0,
      suspend: () => {
        if (active > 0 || parked.length === 0) return;
        suspended = true;
        for (const reject of parked.splice(0)) reject(new Suspended());
      },
    };
    const quiesce = () => {
      if (active > 0 || parked.length === 0) return;
      this.quiesce(idle);
    };
    const park = () =>
      new Promise<never>((_, reject) => {
        parked.push(reject);
        quiesce();
      });
    // Steps are written together when the run ends or suspends (one transaction). A crash before that replays
    // them: handlers are idempotent by key and tokens derive from the step key, so the replay lands where the
    // lost run was; only a token's registration is written at once (an answer must find it).
    const unsaved = new Map<string, JournalStep>();
    const record = async (step: JournalStep) => {
      this.o.batch?.open();
      steps.set(step.key, step);
      unsaved.set(step.key, step);
    };
    const flush = (patch: Parameters<ExecutionJournal['putSteps']>[2]) => {
      this.o.batch?.open();
      return this.o.journal.putSteps(executionId, [...unsaved.values()], patch);
    };
    const run = async (spec: LocalTaskSpec, input: Json): Promise<unknown> => {
      const base = `${spec.name}:${hash(canonical(input))}`;
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      const key = `${base}:${n}`;
      const step = steps.get(key);
      if (step?.status === 'done') return step.output;
      if (step?.status === 'failed') throw namedError(step.error ?? 'States.TaskFailed', step.cause ?? '');
      const now = this.o.clock.now().getTime();
      if (spec.kind === 'wait') {
        const wakeAt = step?.wakeAt ?? wakeTime(input, now);
        if (wakeAt <= now) {
          await record({ key, status: 'done', output: input, wakeAt });
          return input;
        }
        if (!step) await record({ key, status: 'waiting', wakeAt });
        return park();
      }
      if (spec.kind === 'task') {
        this.o.batch?.open();
        active++;
        try {
          const output =
            (await this.o.invoke(spec.resource, input, { executionId, stateName: spec.name })) ?? null;
          await record({ key, status: 'done', output });
          return output;
        } catch (e) {
          const err = e as Error;
          await record({ key, status: 'failed', error: err.name || 'Error', cause: err.message });
          throw e;
        } finally {
          active--;
          quiesce();
        }
      }
      // A callback task: register a token, run its handler once, then wait for the token to be answered.
      const token = step?.token ?? `tok_${hash(`${executionId}|${key}`, 40)}`;
      if (!step) {
        this.o.batch?.open();
        await this.o.tokens.register({
          token,
          executionId,
          stepKey: key,
          status: 'pending',
          heartbeatAt: spec.heartbeatSeconds === undefined ? undefined : now + spec.heartbeatSeconds * 1000,
          timeoutAt: spec.timeoutSeconds === undefined ? undefined : now + spec.timeoutSeconds * 1000,
        });
        await record({ key, status: 'pending', token, invoked: false });
      }
      let fresh = false;
      if (!steps.get(key)?.invoked) {
        fresh = true;
        this.o.batch?.open();
        active++;
        try {
          const params = replaceToken(input, token) as { FunctionName?: string; Payload?: unknown };
          await this.o.invoke(String(params.FunctionName ?? spec.resource), params.Payload ?? params, {
            executionId,
            stateName: spec.name,
          });
          await record({ key, status: 'pending', token, invoked: true });
        } catch (e) {
          const err = e as Error;
          await this.o.tokens.settle(token, { status: 'failed', error: err.name, cause: err.message });
          await record({ key, status: 'failed', token, error: err.name || 'Error', cause: err.message });
          throw e;
        } finally {
          active--;
        }
      }
      const t = fresh || !known.has(token) ? await this.o.tokens.get(token) : known.get(token);
      if (t?.status === 'succeeded') {
        await record({ key, status: 'done', token, output: t.output ?? null });
        quiesce();
        return t.output ?? null;
      }
      if (t?.status === 'failed') {
        await record({ key, status: 'failed', token, error: t.error, cause: t.cause });
        quiesce();
        throw namedError(t.error ?? 'States.TaskFailed', t.cause ?? '');
      }
      return park();
    };
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const spec of machine.tasks.values()) {
      handlers[spec.name] = (input) => run(spec, input) as Promise<Json>;
    }
    const execution = sm.run((checkpoint ? checkpoint.input : rec.input) as Json, {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: machine.retryOverrides },
      context: {
        Execution: { Id: executionId, Name: rec.name },
        Task: { Token: TOKEN_PLACEHOLDER },
      },
    });
    const path: string[] = checkpoint ? [...checkpoint.path] : [];
    // The first entry of each top-level state (its input, the path before it) and the last one entered.
    const entered = new Map<string, { input: unknown; at: number }>();
    let last: string | undefined;
    const logs = (async () => {
      for await (const ev of execution.eventLogs) {
        if (ev.type !== 'StateEntered') continue;
        const index = (ev as typeof ev & { index?: number }).index;
        if (index === undefined && machine.top.has(ev.state.name)) {
          if (!entered.has(ev.state.name))
            entered.set(ev.state.name, { input: structuredClone(ev.state.input), at: path.length });
          last = ev.state.name;
        }
        path.push(
          index === undefined
            ? ev.state.name
            : `${machine.parents.get(ev.state.name) ?? ''}[${index}].${ev.state.name}`,
        );
      }
    })();
    const stoppedAt = () => this.o.clock.now().toISOString();
    try {
      const output = await execution.result;
      await logs;
      await flush({ status: 'succeeded', output, stoppedAt: stoppedAt(), path, checkpoint: undefined });
      await this.endTokens(executionId);
    } catch (e) {
      await logs;
      const cause = (e as { cause?: unknown }).cause ?? e;
      if (suspended && cause instanceof Suspended) {
        const at = last === undefined ? undefined : entered.get(last);
        const next: ExecutionCheckpoint | undefined =
          machine.checkpointable && last !== undefined && at
            ? { state: last, input: at.input, path: path.slice(0, at.at) }
            : checkpoint;
        await flush({ status: 'waiting', path, checkpoint: next });
        return;
      }
      const err = cause as Error;
      await flush({
        status: 'failed',
        error: { error: err.name || 'Error', cause: err.message },
        stoppedAt: stoppedAt(),
        path,
        checkpoint: undefined,
      });
      await this.endTokens(executionId);
    } finally {
      // A branch that parked after the run ended (its sibling failed the Map) must not keep a promise open.
      this.resting.delete(idle);
      for (const reject of parked.splice(0)) reject(new Suspended());
    }
  }

  /**
   * Suspends a run whose every branch waits once two turns of the event loop have passed (a branch between two
   * states has then reached its next handler). One check per turn serves every run: the runs that come to rest
   * together are suspended in the same macrotask, so their journal writes share one commit of the write batch
   * instead of one commit each.
   */
  private quiesce(run: Quiescent): void {
    if (this.resting.has(run)) return;
    run.since = this.turn;
    this.resting.add(run);
    if (this.turnQueued) return;
    this.turnQueued = true;
    setImmediate(() => this.nextTurn());
  }

  private nextTurn(): void {
    this.turnQueued = false;
    this.turn++;
    for (const run of this.resting) {
      if (this.turn - run.since < 2) continue;
      this.resting.delete(run);
      run.suspend();
    }
    if (this.resting.size > 0 && !this.turnQueued) {
      this.turnQueued = true;
      setImmediate(() => this.nextTurn());
    }
  }

  /** The machine's definition started at one of its top-level states (made once per state). */
  private startingAt(machine: Machine, state: string): StateMachine {
    let sm = machine.from.get(state);
    if (!sm) {
      sm = new StateMachine({ ...machine.definition, StartAt: state } as never, {
        validationOptions: { noValidate: true },
      });
      machine.from.set(state, sm);
    }
    return sm;
  }

  /** A waiting execution is marked running (one conditional write: the record is not read). */
  private async markRunning(executionId: string): Promise<void> {
    await this.o.journal.markRunning(executionId);
  }

  /** Tokens still waiting when their execution ends can never be answered. */
  private async endTokens(executionId: string): Promise<void> {
    for (const t of await this.o.tokens.pendingOf(executionId)) {
      await this.o.tokens.settle(t.token, {
        status: 'failed',
        error: 'States.ExecutionEnded',
        cause: 'the execution ended before this task was answered',
      });
    }
  }
}

function summary(r: ExecutionRecord): ExecutionSummary {
  const { input: _input, checkpoint: _checkpoint, ...rest } = r;
  return rest;
}

/** The end of a durable wait, from the stand-in's parameters (seconds from now, or an RFC 3339 instant). */
function wakeTime(input: Json, nowMs: number): number {
  const wait = ((input as { wait?: Record<string, unknown> }).wait ?? {}) as Record<string, unknown>;
  if (typeof wait.seconds === 'number') return nowMs + wait.seconds * 1000;
  if (typeof wait.timestamp === 'string') {
    const t = Date.parse(wait.timestamp);
    if (Number.isNaN(t)) throw namedError('States.Runtime', `"${wait.timestamp}" is not a timestamp`);
    return t;
  }
  throw namedError('States.Runtime', 'a Wait state needs Seconds, Timestamp, SecondsPath or TimestampPath');
}
