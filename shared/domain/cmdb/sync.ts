/**
 * CMDB sync, pure: a ServiceNow `cmdb_ci_service` export (Table API JSON `{"result": [...]}` or CSV) read into
 * service records through the mapping policy (shared/policy/cmdb.json), then compared with Accord's services into
 * a plan: services to create, CMDB-owned fields to update, and drift (in the CMDB and not in Accord, in Accord and
 * not in the CMDB, mismatched tier, owner, business unit or residency) for a person to decide. No I/O.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import type { CmdbPolicy } from '../../policy/cmdb.js';
import { SERVICE_NAME_MAX, type Service } from '../../schemas/service.js';
import type { FieldProblem } from '../errors.js';

/** One CMDB row as Accord reads it; `path` names where it came from (`result[2]` or `line 4`). */
export interface CmdbRecord {
  path: string;
  id: string;
  cmdbCi: string;
  name: string;
  description?: string;
  tier: number;
  businessUnit: string;
  owner: { name: string; email: string };
  residencyRegion: string;
}

export interface ParsedExport {
  records: CmdbRecord[];
  /** Rows not taken, each named by its path and column. */
  problems: FieldProblem[];
}

/** An export over the policy's row limit: one problem at `path`, nothing else read. */
const tooManyRows = (path: string, n: number | string, max: number): ParsedExport => ({
  records: [],
  problems: [{ path, problem: `holds ${n} rows; an export holds at most ${max}: split the file` }],
});

const SERVICE_SLUG = /^[0-9a-z][0-9a-z-]{1,62}$/;
const UNIT = /^[a-z][a-z0-9-]{1,40}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const CI = /^[A-Za-z0-9._:-]{1,64}$/;

/** Lower-case slug of a display name: "Card Authorisation" → "card-authorisation". */
export function slugOf(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      // The replace above leaves single hyphens only: one at either end at most.
      .replace(/^-|-$/g, '')
      .slice(0, 62)
  );
}

/**
 * A column's text: the literal key (a dot-walked column such as `owned_by.email`), else the dotted path into
 * reference objects; a reference object `{display_value, value, link}` reads as its display value, else value.
 */
