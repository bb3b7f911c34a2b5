/**
 * Reading the PromQL of an OpenSLO Prometheus SLI: the series selector under a query such as
 * `sum(rate(http_requests_total{code!~"5.."}[5m]))` (or a bare selector, or Sloth's `[{{.window}}]`), parsed by
 * the Prometheus grammar (`../telemetry/selector.ts`). From the selectors come proposed mapping rules and the
 * recording rules of `rules.ts`.
 */
import type { z } from 'zod';
import type { SliSource } from '../../schemas/agreement.js';
import type { MappingRule } from '../../schemas/telemetry.js';
import {
  type Matcher,
  matcherText,
  parseSelector,
  type Selector,
  SelectorError,
} from '../telemetry/selector.js';

type Source = z.output<typeof SliSource>;

const WRAPPED =
  /^\s*(?:sum\s*(?:(?:by|without)\s*\([^)]*\)\s*)?\(\s*)?(?:rate|increase|irate)\s*\(\s*([\s\S]+?)\s*\[\s*(?:\d+[smhdwy]|\{\{\s*\.window\s*\}\}|\$__range|\$__rate_interval|\$window)\s*\]\s*\)\s*(?:\)\s*)?$/;
const SUM_WRAPPED = /^\s*sum\s*(?:(?:by|without)\s*\([^)]*\)\s*)?\(\s*([\s\S]+?)\s*\)\s*$/;

/** A selector as PromQL text: `name{a="x",b=~"y"}`. */
export function selectorText(sel: Selector): string {
  const name = sel.name.find((m) => m.op === '=')?.value;
  const other = [...sel.name.filter((m) => m.op !== '=' || m.value !== name), ...sel.labels];
  return `${name ?? ''}{${other.map(matcherText).join(', ')}}`;
}

/**
 * The series selector of a counter query (`rate(x{…}[5m])`, `sum(increase(x[{{.window}}]))`, or `x{…}` itself),
 * as normalised PromQL text; null when the query is anything else (an arithmetic expression, several selectors).
 */
export function counterSelector(query: string): string | null {
  const m = WRAPPED.exec(query);
  const inner = m ? m[1]! : query;
  try {
    const sel = parseSelector(inner);
    return sel.name.some((x) => x.op === '=') ? selectorText(sel) : null;
  } catch (e) {
    // parseSelector throws nothing but SelectorError (an undecodable string escape included, since it became one):
    // Stryker disable next-line ConditionalExpression: swallowing every error is then the same; the rethrow guards a future bug
    if (e instanceof SelectorError) return null;
    throw e;
  }
}

/** The series selector of a gauge query (`x{…}` or `sum(x{…})`, as a raw success ratio is); null otherwise. */
export function gaugeSelector(query: string): string | null {
  const m = SUM_WRAPPED.exec(query);
  return counterSelector(m ? m[1]! : query);
}

/** The `query` of a metric spec, when it is a string. */
export function queryOf(spec: Record<string, unknown> | undefined): string | null {
  const q = spec?.query;
  return typeof q === 'string' ? q : null;
}

const NEGATE: Record<Matcher['op'], Matcher['op']> = { '=': '!=', '!=': '=', '=~': '!~', '!~': '=~' };

/**
 * The bad-events selector of a good/total pair whose total is the good selector without one matcher
 * (`good = x{job="a", code!~"5.."}`, `total = x{job="a"}` → `x{job="a", code=~"5.."}`); null otherwise.
 */
export function badFromGoodTotal(good: string, total: string): string | null {
  const g = parseSelector(good);
  const t = parseSelector(total);
  const key = (m: Matcher) => matcherText(m);
  if (selectorText({ name: g.name, labels: [] }) !== selectorText({ name: t.name, labels: [] })) return null;
  const tk = new Set(t.labels.map(key));
  if (!t.labels.every((m) => g.labels.some((x) => key(x) === key(m)))) return null;
  const extra = g.labels.filter((m) => !tk.has(key(m)));
  if (extra.length !== 1) return null;
  const flipped = { ...extra[0]!, op: NEGATE[extra[0]!.op] };
  return selectorText({ name: g.name, labels: [...t.labels, flipped] });
}

/**
 * Mapping rules that feed an SLI from its Prometheus series (proposed: rules are policy, deployed with
 * `shared/policy/telemetry-mapping.json`): good and bad counters, or a success-ratio gauge.
 */
export function deriveMappingRules(
  serviceId: string,
  sliName: string,
  src: Source,
): { rules: MappingRule[] } | { problem: string } {
  const base = { service: serviceId, sli: sliName, description: `from the OpenSLO SLI ${sliName}` };
  if (src.threshold)
    return {
      problem:
        'a thresholdMetric needs its histogram and bucket layout; write the rule by hand (docs/telemetry.md)',
    };
  if (src.raw) {
    // A spec without a string query reads as '': any other text that is not a selector gives the same null.
    // Stryker disable next-line StringLiteral: see the line above
    const sel = gaugeSelector(queryOf(src.raw) ?? '');
    if (!sel) return { problem: 'the raw query is not a series selector' };
    if (src.rawType === 'failure')
      return { problem: 'a failure ratio cannot feed an Accord ratio (a success share)' };
    return { rules: [{ ...base, selector: sel, measure: 'ratio', type: 'gauge', unit: 'ratio' }] };
  }
  if (!src.counter)
    return { problem: 'only counters (ratioMetric.counter: true) map to good and bad events' };
  // Stryker disable StringLiteral: a spec without a string query reads as '', and any other text that is not a selector gives the same null
  const good = src.good ? counterSelector(queryOf(src.good) ?? '') : null;
  const bad = src.bad ? counterSelector(queryOf(src.bad) ?? '') : null;
  const total = src.total ? counterSelector(queryOf(src.total) ?? '') : null;
  // Stryker restore StringLiteral
  if ((src.good && !good) || (src.bad && !bad) || (src.total && !total))
    return { problem: 'a query is not a counter selector such as sum(rate(x{…}[5m]))' };
  const badSel = bad ?? (good && total ? badFromGoodTotal(good, total) : null);
  if (!badSel)
    return {
      problem:
        'the total query is not the good query without one matcher, so bad events cannot be told apart',
    };
  if (good)
    return {
      rules: [
        { ...base, selector: good, measure: 'good', type: 'counter' },
        { ...base, selector: badSel, measure: 'bad', type: 'counter' },
      ],
    };
  // bad and total: good events are total without the bad matcher, negated
  const goodSel = badFromGoodTotal(badSel, total!);
  if (!goodSel) return { problem: 'the total query is not the bad query without one matcher' };
  return {
    rules: [
      { ...base, selector: goodSel, measure: 'good', type: 'counter' },
      { ...base, selector: badSel, measure: 'bad', type: 'counter' },
    ],
  };
}
