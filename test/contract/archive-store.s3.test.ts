import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3ArchiveStore } from '../../shared/adapters/s3/archive.js';
import { TestClock } from '../helpers/clock.js';
import { fakeObjectLockBucket } from '../helpers/fake-s3.js';
import { archiveStoreContract } from './archive-store.contract.js';

archiveStoreContract('S3 Object Lock (aws-sdk-client-mock)', (clock) => {
  const { s3 } = fakeObjectLockBucket(clock);
  return new S3ArchiveStore(s3, 'accord-archive', clock);
});

describe('the S3 archive adapter', () => {
  it('sends a SHA-256 checksum, If-None-Match and a COMPLIANCE retain-until date with every upload', async () => {
    const clock = new TestClock();
    const { s3, mock } = fakeObjectLockBucket(clock);
    const store = new S3ArchiveStore(s3, 'accord-archive', clock);
    const body = new TextEncoder().encode('abc');
    await store.put({
      key: 'reports/t/2026-04/p/r.json',
      body,
      contentType: 'application/json',
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      retainUntil: '2033-05-01T00:00:00.000Z',
    });
    const [call] = mock.commandCalls(PutObjectCommand);
    expect(call!.args[0].input).toMatchObject({
      Bucket: 'accord-archive',
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=',
      IfNoneMatch: '*',
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: new Date('2033-05-01T00:00:00.000Z'),
    });
  });

  it('gives a presigned GET URL that names the bucket, the key and its expiry', async () => {
    const clock = new TestClock();
    const { s3 } = fakeObjectLockBucket(clock);
    const store = new S3ArchiveStore(s3, 'accord-archive', clock);
    const body = new TextEncoder().encode('abc');
    await store.put({
      key: 'reports/t/2026-04/p/r.pdf',
      body,
      contentType: 'application/pdf',
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      retainUntil: '2033-05-01T00:00:00.000Z',
    });
    const link = await store.downloadLink('reports/t/2026-04/p/r.pdf', 300, 'r.pdf');
    const url = new URL(link!.url);
    expect(url.hostname).toBe('accord-archive.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/reports/t/2026-04/p/r.pdf');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(link!.expiresAt).toBe('2026-05-01T09:05:00.000Z');
    expect(await store.downloadLink('reports/none/2026-04/p/r.pdf', 300, 'r.pdf')).toBeUndefined();
  });
});
