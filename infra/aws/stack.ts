import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { RouteSpec } from '../../shared/http/routes.js';
import type { DataSourceConfig } from '../../shared/ports/metric-source.js';
import { AWS_ENV } from '../../shared/runtime/config.js';
import type { InboundWebhookTool } from '../../shared/schemas/workflows.js';
import { Api } from './constructs/api.js';
import { AuditConsumer } from './constructs/audit.js';
import { BackfillPipeline } from './constructs/backfill.js';
import { CONSOLE_SCOPES, ConsoleSite } from './constructs/console.js';
import { DataResources } from './constructs/data.js';
import { AccordFunction, handlerExists, handlerId } from './constructs/function.js';
import { Identity } from './constructs/identity.js';
import { acknowledgeDlq } from './constructs/queues.js';
import { Workflows } from './constructs/workflows.js';
import { scheduleGrants } from './grants.js';
import type { VendorTiers } from './tiers.js';
import { workflowNames } from './workflow-names.js';

/** A scheduled job, as shared/schedules.ts lists them. */
export interface Schedule {
  id: string;
  cron: string;
  handler: string;
  description: string;
}

export interface AccordStackProps extends StackProps {
  /** The residency region this deployment serves: it refuses agreements resident anywhere else. */
  residencyRegion: string;
  timestream: boolean;
  routes: readonly RouteSpec[];
  schedules: readonly Schedule[];
  tiers: VendorTiers;
  version: string;
  /** Pull data sources (public HTTPS, tokens by Secrets Manager ARN); none by default. */
  dataSources?: readonly DataSourceConfig[];
  /** Ticketing tools that may call POST /v1/webhooks/tasks (secrets by Secrets Manager ARN); none by default. */
  inboundWebhookTools?: readonly InboundWebhookTool[];
}

/**
 * Everything one residency region runs: data (tables, key, backups, raw telemetry store), identity (Cognito),
 * the API (from the route table), the audit consumer (from the stream), and the scheduled jobs.
 */
export class AccordStack extends Stack {
  readonly data: DataResources;
  readonly identity: Identity;
  readonly api: Api;
  readonly audit: AuditConsumer;
  readonly console: ConsoleSite;
  readonly workflows: Workflows;
  readonly scheduled = new Map<string, AccordFunction>();
  replay?: AccordFunction;
  /** Backfill runs: the backfill bucket and its Distributed Map (a nested stack of their own). */
  readonly backfill: BackfillPipeline;

  constructor(scope: Construct, id: string, props: AccordStackProps) {
    super(scope, id, props);
    this.data = new DataResources(this, 'Data', { timestream: props.timestream });
    this.identity = new Identity(this, 'Identity');
    const d = this.data;
    const environment: Record<string, string> = {
      ACCORD_RESIDENCY_REGION: props.residencyRegion,
      ACCORD_VERSION: props.version,
      [AWS_ENV.dataTable]: d.tables.data.tableName,
      [AWS_ENV.auditTable]: d.tables.audit.tableName,
      [AWS_ENV.vendorKeysTable]: d.tables.vendorKeys.tableName,
      [AWS_ENV.rollupsTable]: d.tables.rollups.tableName,
      [AWS_ENV.rawFallbackQueueUrl]: d.rawFallbackQueue.queueUrl,
      [AWS_ENV.rawRefusedQueueUrl]: d.rawFallbackDlq.queueUrl,
      [AWS_ENV.archiveBucket]: d.archive.bucket.bucketName,
      ...(d.timestreamDatabase && d.timestreamTable
        ? {
            [AWS_ENV.timestreamDatabase]: d.timestreamDatabase.ref,
            [AWS_ENV.timestreamTable]: d.timestreamTable.attrName,
          }
        : {}),
      [AWS_ENV.workflowsTable]: d.tables.workflows.tableName,
      [AWS_ENV.stateMachineArnPrefix]: workflowNames(this).machineArnPrefix,
      [AWS_ENV.sesConfigurationSet]: workflowNames(this).configurationSet,
      // Names, URLs and secret ARNs only (no token): every telemetry function needs the list (pulled SLIs take no
      // pushed samples); only the pulling functions may read the secrets (below).
      ...(props.dataSources?.length ? { ACCORD_DATA_SOURCES: JSON.stringify(props.dataSources) } : {}),
      // Tool names, scopes and secret ARNs only: the inbound webhook function alone may read the secrets (below).
      ...(props.inboundWebhookTools?.length
        ? { ACCORD_INBOUND_WEBHOOK_TOOLS: JSON.stringify(props.inboundWebhookTools) }
        : {}),
      POWERTOOLS_SERVICE_NAME: 'accord',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    this.api = new Api(this, 'Api', {
      routes: props.routes,
      data: d,
      identity: this.identity,
      tiers: props.tiers,
      environment,
    });
    this.console = new ConsoleSite(this, 'Console', {
      api: this.api.api,
      userPool: this.identity.userPool,
      client: this.identity.client,
    });
    this.identity.allowConsole(this.console.url, CONSOLE_SCOPES);
    this.audit = new AuditConsumer(this, 'Audit', { data: d, environment });
    this.workflows = new Workflows(this, 'Workflows', { data: d, environment });
    this.backfill = new BackfillPipeline(this, 'Backfill', { data: d, environment });

    // Raw samples the raw store refused wait in the fallback queue; this consumer replays them.
    if (handlerExists('telemetry/replay')) {
      this.replay = new AccordFunction(this, 'TelemetryReplay', {
        handler: 'telemetry/replay',
        environment,
        grants: { rollups: 'write', rawSamples: true },
        data: d,
        timeout: Duration.seconds(60),
        invocation: 'queue',
        features: { telemetry: true, objectives: false, vendors: false, reports: false },
        description: 'Accord telemetry: replays spooled raw samples into the raw store',
      });
      this.replay.fn.addEventSource(
        new SqsEventSource(d.rawFallbackQueue, { batchSize: 10, reportBatchItemFailures: true }),
      );
      Validations.of(this.replay.fn).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS event sources take no on-failure destination: a message that keeps failing replay stays in the fallback queue and moves to its dead-letter queue after 10 receives (with an age alarm on the queue).',
      });
    }

