/**
 * OpenSLO v1 ⇄ Accord objectives. Import maps each SLO objective to an Accord objective of one agreement (its
 * service, its time zone); export writes one SLO (and its SLI) per objective, so import → export → import gives
 * the same objectives. What one side cannot express is reported (`notes`), never dropped silently; what Accord
 * cannot take is a problem, and the import is refused as a whole (docs/openslo.md).
 */
import type { z } from 'zod';
import type { BurnWindowPolicy } from '../../policy/objectives.js';
import type { Objective, SliSource } from '../../schemas/agreement.js';
import type { MappingRule } from '../../schemas/telemetry.js';
import type { FieldProblem } from '../errors.js';
import { decimalString, exact, floorDecimals, mul, ratio } from '../objectives/exact.js';
import { sliceMinutesProblem } from '../objectives/slices.js';
import type {
  OsAlertCondition,
  OsAlertNotificationTarget,
  OsAlertPolicy,
  OsDataSource,
  OsDocument,
  OsMetricSource,
  OsObjective,
  OsService,
  OsSli,
  OsSliSpec,
  OsSlo,
  OsTimeWindow,
} from './model.js';
import { counterSelector, deriveMappingRules } from './promql.js';
import { documentPath } from './yaml.js';

export type ObjectiveInput = z.input<typeof Objective>;
export type ObjectiveOut = z.output<typeof Objective>;
type SliSourceT = z.output<typeof SliSource>;
type Contact = { name: string; email: string };

/** Annotations Accord writes on an exported SLO and reads back: what OpenSLO has no field for. */
export const ANNOTATION = {
  sliType: 'accord.dev/sli-type',
  owner: 'accord.dev/owner',
  customerContact: 'accord.dev/customer-contact',
  monitoring: 'accord.dev/monitoring',
  supportedHoursOnly: 'accord.dev/supported-hours-only',
  emptySlices: 'accord.dev/empty-slices',
  /** A latency threshold of an SLI that is not a thresholdMetric (fed by Accord's own duration rules). */
  thresholdMs: 'accord.dev/threshold-ms',
  /** The Accord SLI has no name of its own: its name is its type (`sli.name` absent). */
  sliNameIsType: 'accord.dev/sli-name-is-type',
} as const;

export interface ImportContext {
  /**
   * The agreement's service (`svc_<slug>`): every SLO must name `<slug>` as its service (the full id holds an
   * underscore, which an OpenSLO name cannot).
   */
  serviceId: string;
  /** The agreement's IANA zone: calendar windows must be in it. */
  timeZone: string;
  /** Used when an SLO carries no owner / customer-contact annotation. */
  defaultOwner: Contact;
  defaultCustomerContact: Contact;
}

export interface ImportResult {
  objectives: ObjectiveInput[];
  /** Mapping rules proposed for SLIs from Prometheus (vendor = the data source name). */
  mappingRules: { vendor: string; sliName: string; rule: MappingRule }[];
  /** What was read but not taken, or taken with a stated approximation (path + what). */
  notes: FieldProblem[];
  /** What Accord cannot take: the import is refused when there is any. */
  problems: FieldProblem[];
}

const DAY_MIN = 1440;
/** The metric source type Accord writes for an SLI it holds no source query for (fed by mapping rules). */
export const ACCORD_SOURCE = 'Accord';
const UNIT_MIN: Record<string, number> = { s: 1 / 60, m: 1, h: 60, d: DAY_MIN, w: 7 * DAY_MIN };

/** A duration shorthand in minutes, or null for M, Q, Y (calendar units, not fixed lengths). */
export function shorthandMinutes(d: string): number | null {
  const unit = d.slice(-1);
  const n = Number(d.slice(0, -1));
  return UNIT_MIN[unit] === undefined ? null : n * UNIT_MIN[unit]!;
}

