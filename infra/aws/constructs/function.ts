import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  Aspects,
  type CfnElement,
  Duration,
  type IAspect,
  Names,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { REPORT_FONT_FILES } from '../../../shared/adapters/fonts.js';
import { BUNDLE, type BundleFeatures, bundleDefine, featuresOf } from '../bundling.js';
import type { DataGrants } from '../grants.js';
import { backfillMachineArn, deploymentStack, senderIdentityArn, workflowNames } from '../workflow-names.js';
import type { DataResources } from './data.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** The source file of a handler module named in the route or schedule table (`agreements/create`). */
export function handlerEntry(handler: string): string {
  return join(REPO_ROOT, 'functions', `${handler}.ts`);
}

export function handlerExists(handler: string): boolean {
  return existsSync(handlerEntry(handler));
}

/** `agreements/create` → `AgreementsCreate`: a stable construct id per handler module. */
export function handlerId(handler: string): string {
  return handler
    .split(/[/_-]/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

export interface AccordFunctionProps {
  handler: string;
  environment: Record<string, string>;
  grants: DataGrants;
  data: DataResources;
  memorySize?: number;
  timeout?: Duration;
  description?: string;
  /** What the composition root compiles in (infra/aws/bundling.ts); from the handler path when absent. */
  features?: BundleFeatures;
  /** How it is invoked: decides where a failed event goes (and why it needs no dead-letter queue of its own). */
  invocation: 'api' | 'stream' | 'queue' | 'schedule' | 'workflow';
}

const NO_DLQ_BECAUSE: Record<AccordFunctionProps['invocation'], string> = {
  api: 'it is invoked synchronously by API Gateway: a failure is returned to the caller as a 5xx, there is no queued event to keep',
  stream:
    'it is invoked by a DynamoDB stream event source mapping, whose on-failure SQS destination keeps failed batches; a function DLQ never sees stream events',
  queue:
    "it is invoked by an SQS event source mapping: a failed message returns to its queue and moves to that queue's dead-letter queue after maxReceiveCount",
  schedule:
    'its asynchronous invocations from EventBridge have an on-failure destination (SQS) and the rule target has its own DLQ',
  workflow:
    "it is invoked synchronously by Step Functions, whose Retry and Catch in the state machine decide what a failure means; the execution's history keeps the event",
};

const READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const KMS_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KMS_WRITE = ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

/**
 * The one place Lambda defaults live: Node.js 24 on arm64, active tracing, a log group with retention, esbuild
 * bundling (minified, source maps), the deployment's settings as environment (read once at cold start into
 * shared/runtime/config.ts), its own role with exactly the data actions its routes need: named actions on
 * named tables and indexes, no wildcard action and no wildcard resource on data.
 */
export class AccordFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AccordFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Accord ${props.handler}: logs, traces and the data its routes need`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    const features = props.features ?? featuresOf(props.handler);
    this.fn = new NodejsFunction(this, 'Fn', {
      entry: handlerEntry(props.handler),
      handler: 'handler',
      description: props.description ?? `Accord ${props.handler}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      role: this.role,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        minify: BUNDLE.minify,
        sourceMap: BUNDLE.sourceMap,
        sourcesContent: BUNDLE.sourcesContent,
        target: BUNDLE.target,
        format: OutputFormat.CJS,
        mainFields: [...BUNDLE.mainFields],
        externalModules: [...BUNDLE.externalModules],
        define: bundleDefine(features),
        // Report functions set their PDFs in DejaVu Sans Condensed: the font files go beside the handler.
        ...(features.reports
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) => [
                  `mkdir -p "${outputDir}/fonts"`,
                  ...Object.values(REPORT_FONT_FILES).map(
                    (f) =>
                      `cp "${inputDir}/node_modules/dejavu-fonts-ttf/ttf/${f}" "${outputDir}/fonts/${f}"`,
                  ),
                ],
              },
            }
          : {}),
        esbuildArgs: Object.fromEntries(Object.entries(BUNDLE.alias).map(([k, v]) => [`--alias:${k}`, v])),
      },
    });
    grantData(this.role, props.data, props.grants);
    Validations.of(this.fn).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: `No function dead-letter queue: ${NO_DLQ_BECAUSE[props.invocation]}.`,
    });
    // The IAM5 ("*" resource) acknowledgement is given per policy, at synthesis, only when every "*"-resource
    // statement of that policy holds actions that have no resource-level permissions, and it names them.
    Aspects.of(this).add(new WildcardResourceAcknowledgement());
  }
}

/**
 * Actions that accept no resource but "*", each with why a function holds it: X-Ray segments (active tracing),
 * listing streams (the audit stream event source) and Timestream endpoint discovery (telemetry ingest).
 */
export const RESOURCELESS_ACTIONS: Readonly<Record<string, string>> = {
  'xray:PutTraceSegments': 'active tracing',
  'xray:PutTelemetryRecords': 'active tracing',
  'dynamodb:ListStreams': 'the stream event source',
  'timestream:DescribeEndpoints': 'Timestream endpoint discovery before a write',
};

/**
 * Acknowledges AwsSolutions-IAM5[Resource::*] on one policy when, and only when, each of its "*"-resource
 * statements holds nothing but RESOURCELESS_ACTIONS; the reason lists exactly those actions. A policy with any
 * other action on "*" gets no acknowledgement, so cdk-nag fails the synth.
 */
