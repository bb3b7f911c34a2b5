import { localDate } from '../agreements/rules.js';
/**
 * Report builders: pure functions from the figures of the agreements an audience may see to a ReportModel.
 * Every aggregate is computed here from the visible rows only, so a summary never counts what the audience
 * was not shown. Column masking (redaction.ts) runs afterwards.
 */
import type {
  AgreementInfo,
  AuditRecomputation,
  BudgetStatusFigure,
  BurnPoint,
  CreditFigure,
  ObjectiveFigure,
  ViolationFigure,
} from './figures.js';
import {
  type Audience,
  type BurnDownChart,
  type Cell,
  type Column,
  type Commentary,
  type KeyFigure,
  REPORT_SCHEMA,
  type ReportModel,
  type ReportType,
  type Section,
  type StatusValue,
  type Table,
} from './model.js';

export interface ReportPeriod {
  /** `2026-04`, or `2026-02 to 2026-04` for several months. */
  label: string;
  start: string;
  end: string;
  /** The months covered, oldest first (`YYYY-MM`). */
  months: string[];
}

/** Everything a builder may use: already filtered to what the caller and the audience may see. */
export interface ReportInputs {
  id: string;
  type: ReportType;
  audience: Audience;
  party?: string | undefined;
  scopeLabel: string;
  generatedAt: string;
  generatedBy: string;
  period: ReportPeriod;
  agreements: AgreementInfo[];
  /** Per objective per month of the period (`month` says which). */
  objectives: (ObjectiveFigure & { month: string })[];
  budgets: BudgetStatusFigure[];
  violations: ViolationFigure[];
  /** Stored budget history per `<agreementId>/<objectiveId>`, within the period. */
  burn: ReadonlyMap<string, BurnPoint[]>;
  commentary: Commentary[];
  audit?: {
    recomputed: AuditRecomputation[];
    /** The figures of the published report for the period, when one was found in the archive. */
    reported?: {
      source: string;
      figures: { agreementId: string; objectiveId: string; compliance: number | null }[];
    };
  };
  settings: ReportSettings;
}

export interface ReportSettings {
  /** A service with at least this many violations in the period is a repeat offender. */
  repeatOffenderThreshold: number;
  /** Compliance figures closer than this (percentage points) are the same figure (rounding). */
  auditTolerancePoints: number;
  /** Burn-down charts per report at most: those with the least budget left (a portfolio has thousands). */
  maxCharts: number;
}

const text = (v: string): Cell => ({ t: 'text', v });
const num = (v: number | null, digits = 0): Cell => ({ t: 'number', v, digits });
const pct = (v: number | null, digits = 3): Cell => ({ t: 'percent', v, digits });
const money = (v: number | null, currency: string): Cell => ({ t: 'money', v, currency });
const status = (v: StatusValue): Cell => ({ t: 'status', v });
const date = (v: string | null | undefined): Cell => ({ t: 'date', v: v ?? null });
const col = (key: string, label: string, cls?: Column['class']): Column =>
  cls ? { key, label, class: cls } : { key, label };

const key = (agreementId: string, objectiveId: string) => `${agreementId}/${objectiveId}`;
const metOf = (f: { compliance: number | null; target: number }): StatusValue =>
  f.compliance === null ? 'unknown' : f.compliance >= f.target ? 'met' : 'missed';
const share = (part: number, whole: number): number | null => (whole === 0 ? null : (100 * part) / whole);

/** Builds the report of `inputs.type`. */
export function buildReport(inputs: ReportInputs): ReportModel {
  const build = BUILDERS[inputs.type];
  const { title, summary, sections, notes } = build(inputs);
  return {
    schema: REPORT_SCHEMA,
    id: inputs.id,
    type: inputs.type,
    title,
    scopeLabel: inputs.scopeLabel,
    audience: inputs.audience,
    ...(inputs.party ? { party: inputs.party } : {}),
    period: { label: inputs.period.label, start: inputs.period.start, end: inputs.period.end },
    generatedAt: inputs.generatedAt,
    generatedBy: inputs.generatedBy,
    summary,
    sections,
    commentary: [...inputs.commentary].sort((a, b) =>
      key(a.agreementId, a.objectiveId).localeCompare(key(b.agreementId, b.objectiveId)),
    ),
    notes,
    hash: '',
  };
}

type Built = { title: string; summary: KeyFigure[]; sections: Section[]; notes: string[] };
const BUILDERS: Record<ReportType, (i: ReportInputs) => Built> = {
  'monthly-compliance': monthlyCompliance,
  'credit-statement': creditStatement,
  'violation-trends': violationTrends,
  'ola-uc-performance': olaUcPerformance,
  'error-budget': errorBudget,
  'sla-audit': slaAudit,
};

