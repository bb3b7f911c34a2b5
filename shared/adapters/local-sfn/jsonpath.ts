import { JSONPath } from 'jsonpath-plus';

/**
 * aws-local-stepfunctions evaluates every `"x.$"` path of a state's Parameters, ItemSelector and Choice rules with
 * jsonpath-plus, asking for the unwrapped result. jsonpath-plus returns a scalar result (a string, a number) by
 * throwing an Error subclass from its constructor and catching it in its call wrapper (`NewError`, `avoidNew`), and
 * V8 captures a stack trace for each of those errors: about a tenth of a replay's CPU time, for a trace nobody
 * reads. When `evaluate` has produced a scalar, that internal throw comes next, in the same synchronous run: stack
 * capture is turned off for it and back on at the next microtask (errors made in between carry no stack, and only
 * library code runs in between). Results are untouched. Loaded for its side effect, before the library is used.
 */
const proto = JSONPath.prototype as unknown as {
  evaluate: (...args: unknown[]) => unknown;
  accordScalarThrowUnstacked?: true;
};

if (!proto.accordScalarThrowUnstacked) {
  const evaluate = proto.evaluate;
  let saved: number | undefined;
  const restore = () => {
    if (saved === undefined) return;
    Error.stackTraceLimit = saved;
    saved = undefined;
  };
  proto.evaluate = function (this: unknown, ...args: unknown[]) {
    const result = evaluate.apply(this, args);
    if ((!result || typeof result !== 'object') && saved === undefined) {
      saved = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      queueMicrotask(restore);
    }
    return result;
  };
  proto.accordScalarThrowUnstacked = true;
}
