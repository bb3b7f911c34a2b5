import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { Clock } from '../../shared/ports/clock.js';

interface Version {
  versionId: string;
  body: Uint8Array;
  contentType: string | undefined;
  checksum: string | undefined;
  metadata: Record<string, string>;
  retainUntil: Date | undefined;
  lastModified: Date;
  deleteMarker: boolean;
}

const fail = (name: string, status: number, message: string) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });

/**
 * An S3 bucket with versioning and Object Lock (COMPLIANCE, a default retention) behind aws-sdk-client-mock,
 * behaving as S3 documents it: a conditional put (`If-None-Match: *`) on an existing key is 412
 * PreconditionFailed; a put with Object Lock parameters and no checksum is 400 InvalidRequest; a checksum that
 * does not match the body is 400 BadDigest; deleting a locked version before its date is 403 AccessDenied;
 * deleting without a version id only adds a delete marker. It records every request for assertions.
 */
export function fakeObjectLockBucket(clock: Clock, defaultRetentionDays = 2555) {
  const s3 = new S3Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  const mock = mockClient(s3);
  const keys = new Map<string, Version[]>();
  let n = 0;
  const latest = (key: string) => {
    const v = keys.get(key)?.at(-1);
    return v && !v.deleteMarker ? v : undefined;
  };
  mock.on(PutObjectCommand).callsFake((input) => {
    const body = input.Body as Uint8Array;
    if (input.IfNoneMatch === '*' && latest(input.Key!))
      throw fail('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold');
    if (!input.ChecksumSHA256 && !input.ContentMD5)
      throw fail(
        'InvalidRequest',
        400,
        'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters',
      );
    const actual = createHash('sha256').update(body).digest('base64');
    if (input.ChecksumSHA256 && input.ChecksumSHA256 !== actual)
      throw fail('BadDigest', 400, 'The SHA256 you specified did not match the calculated checksum.');
    const now = clock.now();
    const retainUntil =
      input.ObjectLockRetainUntilDate ?? new Date(now.getTime() + defaultRetentionDays * 86_400_000);
    const v: Version = {
      versionId: `v${++n}`,
      body: Uint8Array.from(body),
      contentType: input.ContentType,
      checksum: actual,
      metadata: input.Metadata ?? {},
      retainUntil: new Date(retainUntil),
      lastModified: now,
      deleteMarker: false,
    };
    keys.set(input.Key!, [...(keys.get(input.Key!) ?? []), v]);
    return { VersionId: v.versionId, ChecksumSHA256: actual };
  });
  const headOf = (v: Version) => ({
    ContentLength: v.body.byteLength,
    ContentType: v.contentType,
    ChecksumSHA256: v.checksum,
    Metadata: v.metadata,
    ObjectLockMode: 'COMPLIANCE' as const,
    ObjectLockRetainUntilDate: v.retainUntil,
    LastModified: v.lastModified,
    VersionId: v.versionId,
  });
  mock.on(HeadObjectCommand).callsFake((input) => {
    const v = latest(input.Key!);
    if (!v) throw fail('NotFound', 404, 'Not Found');
    return headOf(v);
  });
  mock.on(GetObjectCommand).callsFake((input) => {
    const v = latest(input.Key!);
    if (!v) throw fail('NoSuchKey', 404, 'The specified key does not exist.');
    const bytes = Uint8Array.from(v.body);
    return { ...headOf(v), Body: { transformToByteArray: async () => bytes } as never };
  });
  mock.on(ListObjectsV2Command).callsFake((input) => {
    const all = [...keys.keys()]
      .filter(
        (k) => latest(k) && k.startsWith(input.Prefix ?? '') && (!input.StartAfter || k > input.StartAfter),
      )
      .sort();
    const max = input.MaxKeys ?? 1000;
    return {
      Contents: all.slice(0, max).map((k) => ({
        Key: k,
        Size: latest(k)!.body.byteLength,
        LastModified: latest(k)!.lastModified,
      })),
      IsTruncated: all.length > max,
      KeyCount: Math.min(all.length, max),
    };
  });
  mock.on(DeleteObjectCommand).callsFake((input) => {
    const versions = keys.get(input.Key!) ?? [];
    if (!input.VersionId) {
      versions.push({
        ...versions.at(-1)!,
        versionId: `v${++n}`,
        deleteMarker: true,
        retainUntil: undefined,
      });
      return { DeleteMarker: true };
    }
    const i = versions.findIndex((v) => v.versionId === input.VersionId);
    if (i < 0) return {};
    const v = versions[i]!;
    if (v.retainUntil && v.retainUntil.getTime() > clock.now().getTime())
      throw fail('AccessDenied', 403, 'Access Denied because object protected by object lock.');
    versions.splice(i, 1);
    return { VersionId: input.VersionId };
  });
  return {
    s3,
    mock,
    /** What an attacker with the bucket's data plane (not the lock) could not do, done for the tamper tests. */
    versions: keys,
  };
}
