import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  entryHash,
  GENESIS_HASH,
  type ManifestEntry,
  type ManifestEntryInput,
  manifestKey,
  manifestSeq,
  nextEntry,
  type ObjectState,
  type StoredEntry,
  verifyChain,
} from '../../../shared/domain/archive/chain.js';

const sha = (d: string | Uint8Array) => createHash('sha256').update(d).digest('hex');

const input = (n: number, over: Partial<ManifestEntryInput> = {}): ManifestEntryInput => ({
  key: `violations/agr_1/2027-03/vio_${n}.json`,
  type: 'violation',
  sha256: sha(`object ${n}`),
  size: 100 + n,
  contentType: 'application/json',
  agreementId: 'agr_1',
  period: '2027-03',
  title: `violation ${n}`,
  archivedAt: '2027-04-01T09:00:00.000Z',
  archivedBy: 'system:violations',
  retainUntil: '2034-04-01T09:00:00.000Z',
  ...over,
});
function chain(n: number): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  for (let i = 1; i <= n; i++) out.push(nextEntry(out.at(-1), input(i), sha));
  return out;
}
const stored = (es: ManifestEntry[]): StoredEntry[] => es.map((entry) => ({ keySeq: entry.seq, entry }));
const objectsOf = (es: ManifestEntry[]) =>
  new Map<string, ObjectState>(es.map((e) => [e.key, { present: true, sha256: e.sha256 }]));

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null, skip: undefined }, A: true })).toBe(
      '{"A":true,"a":{"c":null,"d":[1,"x"]},"b":1}',
    );
  });

  it('writes undefined and non-finite numbers as null, inside arrays too', () => {
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(Number.NaN)).toBe('null');
    expect(canonicalJson(Number.POSITIVE_INFINITY)).toBe('null');
    expect(canonicalJson([undefined, Number.NEGATIVE_INFINITY, 2.5, null])).toBe('[null,null,2.5,null]');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(-0.125)).toBe('-0.125');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
  });

  it('quotes keys as JSON does', () => {
    expect(canonicalJson({ 'a"b': 1, 'z y': 2 })).toBe('{"a\\"b":1,"z y":2}');
  });
});

describe('nextEntry and entryHash', () => {
  it('numbers from 1, chains to the previous hash, drops undefined fields and hashes the rest', () => {
    const first = nextEntry(undefined, input(1, { agreementId: undefined }), sha);
    expect(first.seq).toBe(1);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect('agreementId' in first).toBe(false);
    const { hash, ...rest } = first;
    expect(hash).toBe(sha(canonicalJson(rest)));
    expect(entryHash(first, sha)).toBe(hash);
    const second = nextEntry(first, input(2), sha);
    expect([second.seq, second.prevHash]).toEqual([2, first.hash]);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });
});