/** Minutes as OpenSLO's shorthand, in the largest unit that divides them (1440 → 1d, 90 → 90m). */
export function minutesShorthand(m: number): string {
  if (m % DAY_MIN === 0) return `${m / DAY_MIN}d`;
  if (m % 60 === 0) return `${m / 60}h`;
  return `${m}m`;
}

/**
 * A ratio (0.999) as a percent (99.9), exactly as the decimal was written. The product of a decimal and 100 ends
 * within as many places as its denominator (a power of ten) has zeros, so every digit is kept (1e-20 → 1e-18)
 * and the text is read back once: the percent is the float nearest the exact product. RangeError when x is not
 * finite.
 */
export function ratioToPercent(x: number): number {
  const percent = mul(exact(x), exact(100));
  return Number(decimalString(percent, percent.d.toString().length));
}

const contactText = (c: Contact) => `${c.name} <${c.email}>`;
function parseContact(s: string): Contact | null {
  const m = /^\s*(.+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(s);
  return m ? { name: m[1]!, email: m[2]! } : null;
}

// Stryker disable next-line Regex: a service id is svc_<slug> and a slug holds no underscore, so svc_ occurs only at its start: without ^ the same text goes
const serviceSlug = (serviceId: string) => serviceId.replace(/^svc_/, '');
const SLUG = /^[a-z][a-z0-9-]{0,62}$/;
/** An OpenSLO name: a DNS label (RFC 1123), as `OsName` in ./model.ts checks it. */
const OS_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function calendarUnit(duration: string): 'week' | 'month' | 'quarter' | null {
  return duration === '1w' ? 'week' : duration === '1M' ? 'month' : duration === '1Q' ? 'quarter' : null;
}

/** Local start times Accord's calendar periods are written with on export (a Monday; the 1st of a quarter). */
const CALENDAR_START: Record<'week' | 'month' | 'quarter', string> = {
  week: '2024-01-01 00:00:00',
  month: '2024-01-01 00:00:00',
  quarter: '2024-01-01 00:00:00',
};

function startTimeProblem(unit: 'week' | 'month' | 'quarter', start: string): string | null {
  const [date, time] = start.split(' ');
  if (time !== '00:00:00') return `Accord's calendar periods start at local midnight; ${start} is not`;
  const [y, mo, d] = date!.split('-').map(Number) as [number, number, number];
  if (unit === 'week') {
    const wd = new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
    if (wd !== 1) return `Accord's calendar weeks are ISO weeks starting on Monday; ${date} is not a Monday`;
  } else if (d !== 1 || (unit === 'quarter' && (mo - 1) % 3 !== 0)) {
    return unit === 'month'
      ? `Accord's calendar months start on the 1st; ${date} does not`
      : `Accord's calendar quarters start on 1 January, April, July or October; ${date} does not`;
  }
  return null;
}

/**
 * Maps a validated OpenSLO stream to objectives of one agreement.
 * @param docs the stream's documents with their index (from `parseOpenSlo`)
 * @returns objectives (Accord's input shape), proposed mapping rules, notes and problems (empty when it can be taken)
 */
export function importOpenSlo(
  docs: readonly { index: number; doc: OsDocument }[],
  ctx: ImportContext,
): ImportResult {
  const notes: FieldProblem[] = [];
  const problems: FieldProblem[] = [];
  const objectives: ObjectiveInput[] = [];
  const mappingRules: ImportResult['mappingRules'] = [];
  const byKind = <T extends OsDocument>(kind: T['kind']) =>
    docs.filter((d) => d.doc.kind === kind) as { index: number; doc: T }[];
  const named = <T extends OsDocument>(kind: T['kind']) => {
    const m = new Map<string, { index: number; doc: T }>();
    for (const d of byKind<T>(kind)) {
      if (m.has(d.doc.metadata.name))
        problems.push({
          path: documentPath(d.index, ['metadata', 'name']),
          problem: `a second ${kind} named ${d.doc.metadata.name}`,
        });
      else m.set(d.doc.metadata.name, d);
    }
    return m;
  };
  const slis = named<OsSli>('SLI');
  const dataSources = named<OsDataSource>('DataSource');
  const policies = named<OsAlertPolicy>('AlertPolicy');
  const conditions = named<OsAlertCondition>('AlertCondition');
  const targets = named<OsAlertNotificationTarget>('AlertNotificationTarget');
  const slug = serviceSlug(ctx.serviceId);

  for (const { index, doc } of byKind<OsService>('Service')) {
    if (doc.metadata.name !== slug)
      problems.push({
        path: documentPath(index, ['metadata', 'name']),
        problem: `this agreement's service is ${ctx.serviceId} (${slug}); services are registered through POST /v1/services, not imported`,
      });
    else if (doc.spec.description || doc.metadata.displayName)
      notes.push({
        path: documentPath(index, []),
        problem:
          "the Service's display name and description are not taken: the service record is Accord's own",
      });
  }
  for (const { index, doc } of dataSources.values()) {
    if (Object.keys(doc.spec.connectionDetails).length)
      notes.push({
        path: documentPath(index, ['spec', 'connectionDetails']),
        problem: `not taken: Accord stores no data-source connections (they may hold secrets); the name ${doc.metadata.name} and type ${doc.spec.type} are kept on each SLI that uses it`,
      });
  }
  for (const { index, doc } of policies.values())
    notes.push({
      path: documentPath(index, []),
      problem: `AlertPolicy ${doc.metadata.name} is not taken: Accord alerts on every objective by its multi-window, multi-burn-rate table (shared/policy/objectives.ts), the same for all; its own policy is exported as accord-burn-rate`,
    });
  for (const { index, doc } of conditions.values())
    notes.push({
      path: documentPath(index, []),
      problem: `AlertCondition ${doc.metadata.name} is not taken: see the burn-rate table`,
    });
  for (const { index, doc } of targets.values())
    notes.push({
      path: documentPath(index, []),
      problem: `AlertNotificationTarget ${doc.metadata.name} (${doc.spec.target}) is not taken: Accord notifies the agreement's escalation matrix and the objective's owner`,
    });

  const ids = new Set<string>();
  const ruleKeys = new Set<string>();
  for (const { index, doc: slo } of byKind<OsSlo>('SLO')) {
    const at = (...p: (string | number)[]) => documentPath(index, p);
    const spec = slo.spec;
    if (spec.service !== slug)
      problems.push({
        path: at('spec', 'service'),
        problem: `names service ${spec.service}; this agreement's service is ${ctx.serviceId} (${slug})`,
      });
    let sli: { name: string; spec: OsSliSpec; path: (string | number)[]; docIndex: number } | null = null;
    if (spec.indicator) {
      sli = {
        name: spec.indicator.metadata.name,
        spec: spec.indicator.spec,
        path: ['spec', 'indicator'],
        docIndex: index,
      };
    } else {
      const ref = slis.get(spec.indicatorRef!);
      if (!ref)
        problems.push({
          path: at('spec', 'indicatorRef'),
          problem: `no SLI named ${spec.indicatorRef} in the stream`,
        });
      else sli = { name: ref.doc.metadata.name, spec: ref.doc.spec, path: [], docIndex: ref.index };
    }
    for (const [k, ref] of spec.alertPolicies.entries()) {
      if ('alertPolicyRef' in ref && !policies.has(ref.alertPolicyRef))
        problems.push({
          path: at('spec', 'alertPolicies', k, 'alertPolicyRef'),
          problem: `no AlertPolicy named ${ref.alertPolicyRef} in the stream`,
        });
      else if (!('alertPolicyRef' in ref))
        notes.push({
          path: at('spec', 'alertPolicies', k),
          problem: 'an inline AlertPolicy is not taken: Accord alerts by its burn-rate table',
        });
    }
    if (spec.description)
      notes.push({
        path: at('spec', 'description'),
        problem: 'not taken: an Accord objective has no description',
      });
    const window = windowOf(spec.timeWindow[0]!, ctx, (p, problem) =>
      problems.push({ path: at('spec', 'timeWindow', 0, ...p), problem }),
    );
    const ann = slo.metadata.annotations ?? {};
    const ownerText = ann[ANNOTATION.owner];
    const customerText = ann[ANNOTATION.customerContact];
    const owner = ownerText ? parseContact(ownerText) : ctx.defaultOwner;
    const customer = customerText ? parseContact(customerText) : ctx.defaultCustomerContact;
    if (!owner)
      problems.push({
        path: at('metadata', 'annotations', ANNOTATION.owner),
        problem: 'must be "Name <email>"',
      });
    if (!customer)
      problems.push({
        path: at('metadata', 'annotations', ANNOTATION.customerContact),
        problem: 'must be "Name <email>"',
      });
    const method =
      spec.budgetingMethod === 'Occurrences'
        ? 'occurrences'
        : spec.budgetingMethod === 'Timeslices'
          ? 'timeslices'
          : 'ratio-timeslices';
    if (sli && !SLUG.test(sli.name))
      problems.push({
        path: documentPath(sli.docIndex, [...sli.path, 'metadata', 'name']),
        problem: 'an Accord SLI name must start with a letter',
      });
    const source = sli
      ? sourceOf(sli.spec, dataSources, (p, problem) =>
          problems.push({ path: documentPath(sli.docIndex, [...sli.path, 'spec', ...p]), problem }),
        )
      : null;

    spec.objectives.forEach((o: OsObjective, k: number) => {
      const oat = (...p: (string | number)[]) => at('spec', 'objectives', k, ...p);
      const id = spec.objectives.length === 1 ? slo.metadata.name : `${slo.metadata.name}-${k + 1}`;
      if (!SLUG.test(id))
        problems.push({
          path: at('metadata', 'name'),
          problem:
            id.length > 63
              ? `gives the Accord objective id ${id}, ${id.length} characters: an id holds at most 63${spec.objectives.length > 1 ? ` (the SLO's ${spec.objectives.length} objectives are named <name>-1 … <name>-${spec.objectives.length}: shorten the name)` : ''}`
              : 'an Accord objective id must start with a letter',
        });
      if (ids.has(id))
        problems.push({ path: at('metadata', 'name'), problem: `a second objective with id ${id}` });
      ids.add(id);
      if (o.indicatorRef || o.compositeWeight !== undefined)
        problems.push({
          path: oat(o.indicatorRef ? 'indicatorRef' : 'compositeWeight'),
          problem: 'composite SLOs are not taken: an Accord objective has one SLI',
        });
      const target = o.targetPercent ?? ratioToPercent(o.target!);
      let sliType = (ann[ANNOTATION.sliType] as ObjectiveOut['sli']['type'] | undefined) ?? undefined;
      let thresholdMs: number | undefined;
      if (sli?.spec.thresholdMetric) {
        if (o.op === undefined) problems.push({ path: oat(), problem: 'a threshold SLI needs op and value' });
        else if (o.op === 'gt' || o.op === 'gte')
          problems.push({
            path: oat('op'),
            problem:
              'Accord counts an event good when it completes within a threshold (lte); a lower bound cannot be taken',
          });
        else {
          if (o.op === 'lt')
            notes.push({
              path: oat('op'),
              problem: 'taken as lte: Accord counts an event good when it completes within the threshold (≤)',
            });
          thresholdMs = o.value;
          if (!(o.value! > 0))
            problems.push({ path: oat('value'), problem: 'must be a positive number of milliseconds' });
        }
        sliType = sliType === 'resolution-time' ? 'resolution-time' : 'response-time';
      } else {
        if (o.op !== undefined)
          problems.push({ path: oat('op'), problem: 'op and value apply to a thresholdMetric SLI only' });
        const t = ann[ANNOTATION.thresholdMs];
        if (t !== undefined) {
          thresholdMs = Number(t);
          if (!(thresholdMs > 0))
            problems.push({
              path: at('metadata', 'annotations', ANNOTATION.thresholdMs),
              problem: 'must be a positive number of milliseconds',
            });
        }
        // A ratio SLI keeps the type Accord annotated (a latency type included, fed by its threshold annotation).
        sliType ??= 'availability';
      }
      let timeSlice: ObjectiveInput['timeSlice'];
      if (method !== 'occurrences') {
        const w = o.timeSliceWindow;
        const minutes = w === undefined ? null : typeof w === 'number' ? w / 60 : shorthandMinutes(w);
        const sliceProblem =
          minutes === null
            ? 'is required for a timeslices method, in minutes, hours or a day'
            : sliceMinutesProblem(minutes);
        if (sliceProblem) problems.push({ path: oat('timeSliceWindow'), problem: sliceProblem });
        if (o.timeSliceTarget === undefined)
          problems.push({ path: oat('timeSliceTarget'), problem: `is required for ${spec.budgetingMethod}` });
        const empty = ann[ANNOTATION.emptySlices];
        if (empty !== undefined && empty !== 'excluded' && empty !== 'good' && empty !== 'bad')
          problems.push({
            path: at('metadata', 'annotations', ANNOTATION.emptySlices),
            problem: 'must be excluded, good or bad',
          });
        timeSlice = {
          minutes: minutes ?? 0,
          target: o.timeSliceTarget ?? 1,
          ...(empty ? { emptySlices: empty as 'excluded' | 'good' | 'bad' } : {}),
        };
      } else if (o.timeSliceTarget !== undefined || o.timeSliceWindow !== undefined) {
        notes.push({
          path: oat(),
          problem: 'timeSliceTarget and timeSliceWindow are not taken: the budgeting method is Occurrences',
        });
      }
      if (!window || !owner || !customer || !sli) return;
      objectives.push({
        id,
        name: o.displayName ?? slo.metadata.displayName ?? slo.metadata.name,
        sli: {
          type: sliType!,
          ...(ann[ANNOTATION.sliNameIsType] === 'true' && sli.name === sliType ? {} : { name: sli.name }),
          ...(thresholdMs !== undefined ? { thresholdMs } : {}),
          ...(source ? { source } : {}),
        },
        target,
        window,
        budgetingMethod: method,
        ...(timeSlice ? { timeSlice } : {}),
        monitoring: ann[ANNOTATION.monitoring] === 'reported' ? 'reported' : 'alerted',
        owner,
        customerContact: customer,
        supportedHoursOnly: ann[ANNOTATION.supportedHoursOnly] === 'true',
      });
      if (source?.type.toLowerCase() === 'prometheus') {
        const derived = deriveMappingRules(ctx.serviceId, sli.name, source);
        if ('problem' in derived)
          notes.push({
            path: documentPath(sli.docIndex, [...sli.path, 'spec']),
            problem: `no mapping rule proposed: ${derived.problem}`,
          });
        else
          for (const rule of derived.rules) {
            const key = JSON.stringify(rule);
            if (ruleKeys.has(key)) continue;
            ruleKeys.add(key);
            mappingRules.push({ vendor: source.dataSource ?? 'prometheus', sliName: sli.name, rule });
          }
      }
    });
  }
  for (const [name, { index }] of slis)
    if (!byKind<OsSlo>('SLO').some((s) => s.doc.spec.indicatorRef === name))
      notes.push({
        path: documentPath(index, []),
        problem: `SLI ${name} is not used by any SLO in the stream: not taken`,
      });
  return { objectives, mappingRules, notes, problems };
}

function windowOf(
  w: OsTimeWindow,
  ctx: ImportContext,
  problem: (path: string[], text: string) => void,
): ObjectiveInput['window'] | null {
  if (w.isRolling) {
    if (w.calendar) problem(['calendar'], 'a rolling window has no calendar');
    const m = shorthandMinutes(w.duration);
    if (m === null || m % DAY_MIN !== 0 || m / DAY_MIN > 366) {
      problem(
        ['duration'],
        'Accord rolling windows are whole days, 1 to 366 (1d … 52w); months, quarters and years are calendar windows',
      );
      return null;
    }
    return { type: 'rolling', days: m / DAY_MIN };
  }
  const unit = calendarUnit(w.duration);
  if (!unit) {
    problem(['duration'], 'Accord calendar windows are 1w (ISO week), 1M (month) or 1Q (quarter)');
    return null;
  }
  if (w.calendar) {
    if (w.calendar.timeZone !== ctx.timeZone)
      problem(
        ['calendar', 'timeZone'],
        `every objective of this agreement is evaluated in its time zone, ${ctx.timeZone}; ${w.calendar.timeZone} cannot be taken`,
      );
    const p = startTimeProblem(unit, w.calendar.startTime);
    if (p) problem(['calendar', 'startTime'], p);
  }
  return { type: 'calendar', unit };
}

function sourceOf(
  spec: OsSliSpec,
  dataSources: Map<string, { index: number; doc: OsDataSource }>,
  problem: (path: (string | number)[], text: string) => void,
): SliSourceT | null {
  const parts: [string, OsMetricSource][] = [];
  if (spec.thresholdMetric) parts.push(['threshold', spec.thresholdMetric.metricSource]);
  const r = spec.ratioMetric;
  if (r)
    for (const k of ['good', 'bad', 'total', 'raw'] as const) if (r[k]) parts.push([k, r[k].metricSource]);
  let type: string | undefined;
  let ref: string | undefined;
  for (const [k, ms] of parts) {
    const path = k === 'threshold' ? ['thresholdMetric', 'metricSource'] : ['ratioMetric', k, 'metricSource'];
    const ds = ms.metricSourceRef ? dataSources.get(ms.metricSourceRef) : undefined;
    if (ms.metricSourceRef && !ds)
      problem([...path, 'metricSourceRef'], `no DataSource named ${ms.metricSourceRef} in the stream`);
    const t = ms.type ?? ds?.doc.spec.type;
    if (!t) problem(path, 'names neither a type nor a DataSource');
    if (type !== undefined && t !== type)
      problem([...path, 'type'], 'Accord keeps one data source per SLI; this metric names another');
    if (ref !== undefined && ms.metricSourceRef !== ref)
      problem(
        [...path, 'metricSourceRef'],
        'Accord keeps one data source per SLI; this metric names another',
      );
    type ??= t;
    ref ??= ms.metricSourceRef;
  }
  // An SLI Accord exported without a source query reads back as one without a source.
  if (!type || type === ACCORD_SOURCE) return null;
  const src: SliSourceT = { type, ...(ref ? { dataSource: ref } : {}) };
  if (r) {
    src.counter = r.counter;
    if (r.rawType) src.rawType = r.rawType;
  }
  for (const [k, ms] of parts) (src as Record<string, unknown>)[k] = ms.spec;
  return src;
}

// ------------------------------------------------------------------------------------------------ export

export interface ExportContext {
  agreementId: string;
  serviceId: string;
  serviceName?: string;
  timeZone: string;
  objectives: readonly ObjectiveOut[];
  burnWindows: BurnWindowPolicy;
  /** The agreement's fields OpenSLO has no place for, present on this agreement (credits, sign-offs, …). */
  agreementOnly: readonly string[];
}

export interface ExportResult {
  docs: OsDocument[];
  /** What Accord holds that the stream cannot carry (path in the agreement + what). */
  notExpressed: FieldProblem[];
}

/**
 * Writes an agreement's objectives as OpenSLO v1: a Service, one SLI and one SLO per objective, the DataSources
 * the SLIs name, and Accord's burn-rate table as one AlertPolicy with its AlertConditions.
 */
export function exportOpenSlo(ctx: ExportContext): ExportResult {
  const slug = serviceSlug(ctx.serviceId);
  const notExpressed: FieldProblem[] = ctx.agreementOnly.map((f) => ({
    path: f,
    problem: 'OpenSLO has no field for it: not exported',
  }));
  const docs: OsDocument[] = [
    {
      apiVersion: 'openslo/v1',
      kind: 'Service',
      metadata: { name: slug, ...(ctx.serviceName ? { displayName: ctx.serviceName } : {}) },
      spec: {},
    },
  ];
  const dataSources = new Map<string, string>();
  const slis = new Map<string, OsSli>();
  const slos: OsSlo[] = [];
  ctx.objectives.forEach((o, i) => {
    const sliName = o.sli.name ?? o.sli.type;
    // Accord's ids allow a trailing hyphen (`avail-`); OpenSLO names are DNS labels, which do not. Written as is,
    // the stream would be refused by OpenSLO tools and by Accord's own import: the objective is left out, and said.
    const badName = !OS_NAME.test(o.id)
      ? ['id', o.id]
      : !OS_NAME.test(sliName)
        ? ['sli.name', sliName]
        : null;
    if (badName) {
      notExpressed.push({
        path: `objectives[${i}].${badName[0]}`,
        problem: `"${badName[1]}" is not an OpenSLO name (a DNS label: a-z, 0-9 and inner hyphens): objective ${o.id} is not exported`,
      });
      return;
    }
    const src = o.sli.source;
    if (src?.dataSource) dataSources.set(src.dataSource, src.type);
    const spec = sliSpecOf(o, src, ctx.serviceId);
    if (!src)
      notExpressed.push({
        path: `objectives[${i}].sli`,
        problem: `the SLI has no source query in Accord (its telemetry arrives through mapping rules); exported with a metricSource of type Accord naming the SLI key ${ctx.serviceId}/${sliName}`,
      });
    const existing = slis.get(sliName);
    // Two objectives reading one SLI name with different definitions: the later one carries its SLI inline.
    const inline = existing !== undefined && JSON.stringify(existing.spec) !== JSON.stringify(spec);
    if (!existing)
      slis.set(sliName, { apiVersion: 'openslo/v1', kind: 'SLI', metadata: { name: sliName }, spec });
    const annotations: Record<string, string> = {
      [ANNOTATION.sliType]: o.sli.type,
      ...(o.sli.name === undefined ? { [ANNOTATION.sliNameIsType]: 'true' } : {}),
      [ANNOTATION.owner]: contactText(o.owner),
      [ANNOTATION.customerContact]: contactText(o.customerContact),
      [ANNOTATION.monitoring]: o.monitoring,
      [ANNOTATION.supportedHoursOnly]: String(o.supportedHoursOnly),
      ...(o.timeSlice?.emptySlices ? { [ANNOTATION.emptySlices]: o.timeSlice.emptySlices } : {}),
    };
    const objective: OsObjective = {
      displayName: o.name,
      targetPercent: o.target,
      ...(o.sli.thresholdMs !== undefined && src?.threshold
        ? { op: 'lte' as const, value: o.sli.thresholdMs }
        : {}),
      ...(o.timeSlice
        ? { timeSliceTarget: o.timeSlice.target, timeSliceWindow: minutesShorthand(o.timeSlice.minutes) }
        : {}),
    };
    if (o.sli.thresholdMs !== undefined && !src?.threshold)
      annotations[ANNOTATION.thresholdMs] = String(o.sli.thresholdMs);
    slos.push({
      apiVersion: 'openslo/v1',
      kind: 'SLO',
      metadata: { name: o.id, displayName: o.name, annotations },
      spec: {
        service: slug,
        ...(inline ? { indicator: { metadata: { name: sliName }, spec } } : { indicatorRef: sliName }),
        timeWindow: [
          o.window.type === 'rolling'
            ? { duration: `${o.window.days}d`, isRolling: true }
            : {
                duration: o.window.unit === 'week' ? '1w' : o.window.unit === 'month' ? '1M' : '1Q',
                isRolling: false,
                calendar: { startTime: CALENDAR_START[o.window.unit], timeZone: ctx.timeZone },
              },
        ],
        budgetingMethod:
          o.budgetingMethod === 'occurrences'
            ? 'Occurrences'
            : o.budgetingMethod === 'timeslices'
              ? 'Timeslices'
              : 'RatioTimeslices',
        objectives: [objective],
        alertPolicies: [{ alertPolicyRef: 'accord-burn-rate' }],
      },
    });
  });
  for (const [name, type] of dataSources)
    docs.push({
      apiVersion: 'openslo/v1',
      kind: 'DataSource',
      metadata: { name },
      spec: { type, connectionDetails: {} },
    });
  if (dataSources.size)
    notExpressed.push({
      path: '(data sources)',
      problem: 'connectionDetails are empty: Accord stores no data-source connections',
    });
  docs.push(...slis.values());
  if (slos.length) docs.push(...alertDocs(ctx.burnWindows));
  docs.push(...slos);
  return { docs, notExpressed };
}

function sliSpecOf(o: ObjectiveOut, src: SliSourceT | undefined, serviceId: string): OsSliSpec {
  if (!src) {
    const ms = { type: ACCORD_SOURCE, spec: { sliKey: `${serviceId}/${o.sli.name ?? o.sli.type}` } };
    return { ratioMetric: { counter: true, good: { metricSource: ms }, total: { metricSource: ms } } };
  }
  const ms = (spec: Record<string, unknown>) => ({
    metricSource: { ...(src.dataSource ? { metricSourceRef: src.dataSource } : {}), type: src.type, spec },
  });
  if (src.threshold) return { thresholdMetric: ms(src.threshold) };
  return {
    ratioMetric: {
      counter: src.counter ?? true,
      ...(src.good ? { good: ms(src.good) } : {}),
      ...(src.bad ? { bad: ms(src.bad) } : {}),
      ...(src.total ? { total: ms(src.total) } : {}),
      ...(src.rawType ? { rawType: src.rawType } : {}),
      ...(src.raw ? { raw: ms(src.raw) } : {}),
    },
  };
}

/** Accord's burn-rate table as one AlertPolicy: each window pair a condition (long window = lookbackWindow, short = alertAfter). */
function alertDocs(policy: BurnWindowPolicy): OsDocument[] {
  const conditions: OsAlertCondition[] = policy.windows.map((w) => ({
    apiVersion: 'openslo/v1',
    kind: 'AlertCondition',
    metadata: { name: `accord-${w.name}` },
    spec: {
      description: `burn rate above ${w.budgetPercent}% of a ${policy.referencePeriod} budget within ${w.long}, over both ${w.long} and ${w.short} (Accord's short window is written as alertAfter)`,
      severity: w.action,
      condition: {
        kind: 'burnrate',
        op: 'gt',
        // Cut to 6 decimals: a threshold that does not end there (1% of 30d within 7h is 1.0285714…) is written as
        // 1.028571, where decimalString's "1.028571…" would read as NaN, written `.nan` and refused on import.
        threshold: floorDecimals(
          ratio(w.budgetPercent * shorthandMinutes(policy.referencePeriod)!, 100 * shorthandMinutes(w.long)!),
          6,
        ),
        lookbackWindow: w.long,
        alertAfter: w.short,
      },
    },
  }));
  const alertPolicy: OsAlertPolicy = {
    apiVersion: 'openslo/v1',
    kind: 'AlertPolicy',
    metadata: { name: 'accord-burn-rate', displayName: 'Accord multi-window, multi-burn-rate alerts' },
    spec: {
      description: 'Accord alerts on every objective by this table; windows scale with the objective period',
      alertWhenBreaching: true,
      conditions: conditions.map((c) => ({ conditionRef: c.metadata.name })),
      notificationTargets: [],
    },
  };
  return [...conditions, alertPolicy];
}

export { counterSelector };
