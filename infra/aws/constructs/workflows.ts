import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkflowName } from '../../../shared/ports/workflows.js';
import { definitionPath, WORKFLOWS, type WorkflowSpec } from '../../../shared/workflows.js';
import { workflowNames } from '../workflow-names.js';
import type { DataResources } from './data.js';
import { AccordFunction, handlerExists, handlerId } from './function.js';

export interface WorkflowsProps {
  data: DataResources;
  environment: Record<string, string>;
  workflows?: readonly WorkflowSpec[];
}

/**
 * Step Functions Standard state machines from the ASL files of shared/workflows.ts (DefinitionBody.fromFile, the
 * `${Placeholders}` substituted with the ARNs of the functions/ handlers they name), each with its own role that may
 * invoke exactly those functions, X-Ray tracing and a log group of every execution event; and the SES
 * configuration set whose bounces and complaints go to an encrypted SNS topic.
 */
export class Workflows extends Construct {
  readonly machines = new Map<WorkflowName, sfn.StateMachine>();
  readonly functions = new Map<string, AccordFunction>();
  readonly configurationSet: ses.ConfigurationSet;
  readonly bounces: sns.Topic;

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = workflowNames(stack);
    for (const spec of props.workflows ?? WORKFLOWS) {
      const substitutions: Record<string, string> = {};
      const used: AccordFunction[] = [];
      for (const [placeholder, { handler }] of Object.entries(spec.substitutions)) {
        if (!handlerExists(handler))
          throw new Error(`${spec.file}: ${placeholder} names ${handler}, which does not exist`);
        let fn = this.functions.get(handler);
        if (!fn) {
          fn = new AccordFunction(this, `Task${handlerId(handler)}`, {
            handler,
            environment: props.environment,
            grants: { data: 'write', workflows: 'write', workflowControl: true },
            data: props.data,
            invocation: 'workflow',
            features: { telemetry: false, objectives: handler.startsWith('workflows/remediation') },
            description: `Accord workflow tasks: ${handler}`,
          });
          this.functions.set(handler, fn);
        }
        substitutions[placeholder] = fn.fn.functionArn;
        used.push(fn);
      }
      const logGroup = new logs.LogGroup(this, `${handlerId(spec.name)}Logs`, {
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const machine = new sfn.StateMachine(this, `Machine${handlerId(spec.name)}`, {
        stateMachineName: `${names.prefix}${spec.name}`,
        stateMachineType: sfn.StateMachineType.STANDARD,
        definitionBody: sfn.DefinitionBody.fromFile(definitionPath(spec)),
        definitionSubstitutions: substitutions,
        tracingEnabled: true,
        logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
        comment: spec.description,
      });
      for (const fn of used) fn.fn.grantInvoke(machine.role);
      Validations.of(machine.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions adds the log-delivery and X-Ray actions its service requires (logs:CreateLogDelivery…, xray:PutTraceSegments), which have no resource-level permissions.',
      });
      for (const fn of used) {
        Validations.of(machine.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.fn.node.defaultChild as never)}.Arn>:*]`,
          reason:
            'lambda:InvokeFunction on the task function and its versions (the `:*` qualifier CDK grants).',
        });
      }
      this.machines.set(spec.name, machine);
    }

    // Bounces and complaints of notification e-mail: recorded on a topic the operators subscribe to.
    this.bounces = new sns.Topic(this, 'Bounces', {
      masterKey: props.data.key,
      enforceSSL: true,
      displayName: 'Accord notification bounces and complaints',
    });
    props.data.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.configurationSet = new ses.ConfigurationSet(this, 'Notifications', {
      configurationSetName: names.configurationSet,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(this.bounces),
      events: [
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.REJECT,
        ses.EmailSendingEvent.RENDERING_FAILURE,
      ],
    });
  }
}
