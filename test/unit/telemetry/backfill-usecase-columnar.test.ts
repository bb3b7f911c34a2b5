import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import type { ColumnWrite } from '../../../shared/domain/telemetry/backfill-columns.js';
import { MAX_VALUE } from '../../../shared/domain/telemetry/prepare.js';
import { vendorScope } from '../../../shared/domain/telemetry/scope.js';
import { loadTelemetryPolicy } from '../../../shared/policy/telemetry.js';
import telemetryJson from '../../../shared/policy/telemetry-mapping.json' with { type: 'json' };
import { ColumnarBackfill } from '../../../shared/usecases/backfill-columnar.js';
import { chunk, H0, MIN, NOW, SVC } from '../../helpers/backfill-columnar.js';
import { service } from '../../helpers/fixtures.js';

/**
 * The columnar fast path on its own: the deployed mapping policy, a memory service store and a writer that records
 * what it is given. It takes a chunk whole or answers undefined (the live path's to decide).
 */

const OLDEST = NOW - 400 * 24 * 3_600_000;
const SKEW = 300_000;
const scope = vendorScope('prometheus', [{ serviceId: SVC }]);
/** One good-events counter of SVC's checkout SLI: `[minute after H0, value]` samples. */
const counter = (samples: [number, number][]) =>
  Buffer.from(
    [
      '# TYPE accord_sli_good_total counter',
      ...samples.map(
        ([m, v]) => `accord_sli_good_total{service="${SVC}",sli="checkout"} ${v} ${(H0 + m * MIN) / 1000}`,
      ),
      '# EOF',
      '',
    ].join('\n'),
  );

