import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as timestream from 'aws-cdk-lib/aws-timestream';
import { Construct } from 'constructs';
import {
  AUDIT_TABLE,
  DATA_TABLE,
  ROLLUPS_TABLE,
  type TableDef,
  VENDOR_KEYS_TABLE,
  WORKFLOWS_TABLE,
} from '../../../shared/adapters/dynamodb/tables.js';
import { ArchiveBucket } from './archive.js';
import { acknowledgeDlq } from './queues.js';

/** Recovery objectives the backup plan is built to (docs/aws.md explains them). */
export const RECOVERY = {
  /** PITR: restore to any second in the last 35 days; RPO about 5 minutes for a restore from PITR. */
  pitrDays: 35,
  /** AWS Backup: daily snapshots kept 35 days, monthly kept a year. */
  dailyRetentionDays: 35,
  monthlyRetentionDays: 365,
} as const;

export interface DataProps {
  /** Deploy the Timestream raw store (new AWS accounts cannot create Timestream since 2025-06-20). */
  timestream: boolean;
}

type TableName = 'data' | 'audit' | 'vendorKeys' | 'rollups' | 'workflows';

/**
 * The data of one residency region: DynamoDB tables (from the shared table definitions), their customer-managed
 * key, the backup plan, and telemetry's raw store (Timestream, behind a switch) with its SQS fallback queue.
 */
export class DataResources extends Construct {
  readonly key: kms.Key;
  readonly tables: Record<TableName, dynamodb.Table>;
  readonly defs: Record<TableName, TableDef> = {
    data: DATA_TABLE,
    audit: AUDIT_TABLE,
    vendorKeys: VENDOR_KEYS_TABLE,
    rollups: ROLLUPS_TABLE,
    workflows: WORKFLOWS_TABLE,
  };
  readonly rawFallbackQueue: sqs.Queue;
  readonly rawFallbackDlq: sqs.Queue;
  readonly timestreamDatabase?: timestream.CfnDatabase;
  readonly timestreamTable?: timestream.CfnTable;
  readonly timestreamTableArn?: string;
  readonly backupPlan: backup.BackupPlan;
  /** The WORM archive (reports, credit statements, violations): S3 Object Lock, COMPLIANCE mode. */
  readonly archive: ArchiveBucket;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Accord data: DynamoDB tables, queues, backups, Timestream',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const table = (def: TableDef) => {
      const t = new dynamodb.Table(this, def.id, {
        partitionKey: { name: def.partitionKey.name, type: attrType(def.partitionKey.type) },
        ...(def.sortKey ? { sortKey: { name: def.sortKey.name, type: attrType(def.sortKey.type) } } : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: {
          pointInTimeRecoveryEnabled: true,
          recoveryPeriodInDays: RECOVERY.pitrDays,
        },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.key,
        ...(def.stream ? { stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES } : {}),
        ...(def.ttl ? { timeToLiveAttribute: def.ttl } : {}),
      });
      for (const i of def.indexes) {
        t.addGlobalSecondaryIndex({
          indexName: i.indexName,
          partitionKey: { name: i.partitionKey.name, type: attrType(i.partitionKey.type) },
          sortKey: { name: i.sortKey.name, type: attrType(i.sortKey.type) },
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      return t;
    };
    this.tables = {
      data: table(DATA_TABLE),
      audit: table(AUDIT_TABLE),
      vendorKeys: table(VENDOR_KEYS_TABLE),
      rollups: table(ROLLUPS_TABLE),
      workflows: table(WORKFLOWS_TABLE),
    };

    this.archive = new ArchiveBucket(this, 'Archive', { key: this.key });

    this.rawFallbackDlq = new sqs.Queue(this, 'RawFallbackDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeDlq(this.rawFallbackDlq, 'it is the dead-letter queue of the raw-sample fallback queue');
    this.rawFallbackQueue = new sqs.Queue(this, 'RawFallback', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      visibilityTimeout: Duration.minutes(5),
      deadLetterQueue: { queue: this.rawFallbackDlq, maxReceiveCount: 10 },
    });
    new cloudwatch.Alarm(this, 'RawFallbackBacklog', {
      alarmDescription: 'Raw telemetry samples wait in the fallback queue: the raw store is refusing writes',
      metric: this.rawFallbackQueue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5) }),
      threshold: 15 * 60,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    if (props.timestream) {
      this.timestreamDatabase = new timestream.CfnDatabase(this, 'TelemetryDb', {
        kmsKeyId: this.key.keyArn,
      });
      this.timestreamTable = new timestream.CfnTable(this, 'RawSamples', {
        databaseName: this.timestreamDatabase.ref,
        retentionProperties: {
          MemoryStoreRetentionPeriodInHours: '24',
          MagneticStoreRetentionPeriodInDays: '400',
        },
        magneticStoreWriteProperties: { EnableMagneticStoreWrites: true },
      });
      this.timestreamTable.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.timestreamDatabase.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.timestreamTableArn = this.timestreamTable.attrArn;
      for (const r of [this.timestreamDatabase, this.timestreamTable]) {
        Validations.of(r).acknowledge({
          id: 'CloudFormation-Validate::W3697',
          reason:
            'Timestream is the raw store the design asks for, deployed only with context timestream=true (accounts that had it before 2025-06-20); SLO evaluation runs on the DynamoDB rollups either way.',
        });
      }
    }

    const vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.backupPlan = new backup.BackupPlan(this, 'Backups', {
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: '3' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(4),
          deleteAfter: Duration.days(RECOVERY.dailyRetentionDays),
        }),
        new backup.BackupPlanRule({
          ruleName: 'Monthly',
          scheduleExpression: events.Schedule.cron({ minute: '0', hour: '4', day: '1' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(8),
          deleteAfter: Duration.days(RECOVERY.monthlyRetentionDays),
        }),
      ],
    });
    const selection = this.backupPlan.addSelection('Tables', {
      resources: Object.values(this.tables).map((t) => backup.BackupResource.fromDynamoDbTable(t)),
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'The AWS Backup service role: AWS maintains this policy with the per-service snapshot actions Backup needs; it is assumed only by backup.amazonaws.com for this plan.',
    });
  }

  /** The ARNs a grant names: the table and each of its indexes by name (no `index/*`). */
  arnsOf(name: TableName): { tableArn: string; indexArns: string[] } {
    const t = this.tables[name];
    const arn = t.tableArn;
    return {
      tableArn: arn,
      indexArns: this.defs[name].indexes.map((i) => `${arn}/index/${i.indexName}`),
    };
  }
}

function attrType(t: 'S' | 'N'): dynamodb.AttributeType {
  return t === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING;
}
