import { beforeEach, describe, expect, it } from 'vitest';
import { MemorySliActivityStore } from '../../../shared/adapters/memory/series-state.js';
import type { SliActivityRecord, SliActivityStore } from '../../../shared/ports/telemetry.js';
import { TelemetryIngest, TelemetryQueries } from '../../../shared/usecases/telemetry/ingest.js';
import { ingestFixture } from '../../helpers/ingest-usecase.js';
import { NOW, ratio, SVC, T } from '../../helpers/sli-cap.js';
import { jsonRequest, type PromSeries, promRequest } from '../../helpers/telemetry.js';

/**
 * The cap on distinct SLIs per service (limits.maxSlisPerService) where the activity store fails, answers slowly or
 * out of order, and where a rejected sample is a native histogram: what sli-cap.test.ts leaves out.
 */

type Fixture = Awaited<ReturnType<typeof ingestFixture>>;
let f: Fixture;

const send = (ingest: TelemetryIngest, ...samples: unknown[]) =>
  ingest.ingest({ vendorId: 'prometheus-main', ...jsonRequest({ version: 1, samples }) });

/** An activity store whose listByService fails the first `failures` times, then answers; every call counted. */
class FlakyActivity implements SliActivityStore {
  readonly inner = new MemorySliActivityStore();
  calls = 0;
  /** Resolves the calls held back by `hold` (a slow store). */
  release: () => void = () => {};
  private held: Promise<void> | undefined;
  constructor(private failures = 0) {}
  hold(): void {
    this.held = new Promise((r) => {
      this.release = r;
    });
  }
  record(entries: readonly SliActivityRecord[]): Promise<void> {
    return this.inner.record(entries);
  }
  async listByService(serviceId: string): Promise<SliActivityRecord[]> {
    this.calls++;
    if (this.held) await this.held;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('activity table unavailable');
    }
    return this.inner.listByService(serviceId);
  }
}

describe('the cap on SLIs per service when the activity store cannot be read', () => {
  let activity: FlakyActivity;
  beforeEach(async () => {
    activity = new FlakyActivity(1);
    f = await ingestFixture(NOW, { maxSlisPerService: 1, activity });
  });

  it('checks the request against one empty view for the service: the cap still holds within the request', async () => {
    const r = await send(f.ingest, ratio('a'), ratio('b'));
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected.map((x) => [x.index, x.reason])).toEqual([[1, 'too_many_slis']]);
    expect(f.background).toEqual([['SLI activity (the cap on SLIs per service)', expect.any(Error)]]);
  });

  it('asks the store again at the next request, and from then on accepts the SLIs it holds', async () => {
    await send(f.ingest, ratio('a'));
    // The store now answers [a]: a is accepted at the cap, b is refused.
    const r = await send(f.ingest, ratio('a', 1, T + 1000), ratio('b'));
    expect(activity.calls).toBe(2);
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected.map((x) => [x.index, x.reason])).toEqual([[1, 'too_many_slis']]);
  });
});

describe('the cap on SLIs per service, read from the activity store', () => {
  it('knows the SLIs the store holds by name within the service: another instance accepts them at the cap', async () => {
    f = await ingestFixture(NOW, { maxSlisPerService: 2 });
    await send(f.ingest, ratio('a'), ratio('b'));
    const other = new TelemetryIngest({ ...f.deps });
    const r = await send(other, ratio('b', 1, T + 1000), ratio('a', 1, T + 1000), ratio('c'));
    expect(r.body.accepted).toBe(2);
    expect(r.body.rejected.map((x) => [x.index, x.reason])).toEqual([[2, 'too_many_slis']]);
  });

  it('loads a service first seen by two concurrent requests once, and lets them share one view', async () => {
    const activity = new FlakyActivity();
    f = await ingestFixture(NOW, { maxSlisPerService: 1, activity });
    activity.hold();
    const both = Promise.all([send(f.ingest, ratio('x')), send(f.ingest, ratio('y'))]);
    await new Promise((r) => setTimeout(r, 20));
    activity.release();
    const [x, y] = await both;
    expect(activity.calls).toBe(1);
    expect([x.body.accepted, y.body.accepted].sort()).toEqual([0, 1]);
  });

  it('counts a new SLI as it admits it: a request waiting on another service’s view has already taken the last place', async () => {
    const activity = new FlakyActivity();
    f = await ingestFixture(NOW, { maxSlisPerService: 2, activity });
    await send(f.ingest, ratio('a'));
    activity.hold();
    // x takes the gateway's last place, then its request waits on the api's view (a slow store) while y comes.
    const first = send(f.ingest, ratio('x'), ratio('a', 1, T, 'svc_api'));
    await new Promise((r) => setTimeout(r, 20));
    const second = await send(f.ingest, ratio('y'));
    activity.release();
    expect((await first).body.accepted).toBe(2);
    expect(second.body.rejected.map((x) => [x.index, x.reason])).toEqual([[0, 'too_many_slis']]);
  });
});

