import { beforeEach, describe, expect, it } from 'vitest';
import {
  MemoryArchiveAccessLog,
  MemoryArchiveHeadStore,
  MemoryArchiveStore,
} from '../../../shared/adapters/memory/archive.js';
import { MANIFEST_PREFIX, manifestKey } from '../../../shared/domain/archive/chain.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
} from '../../../shared/domain/errors.js';
import { loadArchivePolicy } from '../../../shared/policy/archive.js';
import { ArchiveOverwriteError, type ArchivePut } from '../../../shared/ports/archive.js';
import {
  type ArchiveRequest,
  ArchiveTruncatedError,
  ArchiveUseCases,
  archiveIn,
} from '../../../shared/usecases/reports/archive.js';
import { TestClock } from '../../helpers/clock.js';
import { principal } from '../../helpers/fixtures.js';

/**
 * ArchiveUseCases on the memory archive: listing by type, agreement and period; downloads; verification of the
 * whole archive or one key; the access log; and the manifest's appends (head moved by others, gaps, truncation,
 * retries, short pages).
 */
const auditor = principal({ subject: 'aud@bank.example', roles: ['auditor'] });
const DAY = 86_400_000;

/**
 * The memory archive with hooks: short list pages (as S3 may answer), a put that can be made to fail, and the keys
 * read (`get` and `head`, in order).
 */
class HookedStore extends MemoryArchiveStore {
  pageLimit = 1000;
  failPut: ((o: ArchivePut) => Error | undefined) | undefined;
  puts: string[] = [];
  reads: string[] = [];
  getMisses = new Set<string>();
  override async put(o: ArchivePut) {
    this.puts.push(o.key);
    const e = this.failPut?.(o);
    if (e) throw e;
    return super.put(o);
  }
  override async get(key: string) {
    this.reads.push(key);
    return this.getMisses.has(key) ? undefined : super.get(key);
  }
  override async head(key: string) {
    this.reads.push(key);
    return super.head(key);
  }
  override async list(prefix: string, page: { after?: string; limit?: number } = {}) {
    return super.list(prefix, { ...page, limit: Math.min(page.limit ?? 1000, this.pageLimit) });
  }
}

function setup() {
  const clock = new TestClock('2026-05-05T06:00:00.000Z');
  const store = new HookedStore(clock);
  const heads = new MemoryArchiveHeadStore();
  const accessLog = new MemoryArchiveAccessLog();
  let n = 0;
  const open = () =>
    new ArchiveUseCases({
      store,
      accessLog,
      heads,
      clock,
      policy: loadArchivePolicy(),
      newId: (p) => `${p}_${++n}`,
    });
  return { clock, store, heads, accessLog, archive: open(), open };
}

const record = (id: string, over: Partial<ArchiveRequest> = {}): ArchiveRequest => ({
  type: 'violation',
  agreementId: 'agr_01PAYMENTS000000000001',
  period: '2026-04',
  id,
  extension: 'json',
  contentType: 'application/json',
  body: new TextEncoder().encode(JSON.stringify({ id })),
  title: `Violation ${id}`,
  archivedBy: 'system:reports',
  ...over,
});

