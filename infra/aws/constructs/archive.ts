import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { loadArchivePolicy } from '../../../shared/policy/archive.js';

/**
 * The write-once archive: an S3 bucket with Object Lock in COMPLIANCE mode and a default retention from
 * shared/policy/archive.json (no one, root included, can shorten it or delete a locked version before its
 * date), versioning (Object Lock needs it), the data key (KMS), TLS only, no public access; its server access
 * logs go to a separate bucket, since a locked bucket cannot be its own log target.
 */
export class ArchiveBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly logs: s3.Bucket;

  constructor(scope: Construct, id: string, props: { key: kms.IKey }) {
    super(scope, id);
    const policy = loadArchivePolicy();
    this.logs = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access log delivery writes with SSE-S3 only (SSE-KMS targets are not supported).
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Log delivery writes through the LogDeliveryWrite ACL CDK grants here (object writer ownership).
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(policy.defaultRetentionDays) }],
    });
    Validations.of(this.logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the archive: logging its own access would log into itself; it is versioned, TLS-only and private.',
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(
        Duration.days(policy.defaultRetentionDays),
      ),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'archive/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
