import type {
  MappingRule,
  Measure,
  SemanticType,
  SourcePolicy,
  TelemetryPolicy,
} from '../../schemas/telemetry.js';
import {
  contradiction,
  type Matcher,
  matcherText,
  matches,
  parseSelector,
  SelectorError,
} from './selector.js';
import { unitInfo } from './units.js';

/** A vendor series: a metric name and its labels (Prometheus labels, Datadog tags and resources). */
export interface SeriesRef {
  metric: string;
  labels: Record<string, string>;
  /**
   * Memo of the mapping for this object (a batch shares one ref among the samples of one series; remote write's
   * label-set cache shares one ref among requests), valid for the vendor and the policy it was made for.
   */
  mapped?: MappingResult;
  mappedFor?: { vendorId: string; policy: CompiledPolicy };
  /** The limits object the labels were last found within (`prepareBatch`'s label check, done once per ref). */
  withinLimits?: object;
}

/** Which part of a histogram or summary family a series is. */
export type FamilyPart = 'bucket' | 'count' | 'sum' | 'quantile' | 'native';

/** Where a series goes: an SLI `<serviceId>/<sli>` and how its samples feed it. */
export interface Target {
  serviceId: string;
  sli: string;
  sliKey: string;
  measure: Measure;
  unit: string | undefined;
  thresholdMs: number | undefined;
  /** The type the rule declares (the format's own metadata wins over it). */
  type?: SemanticType | undefined;
  /** For a histogram or summary rule: which part of the family this series is. */
  part?: FamilyPart | undefined;
  /** For a classic histogram bucket: its upper bound (`le`) in the rule's unit (Infinity for +Inf). */
  le?: number | undefined;
  /** For a classic histogram rule: the declared bucket bounds in the rule's unit. */
  buckets?: readonly number[] | undefined;
  /** The rule's place in the policy, e.g. `vendors.prometheus-main.rules[1]`. */
  rule?: string | undefined;
}

export type MappingResult = { ok: true; target: Target; series: string } | { ok: false; series: string };

interface CompiledRule {
  rule: MappingRule;
  path: string;
  name: Matcher[];
  labels: Matcher[];
  /** histogram / summary rules name a family whose parts are suffixed series. */
  family: 'histogram' | 'summary' | undefined;
}

const SERVICE_ID = /^svc_[0-9a-z][0-9a-z-]{1,62}$/;
const SLI_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_.]*)\}/g;

/** A rule problem found when the policy is loaded. */
export interface RuleProblem {
  path: string;
  problem: string;
}

/** The mapping policy ready to use: selectors parsed once, rule lists per vendor, a memo of recent series. */
export class CompiledPolicy {
  private readonly defaults: CompiledRule[];
  private readonly perVendor = new Map<string, CompiledRule[]>();
  private readonly memo = new Map<string, MappingResult>();
  /** Types from remote-write metadata seen in earlier requests, per vendor and metric family (bounded). */
  private readonly metadata = new Map<string, SemanticType>();
  /** The vendors `metadata` holds types of (most send none: their series skip the lookup). */
  private readonly typedVendors = new Set<string>();
  readonly sources = new Map<string, SourcePolicy>();

  constructor(readonly policy: TelemetryPolicy) {
    this.defaults = policy.defaultRules.map((r, i) => compileRule(r, `defaultRules[${i}]`));
    for (const [vendor, v] of Object.entries(policy.vendors)) {
      const own = v.rules.map((r, i) => compileRule(r, `vendors.${vendor}.rules[${i}]`));
      this.perVendor.set(vendor, [...own, ...this.defaults]);
    }
    for (const s of policy.sources) this.sources.set(s.sliKey, s);
  }

  get limits(): TelemetryPolicy['limits'] {
    return this.policy.limits;
  }

  /** The accepted lateness of a vendor's samples, in milliseconds. */
  latenessMs(vendorId: string): number {
    const m =
      this.policy.vendors[vendorId]?.acceptedLatenessMinutes ?? this.policy.limits.acceptedLatenessMinutes;
    return m * 60_000;
  }

