import { join } from 'node:path';
import { type CfnElement, CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ProvisioningSpec, type ProvisioningSpecInput } from '../../../shared/schemas/provisioning.js';
import { BUNDLE } from '../bundling.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

export interface AccordRegistrationProps extends ProvisioningSpecInput {
  /** Accord's API base URL, https only (e.g. `https://accord.example.com` or the API Gateway stage URL). */
  apiUrl: string;
  /**
   * The secret holding the API token (a plain string, or JSON `{"token": "…"}`), imported by its COMPLETE ARN
   * (`Secret.fromSecretCompleteArn`) so the grant names exactly that secret. Never a plaintext prop.
   */
  apiTokenSecret: secretsmanager.ISecret;
}

/**
 * Registers a service and one agreement with its objectives in Accord at deployment (issue 14 item 5): a
 * CloudFormation custom resource (CDK Provider framework) whose onEvent function (functions/provisioning/on-event.ts)
 * calls Accord's public API over HTTPS. Idempotent; Delete retires a not-yet-active agreement and keeps an active
 * one (shared/provisioning/reconcile.ts says why). `service` and `agreement` are validated at synth with Accord's
 * own zod schemas; an invalid prop throws an Error naming it (`props.agreement.objectives.0.target: …`).
 *
 * Attributes: `agreementId` (Fn::GetAtt AgreementId), `serviceId`.
 */
export class AccordRegistration extends Construct {
  readonly agreementId: string;
  readonly serviceId: string;
  readonly onEvent: NodejsFunction;

  constructor(scope: Construct, id: string, props: AccordRegistrationProps) {
    super(scope, id);
    const { apiUrl, apiTokenSecret, ...rest } = props;
    const parsed = ProvisioningSpec.safeParse(rest);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `props.${i.path.join('.')}: ${i.message}`);
      throw new Error(`AccordRegistration ${id}: invalid props\n  ${problems.join('\n  ')}`);
    }
    let url: URL | undefined;
    try {
      url = new URL(apiUrl);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:')
      throw new Error(
        `AccordRegistration ${id}: props.apiUrl: must be an https:// URL, got ${JSON.stringify(apiUrl)}`,
      );
    const secretArn = apiTokenSecret.secretFullArn;
    if (!secretArn)
      throw new Error(
        `AccordRegistration ${id}: props.apiTokenSecret: import the secret by its complete ARN (Secret.fromSecretCompleteArn), so the grant names exactly that secret`,
      );

    const logGroup = new logs.LogGroup(this, 'OnEventLogs', { retention: logs.RetentionDays.ONE_YEAR });
    const role = new iam.Role(this, 'OnEventRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'AccordRegistration onEvent: reads one secret, writes its own logs',
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.onEvent = new NodejsFunction(this, 'OnEvent', {
      entry: join(REPO_ROOT, 'functions', 'provisioning', 'on-event.ts'),
      handler: 'handler',
      description: `Accord registration of ${parsed.data.service.id}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(60),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      environment: { ACCORD_API_URL: url.toString(), ACCORD_SECRET_ARN: secretArn },
      bundling: {
        minify: BUNDLE.minify,
        sourceMap: false,
        target: BUNDLE.target,
        format: OutputFormat.CJS,
        mainFields: [...BUNDLE.mainFields],
        externalModules: [...BUNDLE.externalModules],
      },
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.onEvent,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: logs.RetentionDays.ONE_YEAR }),
    });
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::AccordRegistration',
      // CloudFormation turns numbers in properties into strings: the spec travels as one JSON string.
      properties: { Spec: JSON.stringify(parsed.data) },
    });
    this.agreementId = resource.getAttString('AgreementId');
    this.serviceId = parsed.data.service.id;

    // Written reasons for what cdk-nag (AwsSolutions, Serverless) finds here; test/infra/registration.test.ts
    // synthesizes with both packs. The exact finding ids are acknowledged, so anything new still fails the synth.
    for (const [finding, reason] of acknowledgements(Stack.of(this), this.onEvent)) {
      Validations.of(this).acknowledge({ id: finding, reason });
    }
  }
}

/** Each finding cdk-nag reports on this construct, with why it stands (the Provider framework's are aws-cdk-lib's). */
function acknowledgements(stack: Stack, onEvent: NodejsFunction): [string, string][] {
  const onEventArn = `${stack.getLogicalId(onEvent.node.defaultChild as CfnElement)}.Arn`;
  return [
    [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "the CDK Provider framework's own function (aws-cdk-lib's) is given AWSLambdaBasicExecutionRole: logs only, no data access",
    ],
    [
      `AwsSolutions-IAM5[Resource::<${onEventArn}>:*]`,
      'the Provider framework may invoke the onEvent function and its versions ("<function arn>:*"): aws-cdk-lib writes this grant and it names that one function only',
    ],
    [
      'Serverless-LambdaDLQ',
      'both functions are invoked synchronously (CloudFormation calls the framework, the framework calls onEvent): a failure is returned to CloudFormation as FAILED and the stack rolls back; there is no queued event to keep',
    ],
    [
      'Serverless-LambdaDefaultMemorySize',
      "the Provider framework's function (aws-cdk-lib's) sets no memory; it only relays the event to onEvent, which sets 256 MB",
    ],
    [
      'Serverless-LambdaTracing',
      'no X-Ray tracing: its grant would put xray:* on "*" in a role meant to hold one secret read; each run is one custom resource event, logged in JSON by both functions',
    ],
  ];
}
