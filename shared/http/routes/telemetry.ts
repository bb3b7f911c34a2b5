import { z } from 'zod';
import { TELEMETRY_LIMITS } from '../../policy/telemetry-limits.js';
import {
  AccordBatch,
  Discrepancy,
  IngestResponse,
  ListSlisQuery,
  OtlpExportRequest,
  OtlpExportResponse,
  SliActivity,
  TelemetryListQuery,
  UnmappedSeries,
} from '../../schemas/telemetry.js';
import type { RouteSpec } from '../routes.js';

/** Routes of the telemetry area; spread into ROUTES. */
export const TELEMETRY_ROUTES: readonly RouteSpec[] = [
  {
    id: 'telemetry.ingest',
    method: 'POST',
    path: '/v1/telemetry',
    auth: 'vendor',
    action: 'telemetry.ingest',
    handler: 'telemetry/ingest',
    summary:
      'Push samples: Accord JSON batch v1 (below), Datadog v2 series (application/json with "series"), or Prometheus remote write 1.0 (application/x-protobuf, Content-Encoding: snappy). Up to 10,000 samples or 5 MB; an Idempotency-Key makes a retry safe. The answer accounts for every sample and series and lists the SLIs fed, flagging those no objective reads.',
    // Documentation only: the handler reads the raw body and decides the format by Content-Type.
    body: AccordBatch,
    response: IngestResponse,
    binary: true,
    maxBodyBytes: TELEMETRY_LIMITS.maxBodyBytes,
  },
  {
    id: 'telemetry.unmapped',
    method: 'GET',
    path: '/v1/telemetry/unmapped',
    auth: 'user',
    action: 'telemetry.mapping.read',
    handler: 'telemetry/unmapped',
    summary: 'Vendor series no mapping rule maps, with how many samples each carried',
    query: TelemetryListQuery,
    response: z.object({ items: z.array(UnmappedSeries) }),
  },
  {
    id: 'telemetry.discrepancies',
    method: 'GET',
    path: '/v1/telemetry/discrepancies',
    auth: 'user',
    action: 'telemetry.read',
    handler: 'telemetry/discrepancies',
    summary: 'Buckets where the two sources of one SLI differ beyond the tolerance',
    query: TelemetryListQuery,
    response: z.object({ items: z.array(Discrepancy) }),
  },

  {
    id: 'telemetry.slis',
    method: 'GET',
    path: '/v1/services/{serviceId}/slis',
    auth: 'user',
    action: 'telemetry.read',
    handler: 'telemetry/slis',
    summary:
      "A service's SLIs that have data, paged by SLI key (limit 1 to 1000, default 1000; cursor: the previous page's nextCursor): last sample time, sample count, senders, rollup totals and the objectives that read each (none: a misspelled or not yet used SLI)",
    query: ListSlisQuery,
    response: z.object({ items: z.array(SliActivity), nextCursor: z.string().optional() }),
  },
  {
    id: 'telemetry.otlpMetrics',
    method: 'POST',
    path: '/v1/metrics',
    auth: 'vendor',
    action: 'telemetry.ingest',
    handler: 'telemetry/otlp-metrics',
    summary:
      'OTLP/HTTP metrics export (application/x-protobuf or application/json, gzip allowed): sums, gauges, histograms and exponential histograms with their own temporality, mapped and checked as POST /v1/telemetry. Answers an ExportMetricsServiceResponse in the request encoding; partialSuccess counts the rejected data points and names the reasons.',
    // Documentation only: the handler reads the raw body and decodes it by Content-Type.
    body: OtlpExportRequest,
    response: OtlpExportResponse,
    binary: true,
    maxBodyBytes: TELEMETRY_LIMITS.maxBodyBytes,
  },
];