const section = (id: string, title: string, parts: Partial<Omit<Section, 'id' | 'title'>> = {}): Section => ({
  id,
  title,
  paragraphs: parts.paragraphs ?? [],
  tables: parts.tables ?? [],
  charts: parts.charts ?? [],
});

interface Tally {
  objectives: number;
  met: number;
  missed: number;
  unknown: number;
}
const tally = (fs: readonly { compliance: number | null; target: number }[]): Tally => {
  const t = { objectives: fs.length, met: 0, missed: 0, unknown: 0 };
  for (const f of fs) t[metOf(f) as 'met' | 'missed' | 'unknown']++;
  return t;
};
const tallyCells = (t: Tally): Cell[] => [
  num(t.objectives),
  num(t.met),
  num(t.missed),
  num(t.unknown),
  pct(share(t.met, t.met + t.missed), 1),
];
const TALLY_COLUMNS = [
  col('objectives', 'Objectives'),
  col('met', 'Met'),
  col('missed', 'Missed'),
  col('unknown', 'No data'),
  col('shareMet', 'Met (% of measured)'),
];

function groupBy<T>(xs: readonly T[], by: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = by(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return new Map([...m.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function burnCharts(
  i: ReportInputs,
  figures: readonly { agreementId: string; objectiveId: string; periodStart?: string; periodEnd?: string }[],
): BurnDownChart[] {
  const byId = new Map(i.agreements.map((a) => [a.id, a]));
  const seen = new Set<string>();
  const out: BurnDownChart[] = [];
  for (const f of figures) {
    const k = key(f.agreementId, f.objectiveId);
    if (seen.has(k)) continue;
    seen.add(k);
    const a = byId.get(f.agreementId);
    const name = a?.objectives.find((o) => o.id === f.objectiveId)?.name ?? f.objectiveId;
    out.push({
      id: `burn-${k}`,
      title: `${a?.title ?? f.agreementId}: ${name}`,
      // The objective's own month when the figure says which (the agreement's time zone), else the report's.
      periodStart: f.periodStart ?? i.period.start,
      periodEnd: f.periodEnd ?? i.period.end,
      ...(a && f.periodStart ? { timeZone: a.timeZone } : {}),
      points: (i.burn.get(k) ?? []).filter(
        (p) => p.at >= (f.periodStart ?? i.period.start) && p.at <= (f.periodEnd ?? i.period.end),
      ),
      empty: 'no budget history kept for this period',
    });
  }
  // Too many to read: keep the objectives with the least budget left at the end of their history (all of them
  // when they are at most maxCharts), in their order.
  const left = (c: BurnDownChart) => c.points.findLast((p) => p.remaining !== null)?.remaining ?? 2;
  const keep = new Set(
    [...out]
      .sort((a, b) => left(a) - left(b) || a.id.localeCompare(b.id))
      .slice(0, i.settings.maxCharts)
      .map((c) => c.id),
  );
  return out.filter((c) => keep.has(c.id));
}

function chartNote(i: ReportInputs, objectives: number): string[] {
  return objectives > i.settings.maxCharts
    ? [
        `Burn-down charts are drawn for the ${i.settings.maxCharts} objectives with the least budget left (of ${objectives}); a business-unit or agreement report draws the rest.`,
      ]
    : [];
}

function monthlyCompliance(i: ReportInputs): Built {
  const byId = new Map(i.agreements.map((a) => [a.id, a]));
  const last = i.period.months.at(-1)!;
  const current = i.objectives.filter((f) => f.month === last && byId.has(f.agreementId));
  const t = tally(current);
  const agreementsMet = [...groupBy(current, (f) => f.agreementId).values()].filter((fs) =>
    fs.every((f) => metOf(f) === 'met'),
  ).length;
  const summary: KeyFigure[] = [
    { label: 'Agreements', cell: num(new Set(current.map((f) => f.agreementId)).size) },
    { label: 'Agreements meeting every objective', cell: num(agreementsMet) },
    { label: 'Objectives', cell: num(t.objectives) },
    { label: 'Objectives met', cell: num(t.met) },
    { label: 'Objectives missed', cell: num(t.missed) },
    { label: 'Objectives without data', cell: num(t.unknown) },
    { label: 'Met (% of measured)', cell: pct(share(t.met, t.met + t.missed), 1) },
  ];
  const groupTable = (
    id: string,
    title: string,
    label: string,
    by: (a: AgreementInfo) => string,
    cls?: Column['class'],
  ): Table => ({
    id,
    title,
    columns: [col('group', label, cls), ...TALLY_COLUMNS],
    rows: [...groupBy(current, (f) => by(byId.get(f.agreementId)!)).entries()].map(([g, fs]) => [
      text(g),
      ...tallyCells(tally(fs)),
    ]),
    empty: 'no objectives in scope',
  });
  const serviceTable: Table = {
    id: 'by-service',
    title: 'By service',
    columns: [
      col('service', 'Service'),
      col('serviceName', 'Name'),
      col('businessUnit', 'Business unit', 'business-unit'),
      col('region', 'Region'),
      ...TALLY_COLUMNS,
    ],
    rows: [...groupBy(current, (f) => byId.get(f.agreementId)!.serviceId).entries()].map(([svc, fs]) => {
      const a = byId.get(fs[0]!.agreementId)!;
      return [text(svc), text(a.serviceName), text(a.businessUnit), text(a.region), ...tallyCells(tally(fs))];
    }),
    empty: 'no objectives in scope',
  };
  const detail: Table = {
    id: 'objectives',
    title: `Agreements and objectives, ${last}`,
    columns: [
      col('agreement', 'Agreement'),
      col('title', 'Title'),
      col('kind', 'Kind'),
      col('customer', 'Customer', 'customer-name'),
      col('service', 'Service'),
      col('objective', 'Objective'),
      col('owner', 'Owner', 'internal-contact'),
      col('target', 'Target'),
      col('compliance', 'Compliance'),
      col('budgetLeft', 'Budget left'),
      col('coverage', 'Coverage'),
      col('status', 'Status'),
      col('met', 'Met'),
    ],
    rows: sortFigures(current, byId).map((f) => {
      const a = byId.get(f.agreementId)!;
      const o = a.objectives.find((x) => x.id === f.objectiveId);
      return [
        text(a.id),
        text(a.title),
        text(a.kind),
        text(partyLabel(a.customer)),
        text(a.serviceId),
        text(o?.name ?? f.objectiveId),
        text(o ? `${o.owner.name} <${o.owner.email}>` : ''),
        pct(f.target),
        pct(f.compliance),
        pct(f.budgetRemainingRatio === null ? null : 100 * f.budgetRemainingRatio, 1),
        pct(100 * f.coverage, 1),
        status(f.status),
        status(metOf(f)),
      ];
    }),
    empty: 'no objectives in scope',
  };
  const sections: Section[] = [
    section('by-business-unit', 'By business unit', {
      tables: [
        groupTable(
          'by-business-unit',
          'By business unit',
          'Business unit',
          (a) => a.businessUnit,
          'business-unit',
        ),
      ],
    }),
    section('by-service', 'By service', { tables: [serviceTable] }),
    section('by-region', 'By region (data residency)', {
      tables: [groupTable('by-region', 'By region (data residency)', 'Region', (a) => a.region)],
    }),
    section('objectives', 'Agreements and objectives', { tables: [detail] }),
  ];
  if (i.period.months.length > 1) {
    const rows = sortFigures(
      i.objectives.filter((f) => byId.has(f.agreementId)),
      byId,
    ).map((f) => [
      text(f.month),
      text(f.agreementId),
      text(byId.get(f.agreementId)!.objectives.find((o) => o.id === f.objectiveId)?.name ?? f.objectiveId),
      pct(f.target),
      pct(f.compliance),
      status(metOf(f)),
    ]);
    sections.push(
      section('by-period', 'By period', {
        tables: [
          {
            id: 'by-period',
            title: 'Each month of the period',
            columns: [
              col('month', 'Month'),
              col('agreement', 'Agreement'),
              col('objective', 'Objective'),
              col('target', 'Target'),
              col('compliance', 'Compliance'),
              col('met', 'Met'),
            ],
            rows,
            empty: 'no objectives in scope',
          },
        ],
      }),
    );
  }
  sections.push(
    section('burn-down', 'Error budget burn-down', {
      paragraphs: [
        'Budget left through the period from the engine’s stored evaluations; the dashed line spends the budget evenly.',
      ],
      charts: burnCharts(i, sortFigures(current, byId)),
    }),
  );
  const notes = [
    'Compliance per objective is computed by the objectives engine over each calendar month in the agreement’s own time zone, by the objective’s budgeting method; exception windows are excluded.',
    'No data is not 100%: an objective without data in the month is counted apart, never as met.',
  ];
  if (current.some((f) => f.partial))
    notes.push(`${last} is still running: its figures cover the elapsed part.`);
  return { title: 'Monthly SLA compliance', summary, sections, notes };
}

function sortFigures<T extends { agreementId: string; objectiveId: string }>(
  fs: readonly T[],
  byId: ReadonlyMap<string, AgreementInfo>,
): T[] {
  return [...fs].sort((a, b) => {
    const x = byId.get(a.agreementId)!;
    const y = byId.get(b.agreementId)!;
    return (
      x.businessUnit.localeCompare(y.businessUnit) ||
      x.serviceId.localeCompare(y.serviceId) ||
      a.agreementId.localeCompare(b.agreementId) ||
      a.objectiveId.localeCompare(b.objectiveId) ||
      ('month' in a && 'month' in b ? String(a.month).localeCompare(String(b.month)) : 0)
    );
  });
}

/** A party as a reader knows it: a unit's or a vendor's name (PartyInfo.name). */
const partyLabel = (p: { name: string }) => p.name;

/**
 * A period [start, end) as the dates a reader of the agreement sees: its first and last day in the agreement's time
 * zone (a London April starts at 2026-03-31T23:00Z, and is "2026-04-01 to 2026-04-30", not "2026-03-31 to …").
 */
export function localPeriod(start: string, end: string, timeZone: string): string {
  const last = new Date(Date.parse(end) - 1);
  return `${localDate(new Date(start), timeZone)} to ${localDate(last, timeZone)}`;
}

function creditStatement(i: ReportInputs): Built {
  const byId = new Map(i.agreements.map((a) => [a.id, a]));
  const credits = i.violations
    .filter((v) => v.credit && byId.has(v.agreementId))
    .map((v) => v.credit!)
    .sort((a, b) => a.agreementId.localeCompare(b.agreementId) || a.periodStart.localeCompare(b.periodStart));
  const creditRow = (c: CreditFigure): Cell[] => {
    const a = byId.get(c.agreementId)!;
    return [
      text(c.violationId),
      text(a.id),
      text(a.title),
      text(c.objectiveId),
      text(localPeriod(c.periodStart, c.periodEnd, a.timeZone)),
      text(c.final ? 'final' : 'provisional'),
      pct(c.compliancePercent),
      money(c.charge, c.currency),
      pct(c.creditPercent, 0),
      money(c.amount, c.currency),
      text(c.disputes.length ? c.disputes.map((d) => d.status).join(', ') : 'none'),
    ];
  };
  const columns = (ucs: boolean): Column[] => [
    col('violation', 'Violation'),
    col('agreement', 'Agreement'),
    col('title', 'Title'),
    col('objective', 'Objective'),
    col('period', 'Period'),
    col('final', 'Final'),
    col('compliance', 'Compliance'),
    col('charge', 'Monthly charge', ucs ? 'cost' : undefined),
    col('creditPercent', 'Credit'),
    col('amount', 'Credit amount', ucs ? 'indemnity' : undefined),
    col('disputes', 'Disputes'),
  ];
  const owed = credits.filter((c) => byId.get(c.agreementId)!.kind !== 'UC');
  const receivable = credits.filter((c) => byId.get(c.agreementId)!.kind === 'UC');
  const totals = (cs: CreditFigure[]) =>
    [...groupBy(cs, (c) => c.currency).entries()].map(([cur, xs]) => [
      text(cur),
      num(xs.length),
      money(round2(xs.reduce((s, c) => s + c.amount, 0)), cur),
      money(round2(xs.filter((c) => c.final).reduce((s, c) => s + c.amount, 0)), cur),
    ]);
  const totalColumns = (ucs: boolean) => [
    col('currency', 'Currency'),
    col('credits', 'Credits'),
    col('total', 'Total', ucs ? 'indemnity' : undefined),
    col('final', 'Of which final', ucs ? 'indemnity' : undefined),
  ];
  const stepSections = credits.map((c) =>
    section(`steps-${c.violationId}`, `How credit ${c.violationId} was computed`, {
      paragraphs: [
        `${byId.get(c.agreementId)!.title}, objective ${c.objectiveId}: every step as stored with the violation${c.final ? '' : ' (provisional: the month is still running)'}.`,
      ],
      tables: [
        {
          id: `steps-${c.violationId}`,
          title: 'Calculation steps',
          columns: [
            col('step', 'Step'),
            col('what', 'What'),
            col('calculation', 'Calculation', byId.get(c.agreementId)!.kind === 'UC' ? 'cost' : undefined),
            col('result', 'Result', byId.get(c.agreementId)!.kind === 'UC' ? 'indemnity' : undefined),
          ],
          rows: c.steps.map((s) => [
            num(s.step),
            text(s.what),
            text(s.calculation),
            typeof s.result === 'number' ? num(s.result, decimals(s.result)) : text(s.result),
          ]),
          empty: 'no steps stored',
        },
      ],
    }),
  );
  const sections = [
    section('owed', 'Credits under SLAs and OLAs', {
      tables: [
        {
          id: 'owed',
          title: 'Credits owed',
          columns: columns(false),
          rows: owed.map(creditRow),
          empty: 'no credits in the period',
        },
        {
          id: 'owed-totals',
          title: 'Totals',
          columns: totalColumns(false),
          rows: totals(owed),
          empty: 'no credits',
        },
      ],
    }),
    section('receivable', 'Credits under underpinning contracts (UCs)', {
      tables: [
        {
          id: 'receivable',
          title: 'Credits receivable from vendors',
          columns: columns(true),
          rows: receivable.map(creditRow),
          empty: 'no credits in the period',
        },
        {
          id: 'receivable-totals',
          title: 'Totals',
          columns: totalColumns(true),
          rows: totals(receivable),
          empty: 'no credits',
        },
      ],
    }),
    ...stepSections,
  ];
  return {
    title: 'Service-credit statement',
    summary: [
      { label: 'Credits', cell: num(credits.length) },
      { label: 'Final', cell: num(credits.filter((c) => c.final).length) },
      { label: 'Provisional', cell: num(credits.filter((c) => !c.final).length) },
      {
        label: 'Disputed',
        cell: num(credits.filter((c) => c.disputes.some((d) => d.status === 'open')).length),
      },
    ],
    sections,
    notes: [
      'Each credit is shown as stored with its violation: the measured compliance of the calendar month, the tier that applies, the cap and the amount, rounded to cents.',
      'A provisional credit becomes final when its month has closed and been recomputed from the whole month.',
    ],
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
/** Decimals a stored figure has (at most 6), so a step's result is shown exactly as stored. */
const decimals = (x: number) => Math.min(6, (String(x).split('.')[1] ?? '').length);

function violationTrends(i: ReportInputs): Built {
  const byId = new Map(i.agreements.map((a) => [a.id, a]));
  const vs = i.violations
    .filter((v) => byId.has(v.agreementId))
    .sort((a, b) => a.detectedAt.localeCompare(b.detectedAt) || a.id.localeCompare(b.id));
  const month = (v: ViolationFigure) => v.detectedAt.slice(0, 7);
  const sev = (xs: ViolationFigure[]) => [
    num(xs.filter((v) => v.severity === 'critical').length),
    num(xs.filter((v) => v.severity === 'major').length),
    num(xs.filter((v) => v.severity === 'minor').length),
    num(xs.length),
  ];
  const SEV = [
    col('critical', 'Critical'),
    col('major', 'Major'),
    col('minor', 'Minor'),
    col('total', 'Total'),
  ];
  const byMonth = groupBy(vs, month);
  const offenders = [...groupBy(vs, (v) => v.serviceId).entries()].filter(
    ([, xs]) => xs.length >= i.settings.repeatOffenderThreshold,
  );
  const sections = [
    section('by-month', 'By month and severity', {
      tables: [
        {
          id: 'by-month',
          title: 'Violations detected per month',
          columns: [col('month', 'Month'), ...SEV],
          rows: i.period.months.map((m) => [text(m), ...sev(byMonth.get(m) ?? [])]),
          empty: 'no months',
        },
      ],
    }),
    section('by-service', 'By service', {
      tables: [
        {
          id: 'by-service',
          title: 'Violations per service',
          columns: [col('service', 'Service'), col('businessUnit', 'Business unit', 'business-unit'), ...SEV],
          rows: [...groupBy(vs, (v) => v.serviceId).entries()].map(([s, xs]) => [
            text(s),
            text(xs[0]!.businessUnit),
            ...sev(xs),
          ]),
          empty: 'no violations in the period',
        },
      ],
    }),
    section('by-cause', 'By cause', {
      paragraphs: ['The cause is what failed: the SLI of the objective that was breached.'],
      tables: [
        {
          id: 'by-cause',
          title: 'Violations per cause',
          columns: [col('cause', 'Cause'), ...SEV],
          rows: [...groupBy(vs, (v) => v.cause).entries()].map(([c, xs]) => [text(c), ...sev(xs)]),
          empty: 'no violations in the period',
        },
      ],
    }),
    section('repeat-offenders', 'Repeat offenders', {
      paragraphs: [`Services with ${i.settings.repeatOffenderThreshold} or more violations in the period.`],
      tables: [
        {
          id: 'repeat-offenders',
          title: 'Repeat offenders',
          columns: [
            col('service', 'Service'),
            col('violations', 'Violations'),
            col('objectives', 'Objectives affected'),
            col('first', 'First'),
            col('last', 'Last'),
          ],
          rows: offenders
            .sort(([, a], [, b]) => b.length - a.length)
            .map(([s, xs]) => [
              text(s),
              num(xs.length),
              num(new Set(xs.map((v) => key(v.agreementId, v.objectiveId))).size),
              date(xs[0]!.detectedAt),
              date(xs.at(-1)!.detectedAt),
            ]),
          empty: 'no repeat offenders',
        },
      ],
    }),
    section('violations', 'Violations', {
      tables: [
        {
          id: 'violations',
          title: 'Every violation of the period',
          columns: [
            col('violation', 'Violation'),
            col('agreement', 'Agreement'),
            col('objective', 'Objective'),
            col('service', 'Service'),
            col('severity', 'Severity'),
            col('cause', 'Cause'),
            col('detected', 'Detected'),
            col('resolved', 'Resolved'),
          ],
          rows: vs.map((v) => [
            text(v.id),
            text(v.agreementId),
            text(v.objectiveId),
            text(v.serviceId),
            text(v.severity),
            text(v.cause),
            date(v.detectedAt),
            date(v.resolvedAt),
          ]),
          empty: 'no violations in the period',
        },
      ],
    }),
  ];
  return {
    title: 'Violation trends',
    summary: [
      { label: 'Violations', cell: num(vs.length) },
      { label: 'Critical', cell: num(vs.filter((v) => v.severity === 'critical').length) },
      { label: 'Open', cell: num(vs.filter((v) => v.status === 'open').length) },
      { label: 'Repeat offenders', cell: num(offenders.length) },
    ],
    sections,
    notes: ['Violations are counted in the month they were detected (UTC).'],
  };
}

function olaUcPerformance(i: ReportInputs): Built {
  const byId = new Map(i.agreements.map((a) => [a.id, a]));
  const last = i.period.months.at(-1)!;
  const figs = new Map<string, (ObjectiveFigure & { month: string })[]>();
  for (const f of i.objectives.filter((x) => x.month === last)) {
    const list = figs.get(f.agreementId) ?? [];
    list.push(f);
    figs.set(f.agreementId, list);
  }
  const agreementMet = (id: string): StatusValue => {
    const fs = figs.get(id) ?? [];
    if (fs.length === 0) return 'unknown';
    if (fs.some((f) => metOf(f) === 'missed')) return 'missed';
    return fs.every((f) => metOf(f) === 'met') ? 'met' : 'unknown';
  };
  const slas = i.agreements.filter((a) => a.kind === 'SLA').sort((a, b) => a.id.localeCompare(b.id));
  const rows: Cell[][] = [];
  let missedUnder = 0;
  for (const sla of slas) {
    for (const depId of sla.underpinnedBy) {
      const dep = byId.get(depId);
      if (!dep) continue;
      for (const f of (figs.get(depId) ?? []).sort((a, b) => a.objectiveId.localeCompare(b.objectiveId))) {
        if (metOf(f) === 'missed') missedUnder++;
        rows.push([
          text(sla.id),
          text(sla.title),
          status(agreementMet(sla.id)),
          text(dep.id),
          text(dep.kind),
          text(dep.title),
          text(dep.provider.name),
          text(dep.objectives.find((o) => o.id === f.objectiveId)?.name ?? f.objectiveId),
          pct(f.target),
          pct(f.compliance),
          status(metOf(f)),
        ]);
      }
    }
  }
  const underpinning = i.agreements.filter((a) => a.kind !== 'SLA').sort((a, b) => a.id.localeCompare(b.id));
  const reliedOn = (id: string) =>
    i.agreements.filter((a) => a.kind === 'SLA' && a.underpinnedBy.includes(id)).length;
  const commitments: Cell[][] = underpinning.flatMap((dep) =>
    (figs.get(dep.id) ?? [])
      .sort((a, b) => a.objectiveId.localeCompare(b.objectiveId))
      .map((f) => [
        text(dep.id),
        text(dep.kind),
        text(dep.title),
        text(dep.provider.name),
        text(dep.objectives.find((o) => o.id === f.objectiveId)?.name ?? f.objectiveId),
        pct(f.target),
        pct(f.compliance),
        status(metOf(f)),
        num(reliedOn(dep.id)),
      ]),
  );
  return {
    title: 'OLA and UC performance',
    summary: [
      {
        label: 'SLAs with underpinning commitments',
        cell: num(slas.filter((s) => s.underpinnedBy.some((d) => byId.has(d))).length),
      },
      { label: 'Underpinning objectives missed', cell: num(missedUnder) },
      { label: 'OLA/UC objectives', cell: num(commitments.length) },
    ],
    sections: [
      section('against-slas', 'Against the SLAs that rely on them', {
        paragraphs: [
          `How each OLA and UC did in ${last} beside the SLA it underpins: a missed underpinning objective under a met SLA is a warning; under a missed SLA it is a likely cause.`,
        ],
        tables: [
          {
            id: 'against-slas',
            title: 'SLA dependencies',
            columns: [
              col('sla', 'SLA'),
              col('slaTitle', 'SLA title'),
              col('slaMet', 'SLA met'),
              col('dependency', 'Dependency'),
              col('kind', 'Kind'),
              col('depTitle', 'Title'),
              col('provider', 'Provider', 'vendor-name'),
              col('objective', 'Objective'),
              col('target', 'Target'),
              col('compliance', 'Compliance'),
              col('met', 'Met'),
            ],
            rows,
            empty: 'no SLA in scope relies on an OLA or UC in scope',
          },
        ],
      }),
      section('commitments', 'Underpinning commitments', {
        tables: [
          {
            id: 'commitments',
            title: 'OLA and UC objectives',
            columns: [
              col('agreement', 'Agreement'),
              col('kind', 'Kind'),
              col('title', 'Title'),
              col('provider', 'Provider', 'vendor-name'),
              col('objective', 'Objective'),
              col('target', 'Target'),
              col('compliance', 'Compliance'),
              col('met', 'Met'),
              col('reliedOn', 'SLAs relying on it'),
            ],
            rows: commitments,
            empty: 'no OLA or UC in scope',
          },
        ],
      }),
    ],
    notes: ['Figures are the calendar month’s compliance of each agreement in its own time zone.'],
  };
}

function errorBudget(i: ReportInputs): Built {
  const byId = new Map(i.agreements.map((a) => [a.id, a]));
  const bs = sortFigures(
    i.budgets.filter((b) => byId.has(b.agreementId)),
    byId,
  );
  const rows = bs.map((b) => {
    const a = byId.get(b.agreementId)!;
    const o = a.objectives.find((x) => x.id === b.objectiveId);
    return [
      text(a.id),
      text(a.title),
      text(o?.name ?? b.objectiveId),
      text(o ? `${o.owner.name} <${o.owner.email}>` : ''),
      text(b.windowLabel),
      status(b.status),
      pct(b.compliance),
      pct(b.target),
      pct(b.budgetRemainingRatio === null ? null : 100 * b.budgetRemainingRatio, 1),
      num(b.budgetRemainingMinutes, 1),
      num(b.maxBurnRate, 2),
      num(b.timeToExhaustionMinutes === null ? null : b.timeToExhaustionMinutes / 60, 1),
      date(b.breachAt),
    ];
  });
  const count = (s: BudgetStatusFigure['status']) => bs.filter((b) => b.status === s).length;
  return {
    title: 'Error-budget status',
    summary: [
      { label: 'Objectives', cell: num(bs.length) },
      { label: 'Healthy', cell: num(count('healthy')) },
      { label: 'At risk', cell: num(count('at-risk')) },
      { label: 'Breached', cell: num(count('breached')) },
      { label: 'Unknown', cell: num(count('unknown')) },
    ],
    sections: [
      section('budgets', 'Error budgets now', {
        tables: [
          {
            id: 'budgets',
            title: 'Latest evaluation of each objective',
            columns: [
              col('agreement', 'Agreement'),
              col('title', 'Title'),
              col('objective', 'Objective'),
              col('owner', 'Owner', 'internal-contact'),
              col('window', 'Window'),
              col('status', 'Status'),
              col('compliance', 'Compliance'),
              col('target', 'Target'),
              col('budgetLeft', 'Budget left'),
              col('budgetLeftMinutes', 'Minutes left'),
              col('burnRate', 'Burn rate'),
              col('exhaustionHours', 'Hours to exhaustion'),
              col('breachAt', 'Forecast breach'),
            ],
            rows,
            empty: 'no objective in scope has been evaluated',
          },
        ],
      }),
      section('burn-down', 'Error budget burn-down', {
        paragraphs: ['Budget left through the period from the engine’s stored evaluations.'],
        charts: burnCharts(i, bs),
      }),
    ],
    notes: [
      'Each objective over its own window (rolling or calendar) at its latest evaluation; burn rate 1 spends the budget exactly over the window.',
      ...chartNote(i, bs.length),
    ],
  };
}

function slaAudit(i: ReportInputs): Built {
  const byId = new Map(i.agreements.map((a) => [a.id, a]));
  const last = i.period.months.at(-1)!;
  const tol = i.settings.auditTolerancePoints;
  const engine = new Map(
    i.objectives.filter((f) => f.month === last).map((f) => [key(f.agreementId, f.objectiveId), f]),
  );
  // Empty without a published report (new Map(undefined) is an empty map).
  const reported = new Map(i.audit?.reported?.figures.map((f) => [key(f.agreementId, f.objectiveId), f]));
  const stored = new Map<string, CreditFigure>();
  // The credit of the audited month: the one whose period (a calendar month in its agreement's zone) starts in
  // `last` there. Credits of the months beside it overlap the UTC month by hours (Los Angeles' March ends at 07:00
  // UTC on 1 April) and are not it.
  for (const v of i.violations) {
    const a = byId.get(v.agreementId);
    if (a && v.credit && localDate(new Date(v.credit.periodStart), a.timeZone).slice(0, 7) === last)
      stored.set(key(v.agreementId, v.objectiveId), v.credit);
  }
  const rows: Cell[][] = [];
  const differences: string[] = [];
  const compare = (
    a: AgreementInfo,
    objectiveId: string,
    check: string,
    expected: number | null,
    found: number | null | undefined,
    cell: (v: number | null) => Cell,
    tolerance: number,
  ) => {
    let result: StatusValue;
    if (found === undefined || expected === null) result = 'not-checked';
    else if (found === null) result = 'difference';
    else result = Math.abs(found - expected) <= tolerance ? 'match' : 'difference';
    const diff = found !== undefined && found !== null && expected !== null ? found - expected : null;
    if (result === 'difference')
      differences.push(
        // A difference always has a recomputed figure (without one the check is not made) and a found one, or null.
        `${a.id}/${objectiveId}, ${check}: recomputed ${String(expected)}, found ${found === null ? 'nothing' : String(found)}`,
      );
    rows.push([
      text(a.id),
      text(objectiveId),
      text(check),
      cell(expected),
      found === undefined ? text('—') : cell(found),
      diff === null ? text('—') : num(diff, 4),
      status(result),
    ]);
  };
  const recs = [...(i.audit?.recomputed ?? [])].sort((x, y) =>
    key(x.agreementId, x.objectiveId).localeCompare(key(y.agreementId, y.objectiveId)),
  );
  for (const r of recs) {
    const a = byId.get(r.agreementId);
    if (!a) continue;
    const k = key(r.agreementId, r.objectiveId);
    const e = engine.get(k);
    compare(
      a,
      r.objectiveId,
      'compliance: engine vs raw evidence',
      r.compliance,
      e ? e.compliance : undefined,
      (v) => pct(v, 4),
      tol,
    );
    compare(
      a,
      r.objectiveId,
      'events counted: engine vs raw evidence',
      r.totalEvents,
      e ? e.totalEvents : undefined,
      (v) => num(v),
      0,
    );
    if (i.audit?.reported) {
      const rep = reported.get(k);
      compare(
        a,
        r.objectiveId,
        'compliance: published report vs raw evidence',
        r.compliance,
        rep ? rep.compliance : undefined,
        (v) => pct(v, 4),
        tol,
      );
    }
    const c = stored.get(k);
    if (c || r.creditPercent !== null) {
      compare(
        a,
        r.objectiveId,
        'credit compliance: stored vs raw evidence',
        r.compliance,
        c ? c.compliancePercent : r.creditPercent ? null : undefined,
        (v) => pct(v, 4),
        tol,
      );
      compare(
        a,
        r.objectiveId,
        'credit %: stored vs recomputed',
        r.creditPercent,
        c ? c.creditPercent : r.creditPercent ? null : undefined,
        (v) => pct(v, 0),
        0,
      );
      const cur = a.credits?.currency ?? c?.currency ?? 'EUR';
      compare(
        a,
        r.objectiveId,
        'credit amount: stored vs recomputed',
        r.creditAmount,
        c ? c.amount : r.creditAmount ? null : undefined,
        (v) => money(v, cur),
        0.005,
      );
    }
  }
  const notes = [
    'The audit recomputes each objective’s month from the raw 5-minute rollup buckets (summed one by one, not from the running totals the engine reads) and recomputes credits from the contract’s tiers with its own arithmetic, then compares with what the engine computes, what was stored with each violation and what the published report said.',
    `Compliance figures within ${tol} percentage points are taken as the same (rounding).`,
  ];
  for (const r of recs) if (r.note) notes.push(`${r.agreementId}/${r.objectiveId}: ${r.note}`);
  if (i.audit?.reported) notes.push(`Published figures read from ${i.audit.reported.source}.`);
  else
    notes.push(
      `No published monthly report for ${last} was found in the archive: published figures were not compared.`,
    );
  const checks = rows.length;
  const matches = rows.filter((r) => (r[6] as { v: string }).v === 'match').length;
  return {
    title: 'Periodic SLA audit',
    summary: [
      { label: 'Objectives audited', cell: num(recs.filter((r) => byId.has(r.agreementId)).length) },
      { label: 'Checks', cell: num(checks) },
      { label: 'Matches', cell: num(matches) },
      { label: 'Differences', cell: num(differences.length) },
      { label: 'Not checked', cell: num(checks - matches - differences.length) },
    ],
    sections: [
      section('differences', 'Differences', {
        paragraphs: differences.length
          ? differences.map((d) => `Difference: ${d}`)
          : ['No differences: every figure checked matches the raw evidence.'],
      }),
      section('checks', 'Every check', {
        tables: [
          {
            id: 'checks',
            title: `Checks for ${last}`,
            columns: [
              col('agreement', 'Agreement'),
              col('objective', 'Objective'),
              col('check', 'Check'),
              col('expected', 'Recomputed'),
              col('found', 'Stored or reported'),
              col('difference', 'Difference'),
              col('result', 'Result'),
            ],
            rows,
            empty: 'nothing to audit in scope',
          },
        ],
      }),
    ],
    notes,
  };
}
