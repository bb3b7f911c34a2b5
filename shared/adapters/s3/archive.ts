import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
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

const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const base64ToHex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

interface S3ErrorLike {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}
const errorName = (e: unknown) => (e as S3ErrorLike).name ?? (e as S3ErrorLike).Code ?? '';
const statusOf = (e: unknown) => (e as S3ErrorLike).$metadata?.httpStatusCode;

/**
 * The archive on S3 with Object Lock (the bucket is made by infra/aws/constructs/archive.ts: COMPLIANCE mode
 * with a default retention, versioning, KMS, access logs to a separate bucket).
 *
 * - put: `If-None-Match: *` makes it write-once (S3 answers 412 when the key exists, so a versioned bucket
 *   does not quietly stack a second version); every upload sends its SHA-256 (`x-amz-checksum-sha256`, which
 *   S3 checks and Object Lock requires) and its own COMPLIANCE retain-until date from policy.
 * - delete: refused here within retention with a clear message; S3 refuses it too (a locked version cannot
 *   be deleted by anyone, root included, until its date).
 * - downloadLink: a presigned GET, valid for minutes.
 */
export class S3ArchiveStore implements ArchiveStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly clock: Clock,
  ) {}

  async put(o: ArchivePut): Promise<ArchiveObjectInfo> {
    checkKey(o.key);
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: o.key,
          Body: o.body,
          ContentType: o.contentType,
          ContentLength: o.body.byteLength,
          ChecksumAlgorithm: 'SHA256',
          ChecksumSHA256: hexToBase64(o.sha256),
          IfNoneMatch: '*',
          ObjectLockMode: 'COMPLIANCE',
          ObjectLockRetainUntilDate: new Date(o.retainUntil),
          Metadata: { sha256: o.sha256 },
        }),
      );
    } catch (e) {
      const name = errorName(e);
      if (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || statusOf(e) === 412)
        throw new ArchiveOverwriteError(o.key);
      if (name === 'BadDigest' || name === 'XAmzContentSHA256Mismatch')
        throw new ArchiveIntegrityError(o.key);
      throw e;
    }
    return {
      key: o.key,
      size: o.body.byteLength,
      contentType: o.contentType,
      sha256: o.sha256,
      retainUntil: new Date(o.retainUntil).toISOString(),
      storedAt: this.clock.now().toISOString(),
    };
  }

  async head(key: string): Promise<ArchiveObjectInfo | undefined> {
    if (!isArchiveKey(key)) return undefined;
    try {
      const r = await this.s3.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
      return infoOf(key, r);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async get(key: string): Promise<{ info: ArchiveObjectInfo; body: Uint8Array } | undefined> {
    if (!isArchiveKey(key)) return undefined;
    try {
      const r = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: 'ENABLED' }),
      );
      const body = r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
      return { info: infoOf(key, { ...r, ContentLength: body.byteLength }), body };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list(
    prefix: string,
    page: { after?: string; limit?: number } = {},
  ): Promise<{ items: ArchiveListItem[]; next?: string }> {
    const limit = Math.min(page.limit ?? 1000, 1000);
    const r = await this.s3.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: prefix,
        MaxKeys: limit,
        ...(page.after ? { StartAfter: page.after } : {}),
      }),
    );
    const items = (r.Contents ?? []).map((c) => ({
      key: c.Key!,
      size: c.Size ?? 0,
      storedAt: (c.LastModified ?? new Date(0)).toISOString(),
    }));
    return r.IsTruncated && items.length > 0 ? { items, next: items.at(-1)!.key } : { items };
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    const info = await this.head(key);
    if (!info) return;
    if (Date.parse(info.retainUntil) > this.clock.now().getTime())
      throw new ArchiveRetentionError(key, info.retainUntil);
    const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    try {
      await this.s3.send(
        new DeleteObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(head.VersionId ? { VersionId: head.VersionId } : {}),
        }),
      );
    } catch (e) {
      if (errorName(e) === 'AccessDenied') throw new ArchiveRetentionError(key, info.retainUntil);
      throw e;
    }
  }

  async downloadLink(
    key: string,
    expiresInSeconds: number,
    fileName: string,
  ): Promise<DownloadLink | undefined> {
    if (!(await this.head(key))) return undefined;
    const url = await getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition: `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"`,
      }),
      { expiresIn: expiresInSeconds },
    );
    return { url, expiresAt: new Date(this.clock.now().getTime() + expiresInSeconds * 1000).toISOString() };
  }
}

function infoOf(
  key: string,
  r: {
    ContentLength?: number | undefined;
    ContentType?: string | undefined;
    ChecksumSHA256?: string | undefined;
    Metadata?: Record<string, string> | undefined;
    ObjectLockRetainUntilDate?: Date | undefined;
    LastModified?: Date | undefined;
  },
): ArchiveObjectInfo {
  return {
    key,
    size: r.ContentLength ?? 0,
    contentType: r.ContentType ?? 'application/octet-stream',
    sha256: r.ChecksumSHA256 ? base64ToHex(r.ChecksumSHA256) : (r.Metadata?.sha256 ?? ''),
    retainUntil: (r.ObjectLockRetainUntilDate ?? new Date(0)).toISOString(),
    storedAt: (r.LastModified ?? new Date(0)).toISOString(),
  };
}

function isNotFound(e: unknown): boolean {
  const n = errorName(e);
  return n === 'NoSuchKey' || n === 'NotFound' || statusOf(e) === 404;
}

function checkKey(key: string): void {
  if (!isArchiveKey(key))
    throw new ValidationError('bad archive key', [
      { path: 'key', problem: `"${key}" is not a key of /-separated letters, digits, . _ -` },
    ]);
}
