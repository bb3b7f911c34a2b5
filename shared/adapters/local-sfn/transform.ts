/**
 * How one ASL definition runs on the embedded default. aws-local-stepfunctions runs Task, Choice, Map, Wait…
 * in process, but keeps no state across a restart, sleeps in memory for a Wait, and has no `.waitForTaskToken`
 * or HeartbeatSeconds. So, before running, each definition is rewritten (a pure function of the ASL):
 * - a Wait becomes a Task of the same name whose local handler is a durable timer (the wake time is stored in the
 *   database and compared with the Clock port, so time can be advanced in tests and waits outlive the process);
 * - a callback Task (`….waitForTaskToken`) keeps its Parameters but loses HeartbeatSeconds/TimeoutSeconds, which
 *   become database timers that fail the token with States.HeartbeatTimeout / States.Timeout;
 * - every Task is answered by a local handler keyed by state name (names are unique in the whole definition).
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type AslState = Record<string, Json> & { Type: string };
export interface AslDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  [k: string]: unknown;
}

/** The resource of the stand-in Task of a Wait state (a well-formed ARN, so the definition still validates). */
export const DURABLE_WAIT_ARN = 'arn:aws:lambda:local:000000000000:function:accord-durable-wait';

export type LocalTaskSpec =
  | { kind: 'wait'; name: string }
  | {
      kind: 'callback';
      name: string;
      resource: string;
      heartbeatSeconds?: number | undefined;
      timeoutSeconds?: number | undefined;
    }
  | { kind: 'task'; name: string; resource: string };

export interface LocalDefinition {
  definition: AslDefinition;
  /** Every Task of the rewritten definition (at any depth), by state name. */
  tasks: Map<string, LocalTaskSpec>;
  /** The Map or Parallel state each nested state runs in. */
  parents: Map<string, string>;
}

const isObject = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rewrites a definition for the embedded engine; throws when two states share a name anywhere in it. */
export function localDefinition(asl: AslDefinition): LocalDefinition {
  const tasks = new Map<string, LocalTaskSpec>();
  const parents = new Map<string, string>();
  const names = new Set<string>();
  const rewrite = (machine: AslDefinition, parent?: string): AslDefinition => {
    const States: Record<string, AslState> = {};
    for (const [name, state] of Object.entries(machine.States)) {
      if (names.has(name)) throw new Error(`state name ${name} is used twice`);
      names.add(name);
      if (parent) parents.set(name, parent);
      States[name] = rewriteState(name, state);
    }
    return { ...machine, States };
  };
  const rewriteState = (name: string, state: AslState): AslState => {
    switch (state.Type) {
      case 'Wait': {
        const { Seconds, Timestamp, SecondsPath, TimestampPath, Type: _t, Comment: _c, ...rest } = state;
        const wait: Record<string, Json> = {};
        if (Seconds !== undefined) wait.seconds = Seconds;
        if (Timestamp !== undefined) wait.timestamp = Timestamp;
        if (SecondsPath !== undefined) wait['seconds.$'] = SecondsPath;
        if (TimestampPath !== undefined) wait['timestamp.$'] = TimestampPath;
        tasks.set(name, { kind: 'wait', name });
        return {
          ...rest,
          Type: 'Task',
          Comment: `durable wait (was a Wait state)`,
          Resource: DURABLE_WAIT_ARN,
          Parameters: { 'input.$': '$', wait },
          // The stand-in answers its own input, so the state passes its input through as a Wait does.
          // (no ResultPath: the result replaces the input, as "$" would; the library mishandles an explicit "$")
          ResultSelector: { 'value.$': '$.input' },
          OutputPath: typeof rest.OutputPath === 'string' ? `$.value${rest.OutputPath.slice(1)}` : '$.value',
        } as AslState;
      }
      case 'Task': {
        const resource = String(state.Resource);
        if (resource.endsWith('.waitForTaskToken')) {
          const { HeartbeatSeconds, TimeoutSeconds, HeartbeatSecondsPath, TimeoutSecondsPath, ...rest } =
            state;
          if (HeartbeatSecondsPath !== undefined || TimeoutSecondsPath !== undefined) {
            throw new Error(`${name}: a callback task takes static HeartbeatSeconds/TimeoutSeconds here`);
          }
          tasks.set(name, {
            kind: 'callback',
            name,
            resource,
            heartbeatSeconds: typeof HeartbeatSeconds === 'number' ? HeartbeatSeconds : undefined,
            timeoutSeconds: typeof TimeoutSeconds === 'number' ? TimeoutSeconds : undefined,
          });
          return rest as AslState;
        }
        tasks.set(name, { kind: 'task', name, resource });
        return state;
      }
      case 'Map': {
        const key = isObject(state.ItemProcessor) ? 'ItemProcessor' : 'Iterator';
        const inner = state[key] as unknown as AslDefinition;
        return { ...state, [key]: rewrite(inner, name) as unknown as Json } as AslState;
      }
      case 'Parallel': {
        const branches = (state.Branches as unknown as AslDefinition[]).map((b) => rewrite(b, name));
        return { ...state, Branches: branches as unknown as Json } as AslState;
      }
      default:
        return state;
    }
  };
  // The Wait stand-in shapes its output with OutputPath; a Wait with InputPath keeps it (Tasks take InputPath too).
  const definition = rewrite(asl);
  return { definition, tasks, parents };
}

/** Replaces `${Name}` placeholders in a definition (the same substitutions CDK's DefinitionBody takes). */
export function substitute(asl: AslDefinition, values: Readonly<Record<string, string>>): AslDefinition {
  const text = JSON.stringify(asl).replace(/\$\{([A-Za-z0-9_]+)\}/g, (m, k: string) => {
    const v = values[k];
    if (v === undefined) throw new Error(`no substitution for ${m}`);
    return v;
  });
  return JSON.parse(text) as AslDefinition;
}

/** Visits every state at any depth (Map item processors, Parallel branches). */
export function allStates(asl: AslDefinition): [string, AslState][] {
  const out: [string, AslState][] = [];
  const walk = (m: AslDefinition) => {
    for (const [name, s] of Object.entries(m.States)) {
      out.push([name, s]);
      if (s.Type === 'Map') {
        const inner = (isObject(s.ItemProcessor) ? s.ItemProcessor : s.Iterator) as unknown as AslDefinition;
        if (inner) walk(inner);
      }
      if (s.Type === 'Parallel') for (const b of s.Branches as unknown as AslDefinition[]) walk(b);
    }
  };
  walk(asl);
  return out;
}
