import { AgreementObjectivesSource } from '../../shared/adapters/agreement-objectives-source.js';
import { UlidGenerator } from '../../shared/adapters/ids.js';
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import type { Db } from '../../shared/adapters/sqlite/db.js';
import {
  SqliteEvaluationStore,
  SqliteExceptionWindowStore,
  SqliteViolationStore,
} from '../../shared/adapters/sqlite/objectives.js';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import type { Principal } from '../../shared/domain/access/policy.js';
import {
  DEFAULT_BURN_WINDOWS,
  DEFAULT_FORECAST,
  DEFAULT_SEVERITY_RULES,
  DEFAULT_TIER_DEFAULTS,
} from '../../shared/policy/objectives.js';
import type { Clock } from '../../shared/ports/clock.js';
import type { Container } from '../../shared/runtime/container.js';
import { ObjectiveUseCases } from '../../shared/usecases/objectives/index.js';
import { composeTelemetry } from './telemetry.js';

/**
 * The vendor the demo's telemetry comes from: the development vendor `npm start` registers (infra/local/credentials.ts),
 * bound to every demo service and the primary source of the two-source SLIs of the telemetry policy.
 */
export const DEMO_TELEMETRY_VENDOR = 'prometheus-main';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const BUCKET = 5 * MIN;
/** Events per 5-minute bucket for every service (about one request a second). */
const EVENTS = 300;

/**
 * How each service behaves over the 30 days: its usual share of bad requests and of slow requests, and incidents
 * (start in days before now, length in minutes, the bad share meanwhile, and whether requests were slow too).
 */
interface Behaviour {
  badShare: number;
  slowShare: number;
  incidents: { daysAgo: number; minutes: number; badShare: number; slow?: boolean }[];
}

const QUIET: Behaviour = { badShare: 0.00004, slowShare: 0.01, incidents: [] };

/**
 * The story the demo tells. Healthy: most services. At risk: the payments gateway (an incident six days ago spent
 * most of its budget, and it burns again in the last hours) and portfolio valuation (slow slices this month).
 * Breached: mobile banking (a 90-minute outage nine days ago: a critical violation, its remediation running).
 */
const BEHAVIOUR: Record<string, Behaviour> = {
  'svc_payments-gateway': {
    badShare: 0.00005,
    slowShare: 0.01,
    incidents: [
      { daysAgo: 6, minutes: 50, badShare: 0.2 },
      { daysAgo: 0.15, minutes: 180, badShare: 0.004 },
    ],
  },
  'svc_mobile-banking': {
    badShare: 0.00008,
    slowShare: 0.012,
    incidents: [{ daysAgo: 9, minutes: 90, badShare: 0.5, slow: true }],
  },
  'svc_portfolio-valuation': {
    badShare: 0.0002,
    slowShare: 0.02,
    incidents: [
      { daysAgo: 12, minutes: 60, badShare: 0.001, slow: true },
      { daysAgo: 4, minutes: 70, badShare: 0.001, slow: true },
      { daysAgo: 1, minutes: 45, badShare: 0.001, slow: true },
    ],
  },
  'svc_core-ledger': {
    badShare: 0.00002,
    slowShare: 0.008,
    incidents: [{ daysAgo: 15, minutes: 20, badShare: 0.05 }],
  },
  'svc_card-authorisation': { badShare: 0.000005, slowShare: 0.005, incidents: [] },
  svc_notifications: { badShare: 0.000004, slowShare: 0.01, incidents: [] },
  svc_statements: {
    badShare: 0.0005,
    slowShare: 0.01,
    incidents: [{ daysAgo: 20, minutes: 30, badShare: 0.1 }],
  },
};

/** The demo loads as an admin would (reading the development vendor's key ids; never its key). */
const SYSTEM: Principal = {
  subject: 'system:demo',
  roles: ['admin'],
  businessUnits: [],
  services: [],
  signOffCapacities: [],
};

/** The live feeds started by loadDemoTelemetry (one per load), stopped by stopDemoTelemetry. */
const feeds = new Set<NodeJS.Timeout>();

/** Stops the demo's live telemetry (a test that closes its app; `npm start` simply exits). */
export function stopDemoTelemetry(): void {
  for (const t of feeds) clearInterval(t);
  feeds.clear();
}

type Ingest = ReturnType<typeof composeTelemetry>['ingest'];

/** Sends Accord JSON batches of at most 5,000 samples; answers how many were accepted. */
async function send(ingest: Ingest, keyId: string | undefined, batch: unknown[]): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < batch.length; i += 5000) {
    const res = await ingest.ingest({
      vendorId: DEMO_TELEMETRY_VENDOR,
      keyId,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ version: 1, samples: batch.slice(i, i + 5000) })),
    });
    accepted += res.body.accepted;
  }
  return accepted;
}

/** The samples of [from, to) for each service, by the story in BEHAVIOUR; `end` is "now" of the story. */
function samplesOf(services: readonly string[], end: number): (from: number, to: number) => unknown[] {
  const r = random(20261130);
  return (from, to) => {
    const batch: unknown[] = [];
    for (const service of services) {
      const b = BEHAVIOUR[service] ?? QUIET;
      for (let t = from; t < to; t += BUCKET) {
        const incident = b.incidents.find((i) => {
          const s = end - i.daysAgo * DAY;
          return t >= s && t < s + i.minutes * MIN;
        });
        const bad = draw(EVENTS, incident?.badShare ?? b.badShare, r);
        const slow = draw(EVENTS, incident?.slow ? 0.3 : b.slowShare, r);
        const time = new Date(t + 150_000).toISOString();
        batch.push({ service, sli: 'availability', measure: 'good', value: EVENTS - bad, time });
        if (bad > 0) batch.push({ service, sli: 'availability', measure: 'bad', value: bad, time });
        batch.push({ service, sli: 'response-time', measure: 'good', value: EVENTS - slow, time });
        if (slow > 0) batch.push({ service, sli: 'response-time', measure: 'bad', value: slow, time });
      }
    }
    return batch;
  };
}