  /** Remembers the types a vendor's metadata declared (remote write sends metadata in requests of its own). */
  rememberTypes(vendorId: string, types: ReadonlyMap<string, SemanticType>): void {
    for (const [family, type] of types) {
      if (this.metadata.size >= 100_000) {
        this.metadata.clear();
        this.typedVendors.clear();
      }
      this.metadata.set(`${vendorId}|${family}`, type);
      this.typedVendors.add(vendorId);
    }
  }

  /** The type a vendor's metadata declared for a series' family, if it ever did (this process). */
  rememberedType(vendorId: string, metric: string): SemanticType | undefined {
    // Stryker disable next-line ConditionalExpression: a fast path; a vendor that remembered no type has no entry under its name (vendor ids are slugs, without |), so the lookup below answers undefined too
    if (!this.typedVendors.has(vendorId)) return undefined;
    return familyLookup(metric, (family) => this.metadata.get(`${vendorId}|${family}`));
  }

  /** The SLI a vendor series maps to: the vendor's rules first, then the naming convention. */
  map(vendorId: string, ref: SeriesRef): MappingResult {
    const memo = ref.mappedFor;
    if (ref.mapped && memo?.vendorId === vendorId && memo.policy === this) return ref.mapped;
    const series = seriesKey(vendorId, ref.metric, ref.labels);
    let result = this.memo.get(series);
    if (!result) {
      result = this.resolve(vendorId, ref, series);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: the bound of a cache; clearing it at 50,000 entries, one later or never changes no mapping, only memory
      if (this.memo.size >= 50_000) this.memo.clear();
      this.memo.set(series, result);
    }
    ref.mapped = result;
    // Stryker disable next-line ConditionalExpression: keeping the reference's memo or making an equal one ({ vendorId, policy: this }) is the same
    ref.mappedFor = memo?.vendorId === vendorId && memo.policy === this ? memo : { vendorId, policy: this };
    return result;
  }

  private resolve(vendorId: string, ref: SeriesRef, series: string): MappingResult {
    const rules = this.perVendor.get(vendorId) ?? this.defaults;
    for (const c of rules) {
      const m = matchRule(c, ref);
      if (!m) continue;
      const serviceId = fill(c.rule.service, m.vars);
      const sli = fill(c.rule.sli, m.vars);
      if (serviceId === undefined || sli === undefined) continue;
      if (!SERVICE_ID.test(serviceId) || !SLI_NAME.test(sli)) continue;
      const target: Target = {
        serviceId,
        sli,
        sliKey: `${serviceId}/${sli}`,
        measure: c.rule.measure,
        unit: c.rule.unit,
        thresholdMs: c.rule.thresholdMs,
        type: c.rule.type,
        part: m.part,
        buckets: c.rule.buckets,
        rule: c.path,
      };
      if (m.le !== undefined) target.le = m.le;
      return { ok: true, series, target };
    }
    return { ok: false, series };
  }
}

/** How a rule matches a series: the template variables, and for families the part and bucket bound. */
function matchRule(
  c: CompiledRule,
  ref: SeriesRef,
): { vars: Record<string, string>; part?: FamilyPart; le?: number } | undefined {
  const groups: Record<string, string> = {};
  let name = ref.metric;
  let part: FamilyPart | undefined;
  let le: number | undefined;
  let skip: string | undefined;
  if (c.family) {
    const suffix = /_(bucket|count|sum)$/.exec(name);
    if (suffix && (suffix[1] !== 'bucket' || c.family === 'histogram')) {
      part = suffix[1] as FamilyPart;
      name = name.slice(0, suffix.index);
      if (part === 'bucket') {
        const raw = ref.labels.le;
        // Stryker disable next-line ConditionalExpression: an absent le reads as NaN below, which is refused the same way
        if (raw === undefined) return undefined;
        le = raw === '+Inf' || raw === 'Inf' || raw === '+inf' ? Number.POSITIVE_INFINITY : Number(raw);
        if (Number.isNaN(le)) return undefined;
        skip = 'le';
      }
    } else if (c.family === 'summary') {
      if (ref.labels.quantile === undefined) return undefined;
      part = 'quantile';
      skip = 'quantile';
    } else {
      // The family's own name: a native histogram.
      part = 'native';
    }
  }
  for (const m of c.name) if (!matches(m, name, groups)) return undefined;
  for (const m of c.labels) {
    if (m.name === skip) continue;
    if (!matches(m, ref.labels[m.name], groups)) return undefined;
  }
  // `__name__` is the metric name, as in PromQL: a template may read it like any label (validation reads it from the
  // rule's `=` matchers, so a rule whose template reads it must find it here too).
  const vars = { __name__: ref.metric, ...ref.labels, ...groups };
  const out: { vars: Record<string, string>; part?: FamilyPart; le?: number } = { vars };
  // Stryker disable next-line ConditionalExpression: setting part to undefined is the same as leaving it out (resolve copies m.part either way)
  if (part) out.part = part;
  // Stryker disable next-line ConditionalExpression: setting le to undefined is the same as leaving it out (resolve tests m.le !== undefined)
  if (le !== undefined) out.le = le;
  return out;
}