describe('listing the archive', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(async () => {
    s = setup();
    await s.archive.archive(record('vio_a'));
    await s.archive.archive(record('vio_b', { agreementId: 'agr_01MOBILE000000000001', period: '2026-03' }));
    await s.archive.archive(record('cst_a', { type: 'credit-statement' }));
    await s.archive.archive(record('undated', { period: undefined }));
  });
  const ids = (items: { key: string }[]) => items.map((e) => e.key.split('/').at(-1));

  it('lists every entry in chain order, logging the retrieval as of everything', async () => {
    const r = await s.archive.list(auditor, { limit: 100 }, 'req-all');
    expect(ids(r.items)).toEqual(['vio_a.json', 'vio_b.json', 'cst_a.json', 'undated.json']);
    expect(r.nextCursor).toBeUndefined();
    expect(
      await s.accessLog.list({ from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z', limit: 10 }),
    ).toEqual([
      {
        id: expect.stringMatching(/^acc_\d+$/),
        at: '2026-05-05T06:00:00.000Z',
        subject: 'aud@bank.example',
        action: 'list',
        target: '(all)',
        requestId: 'req-all',
      },
    ]);
  });

  it('filters by type, agreement and period (a year matches its months), naming the filter in the log', async () => {
    const byType = await s.archive.list(auditor, { type: 'credit-statement', limit: 100 }, 'r1');
    expect(ids(byType.items)).toEqual(['cst_a.json']);
    const byAgreement = await s.archive.list(
      auditor,
      { agreementId: 'agr_01MOBILE000000000001', limit: 100 },
      'r2',
    );
    expect(ids(byAgreement.items)).toEqual(['vio_b.json']);
    const byMonth = await s.archive.list(auditor, { period: '2026-03', limit: 100 }, 'r3');
    expect(ids(byMonth.items)).toEqual(['vio_b.json']);
    const byYear = await s.archive.list(auditor, { period: '2026', limit: 100 }, 'r4');
    expect(ids(byYear.items)).toEqual(['vio_a.json', 'vio_b.json', 'cst_a.json']);
    const all = await s.archive.list(
      auditor,
      {
        type: 'violation',
        agreementId: 'agr_01PAYMENTS000000000001',
        period: '2026-04',
        cursor: '0',
        limit: 100,
      },
      'r5',
    );
    expect(ids(all.items)).toEqual(['vio_a.json']);
    const log = await s.accessLog.list({
      from: '2026-01-01T00:00:00Z',
      to: '2027-01-01T00:00:00Z',
      limit: 10,
    });
    expect(log.map((a) => [a.requestId, a.target]).sort()).toEqual([
      ['r1', 'type=credit-statement'],
      ['r2', 'agreementId=agr_01MOBILE000000000001'],
      ['r3', 'period=2026-03'],
      ['r4', 'period=2026'],
      ['r5', 'type=violation&agreementId=agr_01PAYMENTS000000000001&period=2026-04&cursor=0'],
    ]);
  });

  it('reads every page of a store that answers short pages', async () => {
    s.store.pageLimit = 2;
    const r = await s.archive.list(auditor, { limit: 100 }, 'req');
    expect(ids(r.items)).toEqual(['vio_a.json', 'vio_b.json', 'cst_a.json', 'undated.json']);
    // A new process finds the head through the short pages too.
    const e = await s.open().archive(record('vio_c'));
    expect(e.seq).toBe(5);
  });

  it('refuses a caller without archive.read, naming the roles', async () => {
    const e = await s.archive
      .list(principal({ roles: ['viewer'] }), { limit: 1 }, 'r')
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as Error).message).toBe('your roles (viewer) do not allow archive.read');
    const none = await s.archive.verify(principal(), {}, 'r').catch((x: unknown) => x);
    expect(none).toBeInstanceOf(ForbiddenError);
    expect((none as Error).message).toBe('your roles (none) do not allow archive.read');
  });

  it('names every role of a refused caller, separated by commas', async () => {
    const e = await s.archive
      .list(principal({ roles: ['viewer', 'vendor'] }), { limit: 1 }, 'r')
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ForbiddenError);
    expect((e as Error).message).toBe('your roles (viewer, vendor) do not allow archive.read');
  });
});

describe('downloading from the archive', () => {
  let s: ReturnType<typeof setup>;
  let key: string;
  beforeEach(async () => {
    s = setup();
    key = (await s.archive.archive(record('vio_a'))).key;
  });

  it('hands out the bytes under their file name and recorded hash', async () => {
    const d = await s.archive.download(auditor, key, 'req');
    expect(d).toEqual({
      kind: 'bytes',
      key,
      body: new TextEncoder().encode(JSON.stringify({ id: 'vio_a' })),
      contentType: 'application/json',
      sha256: (await s.store.head(key))!.sha256,
      fileName: 'vio_a.json',
    });
  });

  it('answers not found for a key nothing is archived under, or whose object cannot be read', async () => {
    const missing = await s.archive
      .download(auditor, 'violations/x/2026-04/nothing.json', 'r')
      .catch((x: unknown) => x);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toBe('nothing is archived under violations/x/2026-04/nothing.json');
    s.store.getMisses.add(key);
    const gone = await s.archive.download(auditor, key, 'r').catch((x: unknown) => x);
    expect(gone).toBeInstanceOf(NotFoundError);
    expect((gone as Error).message).toBe(`nothing is archived under ${key}`);
  });

  it('refuses the bytes of an altered object, naming the key as the problem', async () => {
    s.store.tamper(key, (b) => Uint8Array.from([...b, 0x20]));
    const e = (await s.archive.download(auditor, key, 'r').catch((x: unknown) => x)) as ConflictError;
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.details).toEqual([
      { path: 'query.key', problem: 'names an object whose bytes no longer match their recorded SHA-256' },
    ]);
  });
});