describe('the columnar backfill asking whether a chunk’s SLIs fit the cap', () => {
  it('counts the new SLIs of one question together: two new SLIs where one place is left do not fit', async () => {
    f = await ingestFixture(NOW, { maxSlisPerService: 2 });
    await send(f.ingest, ratio('a'));
    expect(await f.ingest.admitsSlis([`${SVC}/b`, `${SVC}/c`])).toBe(false);
    // Nothing was admitted by the refused question: b, which fitted before c was refused, took no place, so c alone
    // still fits (and, asked alone, is counted: then b no longer does).
    expect(await f.ingest.admitsSlis([`${SVC}/c`])).toBe(true);
    expect(await f.ingest.admitsSlis([`${SVC}/b`])).toBe(false);
  });
});

describe('the rejections of a request with samples over the cap', () => {
  it('are answered in request order among the rejections of other reasons', async () => {
    f = await ingestFixture(NOW, { maxSlisPerService: 1 });
    await send(f.ingest, ratio('a'));
    const r = await send(
      f.ingest,
      ratio('b'),
      ratio('a', 1, T, 'svc_nope'),
      ratio('c'),
      ratio('a', 1, T + 1000),
    );
    expect(r.body.rejected.map((x) => [x.index, x.reason])).toEqual([
      [0, 'too_many_slis'],
      [1, 'unknown_service'],
      [2, 'too_many_slis'],
    ]);
    expect(r.body.accepted).toBe(1);
    // And when nothing of the request is accepted (nothing goes to the store).
    const none = await send(f.ingest, ratio('d'), ratio('a', 1, T, 'svc_nope'), ratio('e'));
    expect(none.body.rejected.map((x) => [x.index, x.reason])).toEqual([
      [0, 'too_many_slis'],
      [1, 'unknown_service'],
      [2, 'too_many_slis'],
    ]);
    expect(none.body.accepted).toBe(0);
  });

  it('count a rejected native histogram once in its series, though it feeds two counters', async () => {
    f = await ingestFixture(NOW, { maxSlisPerService: 1 });
    await send(f.ingest, ratio('other', 1, T, 'svc_api'));
    // A native histogram (schema 0) of http_request_duration_seconds: the api's response-time SLI, new at the cap.
    const latency: PromSeries = {
      labels: { __name__: 'http_request_duration_seconds', job: 'api' },
      samples: [],
      histograms: [
        {
          count_int: 10,
          sum: 1,
          schema: 0,
          zero_threshold: 0.001,
          zero_count_int: 1,
          positive_spans: [{ offset: -2, length: 3 }],
          positive_deltas: [4, -1, -1],
          timestamp: T,
        },
      ],
    };
    const r = await f.ingest.ingest({ vendorId: 'prometheus-main', ...promRequest([latency]) });
    expect(r.body).toMatchObject({ submitted: 1, accepted: 0, slis: [] });
    expect(r.body.rejected.map((x) => [x.index, x.reason])).toEqual([[0, 'too_many_slis']]);
    expect(r.body.series).toEqual({ submitted: 1, accepted: 0, rejected: 1, unmapped: 0 });
  });
});

describe("the owner's list of a service's SLIs", () => {
  it('is in SLI key order whatever order the activity store answers in', async () => {
    f = await ingestFixture(NOW);
    await send(f.ingest, ratio('b'), ratio('c'), ratio('a'));
    const store = f.deps.activity;
    const reversed: SliActivityStore = {
      record: (e) => store.record(e),
      listByService: async (id) => (await store.listByService(id)).reverse(),
    };
    const queries = new TelemetryQueries({ ...f.deps, activity: reversed, rollups: f.rollups });
    const admin = { subject: 'ada', roles: ['admin'], businessUnits: [], services: [] } as never;
    const page = await queries.slisOf(admin, SVC, { limit: 2 });
    expect(page.items.map((a) => a.sli)).toEqual(['a', 'b']);
  });
});