    const schedules = props.schedules.filter((s) => handlerExists(s.handler));
    if (schedules.length) {
      // Holds only EventBridge events (a schedule id and a time), no data: SQS-managed encryption suffices.
      const dlq = new sqs.Queue(this, 'ScheduleDlq', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledgeDlq(dlq, 'it is the dead-letter queue of the scheduled jobs and their EventBridge targets');
      for (const s of schedules) {
        // The jobs' functions sit in the handlers' nested stack beside the route handlers: the API's methods,
        // resources and invoke permissions alone bring the main stack near CloudFormation's 500-resource limit.
        const job = new AccordFunction(this.api.handlers, `Job${handlerId(s.id)}`, {
          handler: s.handler,
          environment,
          grants: scheduleGrants(s.handler),
          data: d,
          timeout: Duration.minutes(5),
          memorySize: 1024,
          invocation: 'schedule',
          description: `Accord schedule ${s.id}: ${s.description}`.slice(0, 256),
        });
        job.fn.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(dlq) });
        dlq.grantSendMessages(job.role);
        new events.Rule(this, `Schedule${handlerId(s.id)}`, {
          description: s.description.slice(0, 512),
          schedule: events.Schedule.expression(s.cron),
          targets: [new targets.LambdaFunction(job.fn, { deadLetterQueue: dlq, retryAttempts: 2 })],
        });
        this.scheduled.set(s.id, job);
      }
    }

    // The pulling functions (the schedule, the history pull) alone read the data sources' token secrets.
    const secrets = (props.dataSources ?? []).flatMap((x) =>
      x.bearerTokenSecretArn ? [x.bearerTokenSecretArn] : [],
    );
    if (secrets.length) {
      const pullers = [
        this.scheduled.get('pull-data-sources'),
        this.api.functions.get('ecosystem/pull-history'),
      ];
      for (const f of pullers)
        f?.role.addToPolicy(
          new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secrets }),
        );
    }

    // The inbound webhook function alone reads the ticketing tools' signing secrets.
    const toolSecrets = (props.inboundWebhookTools ?? []).flatMap((t) => t.secretArns ?? []);
    if (toolSecrets.length)
      this.api.functions
        .get('webhooks/tasks')
        ?.role.addToPolicy(
          new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: toolSecrets }),
        );

    // Every alarm of the stack notifies one topic: subscribe the on-call pager or mailbox to it after deploy.
    const alarms = new sns.Topic(this, 'Alarms', {
      masterKey: d.key,
      enforceSSL: true,
      displayName: 'Accord alarms',
    });
    d.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    for (const c of this.node.findAll()) {
      if (c instanceof cloudwatch.Alarm) c.addAlarmAction(new cwActions.SnsAction(alarms));
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topicArn });
    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url });
    new CfnOutput(this, 'ConsoleUrl', { value: this.console.url });
    new CfnOutput(this, 'SignInDomain', { value: this.console.domain.baseUrl() });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.identity.client.userPoolClientId });
    new CfnOutput(this, 'VendorKeysTable', { value: d.tables.vendorKeys.tableName });
    new CfnOutput(this, 'ArchiveBucket', { value: d.archive.bucket.bucketName });
    new CfnOutput(this, 'NotificationBouncesTopicArn', { value: this.workflows.bounces.topicArn });
    new CfnOutput(this, 'BackfillBucket', { value: this.backfill.bucket.bucketName });
  }
}
