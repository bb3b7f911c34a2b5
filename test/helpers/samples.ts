import type { Sample } from '../../shared/domain/telemetry/model.js';

/**
 * A prepared sample of a ratio gauge (a probe's 1 or 0: adds its value to good and 1 to total), as the sample stores
 * receive it from `prepareBatch`: vendor `v1`, series `v1|probe_success|job=a`, SLI `svc_a/availability` unless
 * `over` says otherwise.
 *
 * @param ts the sample's time, ms since the epoch
 * @param value the gauge's value (0 to 1)
 */
export function ratioSample(ts: number, value: number, over: Partial<Sample> = {}): Sample {
  return {
    index: 0,
    vendorId: 'v1',
    series: 'v1|probe_success|job=a',
    sliKey: 'svc_a/availability',
    measure: 'ratio',
    type: 'gauge',
    feed: 'ratio',
    timestampMs: ts,
    value,
    events: 0,
    cumulative: false,
    rollup: true,
    ...over,
  };
}