describe('verifying the archive', () => {
  let s: ReturnType<typeof setup>;
  let keys: string[];
  beforeEach(async () => {
    s = setup();
    keys = [];
    for (const id of ['vio_a', 'vio_b', 'vio_c']) keys.push((await s.archive.archive(record(id))).key);
  });

  it('verifies one untouched key, trusting the others, and logs the key', async () => {
    const r = await s.archive.verify(auditor, { key: keys[1] }, 'req-1');
    expect([r.ok, r.findings]).toEqual([true, []]);
    const whole = await s.archive.verify(auditor, {}, 'req-2');
    expect([whole.ok, whole.findings]).toEqual([true, []]);
    const log = await s.accessLog.list({
      from: '2026-01-01T00:00:00Z',
      to: '2027-01-01T00:00:00Z',
      limit: 10,
    });
    expect(log.map((a) => [a.requestId, a.action, a.target]).sort()).toEqual([
      ['req-1', 'verify', keys[1]],
      ['req-2', 'verify', '(whole archive)'],
    ]);
  });

  it('finds an altered object when verifying its key, and only when verifying it or the whole archive', async () => {
    s.store.tamper(keys[1]!, (b) => Uint8Array.from([...b, 0x20]));
    const one = await s.archive.verify(auditor, { key: keys[1] }, 'r');
    expect(one.ok).toBe(false);
    expect(one.firstBreak).toMatchObject({ kind: 'invalid', key: keys[1], seq: 2 });
    const other = await s.archive.verify(auditor, { key: keys[0] }, 'r');
    expect(other.ok).toBe(true);
    expect((await s.archive.verify(auditor, {}, 'r')).ok).toBe(false);
  });

  it('names an unreadable manifest entry', async () => {
    s.store.tamper(manifestKey(2), () => new TextEncoder().encode('{ not json'));
    s.store.tamper(manifestKey(3), () => new TextEncoder().encode('{"seq": "three"}'));
    const r = await s.archive.verifyAll();
    const problems = r.findings.map((f) => f.problem);
    expect(problems.find((p) => p.startsWith('manifest entry 2 is unreadable: not JSON ('))).toBeDefined();
    expect(
      problems.find((p) => p.startsWith('manifest entry 3 is unreadable: not a manifest entry (')),
    ).toBeDefined();
    expect(problems.join('\n')).not.toContain('bad shape');
  });

  it('reads only the objects its readable manifest entries list: an unreadable entry names none, its object is unlisted', async () => {
    s.store.tamper(manifestKey(2), () => new TextEncoder().encode('{ not json'));
    const objectsRead = () => s.store.reads.filter((k) => !k.startsWith(MANIFEST_PREFIX));
    s.store.reads = [];
    const whole = await s.archive.verifyAll();
    expect(objectsRead().sort()).toEqual([keys[0], keys[2]].sort());
    expect(whole.findings.map((f) => [f.kind, f.key])).toEqual([
      ['invalid', manifestKey(2)],
      ['unlisted', keys[1]],
    ]);
    // One key verified: the other listed object is only looked at (head), never read.
    s.store.reads = [];
    await s.archive.verifyAll(keys[0]);
    expect(objectsRead().sort()).toEqual([keys[0], keys[2]].sort());
  });
});

