/**
 * Where handlers report what GET /metrics counts: requests, ingest outcomes, evaluation runs. No-ops until
 * `shared/runtime/metrics.ts` (prom-client) is loaded and installs itself: the embedded default loads it at start,
 * on AWS only the /metrics function does, so prom-client stays out of every other Lambda bundle.
 */
import type { IngestResponse } from '../schemas/telemetry.js';

export interface Observer {
  request(route: string, method: string, status: number, seconds: number): void;
  ingest(report: Pick<IngestResponse, 'accepted' | 'duplicates' | 'rejected'>): void;
  evaluation(kind: 'scheduled' | 'on-demand', seconds: number): void;
}

const none: Observer = { request: () => {}, ingest: () => {}, evaluation: () => {} };
let current: Observer = none;

/** Installs the metrics recorder (once per process). */
export function installObserver(o: Observer): void {
  current = o;
}

export const observe: Observer = {
  request: (...a) => current.request(...a),
  ingest: (r) => current.ingest(r),
  evaluation: (...a) => current.evaluation(...a),
};

/** Times an async evaluation and reports it, whether it succeeds or fails. */
export async function timedEvaluation<T>(kind: 'scheduled' | 'on-demand', run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await run();
  } finally {
    observe.evaluation(kind, (performance.now() - t0) / 1000);
  }
}
