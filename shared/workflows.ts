/**
 * The one table of state machines: each names its Amazon States Language file under infra/workflows/ and the
 * substitutions its `${Placeholders}` take, each naming a handler module under functions/. The CDK construct
 * (infra/aws/constructs/workflows.ts) builds Step Functions Standard state machines from it with
 * DefinitionBody.fromFile and the functions' ARNs; the embedded default (infra/local/workflows.ts) runs the very
 * same files with aws-local-stepfunctions, routing each Task to the same handler.
 */
import { readFileSync } from 'node:fs';
import type { AslDefinition } from './adapters/local-sfn/transform.js';
import type { WorkflowName } from './ports/workflows.js';
import { fromRoot } from './runtime/project-root.js';

export interface WorkflowSpec {
  name: WorkflowName;
  /** The ASL file, relative to infra/workflows/. */
  file: string;
  description: string;
  /** `${Placeholder}` → the handler module (under functions/, without extension) whose ARN it takes. */
  substitutions: Readonly<Record<string, { handler: string }>>;
}

export const WORKFLOWS: readonly WorkflowSpec[] = [
  {
    name: 'approval',
    file: 'approval.asl.json',
    description:
      'Approval of a submitted agreement: sign-off tasks, reminders, escalation, activation on effectiveFrom',
    substitutions: { ApprovalFunctionArn: { handler: 'workflows/approval' } },
  },
  {
    name: 'remediation',
    file: 'remediation.asl.json',
    description: 'Remediation of a violation: RCA, CAPA items to closure, escalation, credit, closure',
    substitutions: { RemediationFunctionArn: { handler: 'workflows/remediation' } },
  },
  {
    name: 'change-request',
    file: 'change-request.asl.json',
    description:
      'A change request to an active agreement: assessment by the provider, the sign-offs of the change control path, a new version',
    substitutions: { ChangeRequestFunctionArn: { handler: 'workflows/change-request' } },
  },
];

/**
 * The backfill run's state machine (docs/backfill.md, "Large files on AWS"): a Step Functions Distributed Map over the
 * chunk objects of the backfill bucket. Not in WORKFLOWS: it runs on AWS only (aws-local-stepfunctions has no
 * ItemReader), so the embedded engine never loads it; infra/aws/constructs/backfill.ts deploys it from the same kind
 * of table row, `${BackfillBucket}` taking the bucket's name.
 */
export const BACKFILL_WORKFLOW = {
  name: 'backfill',
  file: 'backfill.asl.json',
  description:
    'Backfill run: a Distributed Map over the chunk objects under a prefix of the backfill bucket, each imported by the backfill use case into one audited job; the report lists each object that failed',
  substitutions: {
    BackfillObjectFunctionArn: { handler: 'ecosystem/backfill-object' },
    BackfillReportFunctionArn: { handler: 'ecosystem/backfill-report' },
  },
  /** The placeholder the backfill bucket's name replaces. */
  bucketPlaceholder: 'BackfillBucket',
} as const;

/** The absolute path of one workflow's ASL file (under infra/workflows/, found from the project root). */
export function definitionPath(spec: Pick<WorkflowSpec, 'file'>): string {
  return fromRoot('infra', 'workflows', spec.file);
}

/** Reads one workflow's ASL file (with its placeholders as written). */
export function readDefinition(spec: Pick<WorkflowSpec, 'file'>): AslDefinition {
  return JSON.parse(readFileSync(definitionPath(spec), 'utf8')) as AslDefinition;
}

/** The handler module behind a Lambda function name the local engine minted for it (`accord-workflows-approval`). */
export const localFunctionName = (handler: string) => `accord-${handler.replace(/\//g, '-')}`;
export const localFunctionArn = (handler: string) =>
  `arn:aws:lambda:local:000000000000:function:${localFunctionName(handler)}`;
