import { compress } from 'snappyjs';
import { encodeWriteRequest, type PromSeries } from '../../shared/domain/telemetry/protobuf.js';

/** A remote write request exactly as Prometheus sends it: headers and a snappy-compressed WriteRequest. */
export function promRequest(series: PromSeries[]): { headers: Record<string, string>; body: Buffer } {
  return {
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body: Buffer.from(compress(encodeWriteRequest(series))),
  };
}

export function jsonRequest(body: unknown): { headers: Record<string, string>; body: Buffer } {
  return { headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
}

/** One Accord JSON sample of the payments gateway's availability. */
export function accordSample(
  time: string | number,
  value: number | string = 1,
  extra: Record<string, unknown> = {},
) {
  return { service: 'svc_payments-gateway', sli: 'availability', measure: 'ratio', value, time, ...extra };
}