describe('the columnar fast path', () => {
  let writes: ColumnWrite[][];
  let pulled: Map<string, string>;
  let services: MemoryServiceStore;
  let fast: ColumnarBackfill;
  /** The fast path on a mapping policy, the test's services, writer and pulled SLIs. */
  const open = (policy = loadTelemetryPolicy()) =>
    new ColumnarBackfill({
      policy,
      services,
      writer: {
        write: async (series) => {
          writes.push([...series]);
          return { stored: series.reduce((n, s) => n + s.times.length, 0) };
        },
      },
      pulledSlis: async () => pulled,
    });

  beforeEach(async () => {
    services = new MemoryServiceStore();
    await services.create(service());
    writes = [];
    pulled = new Map();
    fast = open();
  });

  it('takes a chunk of new counter samples whole, up to the bound of samples', async () => {
    // chunk(-1, 60): 61 samples of each of the two counters.
    expect(await fast.tryImport(chunk(-1, 60), 'prometheus', NOW, OLDEST, 122, scope)).toEqual({
      submitted: 122,
      accepted: 122,
    });
    expect(writes[0]!.map((w) => [w.sliKey, w.feed, w.times.length])).toEqual([
      [`${SVC}/checkout`, 'good', 61],
      [`${SVC}/checkout`, 'bad', 61],
    ]);
    expect(await fast.tryImport(chunk(-1, 60), 'prometheus', NOW, OLDEST, 121, scope)).toBeUndefined();
    expect(writes).toHaveLength(1);
  });

  it('leaves a chunk without samples to the live path', async () => {
    const empty = Buffer.from('# TYPE accord_sli_good_total counter\n# EOF\n');
    expect(await fast.tryImport(empty, 'prometheus', NOW, OLDEST, 100, scope)).toBeUndefined();
    expect(writes).toEqual([]);
  });

  it('leaves a chunk with a sample beyond the allowed future skew to the live path', async () => {
    // The last sample is at minute 29: just within the skew of a clock 5 minutes earlier, not of one a ms earlier still.
    const at = (m: number) => H0 + m * MIN;
    expect(
      await fast.tryImport(chunk(-1, 30), 'prometheus', at(29) - SKEW, OLDEST, 1000, scope),
    ).toBeDefined();
    expect(
      await fast.tryImport(chunk(-1, 30), 'prometheus', at(29) - SKEW - 1, OLDEST, 1000, scope),
    ).toBeUndefined();
    expect(writes).toHaveLength(1);
  });

  it('leaves a chunk with a sample older than the bound to the live path, though its first non-zero one is not', async () => {
    // The first sample reads 0: the probe is the second; the first alone is older than the bound.
    const file = counter([
      [0, 0],
      [10, 5],
      [20, 9],
    ]);
    expect(await fast.tryImport(file, 'prometheus', NOW, H0 + 5 * MIN, 1000, scope)).toBeUndefined();
    expect(await fast.tryImport(file, 'prometheus', NOW, H0, 1000, scope)).toEqual({
      submitted: 3,
      accepted: 3,
    });
  });

  it('leaves a chunk with a value above the largest a counter may hold to the live path', async () => {
    const over = counter([
      [0, 1],
      [1, MAX_VALUE * 2],
    ]);
    expect(await fast.tryImport(over, 'prometheus', NOW, OLDEST, 1000, scope)).toBeUndefined();
    expect(writes).toEqual([]);
  });

  it('leaves an SLI another source pulls to the live path, and takes one its own vendor pulls', async () => {
    pulled.set('svc_other/checkout', 'datadog');
    expect(await fast.tryImport(chunk(-1, 10), 'prometheus', NOW, OLDEST, 1000, scope)).toBeDefined();
    pulled.set(`${SVC}/checkout`, 'prometheus');
    expect(await fast.tryImport(chunk(-1, 10), 'prometheus', NOW, OLDEST, 1000, scope)).toBeDefined();
    pulled.set(`${SVC}/checkout`, 'datadog');
    expect(await fast.tryImport(chunk(-1, 10), 'prometheus', NOW, OLDEST, 1000, scope)).toBeUndefined();
    expect(writes).toHaveLength(2);
  });

  it('takes a chunk whose counter reads 0 throughout, zeros and all', async () => {
    const zeros = counter([
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
    expect(await fast.tryImport(zeros, 'prometheus', NOW, OLDEST, 1000, scope)).toEqual({
      submitted: 3,
      accepted: 3,
    });
    expect(writes[0]!.map((w) => [w.sliKey, w.feed, Array.from(w.values)])).toEqual([
      [`${SVC}/checkout`, 'good', [0, 0, 0]],
    ]);
  });

  it('leaves a chunk naming a service Accord does not know to the live path, until the service exists', async () => {
    const ghost = 'svc_ghost-service';
    const file = Buffer.from(
      [
        '# TYPE accord_sli_good_total counter',
        `accord_sli_good_total{service="${SVC}",sli="checkout"} 5 ${H0 / 1000}`,
        `accord_sli_good_total{service="${ghost}",sli="checkout"} 7 ${H0 / 1000}`,
        '# EOF',
        '',
      ].join('\n'),
    );
    const both = vendorScope('prometheus', [{ serviceId: SVC }, { serviceId: ghost }]);
    expect(await fast.tryImport(file, 'prometheus', NOW, OLDEST, 1000, both)).toBeUndefined();
    expect(writes).toEqual([]);
    await services.create(service({ id: ghost }));
    expect(await fast.tryImport(file, 'prometheus', NOW, OLDEST, 1000, both)).toEqual({
      submitted: 2,
      accepted: 2,
    });
  });

  it("leaves a series its rule calls a delta (each sample a count of its own, not a running total) to the live path, and takes it when the chunk's # TYPE says counter", async () => {
    // A vendor rule typing orders_ok_total as delta: the chunk's own # TYPE, when there is one, wins over it.
    fast = open(
      loadTelemetryPolicy({
        ...telemetryJson,
        vendors: {
          ...telemetryJson.vendors,
          acme: {
            rules: [
              {
                metric: 'orders_ok_total',
                service: '{service}',
                sli: '{sli}',
                measure: 'good',
                unit: 'count',
                type: 'delta',
              },
            ],
          },
        },
      }),
    );
    const acme = vendorScope('acme', [{ serviceId: SVC }]);
    const lines = [5, 7].map(
      (v, m) => `orders_ok_total{service="${SVC}",sli="checkout"} ${v} ${(H0 + m * MIN) / 1000}`,
    );
    const untyped = Buffer.from([...lines, '# EOF', ''].join('\n'));
    expect(await fast.tryImport(untyped, 'acme', NOW, OLDEST, 1000, acme)).toBeUndefined();
    expect(writes).toEqual([]);
    const typed = Buffer.from(['# TYPE orders_ok_total counter', ...lines, '# EOF', ''].join('\n'));
    expect(await fast.tryImport(typed, 'acme', NOW, OLDEST, 1000, acme)).toEqual({
      submitted: 2,
      accepted: 2,
    });
    expect(writes[0]!.map((w) => [w.sliKey, w.feed, Array.from(w.values)])).toEqual([
      [`${SVC}/checkout`, 'good', [5, 7]],
    ]);
  });
});
