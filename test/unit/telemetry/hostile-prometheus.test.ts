import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusMetricSource } from '../../../shared/adapters/prometheus/metric-source.js';
import { UnavailableError, ValidationError } from '../../../shared/domain/errors.js';
import { dataSourcesOf, readConfig } from '../../../shared/runtime/config.js';

/**
 * A hostile or broken Prometheus, all on loopback (nothing here may send traffic anywhere else: the "internal"
 * address a redirect points at is a second loopback server that records whether it was reached).
 */
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_q, res) => res.end();
let hostile: Server;
let inside: Server;
let base = '';
let insideUrl = '';
const insideHits: string[] = [];

const listen = async (s: Server) => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  hostile = createServer((q, r) => handler(q, r));
  inside = createServer((q, r) => {
    insideHits.push(`${q.method} ${q.url} auth=${q.headers.authorization ?? '-'}`);
    r.setHeader('content-type', 'application/json');
    r.end(JSON.stringify({ status: 'error', error: 'instance-id i-0123456789 (metadata)' }));
  });
  base = await listen(hostile);
  insideUrl = await listen(inside);
});
afterAll(async () => {
  await new Promise<void>((r) => hostile.close(() => r()));
  await new Promise<void>((r) => inside.close(() => r()));
});

const RANGE = { startMs: 1_700_000_000_000, endMs: 1_700_000_060_000, stepS: 60 };
const matrix = (values: [number, string][]) =>
  JSON.stringify({
    status: 'success',
    data: { resultType: 'matrix', result: [{ metric: { __name__: 'up' }, values }] },
  });
const caught = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as UnavailableError;
  }
  throw new Error('expected the query to fail');
};

describe('a Prometheus data source that redirects', () => {
  it('does not follow a redirect (to an internal address, with the bearer token), and says why', async () => {
    handler = (_q, res) => {
      res.statusCode = 307;
      res.setHeader('location', `${insideUrl}/latest/meta-data/`);
      res.end();
    };
    const src = new PrometheusMetricSource({ name: 'prom', url: base, bearerToken: 'tok-secret' });
    const e = await caught(src.queryRange('up', RANGE));
    expect(insideHits).toEqual([]);
    expect(e).toBeInstanceOf(UnavailableError);
    expect(JSON.stringify(e.details)).toMatch(/redirect/);
    expect(JSON.stringify(e.details)).not.toContain('instance-id');
  });
});

describe('a Prometheus data source answering too much', () => {
  it('stops reading an answer past the size bound instead of holding it all in memory', async () => {
    let sent = 0;
    handler = (_q, res) => {
      res.setHeader('content-type', 'application/json');
      res.write('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[');
      const chunk = `${'[1700000000,"1"],'.repeat(4096)}`;
      const pump = () => {
        // A body that never ends: it stops only when the client goes away.
        while (sent < 50 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
        if (sent < 50 * 1024 * 1024) res.once('drain', pump);
      };
      res.on('close', () => {
        sent = Number.POSITIVE_INFINITY;
      });
      pump();
    };
    const src = new PrometheusMetricSource({ name: 'prom', url: base }, 10_000, 1024 * 1024);
    const e = await caught(src.queryRange('up', RANGE));
    expect(e).toBeInstanceOf(UnavailableError);
    expect(e.details).toEqual([
      { path: 'query', problem: expect.stringMatching(/answer exceeds 1048576 bytes/) },
    ]);
  });
});

describe('Prometheus float values', () => {
  it('reads +Inf, -Inf and NaN as Prometheus writes them', async () => {
    handler = (_q, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        matrix([
          [1_700_000_000, '+Inf'],
          [1_700_000_060, '-Inf'],
          [1_700_000_120, 'NaN'],
          [1_700_000_180, '2.5e3'],
        ]),
      );
    };
    const src = new PrometheusMetricSource({ name: 'prom', url: base });
    const [s] = await src.queryRange('up', RANGE);
    expect(s?.points).toEqual([
      [1_700_000_000_000, Number.POSITIVE_INFINITY],
      [1_700_000_060_000, Number.NEGATIVE_INFINITY],
      [1_700_000_120_000, Number.NaN],
      [1_700_000_180_000, 2500],
    ]);
  });
});

describe('data source credentials', () => {
  it('refuses at start a URL carrying a user and password, without repeating the password', () => {
    const config = readConfig({
      ACCORD_DATA_SOURCES: JSON.stringify([
        { name: 'prom', type: 'Prometheus', url: 'http://bob:s3cret@prom:9090' },
      ]),
    });
    let message = '';
    try {
      dataSourcesOf(config);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/ACCORD_DATA_SOURCES \[0\.url\]: .*bearerToken/);
    expect(message).not.toContain('s3cret');
  });

  it('never puts the URL or token in the error of a source it cannot reach', async () => {
    const src = new PrometheusMetricSource({
      name: 'prom',
      url: 'http://bob:s3cret@127.0.0.1:1',
      bearerToken: 'tok-secret',
    });
    const e = await caught(src.queryRange('up', RANGE));
    expect(e).toBeInstanceOf(UnavailableError);
    expect(JSON.stringify([e.message, e.details])).not.toMatch(/s3cret|tok-secret/);
  });
});

describe('a long range over many series', () => {
  it('stops at the point bound across slices, naming the range, instead of holding every slice in memory', async () => {
    let calls = 0;
    handler = (_q, res) => {
      calls++;
      res.setHeader('content-type', 'application/json');
      const values: [number, string][] = Array.from({ length: 60 }, (_, i) => [1_700_000_000 + i * 60, '1']);
      res.end(
        JSON.stringify({
          status: 'success',
          data: {
            resultType: 'matrix',
            result: Array.from({ length: 10 }, (_, k) => ({ metric: { pod: `p${k}` }, values })),
          },
        }),
      );
    };
    // 600 points a slice, a bound of 1,000: the second slice passes it.
    const src = new PrometheusMetricSource({ name: 'prom', url: base }, 10_000, 1024 * 1024, 1000);
    const e = await caught(src.queryRange('up', { startMs: 0, endMs: 3 * 10_000 * 60_000, stepS: 60 }));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.details).toEqual([
      {
        path: 'query',
        problem: expect.stringMatching(/^up: more than 1000 points from 1970-01-01T00:00:00\.000Z/),
      },
    ]);
    expect(calls).toBe(2);
  });
});
