import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { isArchiveKey } from '../../domain/archive/keys.js';
import { ValidationError } from '../../domain/errors.js';
import {
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

interface Meta {
  sha256: string;
  size: number;
  contentType: string;
  retainUntil: string;
  storedAt: string;
}

let tmpSeq = 0;

/**
 * The embedded default's write-once archive, a folder (`.accord/archive/`): `objects/<key>` holds the bytes and
 * `meta/<key>.json` what was recorded at upload (SHA-256, retention). The store enforces write-once itself, as
 * S3 Object Lock does on AWS: a key is claimed by a hard link (`link(2)` fails when the name exists, atomically,
 * even between processes), files are made read-only, and delete refuses anything within its retention.
 * Someone with shell access can still edit or remove the files; the manifest hash chain makes that visible
 * (verifyArchive), which is what the tamper tests do.
 */
export class FileArchiveStore implements ArchiveStore {
  private readonly objects: string;
  private readonly meta: string;

  constructor(
    root: string,
    private readonly clock: Clock,
  ) {
    this.objects = join(root, 'objects');
    this.meta = join(root, 'meta');
    mkdirSync(this.objects, { recursive: true });
    mkdirSync(this.meta, { recursive: true });
  }

  async put(o: ArchivePut): Promise<ArchiveObjectInfo> {
    checkKey(o.key);
    if (createHash('sha256').update(o.body).digest('hex') !== o.sha256)
      throw new ArchiveIntegrityError(o.key);
    const objPath = join(this.objects, o.key);
    const metaPath = join(this.meta, `${o.key}.json`);
    if (existsSync(metaPath) || existsSync(objPath)) throw new ArchiveOverwriteError(o.key);
    const meta: Meta = {
      sha256: o.sha256,
      size: o.body.byteLength,
      contentType: o.contentType,
      retainUntil: o.retainUntil,
      storedAt: this.clock.now().toISOString(),
    };
    mkdirSync(dirname(objPath), { recursive: true });
    mkdirSync(dirname(metaPath), { recursive: true });
    const tmpMeta = writeTemp(dirname(metaPath), Buffer.from(JSON.stringify(meta)));
    const tmpObj = writeTemp(dirname(objPath), o.body);
    try {
      // The metadata's link is the claim: whoever links first owns the key; everyone else gets EEXIST.
      try {
        linkSync(tmpMeta, metaPath);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ArchiveOverwriteError(o.key);
        throw e;
      }
      try {
        linkSync(tmpObj, objPath);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ArchiveOverwriteError(o.key);
        throw e;
      }
      syncDir(dirname(metaPath));
      syncDir(dirname(objPath));
    } finally {
      rmSync(tmpMeta, { force: true });
      rmSync(tmpObj, { force: true });
    }
    return { key: o.key, ...meta };
  }

  async head(key: string): Promise<ArchiveObjectInfo | undefined> {
    if (!isArchiveKey(key)) return undefined;
    const meta = this.readMeta(key);
    if (!meta || !existsSync(join(this.objects, key))) return undefined;
    return { key, ...meta };
  }

  async get(key: string): Promise<{ info: ArchiveObjectInfo; body: Uint8Array } | undefined> {
    const info = await this.head(key);
    if (!info) return undefined;
    try {
      return { info, body: readFileSync(join(this.objects, key)) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async list(
    prefix: string,
    page: { after?: string; limit?: number } = {},
  ): Promise<{ items: ArchiveListItem[]; next?: string }> {
    const limit = page.limit ?? 1000;
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const start = join(this.objects, base);
    const keys = walk(start)
      .map((f) => relative(this.objects, f).split(sep).join('/'))
      .filter((k) => k.startsWith(prefix) && (page.after === undefined || k > page.after))
      .sort();
    const items = keys.slice(0, limit).map((key) => {
      const st = statSync(join(this.objects, key));
      const meta = this.readMeta(key);
      return { key, size: st.size, storedAt: meta?.storedAt ?? st.mtime.toISOString() };
    });
    return keys.length > limit ? { items, next: items.at(-1)!.key } : { items };
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    const meta = this.readMeta(key);
    if (!meta) {
      rmSync(join(this.objects, key), { force: true });
      return;
    }
    if (Date.parse(meta.retainUntil) > this.clock.now().getTime())
      throw new ArchiveRetentionError(key, meta.retainUntil);
    rmSync(join(this.objects, key), { force: true });
    rmSync(join(this.meta, `${key}.json`), { force: true });
  }

  async downloadLink(): Promise<DownloadLink | undefined> {
    return undefined;
  }

  private readMeta(key: string): Meta | undefined {
    try {
      return JSON.parse(readFileSync(join(this.meta, `${key}.json`), 'utf8')) as Meta;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
}

function checkKey(key: string): void {
  if (!isArchiveKey(key))
    throw new ValidationError('bad archive key', [
      { path: 'key', problem: `"${key}" is not a key of /-separated letters, digits, . _ -` },
    ]);
}

/** Writes bytes to a fresh read-only temporary file in dir, fsynced; answers its path. */
function writeTemp(dir: string, data: Uint8Array): string {
  const path = join(dir, `.tmp-${process.pid}-${tmpSeq++}`);
  const fd = openSync(path, 'wx', 0o444);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o444);
  return path;
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function walk(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
      return [];
    throw e;
  }
  const out: string[] = [];
  for (const n of names) {
    if (n.startsWith('.')) continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** For the tamper tests and operators: the file that holds an object's bytes. */
export function archiveObjectPath(root: string, key: string): string {
  return join(root, 'objects', key);
}
