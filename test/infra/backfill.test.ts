import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { handlerExists } from '../../infra/aws/constructs/function.js';
import { allStates, substitute } from '../../shared/adapters/local-sfn/transform.js';
import { BACKFILL_WORKFLOW, localFunctionArn, readDefinition } from '../../shared/workflows.js';
import { deploymentTemplate, type SynthedApp, synthesized } from './support/templates.js';

type Json = Record<string, any>;
const asl = readDefinition(BACKFILL_WORKFLOW);
const MACHINE = 'Accord-eu-west-1-backfill';
/** The bucket's placeholder as the ASL file writes it. */
const BUCKET = `\${${BACKFILL_WORKFLOW.bucketPlaceholder}}`;

describe('the backfill run state machine (infra/workflows/backfill.asl.json)', () => {
  it('is valid States Language (asl-validator), its placeholders substituted', () => {
    const values = {
      [BACKFILL_WORKFLOW.bucketPlaceholder]: 'accord-backfill',
      ...Object.fromEntries(
        Object.entries(BACKFILL_WORKFLOW.substitutions).map(([k, v]) => [k, localFunctionArn(v.handler)]),
      ),
    };
    const r = aslValidator(substitute(asl, values), { checkArn: true, checkPaths: true });
    expect(r.errorsText('\n')).toBe('');
    expect(r.isValid).toBe(true);
  });

  it('uses exactly the placeholders its table row names, each an existing handler, and the bucket', () => {
    const used = new Set(
      [
        ...readFileSync(`infra/workflows/${BACKFILL_WORKFLOW.file}`, 'utf8').matchAll(
          /\$\{([A-Za-z0-9_]+)\}/g,
        ),
      ].map((m) => m[1]),
    );
    expect([...used].sort()).toEqual(
      [...Object.keys(BACKFILL_WORKFLOW.substitutions), BACKFILL_WORKFLOW.bucketPlaceholder].sort(),
    );
    for (const { handler } of Object.values(BACKFILL_WORKFLOW.substitutions))
      expect(handlerExists(handler), handler).toBe(true);
  });

  it('is a Distributed Map over the run prefix’s S3 listing that tolerates every item failure and writes its results under results/', () => {
    const map = asl.States.ImportObjects as Json;
    expect(map.Type).toBe('Map');
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:listObjectsV2',
      Parameters: { Bucket: BUCKET, 'Prefix.$': '$.prefix' },
    });
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ToleratedFailurePercentage).toBe(100);
    expect(map.MaxConcurrencyPath).toBe('$.concurrency');
    expect(map.ResultWriter.Parameters).toEqual({ Bucket: BUCKET, Prefix: 'results' });
    // A failing map still reaches the report (Catch), which records the run as failed.
    expect(map.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'RecordReport' });
  });

  it('gives every Task a Retry on Lambda throttling and a Catch, and names each state once', () => {
    const states = allStates(asl);
    expect(new Set(states.map(([n]) => n)).size).toBe(states.length);
    const tasks = states.filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([n]) => n).sort()).toEqual(['ImportObject', 'RecordReport']);
    for (const [name, s] of tasks) {
      const retry = s.Retry as { ErrorEquals: string[] }[];
      expect(
        retry.flatMap((r) => r.ErrorEquals),
        name,
      ).toContain('Lambda.TooManyRequestsException');
      expect((s.Catch as unknown[]).length, name).toBeGreaterThan(0);
    }
  });
});

