import { describe, expect, it } from 'vitest';
import {
  contradiction,
  matcherText,
  matches,
  parseSelector,
  SelectorError,
} from '../../../shared/domain/telemetry/selector.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import { policyJsonWith } from '../../helpers/telemetry.js';

// The edges of the PromQL selectors of mapping rules that test/unit/telemetry/rules.test.ts leaves open (found by
// mutation testing, docs/mutation.md "Measured in wave 6"). Every selector is parsed inside its test.

const fails = (text: string): string => {
  try {
    parseSelector(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SelectorError);
    return (e as Error).message;
  }
  throw new Error(`${text} was accepted`);
};
const labels = (inside: string) => parseSelector(`x{${inside}}`).labels;
const triple = (s: { name: string; op: string; value: string }) => [s.name, s.op, s.value];

describe('a selector that cannot be read is refused with where and why', () => {
  it('quotes up to ten characters either side of the first syntax error', () => {
    expect(fails('abcdefghijklmnop{+}')).toBe('is not a PromQL selector near "hijklmnop{+}"');
    expect(fails('x{a="1"}}bbbbbbbbbbbbbbbbbbbbbbbb')).toBe(
      'is not a PromQL selector near "x{a="1"}}bbbbbbbbbb"',
    );
  });

  it('names the first construct that is not a plain selector (a function, a range, an operator, a literal)', () => {
    expect(fails('rate(x{+}[5m])')).toBe('must be a plain series selector (found FunctionCall)');
    expect(fails('x[5m]')).toBe('must be a plain series selector (found MatrixSelector)');
    expect(fails('x{a="1"} or y')).toBe('must be a plain series selector (found BinaryExpr)');
    expect(fails('5')).toBe('must be a plain series selector (found NumberDurationLiteral)');
  });

  it('refuses a lone string, which selects no series at all', () => {
    expect(fails('"s"')).toBe('must be one series selector');
  });

  it('refuses a matcher without its operator or its value, quoting it', () => {
    expect(fails('x{a}')).toBe('has an incomplete matcher "a"');
    expect(fails('x{a=}')).toBe('has an incomplete matcher "a="');
  });

  it('refuses a regular expression JavaScript cannot compile, for =~ and !~ alike, naming the matcher', () => {
    expect(fails('x{a=~"(5"}')).toBe(
      'a=~"(5": not a regular expression (Invalid regular expression: /^(?:(5)$/: Unterminated group)',
    );
    expect(fails('x{a!~"[z"}')).toBe(
      'a!~"[z": not a regular expression (Invalid regular expression: /^(?:[z)$/: Unterminated character class)',
    );
  });

  it('takes an = or != value as text, never as a regular expression', () => {
    expect(labels('a="(5"').map(triple)).toEqual([['a', '=', '(5']]);
    expect(labels('a!="[z"')[0]!.regex).toBeUndefined();
  });
});

describe('a selector is read as PromQL reads it', () => {
  it('reads a quoted label name (UTF-8 names) without its quotes', () => {
    expect(labels('"my.label"="v"').map(triple)).toEqual([['my.label', '=', 'v']]);
  });

  it('takes a __name__ matcher, quoted or not, as a matcher on the metric name', () => {
    expect(parseSelector('{__name__="up"}').name.map(triple)).toEqual([['__name__', '=', 'up']]);
    expect(parseSelector('{"__name__"=~"up|down"}').name.map(triple)).toEqual([
      ['__name__', '=~', 'up|down'],
    ]);
    expect(parseSelector('{__name__="up"}').labels).toEqual([]);
  });

  it('reads single-quoted values with their escapes, double-quoted ones with Go escapes, back-quoted ones raw', () => {
    expect(labels(`a='it\\'s "q"'`).map(triple)).toEqual([['a', '=', 'it\'s "q"']]);
    expect(labels('a="t\\nu"').map(triple)).toEqual([['a', '=', 't\nu']]);
    expect(labels('a=`\\d+`').map(triple)).toEqual([['a', '=', '\\d+']]);
  });

  it('accepts a trailing comma and spaces around the selector', () => {
    expect(parseSelector('  x{a="1",} ').labels.map(triple)).toEqual([['a', '=', '1']]);
  });
});

