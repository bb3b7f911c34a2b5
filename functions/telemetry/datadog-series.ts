import { httpHandler } from '../../shared/http/handler.js';
import { observe } from '../../shared/runtime/observe.js';
import { telemetryIn } from '../../shared/usecases/telemetry/index.js';

/**
 * POST /api/v2/series: the Datadog Agent's intake, the same ingestion as POST /v1/telemetry. Datadog answers an
 * accepted payload 202; the body is Accord's per-sample report (the Agent reads only the status).
 */
export const handler = httpHandler({
  route: 'datadog.series',
  raw: true,
  run: async ({ rawBody, headers, principal, deps }) => {
    const r = await telemetryIn(deps).ingest.ingest({
      vendorId: principal.vendorId ?? principal.subject,
      keyId: principal.vendorKeyId,
      headers,
      body: rawBody,
      datadog: true,
    });
    if (!r.replayed) observe.ingest(r.body);
    const out: Record<string, string> = r.replayed ? { 'Idempotent-Replayed': 'true' } : {};
    return { status: 202, body: r.body, headers: out };
  },
});
