import { describe, expect, it } from 'vitest';
import {
  decodeDatadogPayload,
  encodeDatadogPayload,
} from '../../../shared/domain/telemetry/datadog-proto.js';
import { refusal } from '../../helpers/refusal.js';
import { agentPayload } from '../../helpers/telemetry.js';

// The Datadog Agent's MetricPayload (protobuf) read into the v2 JSON body's shape, so that one reader gives both
// encodings the same semantics: proto3's defaults (an empty unit or source, interval 0) are "not said".

describe('the Datadog Agent’s MetricPayload', () => {
  it('decodes each series into the v2 JSON shape: metric, type, points, resources, tags, unit, interval, source', () => {
    const payload = agentPayload(0.25);
    const [everyField, pointsOnly] = payload.series;
    // The series with every field set reads back as sent; the other gains empty resources and tags.
    expect(decodeDatadogPayload(encodeDatadogPayload(payload))).toEqual({
      series: [everyField, { ...pointsOnly, resources: [], tags: [] }],
    });
  });

  it('leaves out a unit, an interval and a source the Agent did not set, and an interval that is not positive', () => {
    const [a, b] = decodeDatadogPayload(
      encodeDatadogPayload({
        series: [
          { metric: 'a', unit: '', interval: 0, source_type_name: '' },
          { metric: 'b', interval: -5 },
        ],
      }),
    ).series;
    expect(Object.keys(a!)).toEqual(['metric', 'type', 'points', 'resources', 'tags']);
    expect(Object.keys(b!)).toEqual(['metric', 'type', 'points', 'resources', 'tags']);
  });

  it('keeps an interval of one second', () => {
    expect(
      decodeDatadogPayload(encodeDatadogPayload({ series: [{ metric: 'a', interval: 1 }] })).series[0]!
        .interval,
    ).toBe(1);
  });

  it('reads an empty payload as no series, and a series with nothing set as proto3’s defaults', () => {
    expect(decodeDatadogPayload(new Uint8Array(0))).toEqual({ series: [] });
    expect(
      decodeDatadogPayload(encodeDatadogPayload({ series: [{ points: [{}], resources: [{}] }] })),
    ).toEqual({
      series: [
        {
          metric: '',
          type: 0,
          points: [{ timestamp: 0, value: 0 }],
          resources: [{ type: '', name: '' }],
          tags: [],
        },
      ],
    });
  });

  it('refuses a body whose wire types contradict the MetricPayload with a 400 naming the field', () => {
    // MetricPayload.series (1) sent as a varint.
    expect(refusal(() => decodeDatadogPayload(Uint8Array.from([0x08, 0x01])))).toEqual({
      name: 'ValidationError',
      message: 'the body is not a valid Datadog MetricPayload',
      details: [
        { path: 'series[0]', problem: 'is sent with wire type 0; its declaration implies wire type 2' },
      ],
    });
  });

  it('refuses a body protobufjs cannot decode with a 400 in its words', () => {
    // A series whose interval (8, int64) is an 11-byte varint: its wire type is right, its value unreadable.
    const body = Uint8Array.from([0x0a, 0x0c, 0x40, ...new Array(10).fill(0x80), 0x00]);
    expect(refusal(() => decodeDatadogPayload(body))).toEqual({
      name: 'ValidationError',
      message: 'the body is not a valid Datadog MetricPayload',
      details: [{ path: '(body)', problem: 'invalid varint encoding' }],
    });
  });
});
