import { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoArchiveAccessLog } from '../adapters/dynamodb/archive-access.js';
import { UlidGenerator } from '../adapters/ids.js';
import { S3ArchiveStore } from '../adapters/s3/archive.js';
import { loadArchivePolicy } from '../policy/archive.js';
import type { Clock } from '../ports/clock.js';
import { ArchiveUseCases } from '../usecases/reports/archive.js';

/**
 * The archive on AWS, as infra/local/compose.ts wires it on a folder: S3 with Object Lock (the bucket the stack
 * names in ACCORD_ARCHIVE_BUCKET), the access log in the audit table.
 */
export function composeAwsArchive(parts: {
  doc: DynamoDBDocumentClient;
  auditTable: string;
  bucket: string;
  clock: Clock;
  s3?: S3Client;
}): ArchiveUseCases {
  const ids = new UlidGenerator(parts.clock);
  return new ArchiveUseCases({
    store: new S3ArchiveStore(parts.s3 ?? new S3Client({}), parts.bucket, parts.clock),
    accessLog: new DynamoArchiveAccessLog(parts.doc, parts.auditTable),
    clock: parts.clock,
    policy: loadArchivePolicy(),
    newId: (prefix) => `${prefix}_${ids.next()}`,
  });
}