describe('matching a value', () => {
  it('hands the named groups a regex matched to the templates, leaving out an optional group that matched nothing', () => {
    const [m] = labels('a=~"(?<svc>[a-z]+)-(?<env>prod)?x?"');
    const some: Record<string, string> = {};
    expect(matches(m!, 'pay-x', some)).toBe(true);
    expect(some).toEqual({ svc: 'pay' });
    const all: Record<string, string> = {};
    expect(matches(m!, 'pay-prod', all)).toBe(true);
    expect(all).toEqual({ svc: 'pay', env: 'prod' });
    const none: Record<string, string> = {};
    expect(matches(m!, '9', none)).toBe(false);
    expect(none).toEqual({});
  });

  it('keeps a group an earlier matcher named when an optional group of the same name matches nothing here', () => {
    const [m] = labels('a=~"(?<svc>[a-z]+)-(?<env>prod)?x?"');
    const groups: Record<string, string> = { env: 'staging' }; // from another label's matcher
    expect(matches(m!, 'pay-x', groups)).toBe(true);
    expect(groups).toEqual({ svc: 'pay', env: 'staging' });
    expect(Object.keys(groups).sort()).toEqual(['env', 'svc']);
  });

  it('matches !~ when the whole value does not match, and != when the value differs', () => {
    const [notHealth, notTest] = labels('path!~"/health.*", job!="test"');
    expect(matches(notHealth!, '/api')).toBe(true);
    expect(matches(notHealth!, '/healthz')).toBe(false);
    expect(matches(notHealth!, 'x/health')).toBe(true);
    expect(matches(notTest!, 'test')).toBe(false);
    expect(matches(notTest!, 'prod')).toBe(true);
  });

  it('writes a matcher back as PromQL with its value quoted as JSON', () => {
    expect(matcherText(labels('a!~"x\\"y"')[0]!)).toBe('a!~"x\\"y"');
  });
});

describe('matchers on one label that can never all hold', () => {
  it.each([
    ['a="x", a!="x"', 'a="x" and a!="x" cannot both hold'],
    ['a="x", a=~"y.*"', 'a="x" and a=~"y.*" cannot both hold'],
    ['a="x", a="y"', 'a="x" and a="y" cannot both hold'],
    ['a!="y", a="x", a!="x"', 'a="x" and a!="x" cannot both hold'],
    ['a=~"b", a!~"b"', 'a=~"b" and a!~"b" cannot both hold'],
    ['a!~"b", a=~"b"', 'a=~"b" and a!~"b" cannot both hold'],
  ])('finds %s contradictory', (inside, why) => {
    expect(contradiction(labels(inside))).toBe(why);
  });

  it.each([['a="x", a!="y"'], ['a=~"b", a!~"c"'], ['a=~"x", a!="y"'], ['a!="x"'], ['a!~"b", a!="b"']])(
    'finds %s satisfiable',
    (inside) => {
      expect(contradiction(labels(inside))).toBeUndefined();
    },
  );

  it('finds no matchers at all satisfiable', () => {
    expect(contradiction([])).toBeUndefined();
  });
});

describe("Prometheus 3's quoted metric names", () => {
  it('reads a quoted name alone in the braces as the metric name, beside label matchers', () => {
    expect(parseSelector('{"http.server.duration"}').name.map(triple)).toEqual([
      ['__name__', '=', 'http.server.duration'],
    ]);
    const s = parseSelector('{"http.server.duration", "http.route"="/pay"}');
    expect(s.name.map(triple)).toEqual([['__name__', '=', 'http.server.duration']]);
    expect(s.labels.map(triple)).toEqual([['http.route', '=', '/pay']]);
  });

  it('keeps a second metric name beside an unquoted one, where the rule check finds the two cannot both hold', () => {
    const s = parseSelector('x{"y"}');
    expect(s.name.map(triple)).toEqual([
      ['__name__', '=', 'x'],
      ['__name__', '=', 'y'],
    ]);
    expect(contradiction(s.name)).toBe('__name__="x" and __name__="y" cannot both hold');
  });

  it('maps an OpenTelemetry metric by its dotted name through a rule that quotes it, and no other metric', async () => {
    const policy = loadTelemetryPolicy(
      await policyJsonWith([
        {
          selector: '{"http.server.request.duration", "http.route"="/pay"}',
          service: 'svc_checkout',
          sli: 'latency',
          measure: 'duration',
        },
      ]),
    );
    const hit = policy.map('test-vendor', {
      metric: 'http.server.request.duration',
      labels: { 'http.route': '/pay' },
    });
    expect(hit.ok && hit.target.sliKey).toBe('svc_checkout/latency');
    expect(policy.map('test-vendor', { metric: 'up', labels: { 'http.route': '/pay' } }).ok).toBe(false);
  });
});
