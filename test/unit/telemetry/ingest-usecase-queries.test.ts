import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError } from '../../../shared/domain/errors.js';
import type { Discrepancy } from '../../../shared/schemas/telemetry.js';
import { principal } from '../../helpers/fixtures.js';
import { ingestFixture, reader } from '../../helpers/ingest-usecase.js';
import { jsonRequest } from '../../helpers/telemetry.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const T = NOW - 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

type Fixture = Awaited<ReturnType<typeof ingestFixture>>;
let f: Fixture;

beforeEach(async () => {
  f = await ingestFixture(NOW);
});

const postings = (value: number, time: number) => ({
  service: 'svc_core-ledger',
  sli: 'postings',
  measure: 'good',
  value,
  time,
});
const send = (vendorId: string, ...samples: unknown[]) =>
  f.ingest.ingest({ vendorId, ...jsonRequest({ version: 1, samples }) });

const owner = principal({ roles: ['service-owner'], services: ['svc_core-ledger'] });

describe("a service's SLIs with data", () => {
  it('lists each SLI once with its senders, widest times, sample count, rollup totals and the objectives reading it', async () => {
    f.readerLists.set('svc_core-ledger', [
      reader('postings', 'obj-1', 'agr-1'),
      reader('refunds', 'obj-2', 'agr-1'),
      reader('postings', 'obj-3', 'agr-2'),
    ]);
    // prometheus-main: received first, its samples later in time than datadog-eu's first one.
    await send('prometheus-main', postings(3, T), postings(2, T + 1000));
    f.clock.ms = NOW + 5000;
    await send('datadog-eu', postings(4, T - 1000), postings(1, T + 2000));
    expect((await f.queries.slisOf(owner, 'svc_core-ledger')).items).toEqual([
      {
        sliKey: 'svc_core-ledger/postings',
        sli: 'postings',
        firstSampleAt: iso(T - 1000),
        lastSampleAt: iso(T + 2000),
        lastReceivedAt: iso(NOW + 5000),
        samples: 4,
        vendors: ['datadog-eu', 'prometheus-main'],
        good: 10,
        total: 10,
        count: 0,
        readBy: [
          { agreementId: 'agr-1', objectiveId: 'obj-1', status: 'active' },
          { agreementId: 'agr-2', objectiveId: 'obj-3', status: 'active' },
        ],
      },
    ]);
  });

  it('keeps the earliest first sample and the latest receipt whichever sender comes first', async () => {
    await send('datadog-eu', postings(4, T - 1000));
    f.clock.ms = NOW + 5000;
    await send('prometheus-main', postings(3, T), postings(2, T + 1000));
    const [a] = (await f.queries.slisOf(owner, 'svc_core-ledger')).items;
    expect(a).toMatchObject({
      firstSampleAt: iso(T - 1000),
      lastSampleAt: iso(T + 1000),
      lastReceivedAt: iso(NOW + 5000),
      samples: 3,
    });
  });

  it('answers 404 for an unknown service and for one the caller may not read, naming the service', async () => {
    for (const [who, id] of [
      [owner, 'svc_nowhere'],
      [principal({ roles: ['viewer'], businessUnits: ['retail-banking'] }), 'svc_core-ledger'],
    ] as const) {
      const e = await f.queries.slisOf(who, id).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NotFoundError);
      expect((e as NotFoundError).message).toBe(`there is no service ${id}`);
    }
  });

  it('answers 403 to a caller who reads the service but not its telemetry', async () => {
    const viewer = principal({ roles: ['viewer'], businessUnits: ['payments'] });
    const e = await f.queries.slisOf(viewer, 'svc_core-ledger').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).message).toBe('you may read this service but not its telemetry');
  });
});

describe('unmapped series', () => {
  it('are listed per vendor to portfolio-wide roles only', async () => {
    const node = (vendorId: string) =>
      f.ingest.ingest({
        vendorId,
        ...jsonRequest({
          series: [{ metric: 'node.load', type: 3, points: [{ timestamp: T / 1000, value: 1 }] }],
        }),
      });
    await node('datadog-eu');
    await node('other-dd');
    const auditor = principal({ roles: ['auditor'] });
    expect((await f.queries.unmapped(auditor, { limit: 10 })).map((u) => u.vendorId).sort()).toEqual([
      'datadog-eu',
      'other-dd',
    ]);
    expect(
      (await f.queries.unmapped(auditor, { vendorId: 'other-dd', limit: 10 })).map((u) => u.vendorId),
    ).toEqual(['other-dd']);
    const e = await f.queries
      .unmapped(principal({ roles: ['sla-manager'], businessUnits: ['payments'] }), { limit: 10 })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as ForbiddenError).message).toBe(
      'unmapped series belong to no service yet: portfolio-wide roles (admin, auditor) read them',
    );
  });
});

describe('discrepancies', () => {
  const discrepancy = (sliKey: string, bucketStart: string): Discrepancy => ({
    sliKey,
    bucketStart,
    primary: 'prometheus-main',
    secondary: 'datadog-eu',
    primaryValue: 1,
    secondaryValue: 0.9,
    difference: 0.1,
    tolerance: 0.01,
    authoritative: 'prometheus-main',
    detectedAt: '2026-11-25T10:05:00.000Z',
  });

  beforeEach(async () => {
    await f.deps.discrepancies.upsert(discrepancy('svc_core-ledger/postings', '2026-11-25T10:00:00.000Z'));
    await f.deps.discrepancies.upsert(discrepancy('svc_core-ledger/postings', '2026-11-25T09:55:00.000Z'));
    await f.deps.discrepancies.upsert(discrepancy('svc_api/latency', '2026-11-25T09:50:00.000Z'));
    await f.deps.discrepancies.upsert(discrepancy('svc_gone/latency', '2026-11-25T09:45:00.000Z'));
  });

  it('shows portfolio-wide roles every one, even of a service no longer registered', async () => {
    const all = await f.queries.discrepancies(principal({ roles: ['auditor'] }), { limit: 10 });
    expect(all.map((d) => d.sliKey)).toEqual([
      'svc_core-ledger/postings',
      'svc_core-ledger/postings',
      'svc_api/latency',
      'svc_gone/latency',
    ]);
    expect(f.serviceLookups).toEqual([]);
  });

  it('shows others those of the services they read, looking each service up once', async () => {
    const mine = await f.queries.discrepancies(owner, { limit: 10 });
    expect(mine.map((d) => d.bucketStart)).toEqual(['2026-11-25T10:00:00.000Z', '2026-11-25T09:55:00.000Z']);
    expect(f.serviceLookups).toEqual(['svc_core-ledger', 'svc_api', 'svc_gone']);
  });

  it('filters by SLI', async () => {
    const some = await f.queries.discrepancies(principal({ roles: ['auditor'] }), {
      sliKey: 'svc_api/latency',
      limit: 10,
    });
    expect(some.map((d) => d.sliKey)).toEqual(['svc_api/latency']);
  });
});
