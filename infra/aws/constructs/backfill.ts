import { ArnFormat, Duration, NestedStack, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RESULTS_PREFIX } from '../../../shared/usecases/backfill-runs.js';
import { BACKFILL_WORKFLOW, definitionPath } from '../../../shared/workflows.js';
import { backfillMachineName, deploymentStack } from '../workflow-names.js';
import type { DataResources } from './data.js';
import { AccordFunction } from './function.js';

export interface BackfillPipelineProps {
  data: DataResources;
  environment: Record<string, string>;
}

/** Days chunk objects and the map's result files are kept: a run reads them within hours; the job is in the audit. */
export const BACKFILL_OBJECT_DAYS = 30;

/**
 * Backfill runs on AWS (docs/backfill.md, "Large files on AWS"), in a nested stack of their own (the main stack keeps
 * its headroom under CloudFormation's 500 resources): the backfill bucket (encrypted, TLS only, no public access,
 * objects expire after 30 days), the Step Functions Standard state machine of infra/workflows/backfill.asl.json (a
 * Distributed Map over the chunk objects under a prefix) and its two task functions. Least privilege: the item
 * processor reads objects of this bucket and writes samples, rollups and audit entries; the report function reads the
 * map's result files only; the machine lists the bucket, writes its results under results/, invokes exactly those two
 * functions and starts, describes and stops its own child executions.
 */
export class BackfillPipeline extends Construct {
  readonly stack: NestedStack;
  readonly bucket: s3.Bucket;
  readonly machine: sfn.StateMachine;
  readonly objectFunction: AccordFunction;
  readonly reportFunction: AccordFunction;

  constructor(scope: Construct, id: string, props: BackfillPipelineProps) {
    super(scope, id);
    this.stack = new NestedStack(this, 'Stack', {
      description: 'Accord backfill runs: the backfill bucket and the Distributed Map over its chunk objects',
    });
    const deployment = deploymentStack(this);
    const machineName = backfillMachineName(deployment);
    const nested = this.stack;

    this.bucket = new s3.Bucket(nested, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-chunks-and-results',
          expiration: Duration.days(BACKFILL_OBJECT_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The backfill bucket holds transient chunk files (expired after 30 days); every import of an object is recorded in the audit table (entity telemetry-backfill: by, reason, counts; the run under telemetry-backfill-run: each object that failed), and the execution history names every object read.',
    });

    const taskFeatures = {
      telemetry: true,
      objectives: false,
      vendors: false,
      reports: false,
      ecosystem: true,
    };
    this.objectFunction = new AccordFunction(nested, 'ObjectFn', {
      handler: BACKFILL_WORKFLOW.substitutions.BackfillObjectFunctionArn.handler,
      environment: props.environment,
      // As the HTTP chunk import: samples, rollups, series state, the job's audit entries.
      grants: { data: 'read', rollups: 'write', rawSamples: true, audit: 'write' },
      data: props.data,
      memorySize: 1769,
      timeout: Duration.minutes(10),
      invocation: 'workflow',
      features: taskFeatures,
      description: 'Accord backfill run: imports one chunk object of the Distributed Map',
    });
    this.objectFunction.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('*')] }),
    );
    const bucketArnRef = `<${nested.getLogicalId(this.bucket.node.defaultChild as never)}.Arn>`;
    Validations.of(this.objectFunction.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketArnRef}/*]`,
      reason:
        'Chunk objects are uploaded under any prefix an administrator chooses: GetObject (read only) on the backfill bucket alone.',
    });
    this.reportFunction = new AccordFunction(nested, 'ReportFn', {
      handler: BACKFILL_WORKFLOW.substitutions.BackfillReportFunctionArn.handler,
      environment: props.environment,
      grants: { audit: 'write' },
      data: props.data,
      timeout: Duration.minutes(2),
      invocation: 'workflow',
      features: taskFeatures,
      description: "Accord backfill run: records the run's report from the map's result files",
    });
    this.reportFunction.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${RESULTS_PREFIX}*`)],
      }),
    );
    Validations.of(this.reportFunction.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketArnRef}/${RESULTS_PREFIX}*]`,
      reason:
        'The Distributed Map names its result files per map run (results/<map run id>/…): read only, under results/ of the backfill bucket only.',
    });

    const logGroup = new logs.LogGroup(nested, 'MachineLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.machine = new sfn.StateMachine(nested, 'Machine', {
      stateMachineName: machineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(definitionPath(BACKFILL_WORKFLOW)),
      definitionSubstitutions: {
        [BACKFILL_WORKFLOW.bucketPlaceholder]: this.bucket.bucketName,
        BackfillObjectFunctionArn: this.objectFunction.fn.functionArn,
        BackfillReportFunctionArn: this.reportFunction.fn.functionArn,
      },
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: BACKFILL_WORKFLOW.description,
    });
    const role = this.machine.role;
    this.objectFunction.fn.grantInvoke(role);
    this.reportFunction.fn.grantInvoke(role);
    // The ItemReader lists the run's prefix; the ResultWriter writes the map's results under results/.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects(`${RESULTS_PREFIX}*`)],
      }),
    );
    // A Distributed Map runs each item as a child execution of this same state machine.
    const selfArn = (resource: 'stateMachine' | 'execution', name: string) =>
      Stack.of(nested).formatArn({
        service: 'states',
        resource,
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [selfArn('stateMachine', machineName)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [selfArn('execution', `${machineName}/*`)],
      }),
    );
    const ack = (resource: string, reason: string) =>
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    ack(
      '*',
      'Step Functions adds the log-delivery and X-Ray actions its service requires (logs:CreateLogDelivery…, xray:PutTraceSegments), which have no resource-level permissions.',
    );
    for (const fn of [this.objectFunction, this.reportFunction])
      ack(
        `<${nested.getLogicalId(fn.fn.node.defaultChild as never)}.Arn>:*`,
        'lambda:InvokeFunction on the task function and its versions (the `:*` qualifier CDK grants).',
      );
    ack(
      `${bucketArnRef}/${RESULTS_PREFIX}*`,
      "The Distributed Map's ResultWriter names its files per map run under results/: only there, in the backfill bucket.",
    );
    const st = Stack.of(nested);
    const region = Token.isUnresolved(st.region) ? '<AWS::Region>' : st.region;
    const account = Token.isUnresolved(st.account) ? '<AWS::AccountId>' : st.account;
    ack(
      `arn:<AWS::Partition>:states:${region}:${account}:execution:${machineName}/*`,
      "The Distributed Map's child executions of this state machine, whose names Step Functions mints per map run: describe and stop only.",
    );
  }
}