/** A small deterministic generator (mulberry32): the same demo every time. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bad events in a bucket with an expected share `p` of `n`: the expected count, its fraction drawn at random. */
const draw = (n: number, p: number, r: () => number) => {
  const x = n * p;
  return Math.floor(x) + (r() < x - Math.floor(x) ? 1 : 0);
};

/**
 * Loads 30 days of telemetry for the demo's active agreements through the ingest path (Accord JSON batches,
 * as the vendor `demo-history` would push them), and evaluates the objectives every 4 hours of that history so
 * that the burn-down charts have their points and breaches open violations (their remediation starts).
 * Ingestion and evaluation run on a clock that walks through the 30 days: each batch is received at the end of
 * the six hours it covers, as a live agent's would be, so no sample is older than the accepted lateness.
 * Answers a one-line summary.
 */
export async function loadDemoTelemetry(
  c: Container,
  db: Db,
  dbFile: string,
  now: Date = new Date(),
): Promise<string> {
  if (!c.vendors) return 'no telemetry loaded (vendors are not wired)';
  const services = [
    ...new Set(
      (
        await new AgreementObjectivesSource(
          new SqliteAgreementStore(db),
          new SqliteServiceStore(db),
        ).listActive()
      ).map((a) => a.serviceId),
    ),
  ].sort();
  const vendor = await c.vendors.get(SYSTEM, DEMO_TELEMETRY_VENDOR, 'vendor.read');
  const nowMs = now.getTime();
  const keyId = vendor.keys.find(
    (k) => !k.revokedAt && (!k.notAfter || Date.parse(k.notAfter) > nowMs),
  )?.keyId;
  const clock: Clock & { at: number } = { at: 0, now: () => new Date(clock.at) };
  const vendors = c.vendors;
  const ingest = composeTelemetry(db, dbFile, clock, (v, k) => vendors.admit(v, k)).ingest;
  const ids = new UlidGenerator(clock);
  const source = new AgreementObjectivesSource(new SqliteAgreementStore(db), new SqliteServiceStore(db));
  const objectives = new ObjectiveUseCases({
    source,
    rollups: new SqliteRollupStore(db),
    exceptions: new SqliteExceptionWindowStore(db),
    violations: new SqliteViolationStore(db),
    evaluations: new SqliteEvaluationStore(db),
    clock,
    ids: { next: (prefix) => `${prefix}_${ids.next()}` },
    settings: { burnWindows: DEFAULT_BURN_WINDOWS, forecast: DEFAULT_FORECAST, tiers: DEFAULT_TIER_DEFAULTS },
    severityRules: DEFAULT_SEVERITY_RULES,
    onViolationOpened: async (v) => {
      await c.workflows?.remediation.opened(v);
    },
  });

  // Evaluation instants on a 15-minute grid, so that every tier's schedule is due at each of them.
  const end = Math.floor(now.getTime() / (15 * MIN)) * (15 * MIN);
  const start = end - 30 * DAY;
  const story = samplesOf(services, end);
  let samples = 0;
  let evaluations = 0;
  for (let from = start; from < end; from += 2 * HOUR) {
    const to = Math.min(from + 2 * HOUR, end);
    clock.at = to;
    samples += await send(ingest, keyId, story(from, to));
    if ((to - start) % (4 * HOUR) === 0 || to === end) {
      await objectives.evaluateAll();
      evaluations++;
    }
  }
  // From here on the demo keeps reporting, every 5 minutes, as a live agent would (through the real clock).
  let fed = end;
  const live = c.telemetry?.ingest;
  const timer = setInterval(() => {
    const to = Math.floor(Date.now() / BUCKET) * BUCKET;
    if (!live || to <= fed) return;
    const from = fed;
    fed = to;
    send(live, keyId, story(from, to)).catch(() => undefined);
  }, BUCKET / 5);
  timer.unref();
  feeds.add(timer);
  return `${samples.toLocaleString('en')} telemetry samples over 30 days for ${services.length} services, objectives evaluated ${evaluations} times`;
}

/**
 * Publishes the demo's monthly compliance report for the month the telemetry covers (archived write-once, with its
 * PDF and JSON), so that the console's archive, its download and its verification have a record to show. Answers
 * a one-line summary; a refusal is reported in it, not thrown (the demo stands without the report).
 */
export async function publishDemoReport(c: Container, now: Date = new Date()): Promise<string> {
  if (!c.reports) return 'no report published (reports are not wired)';
  const period = now.toISOString().slice(0, 7);
  try {
    await c.reports.publish(SYSTEM, 'monthly-compliance', {
      period,
      months: 1,
      audience: 'internal',
      formats: ['pdf', 'json'],
    });
    return `monthly compliance report for ${period} published to the archive`;
  } catch (error) {
    return `no report published: ${(error as Error).message}`;
  }
}