describe('verifyChain: what it reports, in words', () => {
  it('reports an intact chain as ok, with its counts and head', () => {
    const es = chain(3);
    expect(verifyChain(stored(es).reverse(), objectsOf(es), sha)).toEqual({
      ok: true,
      entries: 3,
      objects: 3,
      findings: [],
      firstBreak: null,
      head: { seq: 3, hash: es[2]!.hash },
    });
  });

  it('names an unreadable entry, checks only the numbering after it, and gives no head when it is last', () => {
    const es = chain(3);
    const s: StoredEntry[] = [
      { keySeq: 1, entry: es[0]! },
      { keySeq: 2, unreadable: 'Unexpected token } in JSON' },
      { keySeq: 3, entry: es[2]! },
    ];
    const r = verifyChain(s, objectsOf(es), sha);
    expect(r.findings).toEqual([
      {
        kind: 'invalid',
        key: 'manifest/0000000002.json',
        seq: 2,
        problem: 'manifest entry 2 is unreadable: Unexpected token } in JSON',
      },
    ]);
    expect(r.ok).toBe(false);
    expect(r.firstBreak).toEqual(r.findings[0]);
    expect(r.objects).toBe(2);
    const tail = verifyChain(
      [
        { keySeq: 1, entry: es[0]! },
        { keySeq: 2, unreadable: 'empty' },
      ],
      objectsOf(es),
      sha,
    );
    expect(tail.head).toBeNull();
    expect(tail.entries).toBe(2);
  });

  it('names an entry stored under another number', () => {
    const es = chain(2);
    const r = verifyChain(
      [
        { keySeq: 1, entry: es[0]! },
        { keySeq: 2, entry: { ...es[0]!, key: es[1]!.key, sha256: es[1]!.sha256 } },
      ],
      objectsOf(es),
      sha,
    );
    expect(r.findings.map((f) => f.problem)).toContain(
      'entry stored as manifest/0000000002.json says it is entry 1',
    );
  });

  it('names an altered entry with both hashes', () => {
    const es = chain(2);
    const altered = { ...es[1]!, title: 'changed' };
    const recomputed = entryHash(altered, sha);
    const r = verifyChain(stored([es[0]!, altered]), objectsOf(es), sha);
    expect(r.findings).toEqual([
      {
        kind: 'invalid',
        key: 'manifest/0000000002.json',
        seq: 2,
        problem: `manifest entry 2 was altered: its content hashes to ${recomputed}, it records ${es[1]!.hash}`,
      },
    ]);
  });

  it('names one missing entry, and a run of them, as a gap at the entry after', () => {
    const es = chain(6);
    const one = verifyChain(stored([es[0]!, es[2]!]), objectsOf(es), sha);
    expect(one.findings).toEqual([
      {
        kind: 'gap',
        key: 'manifest/0000000003.json',
        seq: 3,
        problem: 'manifest entry 2 is missing: the chain jumps from 1 to 3',
      },
    ]);
    const run = verifyChain(stored([es[0]!, es[4]!]), objectsOf(es), sha);
    expect(run.findings.map((f) => f.problem)).toEqual([
      'manifest entries 2 to 4 are missing: the chain jumps from 1 to 5',
    ]);
    const head = verifyChain(stored([es[1]!]), objectsOf(es), sha);
    expect(head.findings.map((f) => f.problem)).toEqual([
      'manifest entry 1 is missing: the chain jumps from 0 to 2',
    ]);
  });

  it('names a first entry that does not start the chain, and a link that does not chain', () => {
    const es = chain(2);
    const forged = nextEntry(es[0], input(1), sha);
    const asFirst = { ...forged, seq: 1 };
    const hashed = { ...asFirst, hash: entryHash(asFirst, sha) };
    const r = verifyChain(stored([hashed]), objectsOf(es), sha);
    expect(r.findings.map((f) => [f.kind, f.key, f.seq, f.problem])).toEqual([
      [
        'invalid',
        'manifest/0000000001.json',
        1,
        `manifest entry 1 should start the chain (previous hash ${GENESIS_HASH}), it names ${es[0]!.hash}`,
      ],
    ]);
    const other = nextEntry(undefined, input(9), sha); // another entry 1
    const link = verifyChain(stored([other, es[1]!]), objectsOf([...es, other]), sha);
    expect(link.findings.map((f) => f.problem)).toEqual([
      `manifest entry 2 does not chain to entry 1: it names ${es[0]!.hash}, entry 1 hashes to ${other.hash}`,
    ]);
  });

  it('names a missing object and an altered one by key', () => {
    const es = chain(2);
    const objects = new Map<string, ObjectState>([
      [es[0]!.key, { present: false }],
      [es[1]!.key, { present: true, sha256: sha('tampered') }],
    ]);
    const r = verifyChain(stored(es), objects, sha);
    expect(r.findings).toEqual([
      {
        kind: 'missing',
        key: es[0]!.key,
        seq: 1,
        problem: `object ${es[0]!.key} (manifest entry 1) is not in the archive`,
      },
      {
        kind: 'invalid',
        key: es[1]!.key,
        seq: 2,
        problem: `object ${es[1]!.key} was altered: its bytes hash to ${sha('tampered')}, manifest entry 2 records ${es[1]!.sha256}`,
      },
    ]);
    expect(r.objects).toBe(1);
    expect(verifyChain(stored(es), new Map(), sha).findings.map((f) => f.kind)).toEqual([
      'missing',
      'missing',
    ]);
  });

  it('lists unlisted objects sorted by key, after the chain', () => {
    const es = chain(1);
    const r = verifyChain(stored(es), objectsOf(es), sha, ['reports/b.pdf', 'reports/a.pdf']);
    expect(r.findings).toEqual([
      {
        kind: 'unlisted',
        key: 'reports/a.pdf',
        problem: 'object reports/a.pdf is in the archive but in no manifest entry',
      },
      {
        kind: 'unlisted',
        key: 'reports/b.pdf',
        problem: 'object reports/b.pdf is in the archive but in no manifest entry',
      },
    ]);
  });
});

