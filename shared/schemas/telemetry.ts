import { z } from 'zod';

/**
 * Telemetry: the external formats (Accord's own JSON batch v1, Datadog v2 series), the mapping policy,
 * and the API's answers. Prometheus remote write is protobuf and decoded in shared/domain/telemetry.
 */

/** What a sample measures; decides how it feeds the rollups. */
export const Measure = z.enum(['ratio', 'good', 'bad', 'duration', 'value']);
export type Measure = z.infer<typeof Measure>;

const SliName = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a lower-case slug');
const TelemetryServiceId = z
  .string()
  .regex(/^svc_[0-9a-z][0-9a-z-]{1,62}$/, 'must look like svc_<lower-case slug>');

// ---------------------------------------------------------------- Accord JSON batch, version 1

/**
 * A time: an RFC 3339 string with an offset ("2026-11-25T10:00:00+01:00"), a local date-time without an
 * offset read in the batch's (or sample's) declared IANA `timeZone`, or an epoch number in `epochUnit`
 * (a string of digits is accepted for nanoseconds, which exceed a double's precision).
 */
export const SampleTime = z.union([z.string().min(1).max(40), z.number()]);

export const AccordSample = z.strictObject({
  service: TelemetryServiceId,
  sli: SliName,
  measure: Measure,
  /** A JSON number; "NaN", "Infinity" and "-Infinity" are accepted as strings so they can be refused by name. */
  value: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]),
  /** ns, us, µs, ms, s; ratio, percent; count. Defaults: ms for durations, ratio for ratios, count for counts. */
  unit: z.string().max(32).optional(),
  time: SampleTime,
  /** Overrides the batch's zone for a local time. */
  timeZone: z.string().max(64).optional(),
  /** For durations: an event is good when it completes within this many milliseconds. */
  thresholdMs: z.number().positive().optional(),
  labels: z.record(z.string().max(128), z.string().max(1024)).optional(),
});
export type AccordSample = z.infer<typeof AccordSample>;

export const EpochUnit = z.enum(['s', 'ms', 'us', 'ns']);
export type EpochUnit = z.infer<typeof EpochUnit>;

/** The envelope; each sample is checked on its own so that one bad sample does not refuse the batch. */
export const AccordBatchEnvelope = z.strictObject({
  version: z.literal(1),
  /** The IANA zone of agent-local times without an offset, e.g. "Europe/Paris". */
  timeZone: z.string().max(64).optional(),
  /** The unit of numeric times (default ms). */
  epochUnit: EpochUnit.default('ms'),
  samples: z.array(z.unknown()),
});

/** Accord's own telemetry batch, version 1 (documentation of the whole shape, for the OpenAPI document). */
export const AccordBatch = AccordBatchEnvelope.extend({ samples: z.array(AccordSample) });

// ---------------------------------------------------------------- Datadog v2 series

export const DatadogPoint = z.object({
  /** Epoch seconds. */
  timestamp: z.number().int(),
  value: z.union([z.number(), z.null()]),
});

export const DatadogSeries = z.object({
  metric: z.string().min(1).max(200),
  /** 0 unspecified, 1 count, 2 rate, 3 gauge. */
  type: z.number().int().min(0).max(3).optional(),
  interval: z.number().int().optional(),
  points: z.array(z.unknown()),
  resources: z.array(z.object({ name: z.string(), type: z.string() })).optional(),
  tags: z.array(z.string()).optional(),
  unit: z.string().max(64).optional(),
  source_type_name: z.string().optional(),
});

export const DatadogPayload = z.object({ series: z.array(z.unknown()) });

// ---------------------------------------------------------------- mapping policy (data)

/** `{label}` placeholders read a label (or a named group of metricRegex). */
const Template = z.string().min(1).max(200);

