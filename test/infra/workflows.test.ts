import { readdirSync, readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { handlerExists } from '../../infra/aws/constructs/function.js';
import { type AslState, allStates, substitute } from '../../shared/adapters/local-sfn/transform.js';
import { BACKFILL_WORKFLOW, localFunctionArn, readDefinition, WORKFLOWS } from '../../shared/workflows.js';
import { deploymentTemplate, synthesized } from './support/templates.js';

const files = readdirSync('infra/workflows').filter((f) => f.endsWith('.asl.json'));
const defs = WORKFLOWS.map((spec) => ({ spec, asl: readDefinition(spec) }));
const calls = (s: AslState) => s.Type === 'Task';
const isCallback = (s: AslState) => String(s.Resource).endsWith('.waitForTaskToken');

describe('the Amazon States Language files (infra/workflows)', () => {
  it('are each named once in the workflow table (or are the backfill run, deployed apart), and the table names no other file', () => {
    expect([...WORKFLOWS.map((w) => w.file), BACKFILL_WORKFLOW.file].sort()).toEqual(files.sort());
  });

  it.each(defs.map((d) => [d.spec.file, d] as const))(
    '%s is valid States Language (asl-validator)',
    (_f, d) => {
      const values = Object.fromEntries(
        Object.entries(d.spec.substitutions).map(([k, v]) => [k, localFunctionArn(v.handler)]),
      );
      const r = aslValidator(substitute(d.asl, values), { checkArn: true, checkPaths: true });
      expect(r.errorsText('\n')).toBe('');
      expect(r.isValid).toBe(true);
    },
  );

  it('are held to the validator that catches a broken definition (a Task with neither Next nor End, a Choice to nowhere)', () => {
    const broken = {
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:f' },
        B: {
          Type: 'Choice',
          Choices: [{ Variable: '$.x', StringEquals: 'y', Next: 'Nowhere' }],
          Default: 'A',
        },
      },
    };
    expect(aslValidator(broken, { checkArn: true, checkPaths: true }).isValid).toBe(false);
  });

  it.each(defs.map((d) => [d.spec.file, d] as const))(
    '%s gives every callback task a heartbeat under its timeout',
    (_f, d) => {
      const callbacks = allStates(d.asl).filter(([, s]) => isCallback(s));
      for (const [name, s] of callbacks) {
        expect(typeof s.HeartbeatSeconds, `${name}: HeartbeatSeconds`).toBe('number');
        expect(typeof s.TimeoutSeconds, `${name}: TimeoutSeconds`).toBe('number');
        expect(s.HeartbeatSeconds as number, name).toBeLessThan(s.TimeoutSeconds as number);
        // The heartbeat is what wakes the reminder/escalation loop: it must be caught by name.
        const catches = (s.Catch as { ErrorEquals: string[] }[]).flatMap((c) => c.ErrorEquals);
        expect(catches, name).toContain('States.HeartbeatTimeout');
      }
    },
  );

  it.each(defs.map((d) => [d.spec.file, d] as const))(
    '%s gives every Task that calls out a Retry and a Catch',
    (_f, d) => {
      const tasks = allStates(d.asl).filter(([, s]) => calls(s));
      expect(tasks.length).toBeGreaterThan(0);
      for (const [name, s] of tasks) {
        const retry = (s.Retry ?? []) as { ErrorEquals: string[] }[];
        expect(retry.length, `${name} has no Retry`).toBeGreaterThan(0);
        expect(
          retry.flatMap((r) => r.ErrorEquals),
          name,
        ).toContain('Lambda.TooManyRequestsException');
        expect(((s.Catch ?? []) as unknown[]).length, `${name} has no Catch`).toBeGreaterThan(0);
      }
    },
  );

  it.each(defs.map((d) => [d.spec.file, d] as const))(
    '%s names each state once, writes no explicit ResultPath "$", and a Choice always has a Default',
    (_f, d) => {
      const names = allStates(d.asl).map(([n]) => n);
      expect(new Set(names).size).toBe(names.length);
      for (const [name, s] of allStates(d.asl)) {
        expect(s.ResultPath, `${name}: leave ResultPath out instead of "$"`).not.toBe('$');
        if (s.Type === 'Choice') expect(s.Default, `${name} has no Default`).toBeTypeOf('string');
      }
    },
  );

  it.each(defs.map((d) => [d.spec.file, d] as const))(
    '%s uses exactly the placeholders its table row substitutes, each an existing handler',
    (_f, d) => {
      const used = new Set(
        [...readFileSync(`infra/workflows/${d.spec.file}`, 'utf8').matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map(
          (m) => m[1],
        ),
      );
      expect([...used].sort()).toEqual(Object.keys(d.spec.substitutions).sort());
      for (const { handler } of Object.values(d.spec.substitutions))
        expect(handlerExists(handler), handler).toBe(true);
    },
  );
});

describe('the workflows on AWS (CDK)', () => {
  let t: Template;
  // The app as synthesized once for the infra project with cdk-nag on (test/infra/support/global-setup.ts); with
  // every nested stack: every function, wherever it is deployed.
  beforeAll(async () => {
    t = deploymentTemplate((await synthesized('cdkJson')).stacks.find((s) => s.region === 'eu-west-1')!);
  });

  it('deploys one Standard state machine per ASL file, traced and logging every event, from the file itself', () => {
    const machines = Object.values(t.findResources('AWS::StepFunctions::StateMachine')) as {
      Properties: Record<string, unknown>;
    }[];
    expect(machines.map((m) => m.Properties.StateMachineName).sort()).toEqual(
      [...WORKFLOWS, BACKFILL_WORKFLOW].map((w) => `Accord-eu-west-1-${w.name}`).sort(),
    );
    for (const m of machines) {
      expect(m.Properties).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      });
      // DefinitionBody.fromFile: the ASL travels as an asset, its placeholders substituted with function ARNs.
      expect(m.Properties.DefinitionS3Location).toBeDefined();
      const subs = m.Properties.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>;
      for (const [k, v] of Object.entries(subs))
        if (k !== BACKFILL_WORKFLOW.bucketPlaceholder) expect(v['Fn::GetAtt'][1]).toBe('Arn');
    }
  });

  it('lets a state machine invoke only the functions its ASL names', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy')) as {
      Properties: {
        PolicyName: string;
        PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] };
      };
    }[];
    const machineRoles = policies.filter((p) =>
      /MachineApproval/.test(JSON.stringify(p.Properties.PolicyName)),
    );
    const invoke = machineRoles
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => JSON.stringify(s.Action).includes('lambda:InvokeFunction'));
    expect(invoke.length).toBe(1);
    expect(JSON.stringify(invoke[0]!.Resource)).toContain('TaskWorkflowsApproval');
  });

  it('lets the workflow-starts job start the workflows and record them, and nothing it does not need', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy')) as {
      Properties: {
        PolicyName: string;
        PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
      };
    }[];
    const mine = policies
      .filter((p) => /JobWorkflowStarts/.test(JSON.stringify(p.Properties.PolicyName)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = new Set(mine.flatMap((st) => ([] as string[]).concat(st.Action)));
    expect(actions).toContain('states:StartExecution');
    expect(actions).toContain('dynamodb:PutItem');
    // No e-mail (the dispatcher sends), no archive, no secrets, no backfill machine (sqs: its dead-letter queue).
    expect([...actions].filter((a) => /^(ses|s3|secretsmanager|timestream|apigateway):/.test(a))).toEqual([]);
    const start = mine.find((st) => ([] as string[]).concat(st.Action).includes('states:StartExecution'))!;
    const resources = JSON.stringify(start.Resource);
    for (const w of WORKFLOWS) expect(resources).toContain(`stateMachine:Accord-eu-west-1-${w.name}`);
    expect(resources).not.toContain(BACKFILL_WORKFLOW.name);
    // The data table (agreements, violations) is read, never written: its writes are the workflows table's.
    const writes = mine.filter((st) => ([] as string[]).concat(st.Action).includes('dynamodb:PutItem'));
    expect(writes).toHaveLength(1);
    expect(JSON.stringify(writes[0]!.Resource)).toMatch(/Workflows/);
  });

  it('lets the execution lists read the execution index, the executions and their history, and start nothing', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy')) as {
      Properties: {
        PolicyName: string;
        PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
      };
    }[];
    for (const fn of ['WorkflowsAgreementExecutions', 'WorkflowsViolationExecutions']) {
      const mine = policies
        .filter((p) => new RegExp(fn).test(JSON.stringify(p.Properties.PolicyName)))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      const actions = new Set(mine.flatMap((st) => ([] as string[]).concat(st.Action)));
      expect(actions, fn).toContain('states:GetExecutionHistory');
      expect(actions, fn).toContain('states:DescribeExecution');
      expect(
        [...actions].filter((a) => /^states:(Start|Send|Stop)/.test(a) || a === 'dynamodb:PutItem'),
      ).toEqual([]);
      const history = mine.find((st) =>
        ([] as string[]).concat(st.Action).includes('states:GetExecutionHistory'),
      )!;
      for (const w of WORKFLOWS)
        expect(JSON.stringify(history.Resource)).toContain(`execution:Accord-eu-west-1-${w.name}:*`);
    }
  });

  it('keeps people tasks and the notification queue in the workflows table, and sends mail through a configuration set that records bounces', () => {
    t.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'Accord-eu-west-1-notifications' });
    t.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint', 'reject', 'renderingFailure'],
      },
    });
    // CDK's BucketDeployment function (the console's deploy-time copy, test/infra/console.test.ts) is not Accord's.
    const fns = Object.entries(t.findResources('AWS::Lambda::Function'))
      .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
      .map(([, f]) => f) as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }[];
    expect(fns.length).toBeGreaterThan(0);
    for (const f of fns.filter((x) => x.Properties.Environment)) {
      expect(f.Properties.Environment.Variables.ACCORD_WORKFLOWS_TABLE).toBeDefined();
    }
  });
});
