/**
 * The one schedule table: EventBridge rules (CDK) and the embedded default's local scheduler both read it.
 * Expressions use EventBridge cron syntax, `cron(minutes hours day-of-month month day-of-week year)`, in UTC;
 * one of day-of-month and day-of-week must be `?`.
 */
export interface ScheduleSpec {
  id: string;
  cron: string;
  /** The handler module under functions/, without extension; it exports `handler`. */
  handler: string;
  description: string;
}

export const SCHEDULES: readonly ScheduleSpec[] = [
  {
    id: 'evaluate-objectives',
    cron: 'cron(0/5 * * * ? *)',
    handler: 'objectives/evaluate-scheduled',
    description: 'Evaluate every active objective: compliance, budget, burn rates, forecast, violations',
  },
  {
    id: 'finalize-credits',
    cron: 'cron(10 * * * ? *)',
    handler: 'objectives/finalize-credits',
    description:
      'Make final the service credits of calendar months that have closed (in each agreement zone)',
  },
  {
    id: 'prune-objective-history',
    cron: 'cron(20 3 * * ? *)',
    handler: 'objectives/prune-history',
    description: 'Drop budget-history points older than the retention policy',
  },
  {
    // Reports (shared/policy/reports.json lists which): on the 2nd at 06:00 UTC, after every time zone's month
    // has ended, the owners of missed objectives are asked for commentary; on the 5th, 72 hours later (the
    // policy's commentaryWindowHours), the reports are published with it, archived and delivered.
    id: 'report-commentary-open',
    cron: 'cron(0 6 2 * ? *)',
    handler: 'reports/commentary-scheduled',
    description:
      "Open the commentary window of the month's scheduled reports: owners of missed objectives are asked",
  },
  {
    id: 'report-publish',
    cron: 'cron(0 6 5 * ? *)',
    handler: 'reports/publish-scheduled',
    description:
      "Publish the month's scheduled reports with their commentary; archive final violations and credits; alert anomalies",
  },
  {
    id: 'dispatch-notifications',
    cron: 'cron(* * * * ? *)',
    handler: 'workflows/dispatch-notifications',
    description:
      'Deliver queued notifications (e-mail, signed webhooks): retries with backoff, dead letters after the last attempt',
  },
  {
    id: 'agreement-lifecycle',
    cron: 'cron(7 * * * ? *)',
    handler: 'agreements/lifecycle-scheduled',
    description:
      'Activate approved agreements on their effective date; expire active ones after their end date',
  },
  {
    id: 'report-commentary-follow-up',
    cron: 'cron(25 * * * ? *)',
    handler: 'reports/commentary-follow-up',
    description:
      'Remind owners of missing report commentary before the window closes; publish a held report once all have answered',
  },
  {
    id: 'chain-nightly',
    cron: 'cron(30 2 * * ? *)',
    handler: 'chain/nightly-scheduled',
    description:
      "Coverage-gap analysis of the whole portfolio (findings by rule logged), and every vendor's scorecard triggers opening their tasks",
  },
  {
    // Before the lifecycle job's 07 past the hour: an auto-renewal on its date moves the end date before expiry.
    id: 'agreement-renewals',
    cron: 'cron(2 * * * ? *)',
    handler: 'workflows/renewals-scheduled',
    description:
      'Renewal and review reminders (policy offsets), renewal and review tasks, auto-renewal unless notice was given',
  },
  {
    // A workflow is started after the change that calls for it is stored; a start that failed (Step Functions
    // unreachable, throttled) is made here, under the same execution name, so it never runs twice.
    id: 'workflow-starts',
    cron: 'cron(4/10 * * * ? *)',
    handler: 'workflows/reconcile-scheduled',
    description:
      'Start the approvals, remediations and change requests whose first start failed (same execution name: never twice)',
  },
  {
    id: 'pull-data-sources',
    cron: 'cron(2/5 * * * ? *)',
    handler: 'telemetry/pull-scheduled',
    description:
      'Pull the SLIs that name a configured data source (Prometheus query_range over the last minutes) into the rollups',
  },
];

interface Field {
  values: Set<number> | null; // null: any
}

export interface ParsedCron {
  minutes: Field;
  hours: Field;
  days: Field;
  months: Field;
  weekdays: Field;
  years: Field;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseField(src: string, min: number, max: number, names: string[] = [], offset = 0): Field {
  if (src === '*' || src === '?') return { values: null };
  const values = new Set<number>();
  const num = (s: string): number => {
    const i = names.indexOf(s.toUpperCase());
    const n = i >= 0 ? i + offset : Number(s);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`"${s}" is out of range ${min}-${max}`);
    return n;
  };
  for (const part of src.split(',')) {
    const [range, stepS] = part.split('/');
    const step = stepS === undefined ? 1 : Number(stepS);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = min;
      hi = max;
    } else if (range!.includes('-')) {
      const [a, b] = range!.split('-');
      lo = num(a!);
      hi = num(b!);
    } else {
      lo = num(range!);
      hi = stepS === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values };
}

/** Parses an EventBridge cron expression (no L, W or # extensions); throws on anything else. */
export function parseCron(expr: string): ParsedCron {
  const m = /^cron\((.+)\)$/.exec(expr.trim());
  if (!m) throw new Error(`"${expr}" is not a cron(...) expression`);
  const f = m[1]!.trim().split(/\s+/);
  if (f.length !== 6) throw new Error(`"${expr}" needs 6 fields`);
  const [mi, h, dom, mon, dow, y] = f as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?'))
    throw new Error(`"${expr}": exactly one of day-of-month and day-of-week is ?`);
  if (/[LW#]/.test(dom + dow)) throw new Error(`"${expr}": L, W and # are not supported`);
  return {
    minutes: parseField(mi, 0, 59),
    hours: parseField(h, 0, 23),
    days: parseField(dom, 1, 31),
    months: parseField(mon, 1, 12, MONTHS, 1),
    // EventBridge numbers days 1 (SUN) to 7 (SAT).
    weekdays: parseField(dow, 1, 7, DAYS, 1),
    years: parseField(y, 1970, 2199),
  };
}

const has = (f: Field, v: number) => f.values === null || f.values.has(v);

/** The first fire time strictly after `afterMs` (UTC), or null when none within ~5 years. */
export function nextFireTime(expr: string | ParsedCron, afterMs: number): number | null {
  const c = typeof expr === 'string' ? parseCron(expr) : expr;
  let t = Math.floor(afterMs / 60_000) * 60_000 + 60_000;
  const limit = afterMs + 5 * 366 * 86_400_000;
  while (t <= limit) {
    const d = new Date(t);
    if (!has(c.years, d.getUTCFullYear()) || !has(c.months, d.getUTCMonth() + 1)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      continue;
    }
    if (!has(c.days, d.getUTCDate()) || !has(c.weekdays, d.getUTCDay() + 1)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
      continue;
    }
    if (!has(c.hours, d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours() + 1);
      continue;
    }
    if (has(c.minutes, d.getUTCMinutes())) return t;
    t += 60_000;
  }
  return null;
}

/** The next `n` fire times after an instant. */
export function nextFireTimes(expr: string, afterMs: number, n: number): number[] {
  const c = parseCron(expr);
  const out: number[] = [];
  let t = afterMs;
  for (let i = 0; i < n; i++) {
    const next = nextFireTime(c, t);
    if (next === null) break;
    out.push(next);
    t = next;
  }
  return out;
}