export const MappingRule = z
  .strictObject({
    /** Free text: why this rule exists. */
    description: z.string().optional(),
    metric: z.string().min(1).optional(),
    /** A regular expression over the whole metric name; its named groups are usable in templates. */
    metricRegex: z.string().min(1).optional(),
    /** Labels that must be present with exactly these values. */
    labels: z.record(z.string(), z.string()).optional(),
    service: Template,
    sli: Template,
    measure: Measure,
    /** The unit when the vendor sends none. */
    unit: z.string().optional(),
    /** For durations: an event is good when it completes within this many ms. */
    thresholdMs: z.number().positive().optional(),
  })
  .refine((r) => (r.metric === undefined) !== (r.metricRegex === undefined), {
    message: 'a rule names exactly one of metric or metricRegex',
  });
export type MappingRule = z.infer<typeof MappingRule>;

export const SourcePolicy = z.strictObject({
  /** The SLI key `<serviceId>/<sli>`. */
  sliKey: z.string().min(3),
  primary: z.string().min(1),
  secondary: z.string().min(1),
  /** Which source feeds the rollups the objectives engine reads. */
  authoritative: z.enum(['primary', 'secondary']),
  /** Largest absolute difference of the two sources' bucket values (ratio, or mean value) not recorded. */
  tolerance: z.number().nonnegative(),
});
export type SourcePolicy = z.infer<typeof SourcePolicy>;

export const TelemetryPolicy = z.strictObject({
  version: z.literal(1),
  convention: z.string(),
  limits: z.strictObject({
    maxSamplesPerRequest: z.number().int().positive(),
    maxBodyBytes: z.number().int().positive(),
    /** Compressed (snappy) bodies: base64 on Lambda grows them by a third; this keeps them under 6 MB. */
    maxCompressedBodyBytes: z.number().int().positive(),
    /** Samples older than this (relative to receipt) are refused. */
    acceptedLatenessMinutes: z.number().int().positive(),
    /** Samples further than this in the future are refused (clock skew allowance). */
    maxFutureSkewSeconds: z.number().int().nonnegative(),
  }),
  /** Rules every vendor gets (the naming convention), tried after the vendor's own. */
  defaultRules: z.array(MappingRule),
  vendors: z.record(
    z.string(),
    z.strictObject({
      /** Overrides of the accepted lateness for a vendor whose agents buffer longer. */
      acceptedLatenessMinutes: z.number().int().positive().optional(),
      rules: z.array(MappingRule),
    }),
  ),
  sources: z.array(SourcePolicy),
});
export type TelemetryPolicy = z.infer<typeof TelemetryPolicy>;

// ---------------------------------------------------------------- answers

export const Rejection = z.object({
  /** Position of the sample in the request, counted across the whole batch from 0. */
  index: z.number().int(),
  /** Where it is in the request body, e.g. samples[17].value or series[3].points[2]. */
  path: z.string(),
  reason: z.string(),
  message: z.string(),
});
export type Rejection = z.infer<typeof Rejection>;

export const IngestResponse = z.object({
  submitted: z.number().int(),
  accepted: z.number().int(),
  /** Accepted samples already stored before (same series and timestamp): stored once. */
  duplicates: z.number().int(),
  rejected: z.array(Rejection),
  unmappedSeries: z.number().int(),
  /** stored: committed to the raw store; spooled: committed to the durable fallback, replayed later. */
  durability: z.enum(['stored', 'spooled', 'none']),
});
export type IngestResponse = z.infer<typeof IngestResponse>;

export const UnmappedSeries = z.object({
  vendorId: z.string(),
  metric: z.string(),
  labels: z.record(z.string(), z.string()),
  samples: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
});
export type UnmappedSeries = z.infer<typeof UnmappedSeries>;

export const Discrepancy = z.object({
  sliKey: z.string(),
  bucketStart: z.string(),
  primary: z.string(),
  secondary: z.string(),
  primaryValue: z.number(),
  secondaryValue: z.number(),
  difference: z.number(),
  tolerance: z.number(),
  authoritative: z.string(),
  detectedAt: z.string(),
});
export type Discrepancy = z.infer<typeof Discrepancy>;

export const TelemetryListQuery = z.strictObject({
  vendorId: z.string().optional(),
  sliKey: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
