import { Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { AWS_ENV } from '../../../shared/runtime/config.js';
import type { AccordFunction } from './function.js';

/**
 * Lets a function change vendors' usage-plan enrolment (shared/adapters/apigateway/usage-plans.ts): the API's id,
 * to find the plans on its stage, and IAM for exactly that. `enrol`: list usage plans, create an API key, attach it
 * to one of these plans, delete it again if that fails; `withdraw`: delete an API key. A policy of its own rather
 * than the role's default policy: naming the plans there would make the function depend on the stage, which
 * depends on the function (a cycle).
 */
export function grantUsagePlans(
  scope: Construct,
  id: string,
  f: AccordFunction,
  api: apigw.RestApi,
  plans: readonly apigw.UsagePlan[],
  need: 'enrol' | 'withdraw',
): iam.Policy {
  f.fn.addEnvironment(AWS_ENV.restApiId, api.restApiId);
  const stack = Stack.of(scope);
  const arn = (path: string) => `arn:${stack.partition}:apigateway:${stack.region}::${path}`;
  const enrol =
    need === 'enrol'
      ? [
          new iam.PolicyStatement({ actions: ['apigateway:GET'], resources: [arn('/usageplans')] }),
          new iam.PolicyStatement({
            actions: ['apigateway:POST'],
            resources: [arn('/apikeys'), ...plans.map((p) => arn(`/usageplans/${p.usagePlanId}/keys`))],
          }),
        ]
      : [];
  const policy = new iam.Policy(scope, id, {
    roles: [f.role],
    statements: [
      ...enrol,
      new iam.PolicyStatement({ actions: ['apigateway:DELETE'], resources: [arn('/apikeys/*')] }),
    ],
  });
  Validations.of(policy).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:${stack.region}::/apikeys/*]`,
    reason:
      "apigateway:DELETE on /apikeys/*: a revoked vendor's metering key is created at run time, so its id cannot be named here. Only the admin-only vendor management function holds it; an API key only identifies a vendor to its usage plan (the key source is the authorizer), it grants no access.",
  });
  return policy;
}
