import { httpHandler } from '../../shared/http/handler.js';
import { observe } from '../../shared/runtime/observe.js';
import { telemetryIn } from '../../shared/usecases/telemetry/index.js';

/** POST /v1/telemetry: the vendor's samples in, a per-sample report out. */
export const handler = httpHandler({
  route: 'telemetry.ingest',
  raw: true,
  run: async ({ rawBody, headers, principal, deps }) => {
    const r = await telemetryIn(deps).ingest.ingest({
      vendorId: principal.vendorId ?? principal.subject,
      keyId: principal.vendorKeyId,
      headers,
      body: rawBody,
    });
    if (!r.replayed) observe.ingest(r.body);
    const out: Record<string, string> = r.replayed ? { 'Idempotent-Replayed': 'true' } : {};
    return { status: r.status, body: r.body, headers: out };
  },
});