/** A metric's family candidates for metadata: the name itself, without _total, _bucket, _count, _sum. */
function familyLookup<T>(metric: string, get: (family: string) => T | undefined): T | undefined {
  const direct = get(metric);
  if (direct !== undefined) return direct;
  const m = /_(total|bucket|count|sum)$/.exec(metric);
  return m ? get(metric.slice(0, m.index)) : undefined;
}

function compileRule(rule: MappingRule, path: string): CompiledRule {
  const family = rule.type === 'histogram' ? 'histogram' : rule.type === 'summary' ? 'summary' : undefined;
  if (rule.selector !== undefined) {
    const s = parseSelector(rule.selector);
    return { rule, path, name: s.name, labels: s.labels, family };
  }
  const name: Matcher[] = [];
  if (rule.metric !== undefined) name.push({ name: '__name__', op: '=', value: rule.metric });
  else {
    // metricRegex keeps its own anchoring: it must match the whole name.
    const re = new RegExp(rule.metricRegex!);
    const source = re.source.replace(/^\^/, '').replace(/\$$/, '');
    name.push({ name: '__name__', op: '=~', value: rule.metricRegex!, regex: new RegExp(`^(?:${source})$`) });
  }
  const labels: Matcher[] = Object.entries(rule.labels ?? {}).map(([k, v]) => ({
    name: k,
    op: '=',
    value: v,
  }));
  return { rule, path, name, labels, family };
}

/** `{name}` placeholders filled from labels; undefined when one is missing. */
function fill(template: string, vars: Record<string, string>): string | undefined {
  let missing = false;
  const out = template.replace(PLACEHOLDER, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined || v === '') missing = true;
    // Stryker disable next-line StringLiteral: the text put for a missing label is never read (fill answers undefined then)
    return v ?? '';
  });
  return missing ? undefined : out;
}

/** The identity of a series: vendor, metric and labels in name order. Same series + same time = same sample. */
export function seriesKey(vendorId: string, metric: string, labels: Record<string, string>): string {
  return `${keyPart(vendorId)}|${keyPart(metric)}${labelsKey(labels)}`;
}

const KEY_SPECIAL = /[\\|=]/;
const KEY_SPECIAL_ALL = /[\\|=]/g;

/**
 * A part of a series key with `\`, `|` and `=` escaped (`\\`, `\|`, `\=`), so that no two different label sets have one
 * key: unescaped, `{sli="a", z="1"}` and `{sli="a|z=1"}` were both `|sli=a|z=1`, and shared a mapping memo, a counter
 * state and duplicate detection. A part without those characters is unchanged (keys stored before keep their identity unless they held one).
 */
export function keyPart(s: string): string {
  return KEY_SPECIAL.test(s) ? s.replace(KEY_SPECIAL_ALL, '\\$&') : s;
}

/** `|name=value` per label in name order, escaped (keyPart): the label part of a series or grouping key. */
export function labelsKey(labels: Record<string, string>): string {
  const names = Object.keys(labels);
  // Stryker disable next-line ConditionalExpression: a fast path; the loop below gives '' for no labels too
  if (names.length === 0) return '';
  names.sort();
  let s = '';
  for (const n of names) s += `|${keyPart(n)}=${keyPart(labels[n]!)}`;
  return s;
}

// ---------------------------------------------------------------- validation when loaded

