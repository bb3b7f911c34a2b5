import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteCounters } from '../helpers/prometheus.js';
import {
  type RemoteWritePipeline,
  scrapedAndSent,
  startRemoteWritePipeline,
} from '../helpers/remote-write.js';

/**
 * The whole path as a user runs it: `npm start`'s server (infra/local/main.ts as its own process, a fresh data
 * directory, a free port), a vendor key issued through the API, and Debian's real Prometheus scraping an exporter
 * this test steps through known counter values (with a counter reset) and remote-writing them with
 * `authorization: {type: Bearer}`. Prometheus's own remote-storage counters say it lost nothing; Accord's SLI
 * totals (GET /v1/services/{id}/slis) must equal the increases the exporter produced.
 */

const SERVICE = 'svc_payments-gateway';

/**
 * What the exporter serves at each scrape (the last step is served again once the steps run out).
 * - the naming convention's counters, the example: good 1000, 1060, 1120, 30 (a reset) and bad 5, 5, 6, 0:
 *   good = 60 + 60 + 30 = 150, total = 150 + (0 + 1 + 0) = 151;
 * - `http_requests_total` by code, summed by the vendor's selector rules (code!~"5.." good, code=~"5.." bad):
 *   200: 100, 150, 190, 190; 500: 7, 9, 10, 10; 503: 1, 1, 3, 3 → good 90, total 90 + 3 + 2 = 95;
 * - a classic histogram `http_request_duration_seconds` read by the vendor's rule at 300 ms: le="0.3" 10, 25, 25, 4
 *   and _count 12, 30, 30, 5 (a reset at step 3) → good 15 + 0 + 4 = 19, total 18 + 0 + 5 = 23.
 */
const STEPS = [
  { good: 1000, bad: 5, ok: 100, e500: 7, e503: 1, fast: 10, count: 12 },
  { good: 1060, bad: 5, ok: 150, e500: 9, e503: 1, fast: 25, count: 30 },
  { good: 1120, bad: 6, ok: 190, e500: 10, e503: 3, fast: 25, count: 30 },
  { good: 30, bad: 0, ok: 190, e500: 10, e503: 3, fast: 4, count: 5 },
];
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5, 10];

function exposition(step: (typeof STEPS)[number]): string {
  const lines = [
    '# HELP accord_sli_good_total Good events.',
    '# TYPE accord_sli_good_total counter',
    `accord_sli_good_total{service="${SERVICE}",sli="checkout"} ${step.good}`,
    '# HELP accord_sli_bad_total Bad events.',
    '# TYPE accord_sli_bad_total counter',
    `accord_sli_bad_total{service="${SERVICE}",sli="checkout"} ${step.bad}`,
    '# HELP http_requests_total Requests by status code.',
    '# TYPE http_requests_total counter',
    `http_requests_total{code="200"} ${step.ok}`,
    `http_requests_total{code="500"} ${step.e500}`,
    `http_requests_total{code="503"} ${step.e503}`,
    '# HELP http_request_duration_seconds Request latency.',
    '# TYPE http_request_duration_seconds histogram',
  ];
  for (const le of BOUNDS) {
    // Cumulative buckets: half the fast requests below 0.3 s, all of them at 0.3 s, every request from 0.5 s.
    const v = le < 0.3 ? Math.floor(step.fast / 2) : le === 0.3 ? step.fast : step.count;
    lines.push(`http_request_duration_seconds_bucket{le="${le}"} ${v}`);
  }
  lines.push(`http_request_duration_seconds_bucket{le="+Inf"} ${step.count}`);
  lines.push(`http_request_duration_seconds_sum ${(step.count * 0.21).toFixed(2)}`);
  lines.push(`http_request_duration_seconds_count ${step.count}`);
  return `${lines.join('\n')}\n`;
}

let pipeline: RemoteWritePipeline;

beforeAll(async () => {
  // The development vendor prometheus-main's mapping rules read http_requests_total and the latency histogram.
  pipeline = await startRemoteWritePipeline({
    name: 'accord-prom-rw-',
    reason: 'key for the Prometheus end-to-end test',
    steps: STEPS.length,
    exposition: (i) => exposition(STEPS[i]!),
    contentType: 'text/plain; version=0.0.4',
  });
}, 60_000);

afterAll(async () => pipeline?.stop());

type Totals = Record<string, { good: number; total: number; samples: number }>;

async function sliTotals(): Promise<Totals> {
  const r = await pipeline.api('GET', `/v1/services/${SERVICE}/slis`, pipeline.adminToken);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const out: Totals = {};
  for (const s of r.body.items as { sli: string; good: number; total: number; samples: number }[])
    out[s.sli] = { good: s.good, total: s.total, samples: s.samples };
  return out;
}

describe('a real Prometheus 2.42 scraping counters and a histogram and remote-writing them to npm start', () => {
  it('loses no sample and Accord stores the increases the exporter produced, across a counter reset', async () => {
    const want = {
      checkout: { good: 150, total: 151 },
      requests: { good: 90, total: 95 },
      'response-time': { good: 19, total: 23 },
    };
    const deadline = Date.now() + 45_000;
    let totals: Totals = {};
    let counters: Record<string, number> = {};
    const reached = () =>
      Object.entries(want).every(
        ([sli, w]) => totals[sli]?.good === w.good && totals[sli]?.total === w.total,
      );
    while (Date.now() < deadline) {
      totals = await sliTotals();
      if (pipeline.scrapes() > STEPS.length + 2 && reached()) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // Two more scrapes of the last step, sent: a counter that stays put adds nothing.
    const seen = await scrapedAndSent(pipeline, 2);
    totals = await sliTotals();
    counters = await remoteCounters(pipeline.prometheus.url, 'accord');

    expect(pipeline.scrapes(), 'the exporter was scraped through every step').toBeGreaterThan(STEPS.length);
    for (const [sli, w] of Object.entries(want)) {
      expect({ sli, good: totals[sli]?.good, total: totals[sli]?.total }, JSON.stringify(totals)).toEqual({
        sli,
        ...w,
      });
    }
    // Prometheus sent the exporter's series of every scrape (and its own up/scrape_* series) and lost none.
    const perScrape = exposition(STEPS[0]!)
      .split('\n')
      .filter((l) => l && !l.startsWith('#')).length;
    expect(counters.samples_total, JSON.stringify(counters)).toBeGreaterThanOrEqual((seen - 1) * perScrape);
    for (const name of ['samples_failed_total', 'samples_retried_total', 'samples_dropped_total']) {
      expect(counters[name], `${name}: ${JSON.stringify(counters)}`).toBe(0);
    }
  }, 70_000);
});
