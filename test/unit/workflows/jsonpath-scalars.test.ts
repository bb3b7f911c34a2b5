import { StateMachine } from 'aws-local-stepfunctions';
import { JSONPath } from 'jsonpath-plus';
import { describe, expect, it } from 'vitest';
import '../../../shared/adapters/local-sfn/engine.js';

describe('scalar JSONPath results in the embedded engine (jsonpath-plus throws to return them)', () => {
  it('returns scalars, objects and missing values as before', () => {
    const json = { a: 'x', n: 0, o: { k: [1, 2] } };
    expect(JSONPath({ path: '$.a', json, wrap: false })).toBe('x');
    expect(JSONPath({ path: '$.n', json, wrap: false })).toBe(0);
    expect(JSONPath({ path: '$.o', json, wrap: false })).toEqual({ k: [1, 2] });
    expect(JSONPath({ path: '$.none', json, wrap: false })).toBeUndefined();
  });

  it('makes the internal error of a scalar result without a stack trace', () => {
    let thrown: unknown;
    try {
      // With `new`, jsonpath-plus rethrows the error it uses to return a scalar, which the call form catches.
      new (JSONPath as unknown as new (o: object) => unknown)({ path: '$.a', json: { a: 'x' }, wrap: false });
    } catch (e) {
      thrown = e;
    }
    expect((thrown as { avoidNew?: boolean }).avoidNew).toBe(true);
    expect((thrown as Error).stack?.split('\n')).toHaveLength(1); // the message line, no frames
  });

  it('turns stack traces back on at the next microtask', async () => {
    const limit = Error.stackTraceLimit;
    JSONPath({ path: '$.a', json: { a: 'x' }, wrap: false });
    await Promise.resolve();
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('after').stack?.split('\n').length).toBeGreaterThan(1);
  });

  it('is the jsonpath-plus that aws-local-stepfunctions evaluates Parameters and Choice rules with', async () => {
    let calls = 0;
    const proto = JSONPath.prototype as unknown as { evaluate: (...a: unknown[]) => unknown };
    const evaluate = proto.evaluate;
    proto.evaluate = function (this: unknown, ...a: unknown[]) {
      calls++;
      return evaluate.apply(this, a);
    };
    try {
      const sm = new StateMachine(
        {
          StartAt: 'Shape',
          States: {
            Shape: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'n.$': '$.n' }, Next: 'Pick' },
            Pick: {
              Type: 'Choice',
              Choices: [{ Variable: '$.n', NumericEquals: 2, Next: 'Two' }],
              Default: 'Other',
            },
            Two: { Type: 'Pass', Result: 'two', End: true },
            Other: { Type: 'Pass', Result: 'other', End: true },
          },
        } as never,
        { validationOptions: { noValidate: true } },
      );
      expect(await sm.run({ id: 'a', n: 2 }).result).toBe('two');
      expect(calls).toBeGreaterThanOrEqual(3);
    } finally {
      proto.evaluate = evaluate;
    }
  });
});