/** Types that can never feed a measure, with why (the same table prepare applies per sample). */
export function typeProblem(type: SemanticType, measure: Measure): string | undefined {
  const events = measure === 'good' || measure === 'bad';
  switch (type) {
    case 'counter':
    case 'delta':
    case 'rate':
      return events ? undefined : `a ${type} counts events; a ${measure} SLI takes readings (use a gauge)`;
    case 'gauge':
      return events
        ? `a gauge is a reading at an instant, not a count of events; a ${measure} SLI needs a counter, a delta or a rate`
        : undefined;
    case 'histogram':
    case 'native-histogram':
      return measure === 'duration'
        ? undefined
        : `a histogram feeds a latency (duration) SLI with a threshold, not a ${measure} SLI`;
    case 'summary':
      return measure === 'value'
        ? undefined
        : `a summary's quantiles are computed by the client over its own sliding window and cannot be added up into events: export a histogram (or feed a value SLI with a quantile)`;
  }
}

/**
 * Checks every rule of a policy: selectors parse, regular expressions compile, matchers can hold together, the
 * type can feed the measure, histogram thresholds are declared bucket bounds, constant templates give valid ids,
 * and no rule is shadowed by an earlier one that always wins. A rule that can never match is an error.
 */
export function validateRules(policy: TelemetryPolicy): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const check = (rules: readonly MappingRule[], prefix: string): void => {
    const compiled: (CompiledRule | undefined)[] = [];
    rules.forEach((rule, i) => {
      const path = `${prefix}[${i}]`;
      const before = problems.length;
      let c: CompiledRule | undefined;
      try {
        c = compileRule(rule, path);
      } catch (e) {
        const msg = e instanceof SelectorError ? e.message : (e as Error).message;
        problems.push({
          path: `${path}.${rule.selector !== undefined ? 'selector' : 'metricRegex'}`,
          problem: msg,
        });
      }
      if (c) ruleProblems(c, problems);
      compiled.push(problems.length === before ? c : undefined);
      if (c && problems.length === before) {
        const shadow = compiled.slice(0, i).findIndex((e) => e !== undefined && shadows(e, c));
        if (shadow >= 0) {
          problems.push({
            path,
            problem: `can never match: ${prefix}[${shadow}] matches every series it matches and always maps them first`,
          });
        }
      }
    });
  };
  check(policy.defaultRules, 'defaultRules');
  for (const [vendor, v] of Object.entries(policy.vendors)) check(v.rules, `vendors.${vendor}.rules`);
  return problems;
}

