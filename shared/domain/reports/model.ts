/**
 * The report model: what every renderer (HTML, PDF, CSV, JSON) draws from, so that one report carries the same
 * figures in every format. Built by pure builders (build.ts) from the objectives engine's figures (figures.ts),
 * after rows an audience may not see are dropped and before columns it may not see are masked (redaction.ts).
 */

export const REPORT_TYPES = [
  'monthly-compliance',
  'credit-statement',
  'violation-trends',
  'ola-uc-performance',
  'error-budget',
  'sla-audit',
] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

export const AUDIENCES = ['internal', 'customer', 'vendor', 'auditor'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const FORMATS = ['html', 'pdf', 'csv', 'json'] as const;
export type ReportFormat = (typeof FORMATS)[number];

/** The version of the JSON schema (shared/schemas/reports.ts) a report document follows. */
export const REPORT_SCHEMA = 'accord.report/v1';

/** What a column holds that some audiences may not see (the redaction policy names these). */
export const SENSITIVE_CLASSES = [
  /** Names and e-mail addresses of the provider's people: objective owners, escalation contacts. */
  'internal-contact',
  /** What the organisation pays a vendor (a UC's charge). */
  'cost',
  /** What a vendor owes the organisation (credits under a UC). */
  'indemnity',
  /** The customer party of an agreement. */
  'customer-name',
  /** The vendor party of an agreement. */
  'vendor-name',
  /** The organisation's business unit owning an agreement: for a UC, the unit buying it (the vendor's customer). */
  'business-unit',
] as const;
export type SensitiveClass = (typeof SENSITIVE_CLASSES)[number];

export type StatusValue =
  | 'healthy'
  | 'at-risk'
  | 'breached'
  | 'unknown'
  | 'met'
  | 'missed'
  | 'match'
  | 'difference'
  | 'not-checked';

/** One value of a table, typed so that each format writes it its own way (and CSV writes it raw). */
export type Cell =
  | { t: 'text'; v: string }
  | { t: 'number'; v: number | null; digits?: number }
  /** A percentage, 99.95 meaning 99.95%. */
  | { t: 'percent'; v: number | null; digits?: number }
  | { t: 'money'; v: number | null; currency: string }
  | { t: 'status'; v: StatusValue }
  /** An ISO instant or date. */
  | { t: 'date'; v: string | null };

export interface Column {
  key: string;
  label: string;
  /** Set when the column holds something an audience may not see. */
  class?: SensitiveClass;
}

export interface Table {
  id: string;
  title: string;
  columns: Column[];
  /** One cell per column, in column order. */
  rows: Cell[][];
  /** What to say when there are no rows. */
  empty: string;
}

/** A budget burn-down: the error budget left (share, 1 = untouched) through the period, and the even-burn line. */
export interface BurnDownChart {
  id: string;
  title: string;
  periodStart: string;
  periodEnd: string;
  /** The IANA time zone the period is a calendar month of (the agreement's), for its dates as a reader sees them. */
  timeZone?: string;
  /** Points in time order; remaining null where it was unknown (no data). */
  points: { at: string; remaining: number | null }[];
  /** Said instead of a chart when there are no points. */
  empty: string;
}

export interface Section {
  id: string;
  title: string;
  paragraphs: string[];
  tables: Table[];
  charts: BurnDownChart[];
}

export interface KeyFigure {
  label: string;
  cell: Cell;
}

/** Explanations the owners of objectives that missed gave before publication (part of the report and its hash). */
export interface Commentary {
  agreementId: string;
  objectiveId: string;
  author: string;
  at: string;
  text: string;
}

export interface ReportModel {
  schema: typeof REPORT_SCHEMA;
  id: string;
  type: ReportType;
  title: string;
  /** What it covers, for people: "Portfolio", "Business unit payments", "Agreement …". */
  scopeLabel: string;
  audience: Audience;
  /** For whom, when the audience is one party: the customer business unit or the vendor id. */
  party?: string | undefined;
  period: { label: string; start: string; end: string };
  generatedAt: string;
  generatedBy: string;
  summary: KeyFigure[];
  sections: Section[];
  commentary: Commentary[];
  /** How the figures were made, what is provisional, what was left out. */
  notes: string[];
  /** SHA-256 of this model's canonical JSON without `hash` (set by the use case, printed on every PDF page). */
  hash: string;
}

/** Every table of a report, in order (renderers and the same-figures test walk these). */
export function tablesOf(m: Pick<ReportModel, 'sections'>): Table[] {
  return m.sections.flatMap((s) => s.tables);
}
