import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  entryHash,
  GENESIS_HASH,
  type ManifestEntry,
  type ManifestEntryInput,
  manifestKey,
  nextEntry,
  type ObjectState,
  verifyChain,
} from '../../../shared/domain/archive/chain.js';
import { archiveKey, reportScope } from '../../../shared/domain/archive/keys.js';

const sha = (d: string | Uint8Array) => createHash('sha256').update(d).digest('hex');

const input = (n: number): ManifestEntryInput => ({
  key: `reports/monthly-compliance/2026-04/portfolio/rpt_${n}.json`,
  type: 'report',
  sha256: sha(`object ${n}`),
  size: 8,
  contentType: 'application/json',
  period: '2026-04',
  title: `report ${n}`,
  archivedAt: '2026-05-01T09:00:00.000Z',
  archivedBy: 'system:reports',
  retainUntil: '2033-05-01T09:00:00.000Z',
});

function chain(n: number): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  for (let i = 1; i <= n; i++) out.push(nextEntry(out.at(-1), input(i), sha));
  return out;
}
const stored = (es: ManifestEntry[]) => es.map((entry) => ({ keySeq: entry.seq, entry }));
const objectsOf = (es: ManifestEntry[]) =>
  new Map<string, ObjectState>(es.map((e) => [e.key, { present: true, sha256: e.sha256 }]));

describe('the archive hash chain', () => {
  it('hashes canonical JSON: the same entry gives the same hash whatever the order of its fields', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: undefined, c: 'x' }] })).toBe('{"a":[2,{"c":"x"}],"b":1}');
    const [e] = chain(1);
    const reordered = Object.fromEntries(Object.entries(e!).reverse()) as ManifestEntry;
    expect(entryHash(reordered, sha)).toBe(e!.hash);
  });

  it('starts at entry 1 chained to the genesis hash, and each entry holds the hash of the one before', () => {
    const es = chain(3);
    expect(es.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(es[0]!.prevHash).toBe(GENESIS_HASH);
    expect(es[1]!.prevHash).toBe(es[0]!.hash);
    expect(es[2]!.prevHash).toBe(es[1]!.hash);
    expect(es[2]!.hash).toBe(sha(canonicalJson({ ...es[2]!, hash: undefined })));
  });

  it('finds nothing wrong with an intact chain and names its head', () => {
    const es = chain(4);
    const r = verifyChain(stored(es), objectsOf(es), sha);
    expect(r).toMatchObject({ ok: true, entries: 4, objects: 4, findings: [], firstBreak: null });
    expect(r.head).toEqual({ seq: 4, hash: es[3]!.hash });
  });

  it('reports an object whose bytes changed as invalid, naming its key and entry', () => {
    const es = chain(3);
    const objects = objectsOf(es);
    objects.set(es[1]!.key, { present: true, sha256: sha('object 2, one byte changed') });
    const r = verifyChain(stored(es), objects, sha);
    expect(r.ok).toBe(false);
    expect(r.firstBreak).toMatchObject({ kind: 'invalid', key: es[1]!.key, seq: 2 });
    expect(r.firstBreak!.problem).toMatch(
      /was altered: its bytes hash to [0-9a-f]{64}, manifest entry 2 records/,
    );
  });

  it('reports an object its entry names but the archive no longer holds as missing', () => {
    const es = chain(2);
    const objects = objectsOf(es);
    objects.set(es[0]!.key, { present: false });
    expect(verifyChain(stored(es), objects, sha).findings).toEqual([
      {
        kind: 'missing',
        key: es[0]!.key,
        seq: 1,
        problem: `object ${es[0]!.key} (manifest entry 1) is not in the archive`,
      },
    ]);
  });

  it('reports a deleted manifest entry as a gap at the entry after it, and nothing more', () => {
    const es = chain(5);
    const kept = stored(es).filter((s) => s.keySeq !== 3);
    const r = verifyChain(kept, objectsOf(es), sha);
    expect(r.findings).toEqual([
      {
        kind: 'gap',
        key: manifestKey(4),
        seq: 4,
        problem: 'manifest entry 3 is missing: the chain jumps from 2 to 4',
      },
    ]);
    expect(r.firstBreak?.kind).toBe('gap');
  });

  it('reports deleted first entries as a gap too', () => {
    const es = chain(3);
    const r = verifyChain(stored(es).slice(2), objectsOf(es), sha);
    expect(r.findings[0]).toMatchObject({
      kind: 'gap',
      seq: 3,
      problem: 'manifest entries 1 to 2 are missing: the chain jumps from 0 to 3',
    });
  });

  it('reports an edited manifest entry as invalid (its content no longer matches its hash)', () => {
    const es = chain(3);
    const forged = { ...es[1]!, sha256: sha('a forged object') };
    const r = verifyChain(stored([es[0]!, forged, es[2]!]), objectsOf(es), sha);
    expect(r.findings.map((f) => [f.kind, f.seq])).toEqual([
      ['invalid', 2],
      ['invalid', 2],
    ]);
    expect(r.findings[0]!.problem).toMatch(/manifest entry 2 was altered/);
    expect(r.findings[1]!.problem).toMatch(/its bytes hash to [0-9a-f]{64}, manifest entry 2 records/);
  });

  it('catches an entry rewritten with a recomputed hash: the next link breaks', () => {
    const es = chain(3);
    const body = { ...es[1]!, sha256: sha('a forged object') };
    const rehashed = { ...body, hash: entryHash(body, sha) };
    const objects = objectsOf(es);
    objects.set(es[1]!.key, { present: true, sha256: rehashed.sha256 });
    const r = verifyChain(stored([es[0]!, rehashed, es[2]!]), objects, sha);
    expect(r.findings).toHaveLength(1);
    expect(r.firstBreak).toMatchObject({ kind: 'invalid', seq: 3 });
  });

  it('reports an unreadable entry and an entry stored under another number', () => {
    const es = chain(3);
    const r = verifyChain(
      [
        { keySeq: 1, entry: es[0]! },
        { keySeq: 2, unreadable: 'not JSON' },
        { keySeq: 3, entry: { ...es[2]!, seq: 7 } },
      ],
      objectsOf(es),
      sha,
    );
    expect(r.findings.map((f) => f.problem)).toEqual([
      'manifest entry 2 is unreadable: not JSON',
      `entry stored as ${manifestKey(3)} says it is entry 7`,
      expect.stringMatching(/^manifest entry 3 was altered/),
    ]);
  });

  it('lists objects no entry names as unlisted, after the chain findings', () => {
    const es = chain(1);
    const r = verifyChain(stored(es), objectsOf(es), sha, ['reports/x/2026-04/p/smuggled.pdf']);
    expect(r.findings).toEqual([
      {
        kind: 'unlisted',
        key: 'reports/x/2026-04/p/smuggled.pdf',
        problem: 'object reports/x/2026-04/p/smuggled.pdf is in the archive but in no manifest entry',
      },
    ]);
  });
});

