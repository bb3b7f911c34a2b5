import { createHash } from 'node:crypto';
import { isArchiveKey } from '../../domain/archive/keys.js';
import { ValidationError } from '../../domain/errors.js';
import {
  type ArchiveAccess,
  type ArchiveAccessLog,
  type ArchiveHead,
  type ArchiveHeadStore,
  ArchiveIntegrityError,
  type ArchiveListItem,
  type ArchiveObjectInfo,
  ArchiveOverwriteError,
  type ArchivePut,
  ArchiveRetentionError,
  type ArchiveStore,
  type DownloadLink,
} from '../../ports/archive.js';
import type { Clock } from '../../ports/clock.js';

export const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

/** The archive in memory (tests): write-once and retention enforced exactly as the other adapters do. */
export class MemoryArchiveStore implements ArchiveStore {
  private readonly objects = new Map<string, { info: ArchiveObjectInfo; body: Uint8Array }>();
  constructor(private readonly clock: Clock) {}

  async put(o: ArchivePut): Promise<ArchiveObjectInfo> {
    if (!isArchiveKey(o.key))
      throw new ValidationError('bad archive key', [
        { path: 'key', problem: `"${o.key}" is not an archive key` },
      ]);
    if (this.objects.has(o.key)) throw new ArchiveOverwriteError(o.key);
    if (sha256Hex(o.body) !== o.sha256) throw new ArchiveIntegrityError(o.key);
    const info: ArchiveObjectInfo = {
      key: o.key,
      size: o.body.byteLength,
      contentType: o.contentType,
      sha256: o.sha256,
      retainUntil: o.retainUntil,
      storedAt: this.clock.now().toISOString(),
    };
    this.objects.set(o.key, { info, body: Uint8Array.from(o.body) });
    return { ...info };
  }

  async head(key: string): Promise<ArchiveObjectInfo | undefined> {
    const o = this.objects.get(key);
    return o ? { ...o.info } : undefined;
  }

  async get(key: string): Promise<{ info: ArchiveObjectInfo; body: Uint8Array } | undefined> {
    const o = this.objects.get(key);
    return o ? { info: { ...o.info }, body: Uint8Array.from(o.body) } : undefined;
  }

  async list(
    prefix: string,
    page: { after?: string; limit?: number } = {},
  ): Promise<{ items: ArchiveListItem[]; next?: string }> {
    const limit = page.limit ?? 1000;
    const keys = [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix) && (page.after === undefined || k > page.after))
      .sort();
    const items = keys.slice(0, limit).map((k) => {
      const { info } = this.objects.get(k)!;
      return { key: k, size: info.size, storedAt: info.storedAt };
    });
    return keys.length > limit ? { items, next: items.at(-1)!.key } : { items };
  }

  async delete(key: string): Promise<void> {
    const o = this.objects.get(key);
    if (!o) return;
    if (Date.parse(o.info.retainUntil) > this.clock.now().getTime())
      throw new ArchiveRetentionError(key, o.info.retainUntil);
    this.objects.delete(key);
  }

  async downloadLink(): Promise<DownloadLink | undefined> {
    return undefined;
  }

  /** Test hook: what an attacker with access to the backing store could do (bypassing the adapter). */
  tamper(key: string, change: (body: Uint8Array) => Uint8Array | undefined): void {
    const o = this.objects.get(key);
    if (!o) return;
    const body = change(Uint8Array.from(o.body));
    if (body === undefined) this.objects.delete(key);
    else o.body = body;
  }
}

/** The archive access log in memory. */
export class MemoryArchiveAccessLog implements ArchiveAccessLog {
  private readonly items: ArchiveAccess[] = [];
  async record(a: ArchiveAccess): Promise<void> {
    if (!this.items.some((x) => x.id === a.id)) this.items.push({ ...a });
  }
  async list(q: { from: string; to: string; limit: number }): Promise<ArchiveAccess[]> {
    return this.items
      .filter((a) => a.at >= q.from && a.at < q.to)
      .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? 1 : -1))
      .slice(0, q.limit)
      .map((a) => ({ ...a }));
  }
}

/** The chain's recorded head in memory (tests; one process). */
export class MemoryArchiveHeadStore implements ArchiveHeadStore {
  private head: ArchiveHead | undefined;

  async get(): Promise<ArchiveHead | undefined> {
    return this.head ? { ...this.head } : undefined;
  }

  async raise(head: ArchiveHead): Promise<void> {
    if (!this.head || this.head.seq < head.seq) this.head = { seq: head.seq, hash: head.hash };
  }
}
