import { describe, expect, it } from 'vitest';
import { chunkCount, decodeChunk, encodeChunk } from '../../../shared/adapters/sqlite/chunks.js';
import { prng } from '../../bench/report.js';

const T0 = Date.UTC(2026, 10, 30);

describe('compressed sample chunks', () => {
  it('gives back regular scrapes of whole milliseconds exactly, at about two bytes a sample', () => {
    const ts = Array.from({ length: 120 }, (_, i) => T0 + i * 15_000);
    const values = ts.map((_, i) => 40 + (i % 7));
    const c = encodeChunk(ts, values);
    expect(decodeChunk(c)).toEqual({ ts, values });
    expect(chunkCount(c)).toBe(120);
    expect(c.length).toBeLessThan(120 * 2 + 16);
  });

  it('gives back any doubles bit for bit: fractions, -0, huge and tiny values, irregular times', () => {
    const rand = prng(3);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rand() * 50);
      const ts: number[] = [];
      let t = T0 - Math.floor(rand() * 1e9);
      for (let i = 0; i < n; i++) {
        t += 1 + Math.floor(rand() * (rand() < 0.1 ? 1e9 : 30_000));
        ts.push(t);
      }
      const pool = [
        0,
        -0,
        1,
        -1,
        0.5,
        1e308,
        -1e308,
        5e-324,
        2 ** 53 - 1,
        -(2 ** 53) + 1,
        0.1 + 0.2,
        Math.PI,
      ];
      const values = ts.map(() =>
        rand() < 0.5
          ? pool[Math.floor(rand() * pool.length)]!
          : (rand() - 0.5) * 10 ** Math.floor(rand() * 20),
      );
      const back = decodeChunk(encodeChunk(ts, values));
      expect(back.ts).toEqual(ts);
      expect(back.values.map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(
        values.map((v) => (Object.is(v, -0) ? '-0' : v)),
      );
    }
  });

  it('encodes a slice of the arrays, and an unchanged float value in one byte', () => {
    const ts = [T0, T0 + 1000, T0 + 2000, T0 + 3000];
    const values = [0.25, 0.25, 0.25, 0.75];
    expect(decodeChunk(encodeChunk(ts, values, 1, 3))).toEqual({
      ts: [T0 + 1000, T0 + 2000],
      values: [0.25, 0.25],
    });
  });

  it('refuses timestamps that do not ascend', () => {
    expect(() => encodeChunk([T0, T0], [1, 2])).toThrow(/ascending/);
    expect(() => encodeChunk([T0, T0 - 1], [1, 2])).toThrow(/ascending/);
  });
});
