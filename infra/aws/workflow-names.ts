import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { loadDistributionPolicy } from '../../shared/policy/workflows.js';
import { BACKFILL_WORKFLOW, WORKFLOWS } from '../../shared/workflows.js';

/**
 * The deployment's own stack for a construct anywhere in it: its stack, or for one in a nested stack (the route
 * handlers' functions) the top-level stack, whose name the workflow resources carry.
 */
export function deploymentStack(scope: IConstruct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}

/** The names one stack gives its workflow resources, known before they exist (functions' environment needs them). */
export function workflowNames(stack: Stack) {
  const prefix = `${stack.stackName}-`;
  const machineArn = (name: string) =>
    stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: `${prefix}${name}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  return {
    prefix,
    /** `arn:…:stateMachine:<stack>-` (the workflow name follows). */
    machineArnPrefix: machineArn(''),
    machineArns: WORKFLOWS.map((w) => machineArn(w.name)),
    executionArns: WORKFLOWS.map((w) =>
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${prefix}${w.name}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ),
    configurationSet: `${stack.stackName}-notifications`,
    /** The execution ARNs as cdk-nag prints them in a finding (to acknowledge exactly those). */
    executionFindings: WORKFLOWS.map((w) => {
      const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
      const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
      return `arn:<AWS::Partition>:states:${region}:${account}:execution:${prefix}${w.name}:*`;
    }),
  };
}

/** The SES identity notifications are sent from (the domain of distribution-lists.json's `from`). */
export function senderIdentityArn(stack: Stack): string {
  const domain = loadDistributionPolicy().from.email.split('@')[1]!;
  return stack.formatArn({ service: 'ses', resource: 'identity', resourceName: domain });
}

/** The backfill state machine's name and ARN (known before it exists: the start route's role and environment). */
export function backfillMachineName(stack: Stack): string {
  return `${workflowNames(stack).prefix}${BACKFILL_WORKFLOW.name}`;
}

export function backfillMachineArn(stack: Stack): string {
  return stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: backfillMachineName(stack),
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