describe('verifyChain against the recorded head', () => {
  const es = chain(4);

  it('names the one newest entry deleted, and a run of them', () => {
    const one = verifyChain(stored(es.slice(0, 3)), objectsOf(es), sha, [], { seq: 4, hash: es[3]!.hash });
    expect(one.findings).toEqual([
      {
        kind: 'truncated',
        key: 'manifest/0000000004.json',
        seq: 4,
        problem: `manifest entry 4 is missing from the head of the chain: the recorded head is entry 4 (hash ${es[3]!.hash}), the newest entry in the archive is entry 3`,
      },
    ]);
    const run = verifyChain(stored(es.slice(0, 1)), objectsOf(es), sha, [], { seq: 4, hash: es[3]!.hash });
    expect(run.findings.map((f) => [f.key, f.problem])).toEqual([
      [
        'manifest/0000000002.json',
        `manifest entries 2 to 4 are missing from the head of the chain: the recorded head is entry 4 (hash ${es[3]!.hash}), the newest entry in the archive is entry 1`,
      ],
    ]);
    const none = verifyChain([], new Map(), sha, [], { seq: 1, hash: es[0]!.hash });
    expect(none.findings.map((f) => f.problem)).toEqual([
      `manifest entry 1 is missing from the head of the chain: the recorded head is entry 1 (hash ${es[0]!.hash}), the newest entry in the archive is none`,
    ]);
  });

  it('names another entry in the place of the recorded head, and accepts the recorded one or a chain past it', () => {
    const r = verifyChain(stored(es), objectsOf(es), sha, [], { seq: 3, hash: 'f'.repeat(64) });
    expect(r.findings).toEqual([
      {
        kind: 'invalid',
        key: 'manifest/0000000003.json',
        seq: 3,
        problem: `manifest entry 3 is not the entry recorded as the head: it hashes to ${es[2]!.hash}, the recorded head is ${'f'.repeat(64)}`,
      },
    ]);
    expect(verifyChain(stored(es), objectsOf(es), sha, [], { seq: 3, hash: es[2]!.hash }).ok).toBe(true);
    expect(verifyChain(stored(es), objectsOf(es), sha, [], { seq: 4, hash: es[3]!.hash }).ok).toBe(true);
  });

  it('does not judge an unreadable entry at the recorded head by its hash', () => {
    const s: StoredEntry[] = [...stored(es.slice(0, 3)), { keySeq: 4, unreadable: 'torn' }];
    const r = verifyChain(s, objectsOf(es), sha, [], { seq: 4, hash: es[3]!.hash });
    expect(r.findings.map((f) => f.kind)).toEqual(['invalid']);
    expect(r.findings[0]!.problem).toBe('manifest entry 4 is unreadable: torn');
  });
});

describe('manifest keys', () => {
  it('writes ten digits and reads them back, and nothing else', () => {
    expect(manifestKey(42)).toBe('manifest/0000000042.json');
    expect(manifestSeq('manifest/0000000042.json')).toBe(42);
    for (const k of [
      'manifest/42.json',
      'x/manifest/0000000042.json',
      'manifest/0000000042.json.bak',
      'manifest/000000004a.json',
    ])
      expect(manifestSeq(k), k).toBeUndefined();
  });
});
