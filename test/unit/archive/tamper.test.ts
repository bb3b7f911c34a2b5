import { chmodSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { archiveObjectPath, FileArchiveStore } from '../../../shared/adapters/fs/archive.js';
import { MemoryArchiveAccessLog } from '../../../shared/adapters/memory/archive.js';
import { SqliteArchiveHeadStore } from '../../../shared/adapters/sqlite/archive-head.js';
import { openDatabase } from '../../../shared/adapters/sqlite/db.js';
import { manifestKey } from '../../../shared/domain/archive/chain.js';
import { loadArchivePolicy } from '../../../shared/policy/archive.js';
import { ArchiveOverwriteError, ArchiveRetentionError } from '../../../shared/ports/archive.js';
import { ArchiveTruncatedError, ArchiveUseCases } from '../../../shared/usecases/reports/archive.js';
import { TestClock } from '../../helpers/clock.js';
import { principal } from '../../helpers/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'accord-tamper-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const auditor = principal({ subject: 'ada.auditor@accord.local', roles: ['auditor'] });

/** An archive of three published reports in a write-once folder, as `npm start` keeps it. */
async function archiveOfThree() {
  const dir = join(root, String(n++));
  const clock = new TestClock('2026-05-01T06:00:00.000Z');
  const store = new FileArchiveStore(dir, clock);
  const accessLog = new MemoryArchiveAccessLog();
  let id = 0;
  // The recorded head in the embedded database, beside (not inside) the archive folder, as `npm start` keeps it.
  const database = `${dir}.db`;
  const heads = new SqliteArchiveHeadStore(openDatabase(database));
  const archive = new ArchiveUseCases({
    store,
    accessLog,
    heads,
    clock,
    policy: loadArchivePolicy(),
    newId: (p) => `${p}_${++id}`,
  });
  const entries = [];
  for (const bu of ['payments', 'retail-banking', 'group-platform']) {
    entries.push(
      await archive.archive({
        type: 'report',
        reportType: 'monthly-compliance',
        period: '2026-04',
        scope: bu,
        id: `rpt_${bu}`,
        extension: 'json',
        contentType: 'application/json',
        body: new TextEncoder().encode(JSON.stringify({ businessUnit: bu, compliance: 99.95 })),
        title: `Monthly SLA compliance, ${bu}, 2026-04`,
        archivedBy: 'system:reports',
      }),
    );
  }
  /** The same archive and database opened by another process (a restart of `npm start`). */
  const reopen = () =>
    new ArchiveUseCases({
      store: new FileArchiveStore(dir, clock),
      accessLog,
      heads: new SqliteArchiveHeadStore(openDatabase(database)),
      clock,
      policy: loadArchivePolicy(),
      newId: (p) => `${p}_${++id}`,
    });
  return { dir, clock, store, archive, accessLog, entries, reopen };
}

describe('tampering with the archive', () => {
  it('verifies an untouched archive: three objects, three chained entries, nothing found', async () => {
    const { archive, entries } = await archiveOfThree();
    const r = await archive.verify(auditor, {}, 'req-1');
    expect(r).toMatchObject({ ok: true, entries: 3, objects: 3, findings: [], firstBreak: null });
    expect(r.head).toEqual({ seq: 3, hash: entries[2]!.hash });
  });

  it('detects one modified byte of an archived object and names its key as the first break', async () => {
    const { dir, archive, entries } = await archiveOfThree();
    const file = archiveObjectPath(dir, entries[1]!.key);
    chmodSync(file, 0o644); // what someone with shell access could do; the store itself never writes twice
    const bytes = readFileSync(file);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0x01;
    writeFileSync(file, bytes);
    const r = await archive.verify(auditor, {}, 'req-2');
    expect(r.ok).toBe(false);
    expect(r.firstBreak).toMatchObject({ kind: 'invalid', key: entries[1]!.key, seq: 2 });
    expect(r.firstBreak!.problem).toContain(`object ${entries[1]!.key} was altered`);
  });

  it('refuses to download an object whose bytes were altered, naming the key and both hashes', async () => {
    const { dir, archive, entries } = await archiveOfThree();
    const file = archiveObjectPath(dir, entries[1]!.key);
    chmodSync(file, 0o644);
    const bytes = readFileSync(file);
    bytes[0] = bytes[0]! ^ 0x01;
    writeFileSync(file, bytes);
    await expect(archive.download(auditor, entries[1]!.key, 'req-d')).rejects.toThrow(
      `${entries[1]!.key} was altered: its bytes hash to`,
    );
    await expect(archive.download(auditor, entries[1]!.key, 'req-d')).rejects.toThrow(
      `the archive recorded ${entries[1]!.sha256}`,
    );
    const untouched = await archive.download(auditor, entries[0]!.key, 'req-e');
    expect(untouched).toMatchObject({ kind: 'bytes', sha256: entries[0]!.sha256 });
  });

  it('detects a deleted manifest entry as a gap naming the entry that is gone', async () => {
    const { dir, archive, entries } = await archiveOfThree();
    unlinkSync(archiveObjectPath(dir, manifestKey(2)));
    const r = await archive.verify(auditor, {}, 'req-3');
    expect(r.ok).toBe(false);
    expect(r.firstBreak).toEqual({
      kind: 'gap',
      key: manifestKey(3),
      seq: 3,
      problem: 'manifest entry 2 is missing: the chain jumps from 1 to 3',
    });
    // The object entry 2 described is still there, but nothing vouches for it any more.
    expect(r.findings).toContainEqual(expect.objectContaining({ kind: 'unlisted', key: entries[1]!.key }));
  });

  it('detects the newest entries and their objects deleted (a truncated head) and names what is missing', async () => {
    const { dir, archive, entries, reopen } = await archiveOfThree();
    // Someone with shell access removes the last two reports and their manifest lines from .accord/archive/.
    for (const seq of [2, 3]) {
      unlinkSync(archiveObjectPath(dir, manifestKey(seq)));
      unlinkSync(archiveObjectPath(dir, entries[seq - 1]!.key));
    }
    const expected = {
      kind: 'truncated',
      key: manifestKey(2),
      seq: 2,
      problem: `manifest entries 2 to 3 are missing from the head of the chain: the recorded head is entry 3 (hash ${entries[2]!.hash}), the newest entry in the archive is entry 1`,
    };
    for (const a of [archive, reopen()]) {
      const r = await a.verify(auditor, {}, 'req-t');
      expect(r).toMatchObject({ ok: false, entries: 1, objects: 1 });
      expect(r.findings).toEqual([expected]);
      expect(r.firstBreak).toEqual(expected);
      expect(r.head).toEqual({ seq: 1, hash: entries[0]!.hash });
      expect(r.recordedHead).toEqual({ seq: 3, hash: entries[2]!.hash });
    }
  });

  it('refuses to archive anything after the head was truncated, so no new entry can take a deleted number', async () => {
    const { dir, store, entries, reopen } = await archiveOfThree();
    unlinkSync(archiveObjectPath(dir, manifestKey(3)));
    const archive = reopen();
    const attempt = archive.archive({
      type: 'report',
      reportType: 'monthly-compliance',
      period: '2026-05',
      scope: 'payments',
      id: 'rpt_after',
      extension: 'json',
      contentType: 'application/json',
      body: new TextEncoder().encode('{}'),
      title: 'after the truncation',
      archivedBy: 'system:reports',
    });
    await expect(attempt).rejects.toBeInstanceOf(ArchiveTruncatedError);
    await expect(attempt).rejects.toThrow(
      `the archive's manifest ends at entry 2 but its recorded head is entry 3 (hash ${entries[2]!.hash})`,
    );
    expect(await store.head(manifestKey(3))).toBeUndefined();
    expect((await store.list('reports/monthly-compliance/2026-05/')).items).toEqual([]);
  });

  it('detects a deleted object as missing', async () => {
    const { dir, archive, entries } = await archiveOfThree();
    unlinkSync(archiveObjectPath(dir, entries[0]!.key));
    const r = await archive.verify(auditor, {}, 'req-4');
    expect(r.firstBreak).toMatchObject({ kind: 'missing', key: entries[0]!.key, seq: 1 });
  });

  it('refuses an overwrite within retention with a clear message, and the original still verifies', async () => {
    const { store, archive, entries } = await archiveOfThree();
    const forged = new TextEncoder().encode('{"businessUnit":"payments","compliance":100}');
    const { createHash } = await import('node:crypto');
    const attempt = store.put({
      key: entries[0]!.key,
      body: forged,
      contentType: 'application/json',
      sha256: createHash('sha256').update(forged).digest('hex'),
      retainUntil: '2040-01-01T00:00:00.000Z',
    });
    await expect(attempt).rejects.toBeInstanceOf(ArchiveOverwriteError);
    await expect(attempt).rejects.toThrow(
      `${entries[0]!.key} is already archived: archived objects are never overwritten`,
    );
    await expect(
      archive.archive({
        type: 'report',
        reportType: 'monthly-compliance',
        period: '2026-04',
        scope: 'payments',
        id: 'rpt_payments',
        extension: 'json',
        contentType: 'application/json',
        body: forged,
        title: 'again',
        archivedBy: 'mallory',
      }),
    ).rejects.toBeInstanceOf(ArchiveOverwriteError);
    await expect(store.delete(entries[0]!.key)).rejects.toBeInstanceOf(ArchiveRetentionError);
    await expect(store.delete(manifestKey(1))).rejects.toThrow(/retained until 2033-05-0\d/);
    expect((await archive.verify(auditor, {}, 'req-5')).ok).toBe(true);
  });

  it('logs every retrieval (list, download, verify) with who, what and the request', async () => {
    const { archive, accessLog, entries } = await archiveOfThree();
    await archive.list(auditor, { type: 'report', period: '2026-04', limit: 10 }, 'req-a');
    const d = await archive.download(auditor, entries[2]!.key, 'req-b');
    expect(d.kind).toBe('bytes');
    await archive.verify(auditor, { key: entries[2]!.key }, 'req-c');
    const log = await accessLog.list({ from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z', limit: 10 });
    expect(log.map((a) => [a.action, a.target, a.requestId, a.subject]).sort()).toEqual([
      ['download', entries[2]!.key, 'req-b', 'ada.auditor@accord.local'],
      ['list', 'type=report&period=2026-04', 'req-a', 'ada.auditor@accord.local'],
      ['verify', entries[2]!.key, 'req-c', 'ada.auditor@accord.local'],
    ]);
  });

  it('lists by type, agreement and period, a page at a time', async () => {
    const { archive, entries } = await archiveOfThree();
    const first = await archive.list(auditor, { period: '2026-04', limit: 2 }, 'r');
    expect(first.items.map((e) => e.seq)).toEqual([1, 2]);
    const rest = await archive.list(auditor, { period: '2026-04', limit: 2, cursor: first.nextCursor }, 'r');
    expect(rest.items.map((e) => e.key)).toEqual([entries[2]!.key]);
    expect((await archive.list(auditor, { period: '2026-03', limit: 10 }, 'r')).items).toEqual([]);
    expect((await archive.list(auditor, { type: 'violation', limit: 10 }, 'r')).items).toEqual([]);
  });

  it('refuses the archive to roles without archive.read', async () => {
    const { archive } = await archiveOfThree();
    const viewer = principal({ roles: ['viewer'], businessUnits: ['payments'] });
    await expect(archive.verify(viewer, {}, 'r')).rejects.toThrow(/do not allow archive.read/);
  });
});
