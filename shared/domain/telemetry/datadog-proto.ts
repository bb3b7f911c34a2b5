import protobuf from 'protobufjs/light.js';
import { ValidationError } from '../errors.js';
import descriptor from './proto/datadog.json' with { type: 'json' };
// Imported for its protobufjs configuration too (int64 as numbers, not long.js objects).
import { checkWireTypesOf } from './remote-write.js';

/**
 * The Datadog Agent's v2 series payload (`datadog.agentpayload.MetricPayload`, what the Agent posts to
 * /api/v2/series as `application/x-protobuf`, deflate- or zstd-compressed), decoded by protobufjs (reflection) from
 * our copy of DataDog/agent-payload's agent_payload.proto (./proto/datadog → ./proto/datadog.json by
 * `npm run proto`), and handed on in the shape of the v2 JSON body, so that one reader (`decodeDatadog`) gives both
 * encodings the same semantics, limits and paths.
 */

const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
const PayloadType = root.lookupType('datadog.agentpayload.MetricPayload');

interface RawSeries {
  resources?: { type?: string; name?: string }[];
  metric?: string;
  tags?: string[];
  points?: { value?: number; timestamp?: number }[];
  type?: number;
  unit?: string;
  source_type_name?: string;
  interval?: number;
}

/**
 * Decodes an (inflated) MetricPayload into the v2 JSON body's shape: `{series: [{metric, type, points: [{timestamp,
 * value}], resources, tags, unit?, interval?, source_type_name?}]}`; proto3's defaults (an empty unit, interval 0)
 * are "not said".
 * @throws ValidationError naming the field (`series[0].points[1]`) when the body is not a MetricPayload
 */
export function decodeDatadogPayload(bytes: Uint8Array): { series: Record<string, unknown>[] } {
  const problem = checkWireTypesOf(bytes, PayloadType);
  if (problem) throw new ValidationError('the body is not a valid Datadog MetricPayload', [problem]);
  let msg: { series?: RawSeries[] };
  try {
    msg = PayloadType.decode(bytes) as unknown as { series?: RawSeries[] };
  } catch (e) {
    throw new ValidationError('the body is not a valid Datadog MetricPayload', [
      { path: '(body)', problem: (e as Error).message },
    ]);
  }
  return {
    // Stryker disable next-line ArrayDeclaration: protobufjs sets every repeated field on the decoded message itself and keeps each scalar's proto3 default on its prototype, so this fallback is never taken
    series: (msg.series ?? []).map((s) => ({
      // Stryker disable next-line StringLiteral: protobufjs sets every repeated field on the decoded message itself and keeps each scalar's proto3 default on its prototype, so this fallback is never taken
      metric: s.metric ?? '',
      type: Number(s.type ?? 0),
      // Stryker disable next-line ArrayDeclaration: protobufjs sets every repeated field on the decoded message itself and keeps each scalar's proto3 default on its prototype, so this fallback is never taken
      points: (s.points ?? []).map((p) => ({
        timestamp: Number(p.timestamp ?? 0),
        value: Number(p.value ?? 0),
      })),
      // Stryker disable next-line ArrayDeclaration,StringLiteral: protobufjs sets every repeated field on the decoded message itself and keeps each scalar's proto3 default on its prototype, so this fallback is never taken
      resources: (s.resources ?? []).map((r) => ({ type: r.type ?? '', name: r.name ?? '' })),
      // Stryker disable next-line ArrayDeclaration: protobufjs sets every repeated field on the decoded message itself and keeps each scalar's proto3 default on its prototype, so this fallback is never taken
      tags: s.tags ?? [],
      ...(s.unit ? { unit: s.unit } : {}),
      ...(Number(s.interval ?? 0) > 0 ? { interval: Number(s.interval) } : {}),
      ...(s.source_type_name ? { source_type_name: s.source_type_name } : {}),
    })),
  };
}

/** Encodes a MetricPayload from the v2 JSON shape (tests build what the Agent sends with the same library). */
export function encodeDatadogPayload(payload: { series: Record<string, unknown>[] }): Uint8Array {
  return PayloadType.encode(PayloadType.fromObject(payload)).finish();
}