describe('backfill runs on AWS (CDK, synthesized with cdk-nag on)', () => {
  let app: SynthedApp;
  let t: Template;
  let nested: Json;
  beforeAll(async () => {
    app = await synthesized('cdkJson');
    const stack = app.stacks.find((s) => s.region === 'eu-west-1')!;
    t = deploymentTemplate(stack);
    nested = stack.nested.find((n) => n.path.endsWith('/Backfill/Stack'))!.template;
  });
  const resources = (type: string) =>
    Object.entries(t.findResources(type)) as [string, { Properties: Json }][];
  const policiesOf = (idPart: string) =>
    resources('AWS::IAM::Policy')
      .filter(([id]) => id.includes(idPart))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]);
  const withAction = (statements: { Action: unknown; Resource: unknown }[], action: string) =>
    statements.filter((s) => ([] as unknown[]).concat(s.Action).includes(action));

  it('deploys the backfill state machine from the ASL file, Standard, traced, logging every event', () => {
    const machines = Object.values(nested.Resources as Json).filter(
      (r: Json) => r.Type === 'AWS::StepFunctions::StateMachine',
    ) as Json[];
    expect(machines.length).toBe(1);
    const m = machines[0]!.Properties;
    expect(m).toMatchObject({
      StateMachineName: MACHINE,
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    expect(m.DefinitionS3Location).toBeDefined();
    expect(Object.keys(m.DefinitionSubstitutions).sort()).toEqual(
      ['BackfillBucket', 'BackfillObjectFunctionArn', 'BackfillReportFunctionArn'].sort(),
    );
  });

  it('keeps chunk objects in a bucket that is encrypted, TLS-only, private and expires them', () => {
    const buckets = Object.values(nested.Resources as Json).filter(
      (r: Json) => r.Type === 'AWS::S3::Bucket',
    ) as Json[];
    expect(buckets.length).toBe(1);
    const b = buckets[0]!.Properties;
    expect(
      b.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
    ).toBe('AES256');
    expect(b.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(b.LifecycleConfiguration.Rules[0]).toMatchObject({
      Status: 'Enabled',
      ExpirationInDays: 30,
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    });
    const policy = Object.values(nested.Resources as Json).find(
      (r: Json) => r.Type === 'AWS::S3::BucketPolicy',
    ) as Json;
    const deny = (policy.Properties.PolicyDocument.Statement as Json[]).find((s) => s.Effect === 'Deny');
    expect(deny).toMatchObject({ Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('lets only the start route start it, and on that state machine only', () => {
    const starters = resources('AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes(`stateMachine:${MACHINE}`),
    );
    const names = starters.map(([id]) => id);
    // The start route's function, and the machine itself (its Distributed Map's child executions).
    expect(names.some((n) => n.startsWith('EcosystemBackfillRunStart'))).toBe(true);
    expect(
      names.filter((n) => !n.startsWith('EcosystemBackfillRunStart') && !n.startsWith('Machine')),
    ).toEqual([]);
    const start = withAction(policiesOf('EcosystemBackfillRunStart'), 'states:StartExecution');
    expect(start.length).toBe(1);
    expect(JSON.stringify(start[0]!.Resource)).toContain(`stateMachine:${MACHINE}"`);
  });

  it('lets the item processor read objects of the backfill bucket only, and the report read results/ only', () => {
    const get = withAction(policiesOf('ObjectFn'), 's3:GetObject');
    expect(get.length).toBe(1);
    expect(JSON.stringify(get[0]!.Resource)).toMatch(/Bucket[0-9A-F]{8}","Arn"\]\},"\/\*"/);
    const report = withAction(policiesOf('ReportFn'), 's3:GetObject');
    expect(report.length).toBe(1);
    expect(JSON.stringify(report[0]!.Resource)).toContain('/results/*');
    // No function may write or delete in the bucket.
    for (const id of ['ObjectFn', 'ReportFn']) {
      expect(withAction(policiesOf(id), 's3:PutObject')).toEqual([]);
      expect(withAction(policiesOf(id), 's3:DeleteObject')).toEqual([]);
    }
  });

  it('gives the state machine the Distributed Map’s own permissions: its child executions, the listing, the results, the two functions', () => {
    const st = policiesOf('MachineRole');
    expect(JSON.stringify(withAction(st, 'states:StartExecution')[0]!.Resource)).toContain(
      `stateMachine:${MACHINE}"`,
    );
    const child = withAction(st, 'states:DescribeExecution');
    expect(([] as string[]).concat(child[0]!.Action as string[]).sort()).toEqual([
      'states:DescribeExecution',
      'states:StopExecution',
    ]);
    expect(JSON.stringify(child[0]!.Resource)).toContain(`execution:${MACHINE}/*`);
    expect(withAction(st, 's3:ListBucket').length).toBe(1);
    expect(JSON.stringify(withAction(st, 's3:PutObject')[0]!.Resource)).toContain('/results/*');
    const invoke = withAction(st, 'lambda:InvokeFunction');
    const targets = JSON.stringify(invoke.map((s) => s.Resource));
    expect(targets).toContain('ObjectFn');
    expect(targets).toContain('ReportFn');
  });

  it('acknowledges every cdk-nag finding of the backfill resources with a written reason', () => {
    const acks = app.acknowledgements.filter((a) => a.path.includes('/Backfill/'));
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(40);
  });
});
