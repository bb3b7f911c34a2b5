import { JSONPath } from 'jsonpath-plus';

/**
 * aws-local-stepfunctions evaluates every `"x.$"` path of a state's Parameters, ItemSelector and Choice rules with
 * jsonpath-plus, asking for the unwrapped result. A plain path (`$.a.b`) is answered here directly, with the result
 * jsonpath-plus gives (see `plainPath`); any other goes to jsonpath-plus. jsonpath-plus returns a scalar result (a
 * string, a number) by throwing an Error subclass from its constructor and catching it in its call wrapper
 * (`NewError`, `avoidNew`), and V8 captures a stack trace for each of those errors: about a tenth of a replay's CPU
 * time, for a trace nobody reads. When `evaluate` has produced a scalar, that internal throw comes next, in the same
 * synchronous run: stack capture is turned off for it and back on at the next microtask (errors made in between carry
 * no stack, and only library code runs in between). Results are untouched. Loaded for its side effect, before the
 * library is used.
 */
const proto = JSONPath.prototype as unknown as {
  evaluate: (...args: unknown[]) => unknown;
  accordScalarThrowUnstacked?: true;
};

/** `$` or `$.name.name…` with plain names: every `"x.$"` of Accord's ASL files (`$$.…` arrives as `$.…`). */
const PLAIN = /^\$(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const segments = new Map<string, string[]>();

/**
 * What jsonpath-plus's `evaluate` returns, unwrapped, for a plain path (see PLAIN), computed directly: no root
 * (a falsy document) gives undefined; each name is followed while the value is truthy and has it as an own property
 * (`Object.hasOwn`, as jsonpath-plus's `_trace` does for a plain name); a name not found gives undefined; the value
 * reached is returned as it is (the same object, not a copy). Its trace builds a path array per step, a result record
 * and a filtered list for the same answer: per state, most of the library's own time in a replay.
 */
function plainPath(path: string, json: unknown): unknown {
  if (!json) return undefined;
  let names = segments.get(path);
  if (!names) {
    names = path === '$' ? [] : path.slice(2).split('.');
    segments.set(path, names);
  }
  let v: unknown = json;
  for (const name of names) {
    if (!v || !Object.hasOwn(v as object, name)) return undefined;
    v = (v as Record<string, unknown>)[name];
  }
  return v;
}

/** The evaluation aws-local-stepfunctions asks for (`{path, json, wrap: false}`, values, no callback), plain path. */
function plainQuery(
  self: Record<string, unknown>,
  args: unknown[],
): { path: string; json: unknown } | undefined {
  if (args.length !== 1) return undefined;
  const q = args[0] as Record<string, unknown> | null;
  if (!q || typeof q !== 'object' || Array.isArray(q) || typeof q.path !== 'string' || !PLAIN.test(q.path)) {
    return undefined;
  }
  for (const k of Object.keys(q)) if (k !== 'path' && k !== 'json') return undefined;
  if (!Object.hasOwn(q, 'json')) return undefined;
  if (self.wrap !== false || self.resultType !== 'value' || self.callback || self.flatten || self.parent) {
    return undefined;
  }
  return { path: q.path, json: q.json };
}

if (!proto.accordScalarThrowUnstacked) {
  const evaluate = proto.evaluate;
  let saved: number | undefined;
  const restore = () => {
    if (saved === undefined) return;
    Error.stackTraceLimit = saved;
    saved = undefined;
  };
  proto.evaluate = function (this: unknown, ...args: unknown[]) {
    const plain = plainQuery(this as Record<string, unknown>, args);
    const result = plain ? plainPath(plain.path, plain.json) : evaluate.apply(this, args);
    if ((!result || typeof result !== 'object') && saved === undefined) {
      saved = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      queueMicrotask(restore);
    }
    return result;
  };
  proto.accordScalarThrowUnstacked = true;
}
