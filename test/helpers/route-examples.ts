import { queryParameters } from '../../infra/aws/models.js';
import { ROUTES, type RouteSpec } from '../../shared/http/routes.js';
import { agreementBody, serviceBody } from './fixtures.js';

const hourFromNow = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
/** The previous calendar month (UTC), YYYY-MM: a period that has ended, as a publication names. */
const lastMonth = () => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
};

/**
 * One valid request body per route that takes a body, keyed by route id. The fidelity corpus mutates these
 * into invalid bodies by walking the route's schema, and the permission test sends them so that only the role
 * decides. `test/e2e/fidelity.test.ts` fails for a route with a body and no example here.
 */
const EXAMPLES: Record<string, () => unknown> = {
  'services.create': () => serviceBody({ id: 'svc_example-service' }),
  'services.update': () => ({ description: 'the card payments front door', reason: 'describe the service' }),
  'agreements.create': () => agreementBody(),
  'agreements.update': () => ({ title: 'A clearer title for the agreement', reason: 'clarify the title' }),
  'agreements.retire': () => ({ reason: 'no longer offered' }),
  'agreements.submit': () => ({ reason: 'ready for sign-off' }),
  'agreements.withdraw': () => ({ reason: 'needs another look' }),
  'agreements.signoff': () => ({ capacity: 'legal', decision: 'approved', reason: 'terms reviewed' }),
  'agreements.activate': () => ({ reason: 'approved and due' }),
  'agreements.expire': () => ({ reason: 'the term has ended' }),
  'agreements.sunset': () => ({ reason: 'the service is being retired' }),
  'objectives.exceptions.create': () => ({
    kind: 'planned-maintenance',
    start: hourFromNow(24),
    end: hourFromNow(26),
    changeReference: 'CHG-1234',
    reason: 'database upgrade',
  }),
  'objectives.disputes.raise': () => ({ reason: 'the outage was a customer-side change' }),
  'objectives.disputes.resolve': () => ({ decision: 'rejected', resolution: 'the logs show our fault' }),
  'objectives.baseline': () => ({
    sliName: 'availability',
    from: hourFromNow(-24 * 30),
    to: hourFromNow(0),
    sliceMinutes: 60,
    percentile: 10,
    exclude: [{ start: hourFromNow(-24 * 10), end: hourFromNow(-24 * 9), label: 'Black Friday' }],
  }),
  'telemetry.ingest': () => ({
    version: 1,
    samples: [
      {
        service: 'svc_example-service',
        sli: 'availability',
        measure: 'ratio',
        value: 0.999,
        time: hourFromNow(0),
      },
    ],
  }),
  'telemetry.otlpMetrics': () => ({ resourceMetrics: [] }),
  'objectives.exceptions.decide': () => ({
    decision: 'approved',
    reason: 'the customer agrees to the window',
  }),
  'objectives.exceptions.delete': () => ({ reason: 'the change was cancelled' }),
  'vendors.create': () => ({
    id: 'example-vendor',
    name: 'Example monitoring vendor',
    tier: 'standard',
    bindings: [{ serviceId: 'svc_payments-gateway' }],
    reason: 'payments moves to this agent',
  }),
  'vendors.bind': () => ({
    bindings: [{ serviceId: 'svc_payments-gateway', sli: 'availability' }],
    reason: 'only availability from this agent',
  }),
  'vendors.rotate': () => ({ previousKeysValidUntil: hourFromNow(1), reason: 'quarterly rotation' }),
  'vendors.revokeKey': () => ({ reason: 'the key leaked into a log' }),
  'vendors.revoke': () => ({ reason: 'the contract with the vendor ended' }),
  'reports.publish': () => ({
    period: lastMonth(),
    audience: 'internal',
    businessUnit: 'payments',
    formats: ['json'],
  }),
  'tasks.complete': () => ({ decision: 'approved', reason: 'terms reviewed' }),
  'webhooks.tasks': () => ({
    externalRef: 'JIRA-1234',
    status: 'closed',
    resolution: 'the failover runbook was fixed',
    by: 'ticketing',
  }),
  'chain.vendor-triggers': () => ({ reason: 'monthly vendor review' }),
  'chain.pass-through': () => ({ reason: 'credit of March is final' }),
  'chain.reviews.record': () => ({
    date: '2027-04-10',
    attendees: [
      { name: 'Pat Provider', email: 'pat@vendor.example', party: 'provider' },
      { name: 'Sam Manager', email: 'sam@bank.example', party: 'customer' },
    ],
    findings: ['March availability 99.2% against 99.9%'],
    actions: [
      {
        description: 'Send a remediation plan',
        owner: { name: 'Pat Provider', email: 'pat@vendor.example' },
        dueDate: '2027-04-30',
      },
    ],
    reason: 'quarterly review',
  }),
  'agreements.change-requests.create': () => ({
    summary: 'Rename the agreement',
    why: 'the service was renamed',
    proposed: { title: 'Payments gateway SLA (renamed)' },
  }),
  'change-requests.withdraw': () => ({ reason: 'we settled it another way' }),
  'services.freeze-exceptions.create': () => ({
    from: hourFromNow(1),
    to: hourFromNow(5),
    change: 'release 4.2.1 (security fix)',
    reason: 'a critical CVE must be patched during the freeze',
  }),
  'services.sunset': () => ({ reason: 'replaced by the new platform' }),
  'templates.draft': () => ({
    terms: {
      title: 'Example API SLA from the template',
      serviceId: 'svc_example-service',
      businessUnit: 'payments',
      parties: {
        provider: { type: 'business-unit', businessUnit: 'payments' },
        customer: { type: 'business-unit', businessUnit: 'retail-banking' },
      },
      timeZone: 'Europe/London',
      reviewCycle: { everyMonths: 6, nextReviewDate: '2099-01-01' },
      jurisdiction: { governingLaw: 'England and Wales', country: 'GB' },
      dataResidency: { region: 'eu-west-1', processingRegions: [] },
      effectiveFrom: '2099-01-01',
    },
    objectiveOwner: { name: 'Owen Service', email: 'owen@example.com' },
    customerContact: { name: 'Rita Retail', email: 'rita@example.com' },
    reason: 'drafted from the template',
  }),
  'agreements.schedules.create': () => {
    const {
      kind: _k,
      businessUnit: _b,
      parties: _p,
      jurisdiction: _j,
      dataResidency: _d,
      reviewCycle: _r,
      ...own
    } = agreementBody({
      title: 'Schedule 1: card payments API',
      reason: 'a schedule under the master agreement',
    });
    return own;
  },
  'ecosystem.pull-history': () => ({
    agreementId: 'agr_01NOSUCHAGREEMENT000000000',
    from: hourFromNow(-24),
    to: hourFromNow(-1),
    reason: 'baseline from last quarter',
  }),
  'ecosystem.backfill-run-start': () => ({
    // The embedded default's development vendor: a backfill names a vendor that exists.
    vendor: 'prometheus-main',
    prefix: 'imports/2026-q3/',
    reason: 'baseline from last quarter',
  }),
};

