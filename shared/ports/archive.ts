/**
 * The write-once archive (WORM): published reports, credit statements, violation records with their evidence,
 * and the manifest entries that chain them (shared/domain/archive/chain.ts).
 *
 * Adapters: S3 with Object Lock in COMPLIANCE mode (shared/adapters/s3/archive.ts), a write-once folder under
 * `.accord/archive/` (shared/adapters/fs/archive.ts), memory. All pass test/contract/archive-store.contract.ts.
 */
import { ConflictError } from '../domain/errors.js';

export interface ArchivePut {
  key: string;
  body: Uint8Array;
  contentType: string;
  /** SHA-256 of `body`, hex: the store checks the bytes it received against it (S3: `x-amz-checksum-sha256`). */
  sha256: string;
  /** The store refuses to delete or overwrite the object before this instant (ISO). */
  retainUntil: string;
}

/** What the store says about one object. */
export interface ArchiveObjectInfo {
  key: string;
  size: number;
  contentType: string;
  /** SHA-256 recorded at upload (hex). */
  sha256: string;
  retainUntil: string;
  storedAt: string;
}

/** An entry of a listing: S3's ListObjectsV2 gives no more than this. */
export interface ArchiveListItem {
  key: string;
  size: number;
  storedAt: string;
}

/** Where a person downloads an object: a presigned URL (S3), or nothing (the caller streams the bytes). */
export interface DownloadLink {
  url: string;
  expiresAt: string;
}

export interface ArchiveStore {
  /**
   * Stores an object once. ArchiveOverwriteError when the key holds an object already (whatever its bytes);
   * ArchiveIntegrityError when the bytes do not match `sha256`.
   */
  put(o: ArchivePut): Promise<ArchiveObjectInfo>;
  /** What is recorded about an object; undefined when the key holds none. */
  head(key: string): Promise<ArchiveObjectInfo | undefined>;
  /** The object's bytes as stored now; undefined when the key holds none. */
  get(key: string): Promise<{ info: ArchiveObjectInfo; body: Uint8Array } | undefined>;
  /** Keys under a prefix in key order, a page at a time (`after` = the last key of the previous page). */
  list(
    prefix: string,
    page?: { after?: string; limit?: number },
  ): Promise<{ items: ArchiveListItem[]; next?: string }>;
  /** Removes an object whose retention has passed; ArchiveRetentionError within retention. */
  delete(key: string): Promise<void>;
  /** A time-limited download URL where the backend has them (S3); undefined elsewhere. */
  downloadLink(key: string, expiresInSeconds: number, fileName: string): Promise<DownloadLink | undefined>;
}

/** The key already holds an object: the archive is write-once (409). */
export class ArchiveOverwriteError extends ConflictError {
  override readonly code = 'archive_write_once';
  constructor(key: string) {
    super(`${key} is already archived: archived objects are never overwritten`, [
      { path: 'key', problem: 'already holds an archived object' },
    ]);
  }
}

/** The object is retained: deleting it is refused until its retention ends (409). */
export class ArchiveRetentionError extends ConflictError {
  override readonly code = 'archive_retained';
  constructor(key: string, retainUntil: string) {
    super(`${key} is retained until ${retainUntil}: it cannot be deleted or changed before then`, [
      { path: 'key', problem: `retained until ${retainUntil}` },
    ]);
  }
}

/** The bytes the store received do not match the checksum sent with them: nothing was stored. */
export class ArchiveIntegrityError extends ConflictError {
  override readonly code = 'archive_checksum_mismatch';
  constructor(key: string) {
    super(`${key}: the bytes received do not match their SHA-256; nothing was stored`, [
      { path: 'sha256', problem: 'does not match the body' },
    ]);
  }
}

/** The newest manifest entry of the chain, as recorded outside the archive: its number and hash. */
export interface ArchiveHead {
  seq: number;
  /** The entry's hash (SHA-256 of its canonical JSON, hex). */
  hash: string;
}

/**
 * The chain's head kept apart from the archive (the embedded database, DynamoDB), so that deleting the newest
 * objects and their manifest entries from the archive is seen: the chain that remains is whole, only this record
 * says it was longer. Write-once and append-only in effect: the head only ever moves forward.
 */
export interface ArchiveHeadStore {
  /** The head last recorded; undefined while nothing was ever archived. */
  get(): Promise<ArchiveHead | undefined>;
  /**
   * Records `head` unless the recorded head is already at `head.seq` or beyond (a concurrent writer got
   * further, or the same entry is recorded twice): the head never moves back. Atomic on every backend.
   */
  raise(head: ArchiveHead): Promise<void>;
}

/** One retrieval of archived material (a listing, a download, a verification), as the access log keeps it. */
export interface ArchiveAccess {
  id: string;
  at: string;
  /** The authenticated caller. */
  subject: string;
  action: 'list' | 'download' | 'verify';
  /** The object downloaded, or the filter listed or verified. */
  target: string;
  requestId: string;
}

/** The log of every retrieval from the archive (kept outside the archive: the archive stays write-once for records). */
export interface ArchiveAccessLog {
  record(a: ArchiveAccess): Promise<void>;
  /** Newest first, with from <= at < to. */
  list(q: { from: string; to: string; limit: number }): Promise<ArchiveAccess[]>;
}
