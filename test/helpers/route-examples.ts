import { ROUTES, type RouteSpec } from '../../shared/http/routes.js';
import { agreementBody, serviceBody } from './fixtures.js';

const hourFromNow = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

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
  'agreements.change-requests.create': () => ({
    summary: 'Rename the agreement',
    why: 'the service was renamed',
    proposed: { title: 'Payments gateway SLA (renamed)' },
  }),
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