describe('appending to the manifest', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it('stores each manifest entry as JSON', async () => {
    const e = await s.archive.archive(record('vio_a'));
    expect((await s.store.head(manifestKey(e.seq)))!.contentType).toBe('application/json');
  });

  it('continues after the entries another process appended meanwhile', async () => {
    const other = s.open();
    expect((await s.archive.archive(record('vio_a'))).seq).toBe(1);
    const second = await other.archive(record('vio_b'));
    expect(second.seq).toBe(2);
    const third = await s.archive.archive(record('vio_c'));
    expect([third.seq, third.prevHash]).toEqual([3, second.hash]);
  });

  it('continues after the last entry stored when a new process starts on an archive with a gap', async () => {
    for (const id of ['vio_a', 'vio_b', 'vio_c']) await s.archive.archive(record(id));
    s.store.tamper(manifestKey(2), () => undefined);
    expect((await s.open().archive(record('vio_d'))).seq).toBe(4);
  });

  it('refuses to append to a truncated chain, naming the missing entries', async () => {
    for (const id of ['vio_a', 'vio_b', 'vio_c']) await s.archive.archive(record(id));
    s.store.tamper(manifestKey(3), () => undefined);
    const e = (await s
      .open()
      .archive(record('vio_d'))
      .catch((x: unknown) => x)) as ArchiveTruncatedError;
    expect(e).toBeInstanceOf(ArchiveTruncatedError);
    expect(e.code).toBe('archive_truncated');
    expect(e.details).toEqual([{ path: 'manifest', problem: 'entries 3 to 3 are missing' }]);
  });

  it('refuses to read a head entry that is not a manifest entry', async () => {
    await s.archive.archive(record('vio_a'));
    s.store.tamper(manifestKey(1), () => new TextEncoder().encode('{}'));
    const e = await s
      .open()
      .archive(record('vio_b'))
      .catch((x: unknown) => x);
    expect((e as Error).message).toBe(`manifest entry ${manifestKey(1)} is unreadable: run a verification`);
  });

  it('retries when another writer took the number, up to eight times', async () => {
    s.store.failPut = (o) => (o.key.startsWith('manifest/') ? new ArchiveOverwriteError(o.key) : undefined);
    const e = await s.archive.archive(record('vio_a')).catch((x: unknown) => x);
    expect((e as Error).message).toBe('could not append to the archive manifest after 8 attempts');
    expect(s.store.puts.filter((k) => k.startsWith('manifest/'))).toHaveLength(8);
  });

  it('gives up at once on any other failure of the store', async () => {
    const disk = new Error('disk full');
    s.store.failPut = (o) => (o.key.startsWith('manifest/') ? disk : undefined);
    expect(await s.archive.archive(record('vio_a')).catch((x: unknown) => x)).toBe(disk);
    expect(s.store.puts.filter((k) => k.startsWith('manifest/'))).toHaveLength(1);
  });

  it('knows whether a key is archived', async () => {
    const e = await s.archive.archive(record('vio_a'));
    expect(await s.archive.exists(e.key)).toBe(true);
    expect(await s.archive.exists('violations/x/2026-04/none.json')).toBe(false);
  });
});

describe('the access log', () => {
  it('answers the last 30 days up to now by default', async () => {
    const s = setup();
    const at = async (ms: number, id: string) =>
      s.accessLog.record({
        id,
        at: new Date(ms).toISOString(),
        subject: 's',
        action: 'list',
        target: 't',
        requestId: id,
      });
    const now = s.clock.now().getTime();
    await at(now, 'now');
    await at(now - 29 * DAY, 'd29');
    await at(now - 31 * DAY, 'd31');
    await at(now + 1000, 'later');
    const r = await s.archive.accessLog(auditor, { limit: 10 });
    expect(r.items.map((a) => a.id)).toEqual(['now', 'd29']);
    const window = await s.archive.accessLog(auditor, {
      from: new Date(now - 40 * DAY).toISOString(),
      to: new Date(now + 2000).toISOString(),
      limit: 10,
    });
    expect(window.items.map((a) => a.id)).toEqual(['later', 'now', 'd29', 'd31']);
  });
});

describe('archiveIn', () => {
  it('answers unavailable where no archive is deployed', () => {
    expect(() => archiveIn({})).toThrow(UnavailableError);
    expect(() => archiveIn({})).toThrow('the archive is not deployed here');
    const { archive } = setup();
    expect(archiveIn({ archive })).toBe(archive);
  });
});
