import { describe, expect, it } from 'vitest';
import { sliActivityOf } from '../../../shared/domain/telemetry/activity.js';
import type { Sample } from '../../../shared/domain/telemetry/model.js';

const sample = (sliKey: string, timestampMs: number, extra: Partial<Sample> = {}): Sample =>
  ({ sliKey, timestampMs, type: 'counter', feed: 'good', vendorId: 'ven_claimed', ...extra }) as Sample;
const received = Date.UTC(2026, 5, 1, 12, 0, 5);

describe('sliActivityOf: what a write tells a service owner about each SLI', () => {
  it('gives one record per SLI in first-seen order: its sample count, earliest and latest sample, and receipt time', () => {
    const t = Date.UTC(2026, 5, 1, 12);
    const fresh = [
      sample('svc/latency', t - 30_000),
      sample('svc/errors', t - 15_000),
      sample('svc/latency', t - 90_000), // earlier than the first one seen
      sample('svc/latency', t), // the latest
      sample('svc/latency', t - 45_000),
    ];
    expect(sliActivityOf(fresh, 'ven_sender', received)).toEqual([
      {
        sliKey: 'svc/latency',
        vendorId: 'ven_sender',
        samples: 4,
        firstSampleMs: t - 90_000,
        lastSampleMs: t,
        lastReceivedMs: received,
      },
      {
        sliKey: 'svc/errors',
        vendorId: 'ven_sender',
        samples: 1,
        firstSampleMs: t - 15_000,
        lastSampleMs: t - 15_000,
        lastReceivedMs: received,
      },
    ]);
  });

  it('does not count a native histogram’s second stored counter, though its time still widens the span', () => {
    const fresh = [
      sample('svc/latency', 1_000, { type: 'native-histogram', feed: 'total-only' }),
      sample('svc/latency', 2_000, { type: 'native-histogram', feed: 'good-only' }),
    ];
    expect(sliActivityOf(fresh, 'ven_sender', received)).toEqual([
      {
        sliKey: 'svc/latency',
        vendorId: 'ven_sender',
        samples: 1,
        firstSampleMs: 1_000,
        lastSampleMs: 2_000,
        lastReceivedMs: received,
      },
    ]);
  });

  it('records nothing for a write without new samples', () => {
    expect(sliActivityOf([], 'ven_sender', received)).toEqual([]);
  });
});
