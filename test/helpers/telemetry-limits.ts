import type { TelemetryPolicy } from '../../shared/schemas/telemetry.js';

/** The limits block of a telemetry policy. */
export type TelemetryLimits = TelemetryPolicy['limits'];

/**
 * A telemetry policy's limits for a test, as a new object each call: the shipped sizes (10,000 samples, 5 MiB
 * bodies, 4 MiB compressed; 64 labels, names of 128 characters, values of 1,024; 1,000 SLIs per service), an hour of accepted lateness
 * and five minutes of future skew, with `over` laid on top.
 */
export const testLimits = (over: Partial<TelemetryLimits> = {}): TelemetryLimits => ({
  maxSamplesPerRequest: 10_000,
  maxBodyBytes: 5_242_880,
  maxCompressedBodyBytes: 4_194_304,
  acceptedLatenessMinutes: 60,
  maxFutureSkewSeconds: 300,
  maxLabelsPerSeries: 64,
  maxLabelNameLength: 128,
  maxLabelValueLength: 1024,
  maxSlisPerService: 1000,
  ...over,
});

/**
 * Small limits for the decoder tests, so that each boundary is a few samples or bytes away: 3 samples, bodies of
 * 2,000 bytes (500 compressed), 8 labels with names and values of 64 characters, a minute of future skew and an hour
 * of accepted lateness, with `over` laid on top. A new object each call.
 */
export const smallTestLimits = (over: Partial<TelemetryLimits> = {}): TelemetryLimits =>
  testLimits({
    maxSamplesPerRequest: 3,
    maxBodyBytes: 2000,
    maxCompressedBodyBytes: 500,
    maxFutureSkewSeconds: 60,
    maxLabelsPerSeries: 8,
    maxLabelNameLength: 64,
    maxLabelValueLength: 64,
    ...over,
  });

/**
 * The refusal (as test/helpers/refusal.ts reads it) of a request that carries `carried` samples (or what the format
 * counts instead, `unit`) past a limit of `max` per request: a 413 naming both limits, `max` and `bytes`.
 */
export const tooManySamples = (o: { carried: number; max: number; bytes: number; unit?: string }) => {
  const unit = o.unit ?? 'samples';
  return {
    name: 'PayloadTooLargeError',
    message: `the request carries ${o.carried} ${unit}; the limit is ${o.max} ${unit} or ${o.bytes} bytes per request`,
    details: [
      { path: '(body)', problem: `carries ${o.carried} ${unit}, more than ${o.max}` },
      { path: 'limits.maxSamplesPerRequest', problem: `${o.max}` },
      { path: 'limits.maxBodyBytes', problem: `${o.bytes}` },
    ],
  };
};
