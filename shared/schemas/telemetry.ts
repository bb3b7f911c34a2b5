import { z } from 'zod';

/**
 * Telemetry: the external formats (Accord's own JSON batch v1, Datadog v2 series), the mapping policy,
 * and the API's answers. Prometheus remote write is protobuf and decoded in shared/domain/telemetry.
 */

/** What a sample measures; decides how it feeds the rollups. */
export const Measure = z.enum(['ratio', 'good', 'bad', 'duration', 'value']);
export type Measure = z.infer<typeof Measure>;

/**
 * What a series' values mean, which decides how they become events (docs/telemetry.md, "Sample semantics"):
 * a cumulative `counter` (running total: its increase counts), a `delta` count (events since the last report),
 * a `rate` (events per second over an interval), a `gauge` (a reading), a classic `histogram`
 * (`_bucket{le}`/`_count`/`_sum` counters), a `native-histogram` (exponential buckets), a `summary` (precomputed
 * quantiles).
 */
export const SemanticType = z.enum([
  'counter',
  'delta',
  'rate',
  'gauge',
  'histogram',
  'native-histogram',
  'summary',
]);
export type SemanticType = z.infer<typeof SemanticType>;

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
  /**
   * What the value is: `delta` (events since the previous report; the default for good/bad), `counter` (a running
   * total whose increase counts, per series = service + sli + measure + labels) or `gauge` (a reading; the
   * default, and the only choice, for ratio, duration and value).
   */
  type: z.enum(['counter', 'delta', 'gauge']).optional(),
  /** Label names and values are checked like every format's (limits in the policy, Prometheus's rules). */
  labels: z.record(z.string(), z.string()).optional(),
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
  /** Seconds the point covers (counts and rates). */
  interval: z.number().int().positive().optional(),
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
    /**
     * A PromQL series selector: `http_requests_total{code=~"5..", job!="test"}` (matchers =, !=, =~, !~; regular
     * expressions are anchored at both ends, as in PromQL; named groups are usable in templates). For a histogram or a
     * summary it names the family (`http_request_duration_seconds`), whose `_bucket`, `_count` and `_sum` series the
     * rule maps.
     */
    selector: z.string().min(1).max(1000).optional(),
    /** The metric name, exactly (older form of a selector without matchers). */
    metric: z.string().min(1).optional(),
    /** A regular expression over the whole metric name; its named groups are usable in templates. */
    metricRegex: z.string().min(1).optional(),
    /** Labels that must be present with exactly these values (older form of `=` matchers). */
    labels: z.record(z.string(), z.string()).optional(),
    service: Template,
    sli: Template,
    measure: Measure,
    /**
     * What the series' values are, when the format does not say (remote write without metadata, Datadog type 0):
     * see SemanticType. Defaults: gauge for ratio, duration and value; good and bad need it said.
     */
    type: SemanticType.optional(),
    /** The unit when the vendor sends none. */
    unit: z.string().optional(),
    /** For durations: an event is good when it completes within this many ms. */
    thresholdMs: z.number().positive().optional(),
    /**
     * For a classic histogram: its bucket upper bounds (`le`) in the rule's unit, as the exporter declares them. The
     * threshold must be one of them (checked when the rule is loaded); a `_bucket` series with another bound is
     * rejected (the exporter's layout changed).
     */
    buckets: z.array(z.number().positive()).min(1).max(200).optional(),
  })
  .refine((r) => [r.selector, r.metric, r.metricRegex].filter((x) => x !== undefined).length === 1, {
    message: 'a rule names exactly one of selector, metric or metricRegex',
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
    /** Label limits, the same in every format: labels per series, name and value length (characters). */
    maxLabelsPerSeries: z.number().int().positive(),
    maxLabelNameLength: z.number().int().positive(),
    maxLabelValueLength: z.number().int().positive(),
    /**
     * Distinct SLIs with data per service: a sample whose SLI is new to its service past this many is rejected
     * (`too_many_slis`), unless an objective reads the SLI. A real service has tens.
     */
    maxSlisPerService: z.number().int().positive(),
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

/** Every series of a request ends in one of three outcomes. */
export const SeriesCounts = z.object({
  submitted: z.number().int(),
  /** At least one sample accepted (its other samples, if any, are in `rejected` one by one). */
  accepted: z.number().int(),
  /** Every sample rejected, each with its reason. */
  rejected: z.number().int(),
  /** No mapping rule maps it (its samples are rejected with `unmapped_series`). */
  unmapped: z.number().int(),
});

/** An SLI this request fed, and whether any objective reads it yet (a typo in an SLI name shows here). */
export const SliFed = z.object({
  sliKey: z.string(),
  accepted: z.number().int(),
  /** False: no objective of any agreement of the service reads this SLI, so its data judges nothing yet. */
  readByObjective: z.boolean(),
});
export type SliFed = z.infer<typeof SliFed>;

export const IngestResponse = z.object({
  /** Samples in the request (float samples and histogram samples alike). */
  submitted: z.number().int(),
  accepted: z.number().int(),
  /** Accepted samples already stored before (same series, timestamp and value: a retry): stored once. */
  duplicates: z.number().int(),
  rejected: z.array(Rejection),
  unmappedSeries: z.number().int(),
  series: SeriesCounts,
  slis: z.array(SliFed),
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

/** One SLI of a service with data: when it last had a sample, how much it holds, and which objectives read it. */
export const SliActivity = z.object({
  sliKey: z.string(),
  sli: z.string(),
  /** Time of the newest accepted sample (its own time stamp, UTC). */
  lastSampleAt: z.string(),
  firstSampleAt: z.string(),
  /** When the newest accepted sample was received. */
  lastReceivedAt: z.string(),
  /** Accepted samples (duplicates excluded). */
  samples: z.number().int(),
  /** Senders (vendor ids) that fed it. */
  vendors: z.array(z.string()),
  /** Rollup totals over all time: events (good, total) and observations (count, sum). */
  good: z.number(),
  total: z.number(),
  count: z.number(),
  readBy: z.array(z.object({ agreementId: z.string(), objectiveId: z.string(), status: z.string() })),
});
export type SliActivity = z.infer<typeof SliActivity>;

/** `GET /v1/services/{serviceId}/slis`: a page of at most `limit` SLIs (by SLI key), after `cursor` (a `nextCursor`). */
export const ListSlisQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
  cursor: z.string().max(1000).optional(),
});
export type ListSlisQuery = z.infer<typeof ListSlisQuery>;

export const TelemetryListQuery = z.strictObject({
  vendorId: z.string().optional(),
  sliKey: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * OTLP/JSON ExportMetricsServiceRequest (POST /v1/metrics), for the OpenAPI document only: the handler decodes the
 * raw body (protobuf or JSON) against opentelemetry-proto's messages (shared/domain/telemetry/otlp.ts).
 */
export const OtlpExportRequest = z.object({
  resourceMetrics: z.array(
    z.object({
      resource: z.object({ attributes: z.array(z.unknown()).optional() }).optional(),
      scopeMetrics: z.array(z.object({ scope: z.unknown().optional(), metrics: z.array(z.unknown()) })),
    }),
  ),
});

/** OTLP/JSON ExportMetricsServiceResponse: partialSuccess when data points were rejected (or a warning is due). */
export const OtlpExportResponse = z.object({
  partialSuccess: z
    .object({
      /** int64, as OTLP/JSON writes it: a decimal string. */
      rejectedDataPoints: z.string(),
      errorMessage: z.string(),
    })
    .optional(),
});