export class WildcardResourceAcknowledgement implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof iam.Policy)) return;
    const doc = node.document.toJSON() as { Statement?: { Action: string | string[]; Resource: unknown }[] };
    const star = (doc.Statement ?? []).filter((st) => ([] as unknown[]).concat(st.Resource).includes('*'));
    if (star.length === 0) return;
    const actions = [...new Set(star.flatMap((st) => ([] as string[]).concat(st.Action)))].sort();
    if (!actions.every((a) => Object.hasOwn(RESOURCELESS_ACTIONS, a))) return;
    Validations.of(node).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `"*" here only for actions without resource-level permissions: ${actions
        .map((a) => `${a} (${RESOURCELESS_ACTIONS[a]})`)
        .join(', ')}. Every data action of this function names its table, index, queue or key.`,
    });
  }
}

function tableStatement(
  role: iam.Role,
  table: { tableArn: string; indexArns: string[] },
  key: kms.IKey,
  access: 'read' | 'write',
) {
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: access === 'write' ? [...READ_ACTIONS, ...WRITE_ACTIONS] : READ_ACTIONS,
      resources: [table.tableArn, ...table.indexArns],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: access === 'write' ? [...KMS_READ, ...KMS_WRITE] : KMS_READ,
      resources: [key.keyArn],
    }),
  );
}

/** Grants exactly the data access named: table and index ARNs, never `index/*`, never `dynamodb:*`. */
export function grantData(role: iam.Role, data: DataResources, grants: DataGrants): void {
  const entries: [keyof DataResources['tables'], 'read' | 'write' | undefined][] = [
    ['data', grants.data],
    ['audit', grants.audit],
    ['vendorKeys', grants.vendorKeys],
    ['rollups', grants.rollups],
    ['workflows', grants.workflows],
  ];
  for (const [name, access] of entries) {
    if (access) tableStatement(role, data.arnsOf(name), data.key, access);
  }
  if (grants.archive) {
    const bucket = data.archive.bucket;
    // Reads: objects and their listing (presigned URLs are signed with this role, so it needs GetObject).
    const actions = ['s3:GetObject', 's3:GetObjectRetention'];
    // Writes put once with a COMPLIANCE retain-until date; no delete, no retention bypass is ever granted.
    if (grants.archive === 'write') actions.push('s3:PutObject', 's3:PutObjectRetention');
    role.addToPolicy(new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects('*')] }));
    const cfnBucket = bucket.node.defaultChild as CfnElement;
    // How cdk-nag names the bucket's ARN: an attribute of the bucket in its own stack; in a nested stack (the route
    // handlers'), the parameter CDK passes it in by.
    const bucketArn =
      Stack.of(role) === Stack.of(bucket)
        ? `${Stack.of(role).getLogicalId(cfnBucket)}.Arn`
        : `referenceto${Names.uniqueId(cfnBucket)}Arn`;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketArn}>/*]`,
      reason:
        'Archive keys are made per record (reports/…, credit-statements/…, violations/…, manifest/…): object actions name the archive bucket only, and no delete, retention bypass or lock change is granted.',
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: grants.archive === 'write' ? [...KMS_READ, 'kms:GenerateDataKey'] : KMS_READ,
        resources: [data.key.keyArn],
      }),
    );
  }
  if (grants.workflowControl) {
    const names = workflowNames(deploymentStack(role));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'states:StartExecution',
          'states:SendTaskSuccess',
          'states:SendTaskFailure',
          'states:SendTaskHeartbeat',
        ],
        resources: names.machineArns,
      }),
    );
  }
  if (grants.workflowControl || grants.workflowRead) {
    const names = workflowNames(deploymentStack(role));
    // Execution names are minted per start (the agreement and version): only the state machine part is fixed. The
    // execution lists also read each execution's history (its visited-state path).
    const actions = [
      'states:DescribeExecution',
      ...(grants.workflowRead ? ['states:GetExecutionHistory'] : []),
    ];
    role.addToPolicy(new iam.PolicyStatement({ actions, resources: names.executionArns }));
    for (const finding of names.executionFindings) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${finding}]`,
        reason: `${actions.map((a) => a.slice('states:'.length)).join(' and ')} on this deployment's executions of one named state machine; execution names are minted per start.`,
      });
    }
  }
  if (grants.backfillRuns) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [backfillMachineArn(deploymentStack(role))],
      }),
    );
  }
  if (grants.sendEmail) {
    const stack = deploymentStack(role);
    const names = workflowNames(stack);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          senderIdentityArn(stack),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: names.configurationSet,
          }),
        ],
      }),
    );
  }
  if (grants.rawSamples) {
    if (data.timestreamTableArn) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['timestream:WriteRecords'],
          resources: [data.timestreamTableArn],
        }),
      );
      // DescribeEndpoints (endpoint discovery before any Timestream call) has no resource-level permissions.
      role.addToPolicy(
        new iam.PolicyStatement({ actions: ['timestream:DescribeEndpoints'], resources: ['*'] }),
      );
    }
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [data.rawFallbackQueue.queueArn, data.rawFallbackDlq.queueArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [...KMS_READ, 'kms:GenerateDataKey'],
        resources: [data.key.keyArn],
      }),
    );
  }
}