/** Routes that take a body. */
export const BODY_ROUTES: readonly RouteSpec[] = ROUTES.filter((r) => r.body !== undefined);

/** A valid body for the route (a fresh copy), or undefined for a route that takes none. */
export function exampleBody(route: RouteSpec): unknown {
  if (route.body === undefined) return undefined;
  const make = EXAMPLES[route.id];
  if (!make) throw new Error(`test/helpers/route-examples.ts has no example body for route ${route.id}`);
  return make();
}

/** Body routes without an example: must stay empty. */
export function routesWithoutExample(): string[] {
  return BODY_ROUTES.filter((r) => !EXAMPLES[r.id]).map((r) => r.id);
}

/**
 * One valid query string per route with a required query parameter, keyed by route id: validation comes before
 * the role check, so without it every caller would meet a 400. Names nothing that exists (a 404 past the role).
 */
const QUERY_EXAMPLES: Record<string, string> = {
  'archive.download': 'key=reports/none/unknown.json',
  // The embedded default's development vendor: a backfill names a vendor that exists (else 400 naming vendor).
  'ecosystem.backfill-import': 'vendor=prometheus-main',
};

/** Routes with a required query parameter. */
export const QUERY_ROUTES: readonly RouteSpec[] = ROUTES.filter((r) =>
  Object.values(queryParameters(r.query)).some(Boolean),
);

/** The route's example query string (without `?`), or undefined for a route that needs none. */
export function exampleQuery(route: RouteSpec): string | undefined {
  const q = QUERY_EXAMPLES[route.id];
  if (q === undefined && QUERY_ROUTES.includes(route))
    throw new Error(`test/helpers/route-examples.ts has no example query for route ${route.id}`);
  return q;
}

/** Routes with a required query parameter and no example query: must stay empty. */
export function routesWithoutQueryExample(): string[] {
  return QUERY_ROUTES.filter((r) => QUERY_EXAMPLES[r.id] === undefined).map((r) => r.id);
}