function ruleProblems(c: CompiledRule, out: RuleProblem[]): void {
  const { rule, path } = c;
  if (c.name.length === 0) {
    out.push({
      path: `${path}.selector`,
      problem: 'must name the metric (a metric name or a __name__ matcher)',
    });
  }
  const byLabel = new Map<string, Matcher[]>();
  for (const m of [...c.name, ...c.labels]) byLabel.set(m.name, [...(byLabel.get(m.name) ?? []), m]);
  for (const [label, ms] of byLabel) {
    const why = contradiction(ms);
    if (why) out.push({ path: `${path}.selector`, problem: `can never match: on ${label}, ${why}` });
  }
  if (c.family === 'histogram') {
    const fixed = c.name.find((m) => m.op === '=')?.value;
    if (fixed && /_(bucket|count|sum)$/.test(fixed)) {
      out.push({
        path: `${path}.selector`,
        problem: `can never match: a histogram rule names the family (${fixed.replace(/_(bucket|count|sum)$/, '')}), not one of its series`,
      });
    }
  }
  if (rule.type) {
    const why = typeProblem(rule.type, rule.measure);
    if (why) out.push({ path: `${path}.type`, problem: `can never feed its SLI: ${why}` });
  }
  if (rule.unit !== undefined && !unitInfo(rule.unit)) {
    out.push({ path: `${path}.unit`, problem: `"${rule.unit}" is not a unit Accord knows` });
  }
  if (rule.type === 'histogram') {
    if (rule.thresholdMs === undefined) {
      out.push({ path: `${path}.thresholdMs`, problem: 'a histogram rule needs the latency threshold' });
    }
    if (!rule.buckets) {
      out.push({
        path: `${path}.buckets`,
        problem: 'a histogram rule lists the bucket bounds (le) its exporter declares',
      });
    }
    if (rule.thresholdMs !== undefined && rule.buckets) {
      // Stryker disable next-line StringLiteral: an unknown unit falls back to 1000, the factor of s, so any default that is not a unit gives s
      const factor = unitInfo(rule.unit ?? 's')?.factor ?? 1000;
      const threshold = rule.thresholdMs / factor;
      const sorted = [...rule.buckets].sort((a, b) => a - b);
      if (!sorted.some((b) => sameBound(b, threshold))) {
        // Stryker disable next-line EqualityOperator: no bound equals the threshold here (sameBound found none), so < and <= pick the same
        const below = sorted.filter((b) => b < threshold).pop();
        // Stryker disable next-line EqualityOperator: no bound equals the threshold here (sameBound found none), so > and >= pick the same
        const above = sorted.find((b) => b > threshold);
        const unit = rule.unit ?? 's';
        out.push({
          path: `${path}.thresholdMs`,
          problem: `${rule.thresholdMs} ms (${threshold} ${unit}) is not a bucket boundary; the nearest are ${
            below === undefined ? '(none below)' : `${below} ${unit}`
          } and ${above === undefined ? '(none above)' : `${above} ${unit}`}`,
        });
      }
    }
  } else if (rule.buckets) {
    out.push({ path: `${path}.buckets`, problem: 'only a histogram rule (type: histogram) lists buckets' });
  }
  // Templates whose every placeholder is fixed by an = matcher (or that have none) always give the same ids.
  for (const field of ['service', 'sli'] as const) {
    const value = staticFill(rule[field], c);
    if (value === null) {
      out.push({
        path: `${path}.${field}`,
        problem: 'can never match: a placeholder reads a label the selector requires to be empty',
      });
    } else if (value !== undefined && !(field === 'service' ? SERVICE_ID : SLI_NAME).test(value)) {
      out.push({
        path: `${path}.${field}`,
        problem: `can never match: "${value}" is not a valid ${field === 'service' ? 'service id (svc_<slug>)' : 'SLI name (a lower-case slug)'}`,
      });
    }
  }
}

/** Whether two bucket bounds are the same number (le="0.3" against 300 ms / 1000). */
export function sameBound(a: number, b: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * A template filled from the selector's `=` matchers: the value when every placeholder is fixed, undefined when
 * some placeholder depends on the series, null when a placeholder is fixed to "" (so the rule can never map).
 */
function staticFill(template: string, c: CompiledRule): string | undefined | null {
  const fixed = new Map<string, string>();
  for (const m of [...c.name, ...c.labels]) if (m.op === '=') fixed.set(m.name, m.value);
  let dynamic = false;
  let empty = false;
  const out = template.replace(PLACEHOLDER, (_m, name: string) => {
    const v = fixed.get(name);
    if (v === undefined) dynamic = true;
    else if (v === '') empty = true;
    // Stryker disable next-line StringLiteral: the text put for a placeholder that depends on the series is never read (staticFill answers undefined then)
    return v ?? '';
  });
  if (empty) return null;
  return dynamic ? undefined : out;
}

/** Whether an earlier rule always wins over a later one: fewer matchers, all shared, and fixed templates. */
function shadows(earlier: CompiledRule, later: CompiledRule): boolean {
  if (earlier.family !== later.family) return false;
  const key = (m: Matcher) => matcherText(m);
  const laterSet = new Set([...later.name, ...later.labels].map(key));
  const earlierSet = [...earlier.name, ...earlier.labels].map(key);
  if (!earlierSet.every((k) => laterSet.has(k))) return false;
  // The same matchers and the same templates: the later rule succeeds exactly when the earlier one does.
  const sameTemplates = earlier.rule.service === later.rule.service && earlier.rule.sli === later.rule.sli;
  if (sameTemplates && earlierSet.length === laterSet.size) return true;
  const service = staticFill(earlier.rule.service, earlier);
  const sli = staticFill(earlier.rule.sli, earlier);
  return (
    typeof service === 'string' && SERVICE_ID.test(service) && typeof sli === 'string' && SLI_NAME.test(sli)
  );
}
