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

/** The absolute path of one workflow's ASL file (under infra/workflows/, found from the project root). */
export function definitionPath(spec: WorkflowSpec): string {
  return fromRoot('infra', 'workflows', spec.file);
}

/** Reads one workflow's ASL file (with its placeholders as written). */
export function readDefinition(spec: WorkflowSpec): AslDefinition {
  return JSON.parse(readFileSync(definitionPath(spec), 'utf8')) as AslDefinition;
}

/** The handler module behind a Lambda function name the local engine minted for it (`accord-workflows-approval`). */
export const localFunctionName = (handler: string) => `accord-${handler.replace(/\//g, '-')}`;
export const localFunctionArn = (handler: string) =>
  `arn:aws:lambda:local:000000000000:function:${localFunctionName(handler)}`;
