import { Agent, request } from 'node:http';
import { percentile } from './report.js';

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

/**
 * A closed-loop HTTP load: `concurrency` clients, each sending its next request when the last one answered,
 * for `durationMs` after a warm-up. Keep-alive connections, like a real API client.
 */
export async function closedLoop(options: {
  url: string;
  concurrency: number;
  durationMs: number;
  warmupMs?: number;
  next: (i: number) => {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
  };
  expectStatus?: number;
}): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const base = new URL(options.url);
  const one = (i: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const r = options.next(i);
      const req = request(
        {
          host: base.hostname,
          port: base.port,
          method: r.method ?? 'GET',
          path: r.path,
          headers: r.headers,
          agent,
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      if (r.body !== undefined) req.write(r.body);
      req.end();
    });
  let counter = 0;
  const run = async (until: number, latencies: number[] | undefined, stats: { errors: number }) => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const status = await one(counter++);
      const dt = performance.now() - t0;
      if (status !== (options.expectStatus ?? 200)) stats.errors++;
      latencies?.push(dt);
    }
  };
  const warm = { errors: 0 };
  const warmUntil = performance.now() + (options.warmupMs ?? 1000);
  await Promise.all(Array.from({ length: options.concurrency }, () => run(warmUntil, undefined, warm)));
  const latencies: number[] = [];
  const stats = { errors: 0 };
  const start = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, () => run(start + options.durationMs, latencies, stats)),
  );
  const elapsed = performance.now() - start;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors: stats.errors,
    rps: latencies.length / (elapsed / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