describe('the archive hash chain against its head recorded elsewhere', () => {
  it('reports the newest entries deleted (a whole, shorter chain) as truncated, naming the entries and the head', () => {
    const es = chain(5);
    const kept = es.slice(0, 3);
    // Without the recorded head the shorter chain is flawless: nothing in it shows what is gone.
    expect(verifyChain(stored(kept), objectsOf(kept), sha).ok).toBe(true);
    const r = verifyChain(stored(kept), objectsOf(kept), sha, [], { seq: 5, hash: es[4]!.hash });
    expect(r.ok).toBe(false);
    expect(r.findings).toEqual([
      {
        kind: 'truncated',
        key: manifestKey(4),
        seq: 4,
        problem: `manifest entries 4 to 5 are missing from the head of the chain: the recorded head is entry 5 (hash ${es[4]!.hash}), the newest entry in the archive is entry 3`,
      },
    ]);
    expect(r.firstBreak).toEqual(r.findings[0]);
    expect(r.head).toEqual({ seq: 3, hash: es[2]!.hash });
  });

  it('names a single missing head entry, and a chain deleted whole', () => {
    const es = chain(2);
    const one = verifyChain(stored(es.slice(0, 1)), objectsOf(es.slice(0, 1)), sha, [], {
      seq: 2,
      hash: es[1]!.hash,
    });
    expect(one.findings.map((f) => f.problem)).toEqual([
      `manifest entry 2 is missing from the head of the chain: the recorded head is entry 2 (hash ${es[1]!.hash}), the newest entry in the archive is entry 1`,
    ]);
    const none = verifyChain([], new Map(), sha, [], { seq: 2, hash: es[1]!.hash });
    expect(none.findings).toEqual([
      expect.objectContaining({ kind: 'truncated', key: manifestKey(1), seq: 1 }),
    ]);
    expect(none.findings[0]!.problem).toContain('entries 1 to 2 are missing');
    expect(none.findings[0]!.problem).toContain('the newest entry in the archive is none');
  });

  it('accepts a chain that reaches its recorded head, or runs one entry past it (a writer stopped before recording it)', () => {
    const es = chain(3);
    expect(verifyChain(stored(es), objectsOf(es), sha, [], { seq: 3, hash: es[2]!.hash }).ok).toBe(true);
    expect(verifyChain(stored(es), objectsOf(es), sha, [], { seq: 2, hash: es[1]!.hash }).ok).toBe(true);
  });

  it('reports a chain replaced under its recorded head as invalid at that entry', () => {
    const es = chain(3);
    const other = [nextEntry(undefined, { ...input(9), title: 'forged' }, sha)];
    other.push(nextEntry(other[0], input(8), sha));
    other.push(nextEntry(other[1], input(7), sha));
    const r = verifyChain(stored(other), objectsOf(other), sha, [], { seq: 3, hash: es[2]!.hash });
    expect(r.findings).toEqual([
      {
        kind: 'invalid',
        key: manifestKey(3),
        seq: 3,
        problem: `manifest entry 3 is not the entry recorded as the head: it hashes to ${other[2]!.hash}, the recorded head is ${es[2]!.hash}`,
      },
    ]);
  });
});

describe('the scope of a published report in its archive key', () => {
  it('keeps a business unit named "portfolio" out of the portfolio’s keys, which the SLA audit reads', () => {
    expect(reportScope(undefined, 'internal')).toBe('portfolio-internal');
    expect(reportScope('portfolio', 'internal')).toBe('unit.portfolio-internal');
    expect(reportScope('retail-banking', 'customer', 'wealth-management')).toBe(
      'unit.retail-banking-customer-wealth-management',
    );
    expect(
      archiveKey({
        type: 'report',
        reportType: 'monthly-compliance',
        period: '2026-11',
        scope: reportScope('portfolio', 'internal'),
        id: 'rpt_1',
        extension: 'json',
      }),
    ).not.toContain('/portfolio-internal/');
  });
});