function cell(row: Record<string, unknown>, column: string): string | undefined {
  let v: unknown = row[column];
  // Stryker disable next-line StringLiteral: a column without a dot walks to row[column] itself, undefined already
  if (v === undefined && column.includes('.')) {
    v = row;
    for (const part of column.split('.'))
      v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    v = o.display_value ?? o.value;
  }
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function first(row: Record<string, unknown>, columns: readonly string[] | undefined): string | undefined {
  for (const c of columns ?? []) {
    const v = cell(row, c);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Reads one row into a record, or the problems that keep it out (each `path.column`). */
export function readRow(
  row: Record<string, unknown>,
  path: string,
  policy: CmdbPolicy,
): CmdbRecord | FieldProblem[] {
  const f = policy.fields;
  const problems: FieldProblem[] = [];
  const need = (field: keyof CmdbPolicy['fields'], cols: readonly string[]) => {
    const v = first(row, cols);
    if (v === undefined)
      problems.push({ path: `${path}.${cols[0]}`, problem: `is empty: ${field} is required` });
    return v ?? '';
  };
  const cmdbCi = need('cmdbCi', f.cmdbCi);
  if (cmdbCi && !CI.test(cmdbCi))
    problems.push({
      path: `${path}.${f.cmdbCi[0]}`,
      problem: `"${cmdbCi}" is not a CI id (1–64 letters, digits, . _ : -)`,
    });
  const name = need('name', f.name);
  const slug = slugOf(name);
  if (name && !SERVICE_SLUG.test(slug))
    problems.push({ path: `${path}.${f.name[0]}`, problem: `"${name}" gives no service id (svc_<slug>)` });
  // A service's name is its identity in reports and on the console: cut, two long names could read the same.
  else if (name.length > SERVICE_NAME_MAX)
    problems.push({
      path: `${path}.${f.name[0]}`,
      problem: `is ${name.length} characters: a service name holds at most ${SERVICE_NAME_MAX}`,
    });
  const tierText = need('tier', f.tier);
  const tier = Object.entries(policy.tierValues).find(
    ([k]) => k.toLowerCase() === tierText.toLowerCase(),
  )?.[1];
  if (tierText && tier === undefined)
    problems.push({
      path: `${path}.${f.tier.find((c) => cell(row, c) !== undefined) ?? f.tier[0]}`,
      problem: `"${tierText}" is not a known criticality (${Object.keys(policy.tierValues).join(', ')})`,
    });
  const unit = need('businessUnit', f.businessUnit).toLowerCase();
  if (unit && !UNIT.test(unit))
    problems.push({ path: `${path}.${f.businessUnit[0]}`, problem: `"${unit}" is not a business unit id` });
  const ownerName = need('ownerName', f.ownerName);
  const ownerEmail = need('ownerEmail', f.ownerEmail).toLowerCase();
  if (ownerEmail && !EMAIL.test(ownerEmail))
    problems.push({
      path: `${path}.${f.ownerEmail[0]}`,
      problem: `"${ownerEmail}" is not an e-mail address`,
    });
  const region = first(row, f.residencyRegion) ?? policy.defaultResidencyRegion;
  if (!REGION.test(region))
    problems.push({
      path: `${path}.${f.residencyRegion?.[0] ?? 'region'}`,
      problem: `"${region}" is not a region`,
    });
  if (problems.length) return problems;
  const description = first(row, f.description);
  return {
    path,
    id: `svc_${slug}`,
    cmdbCi,
    name,
    ...(description === undefined ? {} : { description: description.slice(0, 5000) }),
    tier: tier!,
    businessUnit: unit,
    owner: { name: ownerName.slice(0, 120), email: ownerEmail },
    residencyRegion: region,
  };
}

/**
 * Reads an export: `json` is the Table API's `{"result": [...]}` (or a bare array); `csv` has a header row of
 * column names (dot-walked columns such as `owned_by.email` allowed). Rows are named `result[i]` or `line n`
 * (the header is line 1). A CI or service id that two rows share is a problem on the second row.
 */
export function parseCmdbExport(text: string, format: 'json' | 'csv', policy: CmdbPolicy): ParsedExport {
  const rows: [string, Record<string, unknown>][] = [];
  const problems: FieldProblem[] = [];
  if (format === 'json') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return { records: [], problems: [{ path: '(file)', problem: `is not JSON: ${(e as Error).message}` }] };
    }
    const list = Array.isArray(doc) ? doc : (doc as { result?: unknown } | null)?.result;
    if (!Array.isArray(list))
      return {
        records: [],
        problems: [{ path: 'result', problem: 'must be an array of cmdb_ci_service records' }],
      };
    if (list.length > policy.maxRows) return tooManyRows('result', list.length, policy.maxRows);
    list.forEach((r, i) => {
      if (r && typeof r === 'object' && !Array.isArray(r))
        rows.push([`result[${i}]`, r as Record<string, unknown>]);
      else problems.push({ path: `result[${i}]`, problem: 'must be an object' });
    });
  } else {
    let table: Record<string, string>[];
    try {
      table = parseCsv(text, {
        columns: true,
        skip_empty_lines: true,
        trim: true,
        // Stryker disable next-line BooleanLiteral: trim takes a byte-order mark off the first header too (csv-parse trims U+FEFF as whitespace); bom says it plainly
        bom: true,
        // Reading stops one row past the limit, so a file over it is refused without reading the rest.
        to: policy.maxRows + 1,
      }) as Record<string, string>[];
    } catch (e) {
      return { records: [], problems: [{ path: '(file)', problem: (e as Error).message }] };
    }
    if (table.length > policy.maxRows)
      return tooManyRows('(file)', `more than ${policy.maxRows}`, policy.maxRows);
    table.forEach((r, i) => {
      rows.push([`line ${i + 2}`, r]);
    });
  }
  const records: CmdbRecord[] = [];
  const seen = new Map<string, string>();
  for (const [path, row] of rows) {
    const r = readRow(row, path, policy);
    if (Array.isArray(r)) {
      problems.push(...r);
      continue;
    }
    const dup = seen.get(r.cmdbCi) ?? seen.get(r.id);
    if (dup) {
      problems.push({ path, problem: `names the same CI or service as ${dup}` });
      continue;
    }
    seen.set(r.cmdbCi, path).set(r.id, path);
    records.push(r);
  }
  return { records, problems };
}

export type DriftKind =
  | 'in-cmdb-not-accord'
  | 'in-accord-not-cmdb'
  | 'tier'
  | 'owner'
  | 'businessUnit'
  | 'residencyRegion';

/** A difference a sync does not settle by itself: for a person to decide. */
export interface Drift {
  kind: DriftKind;
  serviceId: string;
  cmdbCi?: string;
  /** Where in the export (absent for a service the export does not name). */
  path?: string;
  cmdb?: unknown;
  accord?: unknown;
}

export interface PlannedUpdate {
  serviceId: string;
  expectedVersion: number;
  path: string;
  changes: { name?: string; description?: string; cmdbCi?: string };
}

export interface SyncPlan {
  create: CmdbRecord[];
  update: PlannedUpdate[];
  drift: Drift[];
  unchanged: string[];
  /** Rows that match a service an earlier row already matched (one by its CI, the other by its name). */
  problems: FieldProblem[];
}

/**
 * Compares the export with the services the caller can see. A record matches the service holding its CI
 * (`cmdbCi`), else the service with its id (`svc_<slug of name>`). New records are planned for creation (and
 * reported as `in-cmdb-not-accord`); for a match, fields in `policy.cmdbOwned` that differ are planned updates,
 * governed fields that differ (tier, owner, business unit, residency) are drift. Services the export does not
 * name (sunset ones aside) are `in-accord-not-cmdb`: the export is taken as the whole CMDB for the caller's scope.
 */
export function planCmdbSync(
  records: readonly CmdbRecord[],
  services: readonly Service[],
  policy: CmdbPolicy,
): SyncPlan {
  // Stryker disable next-line MethodExpression: a record always has a CI, so the services without one, keyed undefined, are never looked up
  const byCi = new Map(services.filter((s) => s.cmdbCi).map((s) => [s.cmdbCi!, s]));
  const byId = new Map(services.map((s) => [s.id, s]));
  const plan: SyncPlan = { create: [], update: [], drift: [], unchanged: [], problems: [] };
  const matched = new Map<string, { path: string; how: string }>();
  const owned = new Set<string>(policy.cmdbOwned);
  for (const r of records) {
    const s = byCi.get(r.cmdbCi) ?? byId.get(r.id);
    if (!s) {
      plan.create.push(r);
      plan.drift.push({ kind: 'in-cmdb-not-accord', serviceId: r.id, cmdbCi: r.cmdbCi, path: r.path });
      continue;
    }
    const first = matched.get(s.id);
    if (first) {
      // Planning both would send two updates on one version (the second refused mid-apply) and let the CMDB's two
      // records overwrite each other's name or CI: a person must say which record is the service.
      plan.problems.push({
        path: r.path,
        problem: `matches service ${s.id}, which ${first.path} already matches (by ${first.how}): one service, one row`,
      });
      continue;
    }
    matched.set(s.id, { path: r.path, how: byCi.get(r.cmdbCi) === s ? 'its CI' : 'its name' });
    const at = { serviceId: s.id, cmdbCi: r.cmdbCi, path: r.path };
    const changes: PlannedUpdate['changes'] = {};
    const governed: Drift[] = [];
    const compare = (
      field: 'name' | 'description' | 'cmdbCi',
      cmdb: string | undefined,
      accord: string | undefined,
    ) => {
      if (cmdb === undefined || cmdb === accord) return;
      if (owned.has(field)) changes[field] = cmdb;
    };
    compare('name', r.name, s.name);
    compare('description', r.description, s.description);
    compare('cmdbCi', r.cmdbCi, s.cmdbCi);
    if (r.tier !== s.tier) governed.push({ kind: 'tier', ...at, cmdb: r.tier, accord: s.tier });
    if (r.owner.email !== s.owner.email.toLowerCase() || r.owner.name !== s.owner.name)
      governed.push({ kind: 'owner', ...at, cmdb: r.owner, accord: s.owner });
    if (r.businessUnit !== s.businessUnit)
      governed.push({ kind: 'businessUnit', ...at, cmdb: r.businessUnit, accord: s.businessUnit });
    if (r.residencyRegion !== s.residencyRegion && policy.fields.residencyRegion)
      governed.push({ kind: 'residencyRegion', ...at, cmdb: r.residencyRegion, accord: s.residencyRegion });
    plan.drift.push(...governed);
    if (Object.keys(changes).length)
      plan.update.push({ serviceId: s.id, expectedVersion: s.version, path: r.path, changes });
    else if (!governed.length) plan.unchanged.push(s.id);
  }
  for (const s of services)
    if (!matched.has(s.id) && s.status !== 'sunset')
      plan.drift.push({
        kind: 'in-accord-not-cmdb',
        serviceId: s.id,
        ...(s.cmdbCi ? { cmdbCi: s.cmdbCi } : {}),
      });
  return plan;
}
