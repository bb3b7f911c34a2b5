import { httpHandler } from '../../shared/http/handler.js';
import { telemetryIn } from '../../shared/usecases/telemetry/index.js';

/**
 * POST /v1/metrics: OTLP/HTTP metrics (protobuf or JSON, gzip allowed), the same ingestion as POST /v1/telemetry,
 * answered with an OTLP ExportMetricsServiceResponse in the request's encoding.
 */
export const handler = httpHandler({
  route: 'telemetry.otlpMetrics',
  raw: true,
  run: async ({ rawBody, headers, principal, deps }) => {
    const r = await telemetryIn(deps).ingest.ingestOtlp({
      vendorId: principal.vendorId ?? principal.subject,
      keyId: principal.vendorKeyId,
      headers,
      body: rawBody,
    });
    const binary = typeof r.body !== 'string';
    return {
      status: r.status,
      rawBody: binary ? Buffer.from(r.body).toString('base64') : (r.body as string),
      isBase64Encoded: binary,
      headers: { 'Content-Type': r.contentType, ...(r.replayed ? { 'Idempotent-Replayed': 'true' } : {}) },
    };
  },
});
