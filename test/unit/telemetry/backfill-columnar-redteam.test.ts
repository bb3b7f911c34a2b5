import { describe, expect, it } from 'vitest';
import { bothWays, chunk, compose, H0, MIN, SVC } from '../../helpers/backfill-columnar.js';

/**
 * Red team (wave 7) on the backfill's columnar fast path: hand-made OpenMetrics chunks run once with the fast path and
 * once through live ingest's path must leave the same raw samples, counter states, rollup rows, activity and job
 * counts; a write that fails inside its transaction leaves nothing stored. The harness is backfill-columnar.test.ts's.
 */

const T = (m: number) => (H0 + m * MIN) / 1000;
const om = (lines: string[]) =>
  Buffer.from(
    [
      '# TYPE accord_sli_good_total counter',
      '# TYPE accord_sli_bad_total counter',
      ...lines,
      '# EOF',
      '',
    ].join('\n'),
  );
const G = (v: string | number, m: number, extra = '') =>
  `accord_sli_good_total{service="${SVC}",sli="checkout"${extra}} ${v} ${T(m)}`;
const B = (v: string | number, m: number, extra = '') =>
  `accord_sli_bad_total{service="${SVC}",sli="checkout"${extra}} ${v} ${T(m)}`;

const cases: Record<string, Buffer[]> = {
  'fractional counter values (float sums per bucket)': [
    om([G(0.1, 0), G(0.3, 1), G(0.6, 2), G(1.7, 3), B(0.2, 0), B(0.7, 1), B(0.9, 2), B(1.3, 3)]),
  ],
  'two fractional good series of one SLI added in one bucket': [
    om([
      G(0.1, 0, ',instance="a"'),
      G(0.4, 1, ',instance="a"'),
      G(0.7, 2, ',instance="a"'),
      G(0.2, 0, ',instance="b"'),
      G(0.5, 1, ',instance="b"'),
      G(1.1, 2, ',instance="b"'),
      B(0.3, 0),
      B(0.6, 1),
      B(1.0, 2),
    ]),
  ],
  'counters that never move (no bucket rows)': [om([G(0, 0), G(0, 1), B(0, 0), B(0, 1)])],
  'a counter reset to exactly 0 inside a chunk': [om([G(5, 0), G(9, 1), G(0, 2), G(3, 3), B(1, 0), B(2, 1)])],
  'one series written with its labels in two orders, interleaved': [
    om([
      G(1, 0),
      `accord_sli_good_total{sli="checkout",service="${SVC}"} 5 ${T(1)}`,
      G(9, 2),
      B(1, 0),
      B(2, 2),
    ]),
  ],
  'a # TYPE line changing the family type mid-chunk': [
    Buffer.from(
      [
        '# TYPE accord_sli_good_total counter',
        G(1, 0),
        G(3, 1),
        '# TYPE accord_sli_good_total gauge',
        G(7, 2),
        B(1, 0),
        '# EOF',
        '',
      ].join('\n'),
    ),
  ],
  '15-digit counter values': [om([G(999999999999999, 0), G(999999999999999, 1), G(1, 2), B(0, 0), B(5, 2)])],
  'a second chunk continuing inside the last stored 5-minute bucket': [
    om([G(10, 0), B(1, 0), G(20, 3), B(2, 3)]),
    om([G(30, 4), B(3, 4)]),
  ],
  'the same series in two blocks of one chunk': [om([G(10, 0), G(20, 1), B(1, 0), G(30, 2), B(3, 2)])],
  'a time written in milliseconds instead of seconds': [
    om([`accord_sli_good_total{service="${SVC}",sli="checkout"} 5 ${T(0) * 1000}`]),
  ],
  'a time with a sub-millisecond fraction': [
    om([`accord_sli_good_total{service="${SVC}",sli="checkout"} 5 ${T(0)}.0005`, G(7, 1), B(0, 0), B(2, 1)]),
  ],
  'an unknown service': [
    om([
      `accord_sli_good_total{service="svc_nope",sli="checkout"} 5 ${T(0)}`,
      `accord_sli_good_total{service="svc_nope",sli="checkout"} 6 ${T(1)}`,
    ]),
  ],
  'CRLF line ends': [
    Buffer.from(
      om([G(1, 0), G(4, 1), B(0, 0), B(1, 1)])
        .toString()
        .replace(/\n/g, '\r\n'),
    ),
  ],
  'a label value with a cut multibyte UTF-8 character': [
    Buffer.concat([
      Buffer.from(
        `# TYPE accord_sli_good_total counter\naccord_sli_good_total{service="${SVC}",sli="checkout",x="a`,
      ),
      Buffer.from([0xe2, 0x82]),
      Buffer.from(`"} 1 ${T(0)}\naccord_sli_good_total{service="${SVC}",sli="checkout",x="a`),
      Buffer.from([0xe2, 0x82]),
      Buffer.from(`"} 4 ${T(1)}\n# EOF\n`),
    ]),
  ],
};

describe('the columnar fast path on hand-made chunks (red team, wave 7)', () => {
  for (const [name, chunks] of Object.entries(cases))
    it(`stores and answers exactly as the live path for ${name}`, async () => {
      const { fast, live } = await bothWays(chunks);
      expect(fast.store).toEqual(live.store);
      expect(fast.counts).toEqual(live.counts);
    });
});

describe('a failed columnar write (red team, wave 7)', () => {
  it('stores no sample, counter state or rollup row when recording the SLI activity fails inside the write', async () => {
    const c = await compose(true);
    c.db.exec('DROP TABLE telemetry_sli_activity_journal');
    await expect(c.send(chunk(-1, 62))).rejects.toThrow(/telemetry_sli_activity_journal/);
    expect(c.taken).toEqual([]);
    expect(c.db.prepare('SELECT COUNT(*) FROM telemetry_counter_state').pluck().get()).toBe(0);
    expect(c.db.prepare('SELECT COUNT(*) FROM telemetry_chunk').pluck().get()).toBe(0);
    expect(c.db.prepare('SELECT COUNT(*) FROM rollup_bucket').pluck().get()).toBe(0);
  });
});
