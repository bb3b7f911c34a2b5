import { App, Aspects, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { WildcardResourceAcknowledgement } from '../../infra/aws/constructs/function.js';

/** A stack with one role whose policy holds the given "*"-resource actions, checked by cdk-nag's IAM5. */
function synthWith(actions: string[]): () => void {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  role.addToPolicy(new iam.PolicyStatement({ actions, resources: ['*'] }));
  Aspects.of(role).add(new WildcardResourceAcknowledgement());
  return () => app.synth();
}

describe('the IAM5 "*"-resource acknowledgement', () => {
  it('is given to a policy whose "*" statements hold only actions without resource-level permissions', () => {
    expect(
      synthWith(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'dynamodb:ListStreams']),
    ).not.toThrow();
  });

  it('is withheld, so cdk-nag fails the synth, when any other action sits on "*"', () => {
    expect(synthWith(['xray:PutTraceSegments', 's3:GetObject'])).toThrow(/IAM5/);
    expect(synthWith(['dynamodb:GetItem'])).toThrow(/IAM5/);
  });
});
