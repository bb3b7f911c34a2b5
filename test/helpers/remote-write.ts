import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type ChildServer, exited, startChildServer } from './child-server.js';
import { serviceBody } from './fixtures.js';
import { type RunningPrometheus, requirePrometheus, startPrometheus } from './prometheus.js';

/** The development vendor whose mapping rules read the exporters' series (shared/policy, infra/local seed). */
export const REMOTE_WRITE_VENDOR = 'prometheus-main';

export interface Reply {
  status: number;
  /** Tests read response bodies freely. */
  body: any;
}

/**
 * npm start's server (its own process, fresh data directory, free port) fed by Debian's real Prometheus: Prometheus
 * scrapes an exporter this test steps through known values (one step a scrape; the last step served again once the
 * steps run out) and remote-writes to /v1/telemetry as REMOTE_WRITE_VENDOR with a key issued through the API.
 */
export interface RemoteWritePipeline {
  server: ChildServer;
  prometheus: RunningPrometheus;
  adminToken: string;
  managerToken: string;
  /** How many times Prometheus has scraped the exporter so far. */
  scrapes(): number;
  /** A call to the server as the holder of `token`. */
  api(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply>;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  /** Temporary directory prefix (under the OS temp dir). */
  name: string;
  /** The issued key's reason (audited). */
  reason: string;
  /** The exporter's body for scrape `step` (0-based, capped at `steps - 1`) and its content type. */
  steps: number;
  exposition(step: number): string | Uint8Array;
  contentType: string;
  /** Extra lines of the remote_write entry (YAML, indented four spaces) and Prometheus flags. */
  remoteWriteExtra?: string;
  flags?: string[];
}

export async function startRemoteWritePipeline(o: PipelineOptions): Promise<RemoteWritePipeline> {
  requirePrometheus();
  const dir = mkdtempSync(join(tmpdir(), o.name));
  const server = await startChildServer(join(dir, 'accord'));
  const api: RemoteWritePipeline['api'] = async (method, path, token, body, headers = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const creds = JSON.parse(readFileSync(join(dir, 'accord', 'dev-credentials.json'), 'utf8')) as {
    tokens: Record<string, { token: string }>;
  };
  const adminToken = creds.tokens.admin!.token;
  const managerToken = creds.tokens['sla-manager']!.token;
  const svc = await api('POST', '/v1/services', managerToken, serviceBody());
  expect(svc.status, JSON.stringify(svc.body)).toBe(201);

  // A key issued through the API: the development vendor gets a new key, the old one ending a minute later (an end of
  // "now" is refused once the request takes over the second of lag the API allows, as it can on a loaded machine).
  const vendor = await api('GET', `/v1/vendors/${REMOTE_WRITE_VENDOR}`, adminToken);
  expect(vendor.status, JSON.stringify(vendor.body)).toBe(200);
  const issued = await api(
    'POST',
    `/v1/vendors/${REMOTE_WRITE_VENDOR}/keys`,
    adminToken,
    { previousKeysValidUntil: new Date(Date.now() + 60_000).toISOString(), reason: o.reason },
    { 'if-match': `"${vendor.body.version}"` },
  );
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);

  let scrapes = 0;
  const exporter: Server = createServer((_req, res) => {
    const step = Math.min(scrapes, o.steps - 1);
    scrapes++;
    res.writeHead(200, { 'content-type': o.contentType });
    res.end(o.exposition(step));
  });
  await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', () => r()));
  // The job name is the service slug: the vendor's rules take the service from `job`.
  const prometheus = await startPrometheus(
    dir,
    `global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: payments-gateway
    static_configs: [{ targets: ['127.0.0.1:${(exporter.address() as { port: number }).port}'] }]
remote_write:
  - name: accord
    url: ${server.url}/v1/telemetry
    authorization: { type: Bearer, credentials: '${issued.body.apiKey}' }
${o.remoteWriteExtra ?? ''}    queue_config: { batch_send_deadline: 500ms, min_backoff: 100ms, max_backoff: 1s }
`,
    o.flags ?? [],
  );
  return {
    server,
    prometheus,
    adminToken,
    managerToken,
    scrapes: () => scrapes,
    api,
    async stop() {
      await prometheus.stop();
      await new Promise((r) => exporter.close(r));
      if (server.proc.exitCode === null) {
        server.proc.kill('SIGTERM');
        await exited(server.proc);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One gauge of Prometheus's own /metrics (the first series whose labels contain `labels`), or undefined. */
async function gauge(promUrl: string, name: string, labels = ''): Promise<number | undefined> {
  const text = await (await fetch(`${promUrl}/metrics`)).text();
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm')))
    if ((m[1] ?? '').includes(labels)) return Number(m[2]);
  return undefined;
}

/**
 * Waits, polling the pipeline's state (never a fixed pause), until Prometheus has scraped the exporter `more` more
 * times and the remote-write queue has sent everything Prometheus stored up to then: the queue's highest sent
 * timestamp (prometheus_remote_storage_queue_highest_sent_timestamp_seconds) has reached the newest sample's
 * (prometheus_remote_storage_highest_timestamp_in_seconds). Answers the scrape count it waited from; throws on timeout.
 */
export async function scrapedAndSent(
  p: RemoteWritePipeline,
  more: number,
  timeoutMs = 20_000,
): Promise<number> {
  const seen = p.scrapes();
  const deadline = Date.now() + timeoutMs;
  const pause = () => new Promise((r) => setTimeout(r, 100));
  while (p.scrapes() < seen + more) {
    if (Date.now() > deadline)
      throw new Error(`Prometheus scraped ${p.scrapes() - seen} of ${more} more times`);
    await pause();
  }
  // The newest sample Prometheus stored after those scrapes, then until the queue has sent up to it.
  let stored: number | undefined;
  while (!stored) {
    if (Date.now() > deadline) throw new Error('Prometheus reports no stored sample');
    stored = await gauge(p.prometheus.url, 'prometheus_remote_storage_highest_timestamp_in_seconds');
    if (!stored) await pause();
  }
  for (;;) {
    const sent = await gauge(
      p.prometheus.url,
      'prometheus_remote_storage_queue_highest_sent_timestamp_seconds',
      'remote_name="accord"',
    );
    if (sent !== undefined && sent >= stored) return seen;
    if (Date.now() > deadline) throw new Error(`remote write sent up to ${sent}, stored up to ${stored}`);
    await pause();
  }
}
