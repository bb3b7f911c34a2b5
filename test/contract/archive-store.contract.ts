import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.js';
import {
  ArchiveIntegrityError,
  ArchiveOverwriteError,
  ArchiveRetentionError,
  type ArchiveStore,
} from '../../shared/ports/archive.js';
import { TestClock } from '../helpers/clock.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const DAY = 86_400_000;

function object(key: string, text: string, clock: TestClock, retainDays = 2555) {
  const body = bytes(text);
  return {
    key,
    body,
    contentType: 'application/json',
    sha256: sha(body),
    retainUntil: new Date(clock.now().getTime() + retainDays * DAY).toISOString(),
  };
}

/** The ArchiveStore contract (write once, read many), passed by every adapter. */
export function archiveStoreContract(
  name: string,
  make: (clock: TestClock) => Promise<ArchiveStore> | ArchiveStore,
): void {
  describe(`ArchiveStore contract: ${name}`, () => {
    it('stores an object once and reads back its bytes, SHA-256 and retention', async () => {
      const clock = new TestClock();
      const store = await make(clock);
      const o = object('reports/monthly-compliance/2026-04/portfolio/rpt_1.json', '{"a":1}', clock);
      const info = await store.put(o);
      expect(info).toMatchObject({ key: o.key, size: 7, sha256: o.sha256, contentType: 'application/json' });
      const got = await store.get(o.key);
      expect(Buffer.from(got!.body).toString()).toBe('{"a":1}');
      expect(got!.info.sha256).toBe(o.sha256);
      expect(Date.parse(got!.info.retainUntil)).toBe(Date.parse(o.retainUntil));
      expect((await store.head(o.key))!.size).toBe(7);
    });

    it('refuses to overwrite an archived object, with other bytes or the same, and keeps the original', async () => {
      const clock = new TestClock();
      const store = await make(clock);
      const o = object('violations/agr_1/2026-04/vio_1.json', 'original', clock);
      await store.put(o);
      await expect(store.put(object(o.key, 'forged', clock))).rejects.toBeInstanceOf(ArchiveOverwriteError);
      await expect(store.put(o)).rejects.toThrow(/already archived: archived objects are never overwritten/);
      expect(Buffer.from((await store.get(o.key))!.body).toString()).toBe('original');
    });

    it('refuses to delete an object within its retention, and deletes it once retention has passed', async () => {
      const clock = new TestClock();
      const store = await make(clock);
      const o = object('credit-statements/agr_1/2026-04/cst_1.json', 'statement', clock, 30);
      await store.put(o);
      await expect(store.delete(o.key)).rejects.toBeInstanceOf(ArchiveRetentionError);
      await expect(store.delete(o.key)).rejects.toThrow(/retained until 2026-05-31/);
      expect(await store.get(o.key)).toBeDefined();
      clock.advance(31 * DAY);
      await store.delete(o.key);
      expect(await store.get(o.key)).toBeUndefined();
    });

    it('refuses bytes that do not match the SHA-256 sent with them, and stores nothing', async () => {
      const clock = new TestClock();
      const store = await make(clock);
      const o = { ...object('reports/x/2026-04/p/r.json', 'right', clock), sha256: sha(bytes('wrong')) };
      await expect(store.put(o)).rejects.toBeInstanceOf(ArchiveIntegrityError);
      expect(await store.head(o.key)).toBeUndefined();
    });

    it('lists keys under a prefix in key order, a page at a time', async () => {
      const clock = new TestClock();
      const store = await make(clock);
      for (const k of [
        'manifest/0000000002.json',
        'manifest/0000000001.json',
        'manifest/0000000003.json',
        'reports/a/2026-04/p/r.json',
      ])
        await store.put(object(k, k, clock));
      const first = await store.list('manifest/', { limit: 2 });
      expect(first.items.map((i) => i.key)).toEqual(['manifest/0000000001.json', 'manifest/0000000002.json']);
      expect(first.next).toBe('manifest/0000000002.json');
      const second = await store.list('manifest/', { limit: 2, after: first.next! });
      expect(second.items.map((i) => i.key)).toEqual(['manifest/0000000003.json']);
      expect(second.next).toBeUndefined();
      expect((await store.list('reports/')).items.map((i) => i.size)).toEqual([26]);
      expect((await store.list('nothing/')).items).toEqual([]);
    });

    it('answers nothing for a key that holds no object', async () => {
      const store = await make(new TestClock());
      expect(await store.head('reports/none/2026-04/p/r.json')).toBeUndefined();
      expect(await store.get('reports/none/2026-04/p/r.json')).toBeUndefined();
    });

    it('refuses keys that could escape the archive or are not keys at all', async () => {
      const clock = new TestClock();
      const store = await make(clock);
      for (const key of ['../etc/passwd', 'reports/../../x', '/abs', 'a//b', ''])
        await expect(store.put(object(key, 'x', clock))).rejects.toBeInstanceOf(ValidationError);
    });
  });
}
