import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AUDIT_ENTITY_ATTR } from '../../../shared/adapters/stream/change-record.js';
import { AUDIT_CONSUMER_GRANTS } from '../grants.js';
import type { DataResources } from './data.js';
import { AccordFunction } from './function.js';
import { acknowledgeDlq } from './queues.js';

/** Stream settings of the audit consumer (also asserted by test/infra). */
export const AUDIT_STREAM = {
  batchSize: 100,
  retryAttempts: 5,
  /** Stream records live 24 h; give up (to the failure queue) well before they vanish. */
  maxRecordAgeHours: 6,
} as const;

/**
 * The audit trail's only writer on AWS: the data table's stream feeds functions/audit/consumer. Failed
 * records are bisected and retried a few times, then their coordinates go to an SQS queue with an alarm.
 */
export class AuditConsumer extends Construct {
  readonly fn: AccordFunction;
  readonly failures: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;
  readonly lagAlarm: cloudwatch.Alarm;

  constructor(
    scope: Construct,
    id: string,
    props: { data: DataResources; environment: Record<string, string> },
  ) {
    super(scope, id);
    this.fn = new AccordFunction(this, 'Consumer', {
      handler: 'audit/consumer',
      environment: props.environment,
      grants: AUDIT_CONSUMER_GRANTS,
      data: props.data,
      timeout: Duration.seconds(60),
      invocation: 'stream',
      description: 'Accord audit: one audit entry per committed change, from the data table stream',
    });
    // Holds only stream coordinates (shard, sequence numbers), no record content: SQS-managed encryption suffices.
    this.failures = new sqs.Queue(this, 'Failures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeDlq(
      this.failures,
      'it is itself the on-failure destination of the audit stream; messages are replayed by an operator, not redriven',
    );
    this.fn.fn.addEventSource(
      new DynamoEventSource(props.data.tables.data, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: AUDIT_STREAM.batchSize,
        bisectBatchOnError: true,
        retryAttempts: AUDIT_STREAM.retryAttempts,
        maxRecordAge: Duration.hours(AUDIT_STREAM.maxRecordAgeHours),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failures),
        // Only current items of audited records: version items and edges never wake the function.
        filters: [
          lambda.FilterCriteria.filter({
            dynamodb: { NewImage: { [AUDIT_ENTITY_ATTR]: { S: lambda.FilterRule.exists() } } },
          }),
        ],
      }),
    );
    this.alarm = new cloudwatch.Alarm(this, 'FailuresAlarm', {
      alarmDescription:
        'Audit records failed after every retry: the audit trail has a gap until they are replayed',
      metric: this.failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // Stream records expire after 24 h and are given up after 6 h: page long before the trail falls that far behind.
    this.lagAlarm = new cloudwatch.Alarm(this, 'LagAlarm', {
      alarmDescription: 'The audit consumer is more than 15 minutes behind the data table stream',
      metric: this.fn.fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) }),
      threshold: 15 * 60 * 1000,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
