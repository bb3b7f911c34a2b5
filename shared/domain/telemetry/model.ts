import type { EpochUnit, Measure, Rejection } from '../../schemas/telemetry.js';
import type { SeriesRef, Target } from './mapping.js';

/** One sample as a vendor format carries it, before mapping, validation and normalisation. */
export interface VendorSample {
  /** Position in the request, counted across the whole batch from 0. */
  index: number;
  /** Where it is in the request body, e.g. samples[17] or series[3].points[2]. */
  path: string;
  series: SeriesRef;
  /** Accord's own format names its SLI directly; other formats go through the mapping rules. */
  target?: Target;
  value: number | string | null;
  unit: string | undefined;
  time: number | string;
  epochUnit: EpochUnit;
  timeZone: string | undefined;
}

/** A decoded request: the samples it carries and those too malformed to be read at all. */
export interface DecodedBatch {
  format: 'accord-json' | 'prometheus-remote-write' | 'datadog-v2';
  samples: VendorSample[];
  malformed: Rejection[];
}

/** A sample ready to store: mapped to an SLI, validated, in canonical units (ms, ratio, count) and UTC. */
export interface Sample {
  vendorId: string;
  /** The vendor series (vendor|metric|labels): with timestampMs, the sample's identity. */
  series: string;
  sliKey: string;
  measure: Measure;
  timestampMs: number;
  value: number;
  thresholdMs?: number;
  /** Whether this sample feeds the SLI's rollups (false for a non-authoritative second source). */
  rollup: boolean;
  /** Where it was in the request, for rejections after preparation (the vendor-scope step); not stored. */
  index?: number;
  path?: string;
}

/** A series nothing maps, with how many of its samples this batch carried. */
export interface UnmappedSighting {
  vendorId: string;
  metric: string;
  labels: Record<string, string>;
  samples: number;
}

export interface PreparedBatch {
  submitted: number;
  accepted: Sample[];
  rejected: Rejection[];
  unmapped: UnmappedSighting[];
}
